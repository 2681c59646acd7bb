/**
 * One view of the fleet (`npm run status -- [options]`): for every facility of the stack, its
 * agent container, connector and tasks, heartbeat freshness, warehouse rows per table, last
 * error and image version (drift from `facilityImage`, else `connectImage`); for the sink, connector and tasks, lag per topic, DLQ depth and growth since the last
 * look. Exit 0 when healthy, 1 when anything is unhealthy (thresholds: stack setting
 * `statusThresholds`), 2 on a usage or configuration error.
 *
 *   --stack S            the stack (default: the selected one); --config-file F as for pulumi
 *   --json               the report as JSON instead of a table
 *   --prometheus FILE    also write the figures as Prometheus text (node-exporter textfile
 *                        collector: FILE ends in .prom); written atomically
 *   --html FILE          also write a self-contained HTML page of the fleet, problems first;
 *                        written atomically
 *   --state-file F       where the previous look is kept (default $CMW_STATE/status/<stack>.json)
 *   --no-rows            skip counting warehouse rows (large warehouses)
 *   --dir DIR            facility files from DIR instead of the stack's facilitiesDir
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { FacilityConfigError } from "../../components/settings/facility";
import { SettingsError } from "../../components/settings/stack";
import { DATA_TOPIC_PREFIX, DLQ_TOPIC } from "../../components/naming";
import { connectorStatusFromTopic } from "./connect-status";
import { renderStatusHtml } from "./html";
import { renderPrometheus, renderStatusTable } from "./render";
import { ConnectorStatus, FacilityObservation, Observation, PreviousLook, SinkObservation, evaluateStatus, nextLook } from "./status";
import { Central, centralFrom, connectGet } from "../lib/central";
import { AgentLook, lookAtAgent } from "./facility-host";
import { OffsetsAnswer, ReadAnswer, kafkaOps } from "../lib/kafka-ops";
import { parseArgs, readStackSettings, runMain } from "../lib/stack";
import { readLoginFile } from "../lib/login";

/** How many facility hosts are looked at at once. */
const HOST_CONCURRENCY = 8;

async function pool<T, R>(items: T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]);
    }
  }));
  return results;
}

const message = (e: unknown) => (e as Error)?.message ?? String(e);

/** Rows per facility code and table, for every warehouse table that has facility rows. */
async function warehouseRows(c: Central): Promise<Map<string, Record<string, number>>> {
  const db = await c.warehouse.connect();
  try {
    const tables = await db.query<{ table_name: string }>(
      "select table_name from information_schema.columns where table_schema = $1 and column_name = 'facility_dhis2_code' order by 1",
      [c.warehouse.schema]);
    const byCode = new Map<string, Record<string, number>>();
    for (const { table_name: table } of tables.rows) {
      const counts = await db.query<{ code: string; n: string }>(
        `select facility_dhis2_code as code, count(*) as n from ${db.escapeIdentifier(c.warehouse.schema)}.${db.escapeIdentifier(table)} group by 1`);
      for (const { code, n } of counts.rows) {
        if (!byCode.has(code)) byCode.set(code, {});
        byCode.get(code)![table] = Number(n);
      }
    }
    return byCode;
  } finally {
    await db.end();
  }
}

