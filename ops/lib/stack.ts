/**
 * What the command-line tools share: their arguments, and a stack's settings read through the
 * `pulumi` CLI (the same values `pulumi up` uses, secrets decrypted only when asked for).
 */
import { execFileSync } from "child_process";
import { StackSettings, parseStackSettings } from "../../components/settings/stack";

export const PROJECT = "clinicmaster-warehouse";

/** A mistake on the command line or in the stack's settings: printed without a stack trace, exit 2. */
export class UsageError extends Error {}

/**
 * --parallel N of the fleet's pulumi runs (rollout, pull-request preview): how many resource
 * operations run at once; absent, Pulumi's default (4 per core). Creating 100 compose facilities
 * at 32, the engine itself used a whole core while the plugins idled, so more at once is not
 * what limits a rollout here (scripts/bench-rollout.sh); hosts on slow links may gain from it.
 */
export function parallelOf(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^[1-9][0-9]{0,2}$/.test(value) || Number(value) > 256) throw new UsageError(`--parallel takes a whole number from 1 to 256, not ${JSON.stringify(value)}`);
  return Number(value);
}

/** Pulumi's arguments for {@link parallelOf}'s value. */
export const parallelArgs = (parallel: number | undefined): string[] => (parallel === undefined ? [] : ["--parallel", String(parallel)]);

export interface Args {
  positional: string[];
  /** Last value of each `--flag value`. */
  flags: Record<string, string>;
  /** Every value of repeatable flags, in order (also split on commas). */
  lists: Record<string, string[]>;
  /** `--switch` flags without a value. */
  switches: Set<string>;
}

/** `switches` name the flags that take no value; every other `--flag` takes the next argument. */
export function parseArgs(argv: string[], switches: string[] = []): Args {
  const out: Args = { positional: [], flags: {}, lists: {}, switches: new Set() };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith("--")) { out.positional.push(a); continue; }
    const name = a.slice(2);
    if (switches.includes(name)) { out.switches.add(name); continue; }
    const value = argv[++i];
    if (value === undefined) throw new UsageError(`${a} needs a value`);
    out.flags[name] = value;
    (out.lists[name] ??= []).push(...value.split(",").filter((v) => v !== ""));
  }
  return out;
}

/** Runs the pulumi CLI for one stack; only `pulumi config` commands take a config file. */
export function pulumiRunner(stack: string | undefined, configFile: string | undefined) {
  const run = (...args: string[]) => {
    const argv = [...args, ...(stack ? ["--stack", stack] : [])];
    try {
      return execFileSync("pulumi", argv, { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
    } catch (e) {
      // pulumi has said why on stderr already.
      throw new UsageError(`pulumi ${argv.join(" ")} failed (${(e as { status?: number }).status ?? (e as Error).message}): check the stack name and PULUMI_BACKEND_URL`);
    }
  };
  return {
    run,
    config: (...args: string[]) => run("config", ...args, ...(configFile ? ["--config-file", configFile] : [])),
  };
}

/** A stack's settings, checked by the same schema the program uses. */
export interface StackView {
  /** The stack's name (given, or the selected one). */
  stack: string;
  settings: StackSettings;
}

/**
 * The stack's settings through `pulumi config --json`; `withSecrets` decrypts them (the
 * operations tools log in as the admin). Without it, secret values are stand-ins: good for
 * checks and plans, which never need them.
 */
export function readStackSettings(stack: string | undefined, configFile: string | undefined, withSecrets = false): StackView {
  const pulumi = pulumiRunner(stack, configFile);
  const name = stack ?? pulumi.run("stack", "--show-name").trim();
  const entries = JSON.parse(pulumi.config("--json", ...(withSecrets ? ["--show-secrets"] : []))) as Record<string, { value?: string; objectValue?: unknown; secret?: boolean }>;
  const raw: Record<string, string> = {};
  const secretKeys = new Set<string>();
  for (const [full, entry] of Object.entries(entries)) {
    if (!full.startsWith(`${PROJECT}:`)) continue;
    const key = full.slice(PROJECT.length + 1);
    if (entry.secret) secretKeys.add(key);
    const value = entry.value ?? (entry.objectValue === undefined ? undefined : JSON.stringify(entry.objectValue));
    raw[key] = entry.secret && !withSecrets ? SECRET_STAND_IN : value ?? "";
  }
  return { stack: name, settings: parseStackSettings(raw, secretKeys) };
}

/** What a secret reads as when it was not decrypted: long enough for every check. */
const SECRET_STAND_IN = "secret-not-read-secret-not-read-secret-not-read";

/** Runs a tool's main: usage and configuration errors print their lines and exit 2. */
export function runMain(main: () => Promise<number> | number, expected: (e: unknown) => boolean): void {
  Promise.resolve()
    .then(main)
    .then((code) => { process.exitCode = code; })
    .catch((e) => {
      if (e instanceof UsageError || expected(e)) {
        console.error((e as Error).message);
        process.exitCode = 2;
      } else {
        console.error(e);
        process.exitCode = 3;
      }
    });
}
