/**
 * The dead letter topic (`npm run dlq -- <command> [options]`): what failed, why, where from, and
 * replaying it once the cause is fixed. Nothing here deletes from the DLQ; its records expire by
 * retention (`dlqRetentionDays`).
 *
 *   list     [filters] [--json]     dead-lettered records: position, facility, table, origin, why
 *   show     --record P:O           one record whole (key, value, headers) as JSON
 *   replay   (--record P:O[,P:O] | filters | --all) [--dry-run] [--include-superseded]
 *            [--value-file F] [--key-file F]
 *            sends the selected records back to their original topic and partition. A record
 *            already replayed, or whose row was written again since, is skipped (and said so).
 *            --value-file/--key-file replace the content of one selected record (a fixed copy),
 *            which is signed again as the facility its key names (in sink worker 0).
 *
 * Filters: --facility CODE, --table T, --error REGEX (exception and reason), --record P:O.
 * Common: --stack S, --config-file F, --limit N (records read from the DLQ, default 100000).
 */
import * as fs from "fs";
import { FacilityConfigError } from "../../components/settings/facility";
import { SettingsError } from "../../components/settings/stack";
import { DLQ_TOPIC } from "../../components/naming";
import { DlqEntry, DlqFilter, DlqUsageError, ReplayRecord, WireRecord, claimedFacilityCode, decodeDlqRecord, filterDlq, planReplay, renderDlqTable } from "./dlq";
import { SystemPlan } from "../../components/plan/system";
import { SigningError, signInSinkWorker } from "../lib/signing";
import { centralFrom } from "../lib/central";
import { ReadAnswer, kafkaOps, KafkaConnection } from "../lib/kafka-ops";
import { UsageError, parseArgs, readStackSettings, runMain } from "../lib/stack";
import { readLoginFile } from "../lib/login";

async function readDlq(kafka: KafkaConnection, limit: number): Promise<{ entries: DlqEntry[]; raw: Map<string, WireRecord>; truncated: boolean }> {
  const answer = await kafkaOps<ReadAnswer>(kafka, { command: "read", topic: DLQ_TOPIC, limit, timeoutMs: 120_000 });
  const raw = new Map<string, WireRecord>();
  const entries = answer.records.map((r) => {
    const e = decodeDlqRecord(r);
    raw.set(e.id, r);
    return e;
  });
  return { entries, raw, truncated: answer.truncated };
}

/** Per entry, the records written to its original partition after it with its key (or the replacement key). */
async function laterRecords(kafka: KafkaConnection, entries: DlqEntry[], raw: Map<string, WireRecord>, replacementKey?: string): Promise<Map<string, WireRecord[]>> {
  const later = new Map<string, WireRecord[]>();
  const byTopic = new Map<string, DlqEntry[]>();
  for (const e of entries) if (e.origin) byTopic.set(e.origin.topic, [...(byTopic.get(e.origin.topic) ?? []), e]);
  for (const [topic, group] of byTopic) {
    const from: Record<string, number> = {};
    for (const e of group) {
      const p = String(e.origin!.partition);
      from[p] = Math.min(from[p] ?? Infinity, e.origin!.offset + 1);
    }
    const keys = [...new Set(group.flatMap((e) => [raw.get(e.id)!.key, replacementKey]).filter((k): k is string => typeof k === "string"))];
    const answer = await kafkaOps<ReadAnswer>(kafka, { command: "read", topic, from, keys, timeoutMs: 300_000 });
    for (const e of group) {
      const own = new Set([raw.get(e.id)!.key, replacementKey].filter((k) => k !== undefined));
      later.set(e.id, answer.records.filter((r) => r.partition === e.origin!.partition && r.offset > e.origin!.offset && own.has(r.key)));
    }
  }
  return later;
}

/**
 * A fixed copy no longer matches its agent's signature: it is signed again as the facility its
 * key names, at that facility's current generation (the operator vouches for the fix).
 */
function resignFixedCopy(plan: SystemPlan, record: ReplayRecord): void {
  const text = (b: string | null) => b === null ? null : Buffer.from(b, "base64").toString("utf8");
  const code = claimedFacilityCode(text(record.key));
  const generation = plan.facilities.find((f) => f.facility.dhis2Code === code)?.passwordGeneration ?? 1;
  const [signed] = signInSinkWorker(plan, [{ key: text(record.key) ?? "", value: text(record.value), generation }]);
  // The bytes stay as given (the sink signs and verifies what its converter reads from them), so
  // a later replay still finds this one by its key.
  record.headers = [...record.headers.filter((h) => h.key !== signed.header), { key: signed.header, value: Buffer.from(signed.signature).toString("base64") }];
}

