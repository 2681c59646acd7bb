import { z } from "zod";
import { LineCounter, parseDocument } from "yaml";
import { foldForCompare, nearestKey, show, unsafeCharacter } from "./text";

/**
 * Facility files (`facilities/<slug>.yaml`): the schema of every key, its defaults, and parsing
 * that treats every file as possibly hostile (size, aliases, nesting and every text field are
 * checked before anything is used). Pure: files and the stack's secrets in, facilities or
 * one-line problems out.
 */

export const ENGINES = ["sqlserver", "mysql", "mariadb", "postgres"] as const;
export type SourceEngine = (typeof ENGINES)[number];
const DEFAULT_PORTS: Record<SourceEngine, number> = { sqlserver: 1433, mysql: 3306, mariadb: 3306, postgres: 5432 };

/** ClinicMaster's patient photo and fingerprint: personal, bulky, of no use in the warehouse. */
export const DEFAULT_EXCLUDED_COLUMNS = ["Patients.Photo", "Patients.FingerPrint"];

/** Limits that keep a hostile file from costing time or memory. */
export const FACILITY_FILE_LIMITS = { bytes: 64 * 1024, aliases: 50, depth: 8, listItems: 2000 };

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/;

/** Text on one line: no control, format or separator character, NFC, no config-provider reference. */
function line(key: string, max: number, missing = "missing; it is required") {
  return z.string({ error: (i) => (i.input === undefined || i.input === null || i.input === "" ? missing : `${show(i.input)} is not text; write it in quotes`) })
    .min(1, { error: missing })
    .superRefine((v, ctx) => {
      const bad = unsafeCharacter(v);
      if (/[\r\n\t]/.test(v)) ctx.addIssue({ code: "custom", message: "contains a line break or control character; write it on one line" });
      else if (bad) ctx.addIssue({ code: "custom", message: `contains the invisible, bidi or line-breaking character ${bad}; retype it with visible characters only` });
      else if (v.length > max) ctx.addIssue({ code: "custom", message: `is ${v.length} characters long; shorten it to at most ${max}` });
      else if (v.includes("${")) ctx.addIssue({ code: "custom", message: 'contains "${", which Kafka Connect reads as a secret reference; remove it' });
      else if (key !== "name" && v.trim() !== v) ctx.addIssue({ code: "custom", message: `${show(v)} has spaces around it; remove them` });
    })
    .transform((v) => v.normalize("NFC"));
}

const code = z.unknown().transform((v, ctx) => {
  const fail = (message: string) => { ctx.addIssue({ code: "custom", message }); return z.NEVER; };
  if (v === undefined || v === null || v === "") return fail("missing; give the facility's DHIS2 code, in quotes");
  if (typeof v === "number") return fail(`${v} was read as a number; put the code in quotes so it is kept exactly, e.g. dhis2Code: "${v}"`);
  if (typeof v !== "string") return fail(`${show(v)} is not a code; write it as text in quotes`);
  if (v.trim() !== v || v.length > 50) return fail(`${show(v)} has surrounding spaces or more than 50 characters; write the code exactly`);
  // Codes are opaque but visible: letters, digits and a few separators, nothing that looks alike.
  if (!/^[\p{L}\p{N}][\p{L}\p{N}._\/-]*$/u.test(v) || unsafeCharacter(v)) return fail(`${show(v)} holds characters other than letters, digits, ".", "_", "/" and "-"; write the code exactly as DHIS2 shows it`);
  return v.normalize("NFC");
});

const int = (min: number, max: number) => z.number({ error: (i) => `${show(i.input)} is out of range; use a whole number from ${min} to ${max}` })
  .int({ error: (i) => `${show(i.input)} is out of range; use a whole number from ${min} to ${max}` })
  .min(min, { error: (i) => `${show(i.input)} is out of range; use a whole number from ${min} to ${max}` })
  .max(max, { error: (i) => `${show(i.input)} is out of range; use a whole number from ${min} to ${max}` });

