import { FacilityStatus, StatusReport } from "./status";
import { textTable as table } from "../lib/text";

/** The status report for people (a table) and for Prometheus (text exposition format). */

/** The agent's image version as the table and the page show it: the tag, marked when not the desired one. */
export function imageCell(f: FacilityStatus): string {
  if (f.imageVersion === null) return "unknown";
  return f.imageDrift === "behind" ? `${f.imageVersion} (behind)` : f.imageVersion;
}

/** One line on the fleet's drift: how many agents run the desired image, and which do not or cannot be told. */
export function driftLine(r: StatusReport): string {
  const d = r.fleet;
  if (d.desiredImage === null) return "Image: the stack sets neither facilityImage nor connectImage, so drift is unknown";
  const parts = [`Image: ${d.current} of ${d.agents} agent${d.agents === 1 ? "" : "s"} on ${d.desiredVersion} (${d.desiredImage})`];
  if (d.behind.length) parts.push(`${d.behind.length} behind: ${d.behind.join(", ")} (run pulumi up)`);
  if (d.unknown.length) parts.push(`${d.unknown.length} unknown: ${d.unknown.join(", ")}`);
  return parts.join("; ");
}

export function age(seconds: number | null): string {
  if (seconds === null) return "never";
  if (seconds < 120) return `${seconds}s ago`;
  if (seconds < 7200) return `${Math.round(seconds / 60)}m ago`;
  return `${Math.round(seconds / 3600)}h ago`;
}

export function renderStatusTable(r: StatusReport): string {
  const out: string[] = [];
  out.push(`ClinicMaster warehouse, stack ${r.stack}, ${r.generatedAt}: ${r.healthy ? "HEALTHY" : `UNHEALTHY (${r.problems.length} problem${r.problems.length === 1 ? "" : "s"})`}`);
  out.push("");
  out.push(...table(
    ["FACILITY", "CODE", "ENGINE", "HOST", "AGENT", "CONNECTOR", "TASKS", "HEARTBEAT", "ROWS", "ROWS/S", "IMAGE", "LAST ERROR"],
    r.facilities.map((f) => [
      f.slug, f.dhis2Code, f.engine, f.host, f.agentState, f.connectorState + (f.connectorStateFrom === "kafka" ? "*" : ""), `${f.tasksRunning}/${f.tasksTotal}`,
      age(f.heartbeatAgeSeconds), String(f.rowsTotal), f.rowsPerSecondTotal == null ? "-" : String(f.rowsPerSecondTotal), imageCell(f), f.lastError ?? "-",
    ]),
  ));
  if (r.facilities.length === 0) out.push("(no facility files)");
  if (r.facilities.some((f) => f.connectorStateFrom === "kafka")) out.push("* as the agent last wrote it to Kafka (its worker was not asked: a compose site, or its host was not reached)");
  if (r.facilities.length) out.push(driftLine(r));
  const s = r.sink;
  out.push("");
  out.push(`SINK ${s.connectorName}: ${s.connectorState}, tasks ${s.tasksRunning}/${s.tasksTotal} running; lag ${s.lagTotal} records; ` +
    `DLQ ${s.dlqDepth} records${s.dlqGrowth === null ? " (first look)" : `, +${s.dlqGrowth} since ${s.previousLookAt}`}` +
    (s.lastError ? `; last error: ${s.lastError}` : ""));
  const lagging = Object.entries(s.lagByTopic).filter(([, n]) => n > 0);
  if (lagging.length) out.push(...lagging.map(([t, n]) => `  lag ${t}: ${n}`));
  const tables = [...new Set(r.facilities.flatMap((f) => Object.keys(f.rows)))].sort();
  if (tables.length) {
    out.push("");
    out.push("Warehouse rows per facility and table:");
    out.push(...table(["FACILITY", ...tables], r.facilities.map((f) => [f.slug, ...tables.map((t) => String(f.rows[t] ?? 0))])).map((l) => "  " + l));
  }
  if (r.problems.length) {
    out.push("");
    out.push("Problems:");
    out.push(...r.problems.map((p) => `  - ${p}`));
  }
  return out.join("\n") + "\n";
}