async function main(argv: string[]): Promise<number> {
  const args = parseArgs(argv, ["json", "all", "dry-run", "include-superseded"]);
  const [command] = args.positional;
  if (!["list", "show", "replay"].includes(command ?? "")) throw new UsageError(`unknown command "${command ?? ""}": use list, show or replay`);
  // With --login FILE (cron): the read-only monitoring login, and no stack secret read at all;
  // list and show need no more, replay writes to the data topics and needs the admin.
  const login = args.flags.login ? readLoginFile(args.flags.login) : undefined;
  if (login && command === "replay") throw new UsageError("replay writes to the data topics: run it as the admin (without --login), after reviewing the list");
  const central = centralFrom(readStackSettings(args.flags.stack, args.flags["config-file"], login === undefined), undefined, login);
  const limit = Number(args.flags.limit ?? 100_000);
  const filter: DlqFilter = {
    ...(args.flags.facility !== undefined ? { facility: args.flags.facility } : {}),
    ...(args.flags.table !== undefined ? { table: args.flags.table } : {}),
    ...(args.flags.error !== undefined ? { error: args.flags.error } : {}),
    ...(args.lists.record ? { ids: args.lists.record } : {}),
  };
  const { entries, raw, truncated } = await readDlq(central.kafka, limit);
  if (truncated) console.error(`note: read the first ${limit} records of ${DLQ_TOPIC} only (--limit to read more)`);
  const selected = filterDlq(entries, filter);

  if (command === "list") {
    process.stdout.write(args.switches.has("json") ? JSON.stringify(selected, null, 2) + "\n" : renderDlqTable(selected));
    return 0;
  }
  if (command === "show") {
    if (!filter.ids || selected.length !== 1) throw new UsageError(`show needs one --record P:O that is in ${DLQ_TOPIC} (found ${selected.length}); see npm run dlq -- list`);
    const r = raw.get(selected[0].id)!;
    const headers = Object.fromEntries(r.headers.map((h) => [h.key, h.value === null ? null : Buffer.from(h.value, "base64").toString("utf8")]));
    process.stdout.write(JSON.stringify({ ...selected[0], headers }, null, 2) + "\n");
    return 0;
  }

  // replay
  const anySelector = filter.ids || filter.facility || filter.table || filter.error || args.switches.has("all");
  if (!anySelector) throw new UsageError("replay needs a selection: --record P:O, --facility, --table, --error, or --all for every record");
  if (filter.ids) {
    const missing = filter.ids.filter((id) => !entries.some((e) => e.id === id));
    if (missing.length) throw new UsageError(`--record ${missing.join(", ")}: not in ${DLQ_TOPIC} (see npm run dlq -- list)`);
  }
  const readFile = (flag: string) => {
    const file = args.flags[flag];
    if (file === undefined) return undefined;
    try { return fs.readFileSync(file, "utf8").replace(/\n$/, ""); } catch (e) { throw new UsageError(`--${flag} ${file}: ${(e as Error).message}`); }
  };
  const value = readFile("value-file");
  const key = readFile("key-file");
  const later = await laterRecords(central.kafka, selected, raw, key === undefined ? undefined : Buffer.from(key).toString("base64"));
  const plan = planReplay(selected, raw, later, {
    dlqTopic: DLQ_TOPIC,
    includeSuperseded: args.switches.has("include-superseded"),
    ...(value !== undefined ? { value } : {}),
    ...(key !== undefined ? { key } : {}),
  });
  for (const s of plan.skipped) console.log(`skip ${s.entry.id}: ${s.why}`);
  if (args.switches.has("dry-run")) {
    for (const r of plan.replay) console.log(`would replay ${r.entry.id} to ${r.record.topic}[${r.record.partition}]`);
    console.log(`dry run: ${plan.replay.length} to replay, ${plan.skipped.length} skipped; nothing sent`);
    return 0;
  }
  if (plan.replay.length && (value !== undefined || key !== undefined)) resignFixedCopy(central.plan, plan.replay[0].record);
  if (plan.replay.length) {
    const sent = await kafkaOps<{ records: WireRecord[] }>(central.kafka, { command: "produce", records: plan.replay.map((r) => r.record) });
    sent.records.forEach((r, i) => console.log(`replayed ${plan.replay[i].entry.id} to ${r.topic}[${r.partition}] offset ${r.offset}`));
  }
  console.log(`${plan.replay.length} replayed, ${plan.skipped.length} skipped; ${DLQ_TOPIC} is unchanged (records expire by retention)`);
  return 0;
}

runMain(() => main(process.argv.slice(2)), (e) => e instanceof FacilityConfigError || e instanceof SettingsError || e instanceof DlqUsageError || e instanceof SigningError);