/** A list of distinct identifiers, duplicates found in linear time. */
function identList(pattern: RegExp, what: string) {
  return z.unknown().transform((v, ctx) => {
    if (!Array.isArray(v)) { ctx.addIssue({ code: "custom", message: `expected a list (- item per line) of ${what}` }); return z.NEVER; }
    if (v.length > FACILITY_FILE_LIMITS.listItems) { ctx.addIssue({ code: "custom", message: `lists ${v.length} items; at most ${FACILITY_FILE_LIMITS.listItems}` }); return z.NEVER; }
    const bad = v.filter((x) => typeof x !== "string" || x.length > 128 || !pattern.test(x));
    if (bad.length) { ctx.addIssue({ code: "custom", message: `${bad.slice(0, 3).map(show).join(", ")}${bad.length > 3 ? ` and ${bad.length - 3} more` : ""} ${bad.length === 1 ? "is" : "are"} not ${what}` }); return z.NEVER; }
    const seen = new Set<string>();
    const dup = new Set<string>();
    for (const x of v as string[]) (seen.has(x) ? dup : seen).add(x);
    if (dup.size) { ctx.addIssue({ code: "custom", message: `${[...dup].slice(0, 3).map(show).join(", ")} listed twice; keep each once` }); return z.NEVER; }
    return v as string[];
  });
}

const SSH_URL = /^ssh:\/\/([^@\s]+)@(\[[0-9A-Fa-f:]+\]|[^:/@\s]+)(?::(\d{1,5}))?$/;
/** `ssh://user@host[:port]`, IPv6 in brackets; neither user nor host may start with "-" (ssh would read an option). */
export function parseSshHost(url: string): { user: string; host: string; port?: number } | undefined {
  const m = SSH_URL.exec(url);
  if (!m) return undefined;
  const [, user, host, port] = m;
  if (!/^[A-Za-z0-9._][A-Za-z0-9._-]{0,31}$/.test(user)) return undefined;
  const hostOk = /^\[[0-9A-Fa-f:]+\]$/.test(host) ? host.includes("::") || host.split(":").length === 10 : /^[A-Za-z0-9](?:[A-Za-z0-9.-]{0,252})$/.test(host);
  if (!hostOk || (port !== undefined && (Number(port) < 1 || Number(port) > 65535))) return undefined;
  return { user, host: host.replace(/^\[|\]$/g, ""), ...(port ? { port: Number(port) } : {}) };
}

const sshHost = line("host", 300).refine((v) => parseSshHost(v) !== undefined, {
  error: (i) => `${show(i.input)} is not an SSH Docker host; write ssh://user@host or ssh://user@host:port (IPv6 as ssh://user@[fd00::20]:22; user and host may not start with "-")`,
});

const HOSTNAME = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,62})(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}))*|\[?[0-9A-Fa-f:.]+\]?)$/;

const SOURCE_KEYS = ["engine", "host", "port", "database", "schema", "user", "passwordSecret", "encrypt", "trustServerCertificate"] as const;
const TOP_KEYS = ["name", "dhis2Code", "dhis2Uid", "agent", "host", "source", "tables", "excludedColumns", "memoryLimitMb", "restPort", "readers"] as const;

/** The facility's source database, as the file gives it (defaults per engine filled in later). */
const sourceSchema = z.object({
  engine: z.enum(ENGINES, { error: (i) => `${show(i.input)} is not supported; use one of ${ENGINES.join(", ")} (default sqlserver)` }).default("sqlserver"),
  host: line("host", 255).refine((v) => HOSTNAME.test(v), { error: (i) => `${show(i.input)} is not a host name or address; write it without scheme or port` }),
  port: int(1, 65535).optional(),
  database: line("database", 128).refine((v) => IDENT.test(v), { error: (i) => `${show(i.input)} is not a database name; use letters, digits and _` }),
  schema: line("schema", 128).refine((v) => IDENT.test(v), { error: (i) => `${show(i.input)} is not a schema name; use letters, digits and _` }).optional(),
  user: line("user", 128).refine((v) => !v.startsWith("-"), { error: "may not start with -" }),
  passwordSecret: line("passwordSecret", 200).refine((v) => /^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(v), {
    error: "must be the NAME of a stack secret, not the password; e.g. passwordSecret: st-marys-db-password",
  }),
  encrypt: z.boolean({ error: (i) => `${show(i.input)} is not true or false` }).optional(),
  trustServerCertificate: z.boolean({ error: (i) => `${show(i.input)} is not true or false` }).optional(),
});

