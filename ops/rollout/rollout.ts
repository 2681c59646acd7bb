/**
 * A fleet rollout's outcome per facility, from the engine events of one
 * `pulumi up --continue-on-error --event-log FILE` (or preview, refresh): every resource event is
 * put with the FacilityStack it belongs to (or with the central part), and each part is
 * `applied`, `unchanged` or `failed` with its first error line. Pure: events in, report out.
 */
import { FACILITY_STACK_TYPE } from "../preview/preview";

/** The part of a resource step's metadata this report reads (`apitype.StepEventMetadata`). */
export interface StepMetadata {
  op: string;
  urn: string;
  type?: string;
  old?: { parent?: string } | null;
  new?: { parent?: string } | null;
}

/** One line of the engine's event log (`apitype.EngineEvent`), the parts this report reads. */
export interface EngineEvent {
  sequence?: number;
  resourcePreEvent?: { metadata: StepMetadata; planning?: boolean };
  resOutputsEvent?: { metadata: StepMetadata; planning?: boolean };
  resOpFailedEvent?: { metadata: StepMetadata; status?: number; steps?: number };
  diagnosticEvent?: { urn?: string; message?: string; severity?: string; prefix?: string; ephemeral?: boolean };
  summaryEvent?: { resourceChanges?: Record<string, number>; durationSeconds?: number };
  cancelEvent?: Record<string, never>;
}

export type Outcome = "applied" | "unchanged" | "failed";

export interface PartReport {
  /** Facility slug, or {@link CENTRAL} for everything outside the FacilityStacks. */
  name: string;
  outcome: Outcome;
  /** Completed changes: operation → resource labels (`Container::fac-a-agent`). */
  changes: Record<string, string[]>;
  /** Why it failed, one line (failed only). */
  reason?: string;
}

export interface RolloutReport {
  central: PartReport;
  /** One per facility, sorted by slug. */
  facilities: PartReport[];
  /** Errors that name no resource (the program itself, the engine). */
  errors: string[];
  /** True when every part is applied or unchanged and there is no other error. */
  ok: boolean;
}

export const CENTRAL = "central";

/** Program errors that only echo a resource's failure. */
const CONSEQUENCE = /\bresource \S+ \[[^\]]+\] failed to register\b/;

/** A replacement is three steps of one resource; the report says it once. */
const REPLACE_STEPS = new Set(["create-replacement", "delete-replaced", "replace"]);
const opName = (op: string) => (REPLACE_STEPS.has(op) ? "replace" : op);

/** Steps that change nothing. */
const NO_CHANGE = new Set(["same", "read", "refresh", "discard", "import-replacement"]);

/** `urn:pulumi:<stack>::<project>::<type chain>::<name>` → its own type and name. */
function parseUrn(urn: string): { type: string; name: string } {
  const parts = urn.split("::");
  const types = (parts[2] ?? "").split("$");
  return { type: types[types.length - 1], name: parts.slice(3).join("::") };
}

/** Short label of a resource: the type's last part and the name. */
export function resourceLabel(urn: string): string {
  const { type, name } = parseUrn(urn);
  return `${type.split(":").pop()}::${name}`;
}

/**
 * The engine wraps a provider's error in lines of its own; the first line that says what went
 * wrong is the provider's. Colour codes (`<{%reset%}>`) are the CLI's markup.
 */
export function firstErrorLine(message: string): string {
  const lines = message
    .replace(/<\{%[^%]*%\}>/g, "")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "" && !/^(error: )?update failed$/i.test(l) && !/^(error: )?preview failed$/i.test(l) && !/^error:$/.test(l));
  const meaningful = (lines.find((l) => !/^(error: )?(creating|updating|deleting|reading)[^:]*:?$/i.test(l)) ?? lines[0] ?? "").replace(/^error: /, "");
  // A command's own words (ssh's "Connection refused") end a wrapped error: they say what to fix.
  const stderr = meaningful.lastIndexOf("stderr=");
  return (stderr >= 0 && stderr + 7 < meaningful.length ? meaningful.slice(stderr + 7) : meaningful).slice(0, 300);
}

/**
 * Which part each resource belongs to: a FacilityStack (by its URN's name) and everything whose
 * parent chain leads to one; every other resource is central.
 */
export class Ownership {
  private readonly parents = new Map<string, string>();

