import { renderPrometheus, renderStatusTable } from "./render";
import { FacilityObservation, Observation, evaluateStatus, lagByTopic, nextLook } from "./status";
import { STATUS_THRESHOLD_DEFAULTS as T } from "./thresholds";

const at = new Date("2026-12-01T12:00:00Z");
const IMAGE = "clinicmaster/connect:4.1.1-debezium-3.5.0.Final-new";
const IMAGE_ID = `sha256:${"a".repeat(64)}`;
const running = { connector: { state: "RUNNING" }, tasks: [{ id: 0, state: "RUNNING" }] };
const facility = (slug: string, over: Partial<FacilityObservation> = {}): FacilityObservation => ({
  slug, name: `Clinic ${slug}`, dhis2Code: slug.toUpperCase(), agent: "ssh", host: `ssh://root@${slug}`, engine: "sqlserver",
  connectorName: `cmw-facility-${slug}-source`, hostReachable: true, agentState: "running", connector: running,
  agentImage: { id: IMAGE_ID, configured: IMAGE_ID, references: [IMAGE] },
  lastHeartbeatMs: at.getTime() - 20_000, rows: { Patients: 3, Visits: 4 }, ...over,
});
const observation = (facilities: FacilityObservation[], over: Partial<Observation> = {}): Observation => ({
  stack: "central", at, facilities, desiredImage: IMAGE,
  sink: {
    connectorName: "sink", connector: running,
    offsets: { dataTopics: { "t.Visits": [{ partition: 0, start: 0, end: 10 }, { partition: 1, start: 5, end: 9 }] }, committed: { "t.Visits": { 0: 10 } }, dlq: [{ partition: 0, start: 2, end: 5 }] },
  },
  ...over,
});

describe("lagByTopic", () => {
  it("is end minus committed, or minus the start where the sink never committed", () => {
    expect(lagByTopic({ a: [{ partition: 0, start: 0, end: 10 }, { partition: 1, start: 5, end: 9 }] }, { a: { 0: 7 } })).toEqual({ a: 7 });
  });
  it("never counts records retention already removed", () => {
    expect(lagByTopic({ a: [{ partition: 0, start: 8, end: 10 }] }, { a: { 0: 3 } })).toEqual({ a: 2 });
  });
});