/** A facility file's keys as written. */
const fileSchema = z.object({
  name: line("name", 200),
  dhis2Code: code,
  dhis2Uid: z.unknown().transform((v, ctx) => {
    if (v === undefined || (typeof v === "string" && /^[A-Za-z][A-Za-z0-9]{10}$/.test(v))) return v as string | undefined;
    ctx.addIssue({ code: "custom", message: `${show(v)} is not a DHIS2 uid; use 11 letters and digits starting with a letter, or remove the key` });
    return z.NEVER;
  }).optional(),
  agent: z.enum(["ssh", "compose"], { error: (i) => `${show(i.input)} is not a way to run the agent; use ssh (pulumi up runs it on host, the default) or compose (the site runs the compose bundle)` }).default("ssh"),
  host: sshHost.optional(),
  source: z.unknown().optional(),
  tables: identList(IDENT, "a table name such as Visits").optional(),
  excludedColumns: identList(/^[A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*$/, "Table.Column such as Patients.Photo").optional(),
  memoryLimitMb: int(512, 65536).default(1536),
  restPort: int(1024, 65535).default(8083),
  /** PostgreSQL login roles of the facility's own staff: they read only this facility's rows. */
  readers: identList(/^[a-z_][a-z0-9_]{0,62}$/, "a PostgreSQL role name such as kyaka_records (lowercase letters, digits and _)").optional(),
});

export type FacilitySource = Omit<z.output<typeof sourceSchema>, "port" | "encrypt" | "trustServerCertificate"> & {
  port: number;
  /** SQL Server only: encrypt the connection (default on; opt out explicitly). */
  encrypt: boolean;
  /** SQL Server only: accept the server's certificate without validating it. */
  trustServerCertificate: boolean;
};

/** One facility, validated, defaults filled in. */
export type Facility = Omit<z.output<typeof fileSchema>, "source" | "excludedColumns" | "host" | "dhis2Uid" | "readers"> & {
  /** Login roles that read only this facility's rows in the warehouse. */
  readers: string[];
  /** From the file name: `facilities/<slug>.yaml`. Names every resource of the facility. */
  slug: string;
  /** The file it came from, for messages. */
  file: string;
  dhis2Uid?: string;
  /** The facility's Docker host, `ssh://user@host[:port]` (agent ssh only). */
  host?: string;
  source: FacilitySource;
  excludedColumns: string[];
};

export interface FacilityFile {
  /** Path as shown in messages, e.g. `facilities/st-marys.yaml`. */
  path: string;
  text: string;
  /** Its size when the text was not read because it is over the limit. */
  bytes?: number;
}

/** What the stack says about the secrets facility files name. */
export interface SecretLookup {
  /** The key is set in the stack. */
  isSet(key: string): boolean;
  /** The key is stored as a secret (`--secret`); undefined when it cannot be told. */
  isSecret(key: string): boolean | undefined;
  /** Settings of the stack itself, never a facility's secret. */
  reserved: readonly string[];
}

/** Thrown when any facility file is invalid; the message has one line per problem. */
export class FacilityConfigError extends Error {}

/**
 * Parses and validates every facility file. Returns all facilities when every file is valid;
 * otherwise throws one {@link FacilityConfigError} listing every problem of every file.
 */
export function loadFacilities(files: FacilityFile[], secrets: SecretLookup): Facility[] {
  const errors: string[] = [];
  const facilities: Facility[] = [];
  for (const file of [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
    const { facility, problems } = parseFacility(file, secrets);
    errors.push(...problems);
    if (facility) facilities.push(facility);
  }
  errors.push(...crossFileProblems(facilities));
  if (errors.length) throw new FacilityConfigError(errors.join("\n"));
  return facilities;
}

/** The YAML of one file as plain data, or the one line that says why it is not. */
function readYaml(file: FacilityFile): { raw?: unknown; problem?: string } {
  const bytes = file.bytes ?? Buffer.byteLength(file.text, "utf8");
  if (bytes > FACILITY_FILE_LIMITS.bytes) return { problem: `is ${bytes} bytes; a facility file is at most ${FACILITY_FILE_LIMITS.bytes} bytes (64 KiB)` };
  if (file.text.includes("\u0000")) return { problem: "holds a NUL byte; save it as UTF-8 text" };
  try {
    const lineCounter = new LineCounter();
    const doc = parseDocument(file.text, { uniqueKeys: true, prettyErrors: false, lineCounter, strict: true, stringKeys: true });
    if (doc.errors.length) {
      const e = doc.errors[0];
      const at = lineCounter.linePos(e.pos[0]).line;
      return { problem: `not valid YAML${at ? ` at line ${at}` : ""}: ${e.message.split("\n")[0]}; fix the syntax` };
    }
    const raw = doc.toJS({ maxAliasCount: FACILITY_FILE_LIMITS.aliases });
    const depth = nestingDepth(raw);
    if (depth > FACILITY_FILE_LIMITS.depth) return { problem: `nests ${depth > 1000 ? "more than 1000" : depth} levels deep; a facility file needs at most ${FACILITY_FILE_LIMITS.depth}` };
    return { raw };
  } catch (e) {
    if (e instanceof RangeError) return { problem: `nests too deep to read; a facility file needs at most ${FACILITY_FILE_LIMITS.depth} levels` };
    const message = (e as Error).message.split("\n")[0];
    if (/alias/i.test(message)) return { problem: `not valid YAML: ${/Excessive alias count/i.test(message) ? `more than ${FACILITY_FILE_LIMITS.aliases} aliases (anchors reused); write the values out` : message}; fix the syntax` };
    return { problem: `not valid YAML: ${message}; fix the syntax` };
  }
}

/** Depth of nested lists and maps, iteratively (a hostile file must not exhaust the stack). */
function nestingDepth(value: unknown): number {
  let max = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length) {
    const [v, d] = stack.pop()!;
    if (v === null || typeof v !== "object") continue;
    max = Math.max(max, d + 1);
    if (max > 1000) return max;
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push([child, d + 1]);
  }
  return max;
}

/** One file: the facility, or the problems that keep it from being one. */
export function parseFacility(file: FacilityFile, secrets: SecretLookup): { facility?: Facility; problems: string[] } {
  const problems: string[] = [];
  const say = (field: string, message: string) => problems.push(`${file.path}: ${field ? field + ": " : ""}${message}`);

  const base = file.path.split("/").pop()!;
  if (!base.endsWith(".yaml")) {
    say("", `facility files end in .yaml; rename it to ${safeName(base.replace(/\.[^.]*$/, ""))}.yaml`);
    return { problems };
  }
  const slug = base.slice(0, -".yaml".length);
  if (!SLUG.test(slug)) {
    say("", `file name ${show(slug)} is not a slug; rename the file to lowercase letters, digits and dashes (at most 40), e.g. ${safeName(slug)}.yaml`);
  }

  const { raw, problem } = readYaml(file);
  if (problem) { say("", problem); return { problems }; }
  if (raw === null || raw === undefined) { say("", "the file is empty; copy facilities/example.yaml.sample and fill it in"); return { problems }; }
  if (!isMap(raw)) { say("", "expected key: value pairs at the top (name, dhis2Code, host, source, ...); see facilities/example.yaml.sample"); return { problems }; }

  const misspelt = unknownKeys(raw, TOP_KEYS, say);
  const top = fileSchema.safeParse(raw);
  const failed = new Set<string>();
  if (!top.success) {
    for (const issue of top.error.issues) {
      const key = String(issue.path[0] ?? "");
      if (failed.has(key) || (misspelt.has(key) && raw[key] === undefined)) continue;
      failed.add(key);
      say(key, issue.message);
    }
  }
  const agent = top.success ? top.data.agent : raw.agent === "compose" ? "compose" : "ssh";
  if (agent === "compose" && raw.host !== undefined) say("host", "not used with agent: compose (the site runs the compose bundle; Pulumi reaches no host); remove it");
  if (agent === "ssh" && raw.host === undefined && !misspelt.has("host")) say("host", "missing; it is required");

  let source: FacilitySource | undefined;
  if (raw.source === undefined) { if (!misspelt.has("source")) say("source", "missing; describe the facility's database (engine, host, database, user, passwordSecret)"); }
  else if (!isMap(raw.source)) say("source", "expected key: value pairs (engine, host, port, database, user, passwordSecret)");
  else source = parseSource(raw.source, SLUG.test(slug) ? slug : undefined, secrets, (field, message) => say(`source.${field}`, message));

  if (top.success && top.data.tables?.length === 0) say("tables", "empty; list tables to capture, or remove the key to capture every table");
  if (problems.length || !top.success || !source) return { problems };
  const { dhis2Uid, host, excludedColumns, tables, readers, ...rest } = top.data;
  return {
    facility: {
      ...rest, slug, file: file.path,
      ...(dhis2Uid ? { dhis2Uid } : {}),
      ...(agent === "ssh" && host ? { host } : {}),
      source,
      ...(tables ? { tables } : {}),
      excludedColumns: excludedColumns ?? DEFAULT_EXCLUDED_COLUMNS,
      readers: readers ?? [],
    },
    problems,
  };
}

function parseSource(raw: Record<string, unknown>, slug: string | undefined, secrets: SecretLookup, say: (field: string, message: string) => void): FacilitySource | undefined {
  const before = new Set<string>();
  const once = (field: string, message: string) => { if (!before.has(field)) { before.add(field); say(field, message); } };
  const misspelt = unknownKeys(raw, SOURCE_KEYS, once);
  const parsed = sourceSchema.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const key = String(issue.path[0] ?? "");
      if (misspelt.has(key) && raw[key] === undefined) continue;
      once(key, raw[key] === undefined ? "missing; it is required" : issue.message);
    }
  }
  const engine = parsed.success ? parsed.data.engine : ((ENGINES as readonly unknown[]).includes(raw.engine) ? (raw.engine as SourceEngine) : "sqlserver");
  if (engine === "mysql" || engine === "mariadb") {
    if (raw.schema !== undefined) once("schema", `${engine} has no schemas (the database is the schema); remove the key`);
  }
  for (const key of ["encrypt", "trustServerCertificate"] as const) {
    if (raw[key] !== undefined && engine !== "sqlserver") once(key, "only applies to sqlserver sources; remove the key");
  }
  const secret = typeof raw.passwordSecret === "string" ? raw.passwordSecret : undefined;
  if (secret !== undefined && !before.has("passwordSecret")) {
    // A facility's file may name its own secret only: never a stack setting (the seed, an admin
    // password), which would go to the facility's host and to whatever database host it names.
    if (secrets.reserved.includes(secret) || (slug !== undefined && !secret.startsWith(`${slug}-`))) {
      once("passwordSecret", `${show(secret)} is not this facility's secret; name it after the file, e.g. passwordSecret: ${slug ?? "<file name>"}-db-password`);
    } else if (!secrets.isSet(secret)) {
      once("passwordSecret", `stack secret "${secret}" is not set; run: pulumi config set --secret ${secret} <the database password>`);
    } else if (secrets.isSecret(secret) === false) {
      once("passwordSecret", `stack setting "${secret}" is stored in plain text; store it as a secret: pulumi config set --secret ${secret} <the database password>`);
    }
  }
  if (before.size || misspelt.size || !parsed.success) return undefined;
  const s = parsed.data;
  return {
    engine: s.engine, host: s.host, port: s.port ?? DEFAULT_PORTS[engine], database: s.database,
    ...(engine === "mysql" || engine === "mariadb" ? {} : { schema: s.schema ?? "dbo" }),
    user: s.user, passwordSecret: s.passwordSecret,
    // Encrypted by default, as the SQL Server driver is; opting out is explicit.
    encrypt: s.encrypt ?? true,
    trustServerCertificate: s.trustServerCertificate ?? false,
  };
}

