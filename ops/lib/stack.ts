/**
 * What the command-line tools share: their arguments, and a stack's settings read through the
 * `pulumi` CLI (the same values `pulumi up` uses, secrets decrypted only when asked for).
 */
import { execFileSync } from "child_process";

export const PROJECT = "clinicmaster-warehouse";

/** A mistake on the command line or in the stack's settings: printed without a stack trace, exit 2. */
export class UsageError extends Error {}

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

export interface StackConfig {
  /** The stack's name (given, or the selected one). */
  stack: string;
  /** A setting of this project: objects and lists parsed, secrets in clear when read with secrets. */
  get(key: string): unknown;
  /** Whether the stack has the key (set, secret or not). */
  has(key: string): boolean;
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

/** The stack's settings; `withSecrets` decrypts them (operations tools log in as the admin). */
export function readStackConfig(stack: string | undefined, configFile: string | undefined, withSecrets = false): StackConfig {
  const pulumi = pulumiRunner(stack, configFile);
  const name = stack ?? pulumi.run("stack", "--show-name").trim();
  const raw = JSON.parse(pulumi.config("--json", ...(withSecrets ? ["--show-secrets"] : []))) as Record<string, { value?: string; objectValue?: unknown }>;
  return {
    stack: name,
    get: (key) => {
      const entry = raw[`${PROJECT}:${key}`];
      return entry ? entry.objectValue ?? entry.value : undefined;
    },
    has: (key) => `${PROJECT}:${key}` in raw,
  };
}

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