/** A label value as the exposition format wants it: backslash, quote and newline escaped. */
function labelValue(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

type Labels = Record<string, string>;

/**
 * Prometheus text format, for node-exporter's textfile collector: one HELP/TYPE block per metric,
 * samples sorted, so two identical reports give identical files.
 */
export function renderPrometheus(r: StatusReport): string {
  const metrics = new Map<string, { help: string; samples: [Labels, number][] }>();
  const put = (name: string, help: string, labels: Labels, value: number) => {
    if (!metrics.has(name)) metrics.set(name, { help, samples: [] });
    metrics.get(name)!.samples.push([labels, value]);
  };
  const b = (v: boolean) => (v ? 1 : 0);
  put("cmw_status_healthy", "1 when no problem was found by npm run status.", {}, b(r.healthy));
  put("cmw_status_problems", "Problems found by npm run status.", {}, r.problems.length);
  put("cmw_status_generated_timestamp_seconds", "When this report was made.", {}, Math.floor(Date.parse(r.generatedAt) / 1000));
  for (const f of r.facilities) {
    const l = { facility: f.slug, dhis2_code: f.dhis2Code };
    put("cmw_facility_healthy", "1 when the facility has no problem.", l, b(f.healthy));
    if (f.hostReachable !== null) put("cmw_facility_host_reachable", "1 when the facility's host answered over SSH.", l, b(f.hostReachable));
    put("cmw_facility_agent_running", "1 when the facility's agent container runs.", l, b(f.agentState === "running"));
    put("cmw_facility_connector_running", "1 when the facility's source connector is RUNNING.", l, b(f.connectorState === "RUNNING"));
    put("cmw_facility_tasks_running", "Running tasks of the facility's source connector.", l, f.tasksRunning);
    put("cmw_facility_tasks", "Tasks of the facility's source connector.", l, f.tasksTotal);
    // No sample when the image is unknown: absent is not "current".
    if (f.imageDrift !== "unknown") put("cmw_facility_agent_image_current", "1 when the facility's agent runs the desired image (facilityImage, else connectImage).", { ...l, image: f.image! }, b(f.imageDrift === "current"));
    if (f.heartbeatAgeSeconds !== null) put("cmw_facility_heartbeat_age_seconds", "Age of the facility's newest heartbeat in Kafka.", l, f.heartbeatAgeSeconds);
    for (const [table, n] of Object.entries(f.rows)) put("cmw_warehouse_rows", "Warehouse rows per facility and table.", { ...l, table }, n);
    for (const [table, n] of Object.entries(f.rowsPerSecond ?? {})) {
      put("cmw_warehouse_rows_per_second", "Net new warehouse rows per second per facility and table since the previous count.", { ...l, table }, n);
    }
  }
  put("cmw_fleet_agents", "Facility agents of the stack.", {}, r.fleet.agents);
  put("cmw_fleet_agents_behind", "Facility agents on another image than the desired one.", {}, r.fleet.behind.length);
  put("cmw_fleet_agents_image_unknown", "Facility agents whose image is not known (compose sites, unreachable hosts, missing containers).", {}, r.fleet.unknown.length);
  if (r.fleet.desiredImage !== null) put("cmw_fleet_desired_image_info", "The image the stack wants on the facility hosts.", { image: r.fleet.desiredImage }, 1);
  const s = r.sink;
  const sl = { connector: s.connectorName };
  put("cmw_sink_healthy", "1 when the sink has no problem.", sl, b(s.healthy));
  put("cmw_sink_connector_running", "1 when the sink connector is RUNNING.", sl, b(s.connectorState === "RUNNING"));
  put("cmw_sink_tasks_running", "Running tasks of the sink connector.", sl, s.tasksRunning);
  put("cmw_sink_tasks", "Tasks of the sink connector.", sl, s.tasksTotal);
  for (const [topic, n] of Object.entries(s.lagByTopic)) put("cmw_sink_lag_records", "Records of a data topic the sink has not written yet.", { ...sl, topic }, n);
  put("cmw_sink_lag_records_total", "Records the sink has not written yet, all data topics.", sl, s.lagTotal);
  put("cmw_dlq_records", "Records in the dead letter topic.", {}, s.dlqDepth);
  put("cmw_dlq_records_ever_total", "Records ever dead-lettered (sum of the DLQ's end offsets).", {}, s.dlqEnd);
  if (s.dlqGrowth !== null) put("cmw_dlq_growth_records", "Records dead-lettered since the previous look.", {}, s.dlqGrowth);

  const lines: string[] = [];
  for (const [name, m] of [...metrics.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    lines.push(`# HELP ${name} ${m.help}`);
    lines.push(`# TYPE ${name} gauge`);
    const rendered = m.samples.map(([labels, value]) => {
      const ls = Object.keys(labels).sort().map((k) => `${k}="${labelValue(labels[k])}"`).join(",");
      return `${name}${ls ? `{${ls}}` : ""} ${value}`;
    }).sort();
    lines.push(...rendered);
  }
  return lines.join("\n") + "\n";
}