/** Problems only visible across files: the same code, or two agents on one host and port. */
function crossFileProblems(facilities: Facility[]): string[] {
  const problems: string[] = [];
  const byCode = new Map<string, Facility>();
  const byEndpoint = new Map<string, Facility>();
  for (const f of facilities) {
    const code = foldForCompare(f.dhis2Code);
    const first = byCode.get(code);
    if (first) problems.push(`${f.file}: dhis2Code: ${show(f.dhis2Code)} is already used by ${first.file}; every facility needs its own DHIS2 code`);
    else byCode.set(code, f);
    if (f.host === undefined) continue;
    const host = parseSshHost(f.host)!.host;
    const endpoint = `${foldForCompare(host)}:${f.restPort}`;
    const other = byEndpoint.get(endpoint);
    if (other) problems.push(`${f.file}: restPort: ${f.restPort} is already used on ${host} by ${other.file}; give one of them another restPort`);
    else byEndpoint.set(endpoint, f);
  }
  return problems;
}

/** Reports keys the format does not have; returns the known keys they were probably meant as. */
function unknownKeys(raw: Record<string, unknown>, known: readonly string[], say: (field: string, message: string) => void): Set<string> {
  const meant = new Set<string>();
  for (const key of Object.keys(raw)) {
    if (known.includes(key)) continue;
    const near = nearestKey(key, known);
    if (near && raw[near] === undefined) meant.add(near);
    say(show(key).slice(1, -1), `unknown key; ${near ? `did you mean ${near}?` : `known keys are ${known.join(", ")}`}`);
  }
  return meant;
}

function isMap(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/** A file name suggestion: the slug a messy name was probably meant as. */
function safeName(name: string): string {
  const slug = name.normalize("NFKD").replace(/[^\x00-\x7f]/g, "").toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 40).replace(/-+$/, "");
  return slug || "my-facility";
}
