import { AgentImage, AgentImageStatus, FleetDrift, evaluateAgentImage, fleetDrift } from "./image-drift";
import { StatusThresholds } from "./thresholds";

/**
 * The fleet's health as plain data: what `npm run status` observed (agents, connectors, Kafka
 * offsets, warehouse rows) in, a report with a verdict and one line per problem out. Pure, so
 * every verdict is tested without a platform.
 */

/** A connector's status as Kafka Connect's REST API answers `GET /connectors/<name>/status`. */
export interface ConnectorStatus {
  connector: { state: string; trace?: string };
  tasks: { id: number; state: string; trace?: string }[];
}

/** Something that could not be looked at, and why. */
export interface Unobserved {
  error: string;
}

export interface FacilityObservation {
  slug: string;
  name: string;
  dhis2Code: string;
  engine: string;
  connectorName: string;
  /** `ssh`: Pulumi runs the agent on `host`; `compose`: the site runs it (no host is looked at). */
  agent: "ssh" | "compose";
  host?: string;
  /** Whether the facility's host answered over SSH (and with what error if not); ssh agents only. */
  hostReachable: boolean;
  hostError?: string;
  /** Docker's state of the agent container (`running`, `exited`, ...), `missing`, or undefined when the host was not reached. */
  agentState?: string;
  /** The connector's status from the agent's worker, or why it could not be read. */
  connector?: ConnectorStatus | Unobserved;
  /** The image the agent container runs, or why it could not be told; undefined when no container was looked at. */
  agentImage?: AgentImage | Unobserved;
  /**
   * The status the agent last wrote to its Connect status topic in Kafka: what is known of a
   * compose site or an unreachable host. Null when it never wrote one, undefined when not read.
   */
  lastKnownConnector?: ConnectorStatus | null;
  /** Timestamp (ms) of the facility's newest heartbeat in Kafka; null when it never sent one. */
  lastHeartbeatMs: number | null;
  /** Warehouse rows per table under this facility's code. */
  rows: Record<string, number>;
}

/** Offsets of one topic partition. */
export interface PartitionOffsets {
  partition: number;
  start: number;
  end: number;
}

/** The sink's position in Kafka. */
export interface SinkOffsets {
  /** Data topics' offsets, by topic. */
  dataTopics: Record<string, PartitionOffsets[]>;
  /** The sink's committed offsets: topic → partition → next offset to read. */
  committed: Record<string, Record<string, number>>;
  dlq: PartitionOffsets[];
}

export interface SinkObservation {
  connectorName: string;
  connector: ConnectorStatus | Unobserved;
  /** Undefined when Kafka could not be read (see {@link Observation.kafkaError}). */
  offsets?: SinkOffsets;
}

/** What the previous look saw, kept between runs for "growth since the last look". */
export interface PreviousLook {
  at: string;
  /** Sum of the DLQ's end offsets: records ever dead-lettered, whatever retention removed since. */
  dlqEnd: number;
  /** Warehouse rows per facility slug and table when they were last counted, and when. */
  rows?: Record<string, Record<string, number>>;
  rowsAt?: string;
}

export interface Observation {
  stack: string;
  at: Date;
  facilities: FacilityObservation[];
  sink: SinkObservation;
  /** Why the warehouse could not be counted, if it could not. */
  warehouseError?: string;
  /** False when rows were not counted on purpose (--no-rows). */
  rowsCounted?: boolean;
  /** Why Kafka could not be read, if it could not: heartbeats, lag and the DLQ are then unknown. */
  kafkaError?: string;
  /** The image the stack wants on the facility hosts (`facilityImage`, else `connectImage`); null when neither is set. */
  desiredImage: string | null;
}