async function observe(c: Central, countRows: boolean, desiredImage: string | null): Promise<Observation> {
  const at = new Date();
  const names = c.plan.facilities.map((p) => ({ f: p.facility, n: p.names }));
  const group = `connect-${c.plan.sink.connector.name}`;

  const [kafka, rows, sinkStatus, agents, lastKnown] = await Promise.all([
    kafkaOps<OffsetsAnswer>(c.kafka, {
      command: "offsets",
      topicPrefixes: [DATA_TOPIC_PREFIX],
      topics: [DLQ_TOPIC],
      groups: [group],
      latestTimestampTopics: names.map(({ n }) => n.heartbeatTopic),
    }).then((v) => ({ v }), (e) => ({ error: message(e) })),
    (countRows ? warehouseRows(c) : Promise.resolve(new Map<string, Record<string, number>>()))
      .then((v) => ({ v }), (e) => ({ error: message(e) })),
    connectGet(c.sinkUrls, `/connectors/${encodeURIComponent(c.plan.sink.connector.name)}/status`)
      .then((v) => (v?.connector ? v : { error: v?.message ?? "no status" }), (e) => ({ error: message(e) })),
    pool(names, HOST_CONCURRENCY, ({ f, n }): Promise<AgentLook> => f.host === undefined
      ? Promise.resolve({ hostReachable: true })
      : lookAtAgent(f.host, c.facilitySshOpts, n.containerName, f.restPort, n.connectorName)),
    // What each agent last wrote to its Connect status topic: known even when its host is not.
    pool(names, HOST_CONCURRENCY, ({ n }) => kafkaOps<ReadAnswer>(c.kafka, { command: "read", topic: n.internalTopics.status, timeoutMs: 15_000 })
      .then((a): ConnectorStatus | null | undefined => connectorStatusFromTopic(a.records, n.connectorName), () => undefined)),
  ]);

  const offsets = "v" in kafka ? kafka.v : undefined;
  const facilities: FacilityObservation[] = names.map(({ f, n }, i) => ({
    slug: f.slug, name: f.name, dhis2Code: f.dhis2Code, agent: f.agent, ...(f.host ? { host: f.host } : {}), engine: f.source.engine,
    connectorName: n.connectorName,
    ...agents[i],
    lastKnownConnector: lastKnown[i],
    lastHeartbeatMs: offsets?.latestTimestamps[n.heartbeatTopic] ?? null,
    rows: "v" in rows ? rows.v.get(f.dhis2Code) ?? {} : {},
  }));
  const sink: SinkObservation = {
    connectorName: c.plan.sink.connector.name,
    connector: sinkStatus,
    ...(offsets ? {
      offsets: {
        dataTopics: Object.fromEntries(Object.entries(offsets.topics).filter(([t]) => t.startsWith(DATA_TOPIC_PREFIX))),
        committed: offsets.groups[group] ?? {},
        dlq: offsets.topics[DLQ_TOPIC] ?? [],
      },
    } : {}),
  };
  return {
    stack: c.stack, at, facilities, sink, desiredImage, rowsCounted: countRows,
    ...("error" in kafka ? { kafkaError: kafka.error } : {}),
    ...("error" in rows ? { warehouseError: rows.error } : {}),
  };
}

function defaultStateFile(stack: string): string {
  const state = process.env.CMW_STATE
    ?? (process.getuid?.() === 0 ? "/var/lib/clinicmaster-warehouse" : path.join(os.homedir(), ".local", "state", "clinicmaster-warehouse"));
  return path.join(state, "status", `${stack}.json`);
}

function readPrevious(file: string): PreviousLook | null {
  try {
    const v = JSON.parse(fs.readFileSync(file, "utf8"));
    if (typeof v?.at !== "string" || typeof v?.dlqEnd !== "number") return null;
    const counts = (x: unknown) => typeof x === "object" && x !== null && Object.values(x).every((n) => Number.isFinite(n));
    const rowsOk = typeof v.rowsAt === "string" && typeof v.rows === "object" && v.rows !== null && Object.values(v.rows).every(counts);
    return { at: v.at, dlqEnd: v.dlqEnd, ...(rowsOk ? { rows: v.rows, rowsAt: v.rowsAt } : {}) };
  } catch {
    return null;
  }
}

/** Write to a temporary file and rename it, so a collector never reads half a file. */
function writeAtomically(file: string, content: string): void {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, content);
  fs.renameSync(tmp, file);
}

async function main(argv: string[]): Promise<number> {
  const args = parseArgs(argv, ["json", "no-rows"]);
  // With --login FILE (cron): the read-only monitoring login, and no stack secret read at all.
  const login = args.flags.login ? readLoginFile(args.flags.login) : undefined;
  const central = centralFrom(readStackSettings(args.flags.stack, args.flags["config-file"], login === undefined), args.flags.dir, login);
  const thresholds = central.settings.statusThresholds;
  const stateFile = args.flags["state-file"] ?? defaultStateFile(central.stack);
  // The image the plan gives the facility agents: facilityImage, else connectImage.
  const desired = central.settings.facilityImage ?? central.settings.connectImage;

  const previous = readPrevious(stateFile);
  const observation = await observe(central, !args.switches.has("no-rows"), desired);
  const report = evaluateStatus(observation, thresholds, previous);
  const remember = nextLook(observation, report, previous);
  if (remember) writeAtomically(stateFile, JSON.stringify(remember) + "\n");

  if (args.flags.prometheus) writeAtomically(args.flags.prometheus, renderPrometheus(report));
  if (args.flags.html) writeAtomically(args.flags.html, renderStatusHtml(report));
  process.stdout.write(args.switches.has("json") ? JSON.stringify(report, null, 2) + "\n" : renderStatusTable(report));
  return report.healthy ? 0 : 1;
}

runMain(() => main(process.argv.slice(2)), (e) => e instanceof FacilityConfigError || e instanceof SettingsError);
