/**
 * A fleet-wide change that reaches every site that is up (`npm run rollout -- [options]`):
 * `pulumi up --continue-on-error` of the stack, so a facility whose host does not answer fails
 * alone while every other change is applied; then one line per facility (and one for the
 * central part): `applied`, `unchanged` or `failed` with the reason. Run it again once the
 * failed sites are back: it finishes what was left.
 *
 *   --stack S            the stack (default: the selected one); --config-file F as for pulumi
 *   --facility SLUG      only that facility's resources (pulumi --target, exact URNs), with
 *     --preview          what it would change, nothing applied
 *     --refresh          its resources read back from its host and Kafka
 *   --json               the report as JSON
 *   --parallel N         resource operations at once (default: Pulumi's, 4 per core)
 *   --event-log FILE     also keep the engine's events (one JSON object a line; secrets masked)
 *
 * Exit 0 when every part is applied or unchanged, 1 when any failed, 2 on a usage or
 * configuration error.
 */
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as readline from "readline";
import { FacilityConfigError } from "../../components/settings/facility";
import { readFacilityFiles } from "../../components/settings/files";
import { SettingsError, secretLookup } from "../../components/settings/stack";
import { UsageError, parallelArgs, parallelOf, parseArgs, readStackSettings, runMain } from "../lib/stack";
import { EngineEvent, ResourceRef, RolloutReport, facilityUrns, firstErrorLine, renderRollout, resourceLabel, rolloutJson, summarizeRollout } from "./rollout";

// Compiled to bin/ops/rollout/cli.js: the project root is three folders up.
const ROOT = path.resolve(__dirname, "..", "..", "..");

type Mode = "up" | "preview" | "refresh";

interface Run {
  stack: string;
  configFile?: string;
}

const stackArgs = (r: Run) => ["--stack", r.stack, ...(r.configFile ? ["--config-file", r.configFile] : [])];

/** The slugs of the stack's facility files (checked as the program checks them). */
function expectedFacilities(r: Run): string[] {
  const { settings } = readStackSettings(r.stack, r.configFile);
  return readFacilityFiles(path.resolve(ROOT, settings.facilitiesDir), secretLookup(settings)).map((f) => f.slug);
}

/** Runs pulumi with its display as JSON events, handing each event over as it comes. */
function pulumiEvents(args: string[], onEvent: (e: EngineEvent) => void, eventLog?: fs.WriteStream): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve, reject) => {
    // A preview's JSON is one document at the end unless streaming is asked for.
    const child = spawn("pulumi", args, { cwd: ROOT, env: { ...process.env, PULUMI_ENABLE_STREAMING_JSON_PREVIEW: "true" }, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => { stderr = (stderr + d.toString()).slice(-20000); });
    readline.createInterface({ input: child.stdout }).on("line", (line) => {
      eventLog?.write(line + "\n");
      if (!line.startsWith("{")) return;
      try { onEvent(JSON.parse(line) as EngineEvent); } catch { /* a pretty-printed document's first line */ }
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? 1, stderr }));
  });
}

/**
 * The facility's resources: for a refresh those in the state, otherwise those a full preview
 * plans (new resources included), by their parent chain.
 */
function resourcesOf(r: Run, mode: Mode): ResourceRef[] {
  const opts = { cwd: ROOT, encoding: "utf8" as const, maxBuffer: 512 * 1024 * 1024 };
  if (mode === "refresh") {
    const res = spawnSync("pulumi", ["stack", "export", "--stack", r.stack], opts);
    if (res.status !== 0) throw new UsageError(`pulumi stack export --stack ${r.stack} failed: ${res.stderr.trim().split("\n")[0]}; check the stack name and PULUMI_BACKEND_URL`);
    const doc = JSON.parse(res.stdout) as { deployment?: { resources?: ResourceRef[] } };
    return (doc.deployment?.resources ?? []).map((x) => ({ urn: x.urn, parent: x.parent }));
  }
  const res = spawnSync("pulumi", ["preview", "--json", "--show-sames", "--non-interactive", ...stackArgs(r)], { ...opts, env: { ...process.env, PULUMI_ENABLE_STREAMING_JSON_PREVIEW: "false" } });
  let doc: { steps?: { urn: string; newState?: { parent?: string }; oldState?: { parent?: string } }[]; diagnostics?: { severity?: string; message?: string }[] } = {};
  try { doc = JSON.parse(res.stdout); } catch { /* no document: reported below */ }
  if (res.status !== 0 && !doc.steps?.length) {
    const why = (doc.diagnostics ?? []).filter((d) => d.severity === "error").map((d) => firstErrorLine(d.message ?? ""))[0] ?? res.stderr.trim().split("\n")[0];
    throw new UsageError(`pulumi preview failed, so the facility's resources are unknown: ${why}`);
  }
  return (doc.steps ?? []).map((s) => ({ urn: s.urn, parent: s.newState?.parent ?? s.oldState?.parent }));
}