export interface FacilityStatus extends AgentImageStatus {
  slug: string;
  name: string;
  dhis2Code: string;
  agent: "ssh" | "compose";
  /** `ssh://...`, or `compose` for a site running its compose bundle. */
  host: string;
  engine: string;
  /** Null for a compose site: no host is looked at. */
  hostReachable: boolean | null;
  agentState: string;
  connectorState: string;
  /** Where the connector state comes from: the agent's worker (live), or the status it last wrote to Kafka. */
  connectorStateFrom: "agent" | "kafka" | null;
  tasksRunning: number;
  tasksTotal: number;
  heartbeatAgeSeconds: number | null;
  rows: Record<string, number>;
  rowsTotal: number;
  /**
   * Net new warehouse rows per second per table since the rows were last counted (inserts minus
   * deletes; an update adds none); null on the first count or when rows were not counted.
   */
  rowsPerSecond: Record<string, number> | null;
  rowsPerSecondTotal: number | null;
  lastError: string | null;
  healthy: boolean;
  problems: string[];
}

export interface SinkStatus {
  connectorName: string;
  connectorState: string;
  tasksRunning: number;
  tasksTotal: number;
  /** Records not yet written, per data topic. */
  lagByTopic: Record<string, number>;
  lagTotal: number;
  dlqDepth: number;
  dlqEnd: number;
  /** New dead-lettered records since the previous look (null on the first look or when Kafka was not read). */
  dlqGrowth: number | null;
  previousLookAt: string | null;
  lastError: string | null;
  healthy: boolean;
  problems: string[];
}

export interface StatusReport {
  stack: string;
  generatedAt: string;
  healthy: boolean;
  thresholds: StatusThresholds;
  facilities: FacilityStatus[];
  sink: SinkStatus;
  /** Which agents run the desired image: shown, alerted on by Prometheus, not a problem of its own (a rollout takes a while). */
  fleet: FleetDrift;
  /** Every problem, one line each, prefixed by what it is about. */
  problems: string[];
}

const isUnobserved = (v: unknown): v is Unobserved => typeof v === "object" && v !== null && "error" in v;

/** First line of a Java stack trace: the exception and its message. */
export function firstLine(trace: string | undefined): string | null {
  if (!trace) return null;
  const line = trace.split("\n").map((l) => l.trim()).find((l) => l.length > 0);
  return line ? line.slice(0, 300) : null;
}

/** The newest error a connector reports: a failed task's, else the connector's own. */
function connectorError(s: ConnectorStatus): string | null {
  const failed = s.tasks.find((t) => t.state === "FAILED" && t.trace) ?? s.tasks.find((t) => t.trace);
  return firstLine(failed?.trace) ?? firstLine(s.connector.trace);
}

function connectorProblems(what: string, s: ConnectorStatus | Unobserved | undefined): { state: string; running: number; total: number; problems: string[]; error: string | null } {
  if (s === undefined) return { state: "UNKNOWN", running: 0, total: 0, problems: [], error: null };
  if (isUnobserved(s)) return { state: "UNKNOWN", running: 0, total: 0, problems: [`${what} status could not be read: ${s.error}`], error: s.error };
  const running = s.tasks.filter((t) => t.state === "RUNNING").length;
  const problems: string[] = [];
  if (s.connector.state !== "RUNNING") problems.push(`${what} is ${s.connector.state}`);
  if (s.tasks.length === 0) problems.push(`${what} has no tasks`);
  const notRunning = s.tasks.filter((t) => t.state !== "RUNNING");
  if (notRunning.length) problems.push(`${what} task${notRunning.length > 1 ? "s" : ""} ${notRunning.map((t) => `${t.id} ${t.state}`).join(", ")}`);
  return { state: s.connector.state, running, total: s.tasks.length, problems, error: connectorError(s) };
}

/** Why an agent's image cannot be told, when no container was looked at. */
function imageUnknownReason(f: FacilityObservation): string {
  if (f.agent === "compose") return "compose site: the site runs its agent, no host is looked at";
  if (!f.hostReachable) return "host unreachable";
  if (f.agentState === "missing") return "no agent container on its host";
  return "the agent container was not inspected";
}

/** Rows per second per table between two counts (two decimals); tables new since count from 0. */
export function rowRates(now: Record<string, number>, before: Record<string, number>, seconds: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const table of Object.keys(now).sort()) out[table] = Math.round(((now[table] - (before[table] ?? 0)) / seconds) * 100) / 100;
  return out;
}