describe("evaluateStatus", () => {
  it("is healthy when every part is", () => {
    const r = evaluateStatus(observation([facility("a"), facility("b")]), T, { at: "before", dlqEnd: 5 });
    expect(r.problems).toEqual([]);
    expect(r.healthy).toBe(true);
    expect(r.sink).toMatchObject({ lagTotal: 4, dlqDepth: 3, dlqGrowth: 0, tasksRunning: 1 });
    expect(r.facilities[0]).toMatchObject({ heartbeatAgeSeconds: 20, rowsTotal: 7, agentState: "running", connectorState: "RUNNING" });
  });
  it("reports a stopped agent and an unreachable host, and still reports the rest", () => {
    const r = evaluateStatus(observation([
      facility("a", { agentState: "exited", connector: undefined }),
      facility("b", { hostReachable: false, hostError: "ssh: connect to host b port 22: Connection refused", agentState: undefined, connector: undefined }),
      facility("c"),
    ]), T, null);
    expect(r.healthy).toBe(false);
    expect(r.problems).toEqual([
      "a: agent container is exited",
      "b: host ssh://root@b unreachable: ssh: connect to host b port 22: Connection refused",
    ]);
    expect(r.facilities.map((f) => [f.slug, f.agentState, f.healthy])).toEqual([["a", "exited", false], ["b", "unreachable", false], ["c", "running", true]]);
    expect(r.facilities[1].lastError).toBe("ssh: connect to host b port 22: Connection refused");
  });
  it("shows an unreachable host's connector as the agent last wrote it to Kafka, without judging it", () => {
    const r = evaluateStatus(observation([facility("b", { hostReachable: false, hostError: "timeout", agentState: undefined, connector: undefined, lastKnownConnector: running })]), T, null);
    expect(r.facilities[0]).toMatchObject({ agentState: "unreachable", connectorState: "RUNNING", connectorStateFrom: "kafka", tasksRunning: 1 });
    expect(r.problems).toEqual(["b: host ssh://root@b unreachable: timeout"]);
    expect(renderStatusTable(r)).toContain("RUNNING*");
  });
  it("judges a compose site by what its agent wrote to Kafka and by its heartbeat, with no host", () => {
    const compose = (over: Partial<FacilityObservation>) => facility("c", { agent: "compose", host: undefined, agentState: undefined, connector: undefined, ...over });
    const ok = evaluateStatus(observation([compose({ lastKnownConnector: running })]), T, null);
    expect(ok.healthy).toBe(true);
    expect(ok.facilities[0]).toMatchObject({ host: "compose", agentState: "compose", hostReachable: null, connectorState: "RUNNING", connectorStateFrom: "kafka" });
    const failed = evaluateStatus(observation([compose({ lastKnownConnector: { connector: { state: "RUNNING" }, tasks: [{ id: 0, state: "FAILED", trace: "x.Y: db down" }] } })]), T, null);
    expect(failed.problems).toEqual(["c: connector task 0 FAILED"]);
    expect(failed.facilities[0].lastError).toBe("x.Y: db down");
    const never = evaluateStatus(observation([compose({ lastKnownConnector: null })]), T, null);
    expect(never.problems).toEqual(["c: connector status could not be read: the agent never wrote its status to Kafka"]);
    expect(renderPrometheus(ok)).not.toContain("cmw_facility_host_reachable");
  });
  it("names a failed task with the first line of its trace", () => {
    const failed = { connector: { state: "RUNNING" }, tasks: [{ id: 0, state: "FAILED", trace: "org.apache.kafka.connect.errors.ConnectException: login failed\n\tat x" }] };
    const r = evaluateStatus(observation([facility("a", { connector: failed })]), T, null);
    expect(r.problems).toEqual(["a: connector task 0 FAILED"]);
    expect(r.facilities[0].lastError).toBe("org.apache.kafka.connect.errors.ConnectException: login failed");
  });
  it("calls a facility stale past the heartbeat threshold, or when it never sent one", () => {
    const r = evaluateStatus(observation([facility("a", { lastHeartbeatMs: at.getTime() - 600_000 }), facility("b", { lastHeartbeatMs: null })]), T, null);
    expect(r.problems).toEqual(["a: last heartbeat 600 s ago (more than 180 s)", "b: no heartbeat ever received"]);
  });
  it("reports lag and DLQ growth over their thresholds", () => {
    const r = evaluateStatus(observation([]), { ...T, sinkMaxLag: 3 }, { at: "2026-12-01T11:59:00.000Z", dlqEnd: 4 });
    expect(r.problems).toEqual([
      "sink: lag 4 records (more than 3)",
      "sink: DLQ grew by 1 record since 2026-12-01T11:59:00.000Z (more than 0): see npm run dlq -- list",
    ]);
  });
  it("says when Kafka or the warehouse cannot be read, and keeps the previous look", () => {
    const o = observation([facility("a", { lastHeartbeatMs: null, rows: {} })], { kafkaError: "no answer", warehouseError: "connection refused" });
    o.sink = { connectorName: "sink", connector: { error: "fetch failed: ECONNREFUSED" } };
    const r = evaluateStatus(o, T, { at: "x", dlqEnd: 9 });
    expect(r.problems).toEqual(["kafka: no answer", "warehouse: connection refused", "sink: connector sink status could not be read: fetch failed: ECONNREFUSED"]);
    expect(nextLook(o, r, { at: "x", dlqEnd: 9 })).toEqual({ at: "x", dlqEnd: 9 });
  });
});

describe("rows per second", () => {
  const first = observation([facility("a"), facility("b")]);
  const r1 = evaluateStatus(first, T, null);
  const look = nextLook(first, r1, null)!;
  const later = new Date(at.getTime() + 60_000);
  const second = observation([facility("a", { rows: { Patients: 63, Visits: 4, Triage: 30 } }), facility("b", { rows: { Patients: 3, Visits: 1 } })], { at: later });
  const r2 = evaluateStatus(second, T, look);
  it("is unknown on the first count, which is remembered with its time", () => {
    expect(r1.facilities.map((f) => f.rowsPerSecond)).toEqual([null, null]);
    expect(look).toMatchObject({ rows: { a: { Patients: 3, Visits: 4 }, b: { Patients: 3, Visits: 4 } }, rowsAt: at.toISOString() });
  });
  it("is the net change per table since, per facility (a new table counts from 0, deletes are negative)", () => {
    expect(r2.facilities[0]).toMatchObject({ rowsPerSecond: { Patients: 1, Triage: 0.5, Visits: 0 }, rowsPerSecondTotal: 1.5 });
    expect(r2.facilities[1]).toMatchObject({ rowsPerSecond: { Patients: 0, Visits: -0.05 }, rowsPerSecondTotal: -0.05 });
  });
  it("is unknown when rows are not counted, and the earlier count is kept for the next look", () => {
    const o = observation([facility("a", { rows: {} })], { at: later, rowsCounted: false });
    const r = evaluateStatus(o, T, look);
    expect(r.facilities[0].rowsPerSecond).toBeNull();
    expect(nextLook(o, r, look)).toMatchObject({ rows: look.rows, rowsAt: look.rowsAt });
  });
  it("is in the table, Prometheus and the page", () => {
    expect(renderStatusTable(r2)).toMatch(/^a +A .* 1\.5 +/m);
    expect(renderPrometheus(r2)).toContain('cmw_warehouse_rows_per_second{dhis2_code="A",facility="a",table="Triage"} 0.5');
    expect(renderPrometheus(r1)).not.toContain("cmw_warehouse_rows_per_second");
  });
});

