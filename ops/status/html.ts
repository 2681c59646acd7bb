import { FacilityStatus, StatusReport } from "./status";
import { age, driftLine, imageCell } from "./render";

/**
 * The status report as one self-contained HTML page (`npm run status -- --html FILE`): inline
 * CSS, no script, no external resource (its Content-Security-Policy forbids them all), problems
 * first. Every text comes from the report and is escaped: facility names and errors are input
 * from the sites.
 */

/** Unicode bidi controls: they would reorder the text around them, so they are shown, not obeyed. */
const BIDI_CONTROLS = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;
/** Control characters other than tab and newline, shown the same way. */
const OTHER_CONTROLS = /[\u0000-\u0008\u000B-\u001F\u007F]/g;

const ENTITIES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
const codePoint = (c: string) => `[U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}]`;

/** Text safe in element content and in quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c]).replace(BIDI_CONTROLS, codePoint).replace(OTHER_CONTROLS, codePoint);
}

/** Text from the sites, escaped and isolated, so a right-to-left name cannot reorder its neighbours. */
const text = (s: string) => `<bdi>${escapeHtml(s)}</bdi>`;

/** Problems first: unhealthy facilities, then agents behind the desired image, then the rest, each by slug. */
export function facilityOrder(facilities: FacilityStatus[]): FacilityStatus[] {
  const rank = (f: FacilityStatus) => (!f.healthy ? 0 : f.imageDrift === "behind" ? 1 : 2);
  return [...facilities].sort((a, b) => rank(a) - rank(b) || a.slug.localeCompare(b.slug));
}

