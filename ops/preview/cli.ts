/**
 * The pull-request check of facility files (`npm run pr-preview -- [options]`): for every stack
 * whose facility folder the change touches, validate the files, run `pulumi preview`, and show
 * per facility what would be created, updated, replaced or deleted, and anything else that
 * would change. The CI workflow (.github/workflows/facilities.yml) runs exactly this.
 *
 *   --base REF          the files changed since REF (git diff REF...HEAD), e.g. origin/main
 *   --changed F[,F]     or these files (paths as in the repository)
 *   --stack S           only this stack (default: every Pulumi.<stack>.yaml in the project);
 *                       --config-file F as for pulumi
 *   --strict            fail when anything outside the touched facilities would change
 *   --markdown FILE     also append the summary there (default: $GITHUB_STEP_SUMMARY when set)
 *   --parallel N        resource operations at once (default: Pulumi's, 4 per core)
 *
 * Exit 0 when every preview passed, 1 when a preview failed (or --strict found other changes),
 * 2 when a facility file is invalid (each problem on one line) or the options are wrong.
 */
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { FacilityConfigError } from "../../components/settings/facility";
import { readFacilityFiles } from "../../components/settings/files";
import { PreviewStep, renderPreviewSummary, summarizePreview } from "./preview";
import { PROJECT, UsageError, parallelArgs, parallelOf, parseArgs, readStackSettings, runMain } from "../lib/stack";
import { SettingsError, secretLookup } from "../../components/settings/stack";

// Compiled to bin/ops/preview/cli.js: the project root is three folders up.
const ROOT = path.resolve(__dirname, "..", "..", "..");

interface Target {
  stack: string;
  configFile?: string;
  facilitiesDir: string;
}

/** Every stack of the project with its facility folder, from the Pulumi.<stack>.yaml files. */
function projectStacks(): Target[] {
  return fs.readdirSync(ROOT)
    .filter((f) => /^Pulumi\.[^.]+\.yaml$/.test(f))
    .sort()
    .map((f) => {
      const doc = parse(fs.readFileSync(path.join(ROOT, f), "utf8")) ?? {};
      return { stack: f.slice("Pulumi.".length, -".yaml".length), facilitiesDir: String(doc?.config?.[`${PROJECT}:facilitiesDir`] ?? "facilities") };
    });
}

function changedFiles(args: ReturnType<typeof parseArgs>): string[] {
  if (args.lists.changed) return args.lists.changed;
  if (!args.flags.base) throw new UsageError("give --base REF (e.g. origin/main) or --changed FILE[,FILE]");
  return execFileSync("git", ["diff", "--name-only", `${args.flags.base}...HEAD`], { cwd: ROOT, encoding: "utf8" }).split("\n").filter(Boolean);
}

/** Slugs of the facility files among the changed files that sit in `dir`. */
function touchedSlugs(files: string[], dir: string): string[] {
  const abs = path.resolve(ROOT, dir);
  return [...new Set(files
    .map((f) => path.resolve(ROOT, f))
    .filter((f) => path.dirname(f) === abs && /\.ya?ml$/.test(f))
    .map((f) => path.basename(f).replace(/\.ya?ml$/, "")))].sort();
}

function preview(t: Target, parallel: number | undefined): { ok: boolean; steps: PreviewStep[]; errors: string[] } {
  const args = ["preview", "--json", "--non-interactive", ...parallelArgs(parallel), "--stack", t.stack, ...(t.configFile ? ["--config-file", t.configFile] : [])];
  const res = spawnSync("pulumi", args, { cwd: ROOT, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  let out: { steps?: PreviewStep[]; diagnostics?: { severity?: string; message?: string }[] } = {};
  try { out = JSON.parse(res.stdout); } catch { /* a failed preview may print no JSON */ }
  const errors = (out.diagnostics ?? []).filter((d) => d.severity === "error").map((d) => (d.message ?? "").trim()).filter(Boolean);
  if (res.status !== 0 && errors.length === 0) errors.push((res.stderr || res.stdout || `pulumi preview exited ${res.status}`).trim());
  return { ok: res.status === 0, steps: out.steps ?? [], errors };
}

function main(argv: string[]): number {
  const args = parseArgs(argv, ["strict"]);
  const parallel = parallelOf(args.flags.parallel);
  const files = changedFiles(args);
  const targets: Target[] = args.flags.stack
    ? [{ stack: args.flags.stack, configFile: args.flags["config-file"], facilitiesDir: "" }]
    : projectStacks();
  const markdown = args.flags.markdown ?? process.env.GITHUB_STEP_SUMMARY;
  const annotate = process.env.GITHUB_ACTIONS === "true";
  let code = 0;
  for (const t of targets) {
    let cfg: ReturnType<typeof readStackSettings>;
    try {
      cfg = readStackSettings(t.stack, t.configFile);
    } catch (e) {
      if (e instanceof SettingsError) {
        for (const line of e.message.split("\n")) console.error(`stack ${t.stack}: ${line}`);
        code = Math.max(code, 2);
        continue;
      }
      console.error(`stack ${t.stack}: its settings could not be read (is it in the backend, PULUMI_BACKEND_URL?): ${(e as Error).message.split("\n")[0]}`);
      code = Math.max(code, 1);
      continue;
    }
    const dir = t.facilitiesDir || cfg.settings.facilitiesDir;
    const touched = touchedSlugs(files, dir);
    if (touched.length === 0) { console.log(`stack ${t.stack}: no facility file of ${dir} changed`); continue; }
    console.log(`stack ${t.stack}: facility files changed: ${touched.join(", ")}`);
    try {
      readFacilityFiles(path.resolve(ROOT, dir), secretLookup(cfg.settings));
    } catch (e) {
      if (!(e instanceof FacilityConfigError)) throw e;
      for (const line of e.message.split("\n")) {
        console.error(line);
        if (annotate) console.error(`::error file=${line.split(":")[0]}::${line}`);
      }
      code = Math.max(code, 2);
      continue;
    }
    const result = preview(t, parallel);
    if (!result.ok) {
      console.error(`stack ${t.stack}: pulumi preview failed:`);
      for (const e of result.errors) console.error(e);
      code = Math.max(code, 1);
      continue;
    }
    const summary = summarizePreview(result.steps, touched);
    const text = renderPreviewSummary(t.stack, touched, summary);
    process.stdout.write(text);
    if (markdown) fs.appendFileSync(markdown, text + "\n");
    if (args.switches.has("strict") && summary.elsewhere.length) {
      console.error(`stack ${t.stack}: --strict: ${summary.elsewhere.length} change(s) outside the facilities this change touches`);
      code = Math.max(code, 1);
    }
  }
  return code;
}

runMain(() => main(process.argv.slice(2)), (e) => e instanceof FacilityConfigError);
