import { DATA_TOPIC_PREFIX } from "../../components/naming";
import { textTable } from "../lib/text";

/**
 * Dead-lettered records: what Kafka Connect wrote to `sink-dlq` (the original key, value and
 * headers plus `__connect.errors.*` headers saying why and where from), decoded into plain data,
 * filtered, and planned for replay to their original topic. Pure: records in, data out.
 */

/** A record as cmw-kafka-ops reads and writes it: bytes as base64, null for none. */
export interface WireRecord {
  topic: string;
  partition: number;
  offset: number;
  timestamp: number;
  key: string | null;
  value: string | null;
  headers: { key: string; value: string | null }[];
}

/** One dead-lettered record, decoded. */
export interface DlqEntry {
  /** Where it sits in the DLQ: `<partition>:<offset>`, what `--record` selects. */
  id: string;
  dlqPartition: number;
  dlqOffset: number;
  deadLetteredAt: string;
  /** The record's original topic, partition and offset, from Connect's headers. */
  origin: { topic: string; partition: number; offset: number } | null;
  /** The ClinicMaster table of the original topic, when it is a shared data topic. */
  table: string | null;
  /** The facility code the record claims (key first, then value), when readable. */
  facilityCode: string | null;
  connector: string | null;
  /** Where Connect failed: KEY_CONVERTER, VALUE_CONVERTER, TRANSFORMATION, TASK_PUT, ... */
  stage: string | null;
  exceptionClass: string | null;
  /** The first line of the exception's message. */
  reason: string;
  key: string | null;
  value: string | null;
}

const ERR = "__connect.errors.";

const utf8 = (b64: string | null): string | null => (b64 === null ? null : Buffer.from(b64, "base64").toString("utf8"));

function header(r: WireRecord, key: string): string | null {
  // The last header of a name wins, as Connect adds its own after the record's.
  const h = [...r.headers].reverse().find((x) => x.key === key);
  return h ? utf8(h.value) : null;
}

/** `facility_dhis2_code` of a JSON key or value, with or without Connect's schema envelope. */
export function claimedFacilityCode(json: string | null): string | null {
  if (!json) return null;
  try {
    const v = JSON.parse(json);
    const body = v && typeof v === "object" && v.payload && typeof v.payload === "object" ? v.payload : v;
    const code = body && typeof body === "object" ? body.facility_dhis2_code : undefined;
    return typeof code === "string" ? code : null;
  } catch {
    return null;
  }
}

export function decodeDlqRecord(r: WireRecord): DlqEntry {
  const topic = header(r, `${ERR}topic`);
  const partition = header(r, `${ERR}partition`);
  const offset = header(r, `${ERR}offset`);
  const origin = topic !== null && partition !== null && offset !== null && /^\d+$/.test(partition) && /^\d+$/.test(offset)
    ? { topic, partition: Number(partition), offset: Number(offset) }
    : null;
  const table = origin && origin.topic.startsWith(DATA_TOPIC_PREFIX) ? origin.topic.slice(DATA_TOPIC_PREFIX.length) : null;
  const key = utf8(r.key);
  const value = utf8(r.value);
  const message = header(r, `${ERR}exception.message`);
  const exceptionClass = header(r, `${ERR}exception.class.name`);
  return {
    id: `${r.partition}:${r.offset}`,
    dlqPartition: r.partition,
    dlqOffset: r.offset,
    deadLetteredAt: new Date(r.timestamp).toISOString(),
    origin,
    table,
    facilityCode: claimedFacilityCode(key) ?? claimedFacilityCode(value),
    connector: header(r, `${ERR}connector.name`),
    stage: header(r, `${ERR}stage`),
    exceptionClass,
    reason: (message ?? exceptionClass ?? "no reason recorded").split("\n")[0].trim().slice(0, 500),
    key,
    value,
  };
}

export interface DlqFilter {
  /** Facility code, case-insensitive. */
  facility?: string;
  table?: string;
  /** Regular expression (case-insensitive) over the exception class and reason. */
  error?: string;
  /** Exact DLQ positions, `<partition>:<offset>`. */
  ids?: string[];
}

export class DlqUsageError extends Error {}

