import { DATA_TOPIC_PREFIX } from "../../components/naming";
import { REPLAYED_FROM_HEADER, WireRecord, claimedFacilityCode, decodeDlqRecord, filterDlq, planReplay } from "./dlq";

const b64 = (s: string) => Buffer.from(s).toString("base64");
const visits = `${DATA_TOPIC_PREFIX}Visits`;
const dead = (offset: number, over: { code?: string; message?: string; topic?: string; extra?: [string, string][] } = {}): WireRecord => ({
  topic: "sink-dlq", partition: 0, offset, timestamp: Date.UTC(2026, 11, 1),
  key: b64(JSON.stringify({ VisitNo: `V-${offset}`, facility_dhis2_code: over.code ?? "FAC-A" })),
  value: b64(JSON.stringify({ schema: {}, payload: { VisitNo: `V-${offset}`, facility_dhis2_code: over.code ?? "FAC-A" } })),
  headers: [
    ...(over.extra ?? []),
    ["__connect.errors.topic", over.topic ?? visits], ["__connect.errors.partition", "3"], ["__connect.errors.offset", String(100 + offset)],
    ["__connect.errors.stage", "VALUE_CONVERTER"], ["__connect.errors.exception.class.name", "org.apache.kafka.connect.errors.DataException"],
    ["__connect.errors.exception.message", over.message ?? "Unknown schema type: strng\nmore"],
  ].map(([key, value]) => ({ key, value: b64(value) })),
});

describe("decodeDlqRecord", () => {
  it("says why it failed and where it came from", () => {
    expect(decodeDlqRecord(dead(7))).toMatchObject({
      id: "0:7", origin: { topic: visits, partition: 3, offset: 107 }, table: "Visits", facilityCode: "FAC-A",
      stage: "VALUE_CONVERTER", exceptionClass: "org.apache.kafka.connect.errors.DataException", reason: "Unknown schema type: strng",
    });
  });
  it("reads the facility code with or without the schema envelope, and survives garbage", () => {
    expect(claimedFacilityCode('{"payload":{"facility_dhis2_code":"X"}}')).toBe("X");
    expect(claimedFacilityCode('{"facility_dhis2_code":"Y"}')).toBe("Y");
    expect(claimedFacilityCode("\u0000not json")).toBeNull();
  });
});

describe("filterDlq", () => {
  const entries = [dead(1), dead(2, { code: "FAC-B" }), dead(3, { message: "Struct schemas do not match", topic: `${DATA_TOPIC_PREFIX}Patients` })].map(decodeDlqRecord);
  it("filters by facility, table, error and position", () => {
    expect(filterDlq(entries, { facility: "fac-b" }).map((e) => e.id)).toEqual(["0:2"]);
    expect(filterDlq(entries, { table: "Patients" }).map((e) => e.id)).toEqual(["0:3"]);
    expect(filterDlq(entries, { error: "schema type" }).map((e) => e.id)).toEqual(["0:1", "0:2"]);
    expect(filterDlq(entries, { ids: ["0:1", "0:3"], table: "Visits" }).map((e) => e.id)).toEqual(["0:1"]);
  });
  it("names a bad selector", () => {
    expect(() => filterDlq(entries, { ids: ["7"] })).toThrow("--record 7: write DLQ positions as <partition>:<offset>");
    expect(() => filterDlq(entries, { error: "(" })).toThrow('--error "(" is not a regular expression');
  });
});

describe("planReplay", () => {
  const raw = new Map([dead(1), dead(2)].map((r) => [`0:${r.offset}`, r]));
  const entries = [...raw.values()].map(decodeDlqRecord);
  const at = (offset: number, key: string | null, headers: WireRecord["headers"] = []): WireRecord =>
    ({ topic: visits, partition: 3, offset, timestamp: 0, key, value: null, headers });

  it("sends each record to its original partition with its own headers, not Connect's, marked with its origin", () => {
    const withOwn = new Map([["0:1", { ...raw.get("0:1")!, headers: [{ key: "trace", value: b64("t") }, ...raw.get("0:1")!.headers] }]]);
    const plan = planReplay([entries[0]], withOwn, new Map(), { dlqTopic: "sink-dlq" });
    expect(plan.skipped).toEqual([]);
    expect(plan.replay[0].record).toEqual({
      topic: visits, partition: 3, key: raw.get("0:1")!.key, value: raw.get("0:1")!.value,
      headers: [{ key: "trace", value: b64("t") }, { key: REPLAYED_FROM_HEADER, value: b64("sink-dlq/0:1") }],
    });
  });
  it("skips a record replayed before, and one whose row was written again since (unless asked)", () => {
    const later = new Map([
      ["0:1", [at(150, raw.get("0:1")!.key, [{ key: REPLAYED_FROM_HEADER, value: b64("sink-dlq/0:1") }])]],
      ["0:2", [at(90, raw.get("0:2")!.key), at(160, raw.get("0:2")!.key)]],
    ]);
    const plan = planReplay(entries, raw, later, { dlqTopic: "sink-dlq" });
    expect(plan.replay).toEqual([]);
    expect(plan.skipped.map((s) => s.why)).toEqual([
      `already replayed: ${visits}[3] offset 150`,
      `superseded: the same key was written again at ${visits}[3] offset 160; replaying would put an older row over a newer one (--include-superseded to replay anyway)`,
    ]);
    expect(planReplay(entries, raw, later, { dlqTopic: "sink-dlq", includeSuperseded: true }).replay.map((r) => r.entry.id)).toEqual(["0:2"]);
  });
  it("replaces one record's content with a fixed copy, and refuses to for several", () => {
    const plan = planReplay([entries[0]], raw, new Map(), { dlqTopic: "sink-dlq", value: '{"fixed":true}', key: "k" });
    expect(plan.replay[0].record).toMatchObject({ key: b64("k"), value: b64('{"fixed":true}') });
    expect(() => planReplay(entries, raw, new Map(), { dlqTopic: "sink-dlq", value: "v" })).toThrow("select exactly one record with --record (selected 2)");
  });
  it("cannot replay a record without its origin headers", () => {
    const bare = { ...raw.get("0:1")!, headers: [] };
    const plan = planReplay([decodeDlqRecord(bare)], new Map([["0:1", bare]]), new Map(), { dlqTopic: "sink-dlq" });
    expect(plan.skipped[0].why).toContain("its original topic is unknown");
  });
});