/** The earlier count of one facility's rows and the seconds since, when there is one to compare with. */
export interface EarlierRows {
  rows: Record<string, number>;
  seconds: number;
}

export function evaluateFacility(f: FacilityObservation, at: Date, thresholds: StatusThresholds, kafkaReadable: boolean, desiredImage: string | null = null, earlier: EarlierRows | null = null): FacilityStatus {
  const problems: string[] = [];
  let agentState = f.agentState ?? "unknown";
  let lastError: string | null = null;
  let c = connectorProblems("connector", undefined);
  let from: FacilityStatus["connectorStateFrom"] = null;
  const lastKnown = (what: string) => connectorProblems(what, f.lastKnownConnector ?? (f.lastKnownConnector === null ? { error: "the agent never wrote its status to Kafka" } : undefined));
  if (f.agent === "compose") {
    // Nothing to log in to: what the agent wrote to Kafka is all there is, and it is enough.
    agentState = "compose";
    c = lastKnown("connector");
    from = f.lastKnownConnector === undefined ? null : "kafka";
    problems.push(...c.problems);
  } else if (!f.hostReachable) {
    agentState = "unreachable";
    problems.push(`host ${f.host} unreachable: ${f.hostError ?? "no answer"}`);
    lastError = f.hostError ?? "host unreachable";
    // Shown, not judged: the agent may be fine behind a host the central team cannot reach.
    c = { ...lastKnown("connector"), problems: [] };
    from = f.lastKnownConnector ? "kafka" : null;
  } else if (f.agentState !== "running") {
    problems.push(f.agentState === "missing" ? "agent container is missing on its host: run pulumi up" : `agent container is ${f.agentState ?? "unknown"}`);
  } else {
    c = connectorProblems("connector", f.connector);
    from = "agent";
    problems.push(...c.problems);
  }
  lastError = lastError ?? c.error;

  const age = f.lastHeartbeatMs === null ? null : Math.max(0, Math.round((at.getTime() - f.lastHeartbeatMs) / 1000));
  if (kafkaReadable) {
    if (age === null) problems.push("no heartbeat ever received");
    else if (age > thresholds.heartbeatMaxAgeSeconds) problems.push(`last heartbeat ${age} s ago (more than ${thresholds.heartbeatMaxAgeSeconds} s)`);
  }
  const rowsTotal = Object.values(f.rows).reduce((a, b) => a + b, 0);
  const rowsPerSecond = earlier && earlier.seconds > 0 ? rowRates(f.rows, earlier.rows, earlier.seconds) : null;
  const rowsPerSecondTotal = rowsPerSecond ? Math.round(Object.values(rowsPerSecond).reduce((a, b) => a + b, 0) * 100) / 100 : null;
  return {
    slug: f.slug, name: f.name, dhis2Code: f.dhis2Code, agent: f.agent, host: f.host ?? "compose", engine: f.engine,
    hostReachable: f.agent === "compose" ? null : f.hostReachable, agentState, connectorState: c.state, connectorStateFrom: from,
    tasksRunning: c.running, tasksTotal: c.total,
    heartbeatAgeSeconds: age, rows: f.rows, rowsTotal, rowsPerSecond, rowsPerSecondTotal, lastError, healthy: problems.length === 0, problems,
    ...evaluateAgentImage(f.agent === "ssh" && f.hostReachable ? f.agentImage : undefined, desiredImage, imageUnknownReason(f)),
  };
}

/**
 * Records the sink has not written yet, per topic: end minus committed offset, or minus the
 * start when the sink never committed on that partition (it will read everything still there).
 */
export function lagByTopic(dataTopics: Record<string, PartitionOffsets[]>, committed: Record<string, Record<string, number>>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const topic of Object.keys(dataTopics).sort()) {
    out[topic] = dataTopics[topic].reduce((sum, p) => {
      const at = committed[topic]?.[String(p.partition)];
      const from = at === undefined ? p.start : Math.max(at, p.start);
      return sum + Math.max(0, p.end - from);
    }, 0);
  }
  return out;
}