function commandFor(mode: Mode, r: Run, targets: string[], parallel: number | undefined): string[] {
  const common = ["--json", "--non-interactive", ...parallelArgs(parallel), ...stackArgs(r), ...targets.flatMap((t) => ["--target", t])];
  switch (mode) {
    case "preview": return ["preview", ...common];
    // Refresh and up apply without asking: the report says what happened, part by part.
    case "refresh": return ["refresh", "--yes", "--skip-preview", ...common];
    case "up": return ["up", "--yes", "--skip-preview", "--continue-on-error", ...common];
  }
}

/**
 * A targeted run reports its facility alone: the others were not looked at (their pending
 * changes wait), so "unchanged" would mislead. Anything changed outside it is an error.
 */
function onlyFacility(report: RolloutReport, slug: string): void {
  const outside = [report.central, ...report.facilities].filter((p) => p.name !== slug && Object.keys(p.changes).length > 0);
  for (const p of outside) report.errors.push(`changed outside facility ${slug}: ${p.name} (${Object.values(p.changes).flat().join(", ")})`);
  report.facilities = report.facilities.filter((f) => f.name === slug);
  report.ok = report.ok && outside.length === 0 && report.facilities.every((f) => f.outcome !== "failed");
}

async function main(argv: string[]): Promise<number> {
  const args = parseArgs(argv, ["preview", "refresh", "json"]);
  const preview = args.switches.has("preview");
  const refresh = args.switches.has("refresh");
  const slug = args.flags.facility;
  if ((preview || refresh) && !slug) throw new UsageError("--preview and --refresh work on one facility: add --facility SLUG (a fleet-wide preview is `pulumi preview`)");
  if (preview && refresh) throw new UsageError("give --preview or --refresh, not both");
  if (args.positional.length) throw new UsageError(`unexpected argument ${args.positional[0]}; options are --stack, --config-file, --facility, --preview, --refresh, --json, --event-log, --parallel`);
  const mode: Mode = preview ? "preview" : refresh ? "refresh" : "up";
  const parallel = parallelOf(args.flags.parallel);
  const stack = args.flags.stack ?? spawnSync("pulumi", ["stack", "--show-name"], { cwd: ROOT, encoding: "utf8" }).stdout.trim();
  if (!stack) throw new UsageError("no stack selected: give --stack S");
  const run: Run = { stack, configFile: args.flags["config-file"] };

  let expected = expectedFacilities(run);
  let targets: string[] = [];
  if (slug) {
    targets = facilityUrns(resourcesOf(run, mode), slug);
    if (targets.length === 0) throw new UsageError(`facility ${slug} has no resources ${mode === "refresh" ? "in the stack" : "in the stack or its facility files"}; the facilities are ${expected.join(", ") || "(none)"}`);
    expected = [slug];
  }

  const events: EngineEvent[] = [];
  const log = args.flags["event-log"] ? fs.createWriteStream(args.flags["event-log"], { mode: 0o600 }) : undefined;
  console.error(`rollout: pulumi ${mode} of stack ${stack}${slug ? `, facility ${slug} only (${targets.length} resources)` : ", every facility"}`);
  const { code, stderr } = await pulumiEvents(commandFor(mode, run, targets, parallel), (e) => {
    events.push(e);
    // Progress as it happens: each finished change and each failure, on stderr.
    const done = e.resOutputsEvent?.metadata;
    if (done && !["same", "read", "refresh"].includes(done.op) && !e.resOutputsEvent?.planning) console.error(`  ${done.op} ${resourceLabel(done.urn)}`);
    const failed = e.diagnosticEvent;
    if (failed?.severity === "error" && failed.urn) console.error(`  failed ${resourceLabel(failed.urn)}: ${firstErrorLine(failed.message ?? "")}`);
  }, log);
  await new Promise<void>((resolve) => (log ? log.end(resolve) : resolve()));

  const report = summarizeRollout(events, expected);
  if (slug) onlyFacility(report, slug);
  if (code !== 0 && report.ok) {
    // pulumi failed without saying why in its events (e.g. the backend or a lock): show its own words.
    report.errors.push(stderr.trim().split("\n").filter(Boolean).slice(-1)[0] ?? `pulumi exited ${code}`);
    report.ok = false;
  }
  process.stdout.write(args.switches.has("json") ? JSON.stringify(rolloutJson(report), null, 2) + "\n" : renderRollout(report, mode));
  return report.ok ? 0 : 1;
}

runMain(() => main(process.argv.slice(2)), (e) => e instanceof FacilityConfigError || e instanceof SettingsError);