  note(m: StepMetadata): void {
    const parent = m.new?.parent ?? m.old?.parent;
    if (parent && !this.parents.has(m.urn)) this.parents.set(m.urn, parent);
  }

  ownerOf(urn: string): string {
    const seen = new Set<string>();
    for (let u: string | undefined = urn; u !== undefined && !seen.has(u); u = this.parents.get(u)) {
      seen.add(u);
      const { type, name } = parseUrn(u);
      if (type === FACILITY_STACK_TYPE) return name;
    }
    return CENTRAL;
  }
}

interface Tally {
  started: Map<string, string>;
  changes: Record<string, string[]>;
  failures: { urn: string; line?: string }[];
  errors: { urn: string; line: string }[];
  seen: boolean;
}

const newTally = (): Tally => ({ started: new Map(), changes: {}, failures: [], errors: [], seen: false });

/**
 * Groups the events per part. `expected` are the facilities the stack should have (its facility
 * files): one that shows no event at all was never reached (a resource it waits on failed, or
 * the update stopped early) and counts as failed.
 */
export function summarizeRollout(events: EngineEvent[], expected: string[]): RolloutReport {
  const owners = new Ownership();
  const tallies = new Map<string, Tally>();
  const tally = (name: string) => {
    let t = tallies.get(name);
    if (!t) tallies.set(name, (t = newTally()));
    return t;
  };
  const unowned: { line: string; message: string }[] = [];
  let cancelled = false;

  const ordered = [...events].sort((a, b) => (a.sequence ?? 0) - (b.sequence ?? 0));
  for (const e of ordered) {
    for (const m of [e.resourcePreEvent?.metadata, e.resOutputsEvent?.metadata, e.resOpFailedEvent?.metadata]) if (m) owners.note(m);
  }
  for (const e of ordered) {
    if (e.cancelEvent) cancelled = true;
    const pre = e.resourcePreEvent?.metadata;
    if (pre) {
      const t = tally(owners.ownerOf(pre.urn));
      t.seen = true;
      if (!NO_CHANGE.has(pre.op)) t.started.set(pre.urn, pre.op);
    }
    const done = e.resOutputsEvent?.metadata;
    if (done) {
      const t = tally(owners.ownerOf(done.urn));
      t.seen = true;
      t.started.delete(done.urn);
      if (!NO_CHANGE.has(done.op)) {
        const list = (t.changes[opName(done.op)] ??= []);
        if (!list.includes(resourceLabel(done.urn))) list.push(resourceLabel(done.urn));
      }
    }
    const failed = e.resOpFailedEvent?.metadata;
    if (failed) {
      const t = tally(owners.ownerOf(failed.urn));
      t.seen = true;
      t.started.delete(failed.urn);
      t.failures.push({ urn: failed.urn });
    }
    const d = e.diagnosticEvent;
    if (d && d.severity === "error") {
      const line = firstErrorLine(d.message ?? "");
      if (!line) continue;
      // The stack resource carries the engine's own summary errors; they are not a part's.
      if (d.urn && !/::pulumi:pulumi:Stack::/.test(d.urn)) {
        tally(owners.ownerOf(d.urn)).errors.push({ urn: d.urn, line });
      } else {
        unowned.push({ line, message: d.message ?? "" });
      }
    }
  }

  const report = (name: string, t: Tally | undefined): PartReport => {
    if (!t || !t.seen) {
      return { name, outcome: "failed", changes: {}, reason: cancelled ? "not reached: the update was cancelled" : "not reached: nothing of it was planned (a resource it waits on failed, or the update stopped early)" };
    }
    for (const ops of Object.values(t.changes)) ops.sort();
    const err = t.errors[0];
    if (err) return { name, outcome: "failed", changes: t.changes, reason: `${resourceLabel(err.urn)}: ${err.line}` };
    if (t.failures.length) return { name, outcome: "failed", changes: t.changes, reason: `${resourceLabel(t.failures[0].urn)}: failed` };
    const [unfinished] = [...t.started.entries()];
    if (unfinished) return { name, outcome: "failed", changes: t.changes, reason: `${resourceLabel(unfinished[0])}: ${unfinished[1]} did not finish${cancelled ? " (cancelled)" : ""}` };
    return { name, outcome: Object.keys(t.changes).length ? "applied" : "unchanged", changes: t.changes };
  };

  // A targeted run may show nothing central at all: nothing of it was touched.
  const central: PartReport = tallies.has(CENTRAL) ? report(CENTRAL, tallies.get(CENTRAL)) : { name: CENTRAL, outcome: "unchanged", changes: {} };
  const slugs = [...new Set([...expected, ...[...tallies.keys()].filter((k) => k !== CENTRAL)])].sort();
  const facilities = slugs.map((s) => {
    const r = report(s, tallies.get(s));
    // A facility waits on the central resources: when they failed, the engine skipped (silently)
    // whatever of it needed them, so "nothing changed" cannot be told from "not tried".
    if (central.outcome === "failed" && r.outcome === "unchanged") {
      return { ...r, outcome: "failed" as const, reason: `not checked: central failed first (${central.reason})` };
    }
    return r;
  });
  // The program notices a failed resource too ("resource X failed to register"): that is the
  // same failure, already reported with its part.
  const anyFailed = central.outcome === "failed" || facilities.some((f) => f.outcome === "failed");
  const errors = [...new Set(unowned.filter((u) => !(anyFailed && CONSEQUENCE.test(u.message))).map((u) => u.line))];
  const ok = central.outcome !== "failed" && facilities.every((f) => f.outcome !== "failed") && errors.length === 0;
  return { central, facilities, errors, ok };
}