export function filterDlq(entries: DlqEntry[], f: DlqFilter): DlqEntry[] {
  let errorRe: RegExp | undefined;
  if (f.error !== undefined) {
    try { errorRe = new RegExp(f.error, "i"); } catch (e) { throw new DlqUsageError(`--error ${JSON.stringify(f.error)} is not a regular expression: ${(e as Error).message}`); }
  }
  const ids = f.ids ? new Set(f.ids) : undefined;
  if (ids) {
    const bad = [...ids].filter((id) => !/^\d+:\d+$/.test(id));
    if (bad.length) throw new DlqUsageError(`--record ${bad.join(", ")}: write DLQ positions as <partition>:<offset>, as npm run dlq -- list shows them`);
  }
  return entries.filter((e) =>
    (f.facility === undefined || (e.facilityCode ?? "").toLowerCase() === f.facility.toLowerCase()) &&
    (f.table === undefined || e.table === f.table) &&
    (errorRe === undefined || errorRe.test(`${e.exceptionClass ?? ""} ${e.reason}`)) &&
    (ids === undefined || ids.has(e.id)));
}

/** A record to produce, as cmw-kafka-ops takes it. */
export interface ReplayRecord {
  topic: string;
  partition: number;
  key: string | null;
  value: string | null;
  headers: { key: string; value: string | null }[];
}

export interface ReplayPlan {
  replay: { entry: DlqEntry; record: ReplayRecord }[];
  /** Entries left out, with why. */
  skipped: { entry: DlqEntry; why: string }[];
}

/** Header every replayed record carries: where in the DLQ it came from. */
export const REPLAYED_FROM_HEADER = "cmw.dlq.replayed-from";

/**
 * What to send back: each selected record to its original topic and partition (the same key
 * lands in the same partition, so its order with later changes of that row holds), with its own
 * headers but not Connect's error headers, marked with where it came from.
 *
 * `later` holds, per DLQ entry, the records with the same key written to its original partition
 * after it. One marked as a replay of this entry means it was replayed already (skipped: a
 * replay is done once). Any other means the row changed again since: skipped unless
 * `includeSuperseded`, as replaying would put an older version of the row over a newer one.
 */
export function planReplay(
  selected: DlqEntry[],
  raw: Map<string, WireRecord>,
  later: Map<string, WireRecord[]>,
  opts: { includeSuperseded?: boolean; dlqTopic: string; value?: string; key?: string },
): ReplayPlan {
  const plan: ReplayPlan = { replay: [], skipped: [] };
  if ((opts.value !== undefined || opts.key !== undefined) && selected.length !== 1) {
    throw new DlqUsageError(`--value-file and --key-file replace one record's content: select exactly one record with --record (selected ${selected.length})`);
  }
  for (const entry of selected) {
    if (!entry.origin) { plan.skipped.push({ entry, why: "no __connect.errors.topic/partition/offset headers: its original topic is unknown" }); continue; }
    const mark = `${opts.dlqTopic}/${entry.id}`;
    const after = (later.get(entry.id) ?? []).filter((r) => r.offset > entry.origin!.offset);
    const replayed = after.find((r) => header(r, REPLAYED_FROM_HEADER) === mark);
    if (replayed) {
      plan.skipped.push({ entry, why: `already replayed: ${entry.origin.topic}[${entry.origin.partition}] offset ${replayed.offset}` });
      continue;
    }
    if (after.length && !opts.includeSuperseded) {
      plan.skipped.push({ entry, why: `superseded: the same key was written again at ${entry.origin.topic}[${entry.origin.partition}] offset ${after[after.length - 1].offset}; replaying would put an older row over a newer one (--include-superseded to replay anyway)` });
      continue;
    }
    const r = raw.get(entry.id)!;
    const headers = r.headers.filter((h) => !h.key.startsWith(ERR) && h.key !== REPLAYED_FROM_HEADER);
    headers.push({ key: REPLAYED_FROM_HEADER, value: Buffer.from(mark).toString("base64") });
    plan.replay.push({
      entry,
      record: {
        topic: entry.origin.topic,
        partition: entry.origin.partition,
        key: opts.key !== undefined ? Buffer.from(opts.key).toString("base64") : r.key,
        value: opts.value !== undefined ? Buffer.from(opts.value).toString("base64") : r.value,
        headers,
      },
    });
  }
  return plan;
}

/** One line per entry, for `npm run dlq -- list`. */
export function renderDlqTable(entries: DlqEntry[]): string {
  if (entries.length === 0) return "no dead-lettered records match\n";
  const rows = entries.map((e) => [
    e.id, e.deadLetteredAt, e.facilityCode ?? "?", e.table ?? "?",
    e.origin ? `${e.origin.topic}[${e.origin.partition}]@${e.origin.offset}` : "?",
    `${e.stage ?? "?"}: ${e.exceptionClass?.split(".").pop() ?? "?"}: ${e.reason}`,
  ]);
  const lines = textTable(["RECORD", "DEAD-LETTERED", "FACILITY", "TABLE", "ORIGIN", "WHY"], rows);
  return [...lines, `${entries.length} record${entries.length === 1 ? "" : "s"}`].join("\n") + "\n";
}