export function evaluateSink(s: SinkObservation, thresholds: StatusThresholds, previous: PreviousLook | null): SinkStatus {
  const c = connectorProblems(`connector ${s.connectorName}`, s.connector);
  const problems = [...c.problems];
  const o = s.offsets;
  const lag = o ? lagByTopic(o.dataTopics, o.committed) : {};
  const lagTotal = Object.values(lag).reduce((a, b) => a + b, 0);
  if (lagTotal > thresholds.sinkMaxLag) problems.push(`lag ${lagTotal} records (more than ${thresholds.sinkMaxLag})`);
  const dlqDepth = o ? o.dlq.reduce((a, p) => a + (p.end - p.start), 0) : 0;
  const dlqEnd = o ? o.dlq.reduce((a, p) => a + p.end, 0) : 0;
  // A recreated DLQ starts again from 0: everything in it is new.
  const dlqGrowth = !o || previous === null ? null : dlqEnd >= previous.dlqEnd ? dlqEnd - previous.dlqEnd : dlqEnd;
  if (dlqGrowth !== null && dlqGrowth > thresholds.dlqMaxGrowth) {
    problems.push(`DLQ grew by ${dlqGrowth} record${dlqGrowth === 1 ? "" : "s"} since ${previous!.at} (more than ${thresholds.dlqMaxGrowth}): see npm run dlq -- list`);
  }
  return {
    connectorName: s.connectorName, connectorState: c.state, tasksRunning: c.running, tasksTotal: c.total,
    lagByTopic: lag, lagTotal, dlqDepth, dlqEnd, dlqGrowth, previousLookAt: previous?.at ?? null,
    lastError: c.error, healthy: problems.length === 0, problems,
  };
}

/** The whole report: every facility, the sink, and the verdict. */
export function evaluateStatus(o: Observation, thresholds: StatusThresholds, previous: PreviousLook | null): StatusReport {
  const counted = rowsCounted(o);
  const seconds = previous?.rowsAt ? (o.at.getTime() - Date.parse(previous.rowsAt)) / 1000 : 0;
  const earlier = (slug: string): EarlierRows | null =>
    counted && previous?.rows?.[slug] && seconds > 0 ? { rows: previous.rows[slug], seconds } : null;
  const facilities = [...o.facilities].sort((a, b) => a.slug.localeCompare(b.slug))
    .map((f) => evaluateFacility(f, o.at, thresholds, o.kafkaError === undefined, o.desiredImage, earlier(f.slug)));
  const sink = evaluateSink(o.sink, thresholds, previous);
  const problems = [
    ...(o.kafkaError ? [`kafka: ${o.kafkaError}`] : []),
    ...(o.warehouseError ? [`warehouse: ${o.warehouseError}`] : []),
    ...facilities.flatMap((f) => f.problems.map((p) => `${f.slug}: ${p}`)),
    ...sink.problems.map((p) => `sink: ${p}`),
  ];
  return {
    stack: o.stack, generatedAt: o.at.toISOString(), healthy: problems.length === 0, thresholds, facilities, sink,
    fleet: fleetDrift(facilities, o.desiredImage), problems,
  };
}

const rowsCounted = (o: Observation) => o.rowsCounted !== false && o.warehouseError === undefined;

/**
 * What to remember for the next look. A look that could not read Kafka keeps the earlier DLQ
 * figure, and one that did not count rows keeps the earlier counts.
 */
export function nextLook(o: Observation, report: StatusReport, previous: PreviousLook | null): PreviousLook | null {
  const rows = rowsCounted(o)
    ? { rows: Object.fromEntries(o.facilities.map((f) => [f.slug, f.rows])), rowsAt: report.generatedAt }
    : previous?.rows && previous.rowsAt ? { rows: previous.rows, rowsAt: previous.rowsAt } : {};
  if (!o.sink.offsets) return previous ? { ...previous, ...rows } : null;
  return { at: report.generatedAt, dlqEnd: report.sink.dlqEnd, ...rows };
}