/** Parses an event log: one JSON event per line; a torn last line (a crash) is skipped. */
export function parseEventLog(text: string): EngineEvent[] {
  const out: EngineEvent[] = [];
  for (const line of text.split("\n")) {
    if (!line.trim()) continue;
    try { out.push(JSON.parse(line) as EngineEvent); } catch { /* torn line */ }
  }
  return out;
}

const countChanges = (c: Record<string, string[]>) => Object.values(c).reduce((n, l) => n + l.length, 0);

/** What an operator reads: one line per part, then the totals and what to do next. */
export function renderRollout(r: RolloutReport, verb: "up" | "preview" | "refresh" = "up"): string {
  const rows = [r.central, ...r.facilities];
  const width = Math.max(...rows.map((p) => p.name.length), 8);
  const detail = (p: PartReport) => {
    if (p.outcome === "failed") return p.reason ?? "";
    // A new facility is some twenty creates: past a few, the count says enough.
    const ops = Object.keys(p.changes).sort();
    return ops.map((op) => `${op} ${p.changes[op].length > 3 ? `${p.changes[op].length} resources` : p.changes[op].join(", ")}`).join("; ");
  };
  const lines = rows.map((p) => `${p.name.padEnd(width)}  ${p.outcome.padEnd(9)}  ${detail(p)}`.trimEnd());
  for (const e of r.errors) lines.push(`error: ${e}`);
  const count = (o: Outcome) => r.facilities.filter((f) => f.outcome === o).length;
  const failed = r.facilities.filter((f) => f.outcome === "failed").map((f) => f.name);
  const word = verb === "preview" ? "would apply" : "applied";
  lines.push(`facilities: ${count("applied")} ${word}, ${count("unchanged")} unchanged, ${count("failed")} failed${failed.length ? ` (${failed.join(", ")})` : ""}`);
  if (!r.ok && verb === "up") lines.push("run the rollout again once they are reachable: it finishes what was left");
  return lines.join("\n") + "\n";
}

/** The report as JSON for scripts: sorted keys come from the fixed field order here. */
export function rolloutJson(r: RolloutReport): unknown {
  const part = (p: PartReport) => ({ name: p.name, outcome: p.outcome, changes: countChanges(p.changes), ...(p.reason ? { reason: p.reason } : {}) });
  return { ok: r.ok, central: part(r.central), facilities: r.facilities.map(part), errors: r.errors };
}

/** A resource as the stack's state or a preview step shows it. */
export interface ResourceRef {
  urn: string;
  parent?: string;
}

/**
 * Every URN of one facility (its FacilityStack and all it holds) among the given resources, for
 * `pulumi up|preview|refresh --target`. Exact URNs, not globs: a slug may begin with another
 * slug (`lacor` and `lacor-annex`), and a glob on names would take both.
 */
export function facilityUrns(resources: ResourceRef[], slug: string): string[] {
  const owners = new Ownership();
  for (const r of resources) owners.note({ op: "same", urn: r.urn, new: r.parent ? { parent: r.parent } : undefined });
  return [...new Set(resources.map((r) => r.urn).filter((u) => owners.ownerOf(u) === slug))].sort();
}