const STYLE = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 0 1.5em 2em; color: #1d1d1f; background: #fff; }
h1 { font-size: 1.4em; margin: .8em 0 .2em; } h2 { font-size: 1.1em; margin: 1.4em 0 .4em; }
.verdict { padding: .6em 1em; border-radius: 6px; font-weight: 600; }
.verdict.ok { background: #dff3e3; color: #0b5d1e; } .verdict.bad { background: #fbe0e0; color: #8a1010; }
ul.problems { background: #fff4f4; border-left: 4px solid #c62828; padding: .5em 1em .5em 2em; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .3em .6em; border-bottom: 1px solid #ddd; vertical-align: top; }
th { background: #f2f2f5; position: sticky; top: 0; }
tr.bad td { background: #fdeaea; } tr.warn td { background: #fff6dc; }
td.num { text-align: right; font-variant-numeric: tabular-nums; } td.nowrap { white-space: nowrap; }
.tag { display: inline-block; padding: 0 .4em; border-radius: 3px; font-size: .9em; }
.tag.ok { background: #dff3e3; color: #0b5d1e; } .tag.bad { background: #c62828; color: #fff; }
.tag.warn { background: #f5c242; color: #3d2c00; } .tag.unknown { background: #e4e4e8; color: #444; }
.muted { color: #666; font-size: .9em; } code { font-size: .9em; }
`;

const tag = (kind: "ok" | "bad" | "warn" | "unknown", label: string) => `<span class="tag ${kind}">${escapeHtml(label)}</span>`;

function facilityRow(f: FacilityStatus, heartbeatMax: number): string {
  const stale = f.heartbeatAgeSeconds === null || f.heartbeatAgeSeconds > heartbeatMax;
  const drift = f.imageDrift === "current" ? tag("ok", "current") : f.imageDrift === "behind" ? tag("warn", "behind") : tag("unknown", "unknown");
  const cells = [
    `${text(f.slug)}<br><span class="muted">${text(f.name)}</span>`,
    text(f.dhis2Code),
    f.healthy ? tag("ok", "healthy") : `${tag("bad", "unhealthy")}<br>${f.problems.map(text).join("<br>")}`,
    `${text(f.agentState)}<br><span class="muted">${text(f.host)}</span>`,
    `${text(f.connectorState)}${f.connectorStateFrom === "kafka" ? "*" : ""} ${f.tasksRunning}/${f.tasksTotal}`,
    stale ? tag("bad", age(f.heartbeatAgeSeconds)) : escapeHtml(age(f.heartbeatAgeSeconds)),
    String(f.rowsTotal),
    f.rowsPerSecondTotal == null ? `<span class="muted">first count</span>` : escapeHtml(String(f.rowsPerSecondTotal)),
    f.image === null ? `<span class="muted">unknown</span>` : `<span title="${escapeHtml(f.image)}">${text(imageCell(f))}</span>`,
    f.imageUnknownReason === null ? drift : `${drift}<br><span class="muted">${text(f.imageUnknownReason)}</span>`,
    f.lastError === null ? "-" : text(f.lastError),
  ];
  const kind = !f.healthy ? "bad" : f.imageDrift === "behind" ? "warn" : "ok";
  const classes = ["", "nowrap", "", "", "nowrap", "nowrap", "num", "num", "", "", ""];
  return `<tr class="${kind}" data-facility="${escapeHtml(f.slug)}">${cells.map((c, i) => `<td${classes[i] ? ` class="${classes[i]}"` : ""}>${c}</td>`).join("")}</tr>`;
}

export function renderStatusHtml(r: StatusReport): string {
  const s = r.sink;
  const unhealthy = r.facilities.filter((f) => !f.healthy).length;
  const verdict = r.healthy ? "HEALTHY" : `UNHEALTHY (${r.problems.length} problem${r.problems.length === 1 ? "" : "s"})`;
  const lagging = Object.entries(s.lagByTopic).filter(([, n]) => n > 0);
  const out: string[] = [
    "<!DOCTYPE html>",
    '<html lang="en">',
    "<head>",
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    // The status job rewrites the file; an open page follows it.
    '<meta http-equiv="refresh" content="60">',
    `<title>${escapeHtml(`ClinicMaster warehouse ${r.stack}: ${verdict}`)}</title>`,
    `<style>${STYLE}</style>`,
    "</head>",
    "<body>",
    `<h1>ClinicMaster warehouse, stack ${text(r.stack)}</h1>`,
    `<p class="verdict ${r.healthy ? "ok" : "bad"}">${escapeHtml(verdict)} <span class="muted">at ${escapeHtml(r.generatedAt)}</span></p>`,
  ];
  if (r.problems.length) {
    out.push(`<h2>Problems</h2>`, `<ul class="problems">${r.problems.map((p) => `<li>${text(p)}</li>`).join("")}</ul>`);
  }
  out.push(`<p>${text(driftLine(r))}</p>`);
  out.push(
    `<h2>Facilities: ${r.facilities.length}, ${unhealthy} unhealthy, ${r.fleet.behind.length} behind</h2>`,
    "<table>",
    "<thead><tr><th>Facility</th><th>Code</th><th>State</th><th>Agent</th><th>Connector</th><th>Heartbeat</th><th>Rows</th><th>Rows/s</th><th>Image</th><th>Drift</th><th>Last error</th></tr></thead>",
    "<tbody>",
    ...facilityOrder(r.facilities).map((f) => facilityRow(f, r.thresholds.heartbeatMaxAgeSeconds)),
    "</tbody>",
    "</table>",
  );
  if (r.facilities.length === 0) out.push('<p class="muted">No facility files.</p>');
  if (r.facilities.some((f) => f.connectorStateFrom === "kafka")) {
    out.push('<p class="muted">* as the agent last wrote it to Kafka (its worker was not asked: a compose site, or its host was not reached)</p>');
  }
  out.push(
    `<h2>Sink ${text(s.connectorName)}</h2>`,
    "<table>",
    "<thead><tr><th>State</th><th>Tasks</th><th>Lag (records)</th><th>DLQ (records)</th><th>DLQ growth</th><th>Last error</th></tr></thead>",
    "<tbody>",
    `<tr class="${s.healthy ? "ok" : "bad"}">` + [
      s.healthy ? tag("ok", s.connectorState) : tag("bad", s.connectorState),
      `${s.tasksRunning}/${s.tasksTotal}`,
      s.lagTotal > r.thresholds.sinkMaxLag ? tag("bad", String(s.lagTotal)) : String(s.lagTotal),
      String(s.dlqDepth),
      s.dlqGrowth === null ? '<span class="muted">first look</span>'
        : `${s.dlqGrowth > r.thresholds.dlqMaxGrowth ? tag("bad", `+${s.dlqGrowth}`) : escapeHtml(`+${s.dlqGrowth}`)} <span class="muted">since ${escapeHtml(s.previousLookAt ?? "")}</span>`,
      s.lastError === null ? "-" : text(s.lastError),
    ].map((c) => `<td>${c}</td>`).join("") + "</tr>",
    "</tbody>",
    "</table>",
  );
  if (lagging.length) out.push(`<ul>${lagging.map(([t, n]) => `<li><code>${text(t)}</code>: ${n}</li>`).join("")}</ul>`);
  out.push(
    `<p class="muted">Thresholds (stack setting statusThresholds): heartbeat ${r.thresholds.heartbeatMaxAgeSeconds} s, ` +
      `sink lag ${r.thresholds.sinkMaxLag} records, DLQ growth ${r.thresholds.dlqMaxGrowth} records per look. What to do: docs/runbook.md.</p>`,
    "</body>",
    "</html>",
  );
  return out.join("\n") + "\n";
}