describe("renderers", () => {
  const r = evaluateStatus(observation([facility("a", { name: 'St. "Mary\'s"\\Lacor' })]), T, null);
  it("prints a table with every facility and the sink", () => {
    const t = renderStatusTable(r);
    expect(t).toContain("HEALTHY");
    expect(t).toMatch(/^a +A +sqlserver +ssh:\/\/root@a +running +RUNNING +1\/1 +20s ago +7 +- +4\.1\.1-debezium-3\.5\.0\.Final-new +-$/m);
    expect(t).toContain("Image: 1 of 1 agent on 4.1.1-debezium-3.5.0.Final-new (clinicmaster/connect:4.1.1-debezium-3.5.0.Final-new)");
    expect(t).toContain("SINK sink: RUNNING, tasks 1/1 running; lag 4 records; DLQ 3 records (first look)");
  });
  it("writes Prometheus text with escaped labels, sorted and stable", () => {
    const p = renderPrometheus(r);
    expect(p).toContain('cmw_warehouse_rows{dhis2_code="A",facility="a",table="Visits"} 4');
    expect(p).toContain('cmw_sink_lag_records{connector="sink",topic="t.Visits"} 4');
    expect(p).toContain("cmw_status_healthy 1");
    expect(p).not.toContain("cmw_dlq_growth_records");
    expect(p.match(/^# TYPE (\S+) gauge$/gm)!.length).toBe(new Set(p.match(/^cmw_[a-z_]+/gm)).size);
    expect(renderPrometheus(r)).toBe(p);
    const escaped = renderPrometheus({ ...r, facilities: [{ ...r.facilities[0], slug: 'x"y\\z\nw' }] });
    expect(escaped).toContain('facility="x\\"y\\\\z\\nw"');
  });
});

describe("version drift in the report", () => {
  const behind = { id: `sha256:${"b".repeat(64)}`, configured: `sha256:${"b".repeat(64)}`, references: ["clinicmaster/connect:4.1.1-debezium-3.5.0.Final-old"] };
  const r = evaluateStatus(observation([
    facility("a"),
    facility("b", { agentImage: behind }),
    facility("c", { agent: "compose", host: undefined, agentState: undefined, connector: undefined, agentImage: undefined, lastKnownConnector: running }),
    facility("d", { hostReachable: false, hostError: "timeout", agentState: undefined, connector: undefined, agentImage: undefined }),
    facility("e", { agentState: "missing", connector: undefined, agentImage: undefined }),
  ]), T, null);
  it("names each agent's version; a compose site, an unreachable host and a missing container are unknown, not current", () => {
    expect(r.facilities.map((f) => [f.slug, f.imageVersion, f.imageDrift, f.imageUnknownReason])).toEqual([
      ["a", "4.1.1-debezium-3.5.0.Final-new", "current", null],
      ["b", "4.1.1-debezium-3.5.0.Final-old", "behind", null],
      ["c", null, "unknown", "compose site: the site runs its agent, no host is looked at"],
      ["d", null, "unknown", "host unreachable"],
      ["e", null, "unknown", "no agent container on its host"],
    ]);
    expect(r.fleet).toEqual({ desiredImage: IMAGE, desiredVersion: "4.1.1-debezium-3.5.0.Final-new", agents: 5, current: 1, behind: ["b"], unknown: ["c", "d", "e"] });
  });
  it("is shown, not a problem of its own: an agent behind is healthy by itself", () => {
    expect(r.facilities.find((f) => f.slug === "b")!.healthy).toBe(true);
  });
  it("is in the table and in Prometheus, with no sample for an unknown image", () => {
    const t = renderStatusTable(r);
    expect(t).toMatch(/^b +B .* 4\.1\.1-debezium-3\.5\.0\.Final-old \(behind\) +-$/m);
    expect(t).toMatch(/^c +C .* unknown +-$/m);
    expect(t).toContain("Image: 1 of 5 agents on 4.1.1-debezium-3.5.0.Final-new (clinicmaster/connect:4.1.1-debezium-3.5.0.Final-new); 1 behind: b (run pulumi up); 3 unknown: c, d, e");
    const p = renderPrometheus(r);
    expect(p).toContain('cmw_facility_agent_image_current{dhis2_code="A",facility="a",image="clinicmaster/connect:4.1.1-debezium-3.5.0.Final-new"} 1');
    expect(p).toContain('cmw_facility_agent_image_current{dhis2_code="B",facility="b",image="clinicmaster/connect:4.1.1-debezium-3.5.0.Final-old"} 0');
    expect(p).not.toMatch(/cmw_facility_agent_image_current\{[^}]*facility="[cde]"/);
    expect(p).toContain("cmw_fleet_agents_behind 1\n");
    expect(p).toContain("cmw_fleet_agents_image_unknown 3\n");
    expect(p).toContain('cmw_fleet_desired_image_info{image="clinicmaster/connect:4.1.1-debezium-3.5.0.Final-new"} 1');
    expect(p).toContain('cmw_facility_tasks{dhis2_code="A",facility="a"} 1');
  });
});
