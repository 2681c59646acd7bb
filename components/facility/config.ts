import { LineCounter, parseDocument } from "yaml";
import { slugify } from "../naming";

/**
 * Facility files (`facilities/<slug>.yaml`): parsing and validation, before any resource is
 * declared. Pure: files and a "is this secret set?" function in, facilities or one-line errors out.
 */

export const ENGINES = ["sqlserver", "mysql", "mariadb", "postgres"] as const;
export type SourceEngine = (typeof ENGINES)[number];

const DEFAULT_PORTS: Record<SourceEngine, number> = { sqlserver: 1433, mysql: 3306, mariadb: 3306, postgres: 5432 };

/** ClinicMaster's patient photo and fingerprint: personal, bulky, of no use in the warehouse. */
export const DEFAULT_EXCLUDED_COLUMNS = ["Patients.Photo", "Patients.FingerPrint"];

/** The facility's source database. */
export interface FacilitySource {
  engine: SourceEngine;
  host: string;
  port: number;
  /** The database's name at this facility (topics are canonical whatever it is). */
  database: string;
  /** Schema holding ClinicMaster's tables (SQL Server and PostgreSQL); none on MySQL/MariaDB. */
  schema?: string;
  user: string;
  /** Name of the stack's secret config key holding the password; never the password. */
  passwordSecret: string;
  /** SQL Server only: encrypt the connection (default on; opt out explicitly). */
  encrypt: boolean;
  /** SQL Server only: accept the server's certificate without validating it. */
  trustServerCertificate: boolean;
}

/** One facility, validated, defaults filled in. */
export interface Facility {
  /** From the file name: `facilities/<slug>.yaml`. Names every resource of the facility. */
  slug: string;
  /** The file it came from, for messages. */
  file: string;
  name: string;
  /** Opaque DHIS2 code, unique across facilities: part of every warehouse key. */
  dhis2Code: string;
  dhis2Uid?: string;
  /**
   * How its agent runs: `ssh`, by `pulumi up` on `host` over SSH; or `compose`, by the site's
   * own IT from the compose bundle (`npm run facility -- bundle`), where Pulumi reaches no host.
   */
  agent: "ssh" | "compose";
  /** The facility's Docker host, `ssh://user@host[:port]` (agent ssh only). */
  host?: string;
  source: FacilitySource;
  /** Tables to capture; undefined means every table of the schema. */
  tables?: string[];
  /** `Table.Column` pairs left out of the stream. */
  excludedColumns: string[];
  /** Memory limit of the agent container. */
  memoryLimitMb: number;
  /** REST port of the agent's worker, on the host's loopback. */
  restPort: number;
}

export interface FacilityFile {
  /** Path as shown in messages, e.g. `facilities/st-marys.yaml`. */
  path: string;
  text: string;
}

/** Thrown when any facility file is invalid; the message has one line per problem. */
export class FacilityConfigError extends Error {}

const TOP_KEYS = ["name", "dhis2Code", "dhis2Uid", "agent", "host", "source", "tables", "excludedColumns", "memoryLimitMb", "restPort"];
const SOURCE_KEYS = ["engine", "host", "port", "database", "schema", "user", "passwordSecret", "encrypt", "trustServerCertificate"];
const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/;
const UID = /^[A-Za-z][A-Za-z0-9]{10}$/;
const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
const SSH_HOST = /^ssh:\/\/[A-Za-z0-9._-]+@[A-Za-z0-9.-]+(?::\d{1,5})?$/;
const HOSTNAME = /^[A-Za-z0-9.-]+$|^\[[0-9A-Fa-f:]+\]$/;
const CONFIG_KEY = /^[A-Za-z0-9][A-Za-z0-9_.:-]*$/;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x1f\x7f]/;

/**
 * Parses and validates every facility file. Returns all facilities when every file is valid;
 * otherwise throws one {@link FacilityConfigError} listing every problem of every file.
 */
export function loadFacilities(files: FacilityFile[], secretIsSet: (key: string) => boolean): Facility[] {
  const errors: string[] = [];
  const facilities: Facility[] = [];
  for (const file of [...files].sort((a, b) => a.path.localeCompare(b.path))) {
    const { facility, problems } = parseFacility(file, secretIsSet);
    errors.push(...problems);
    if (facility) facilities.push(facility);
  }
  errors.push(...crossFileProblems(facilities));
  if (errors.length) throw new FacilityConfigError(errors.join("\n"));
  return facilities;
}

/** One file: the facility, or the problems that keep it from being one. */
export function parseFacility(file: FacilityFile, secretIsSet: (key: string) => boolean): { facility?: Facility; problems: string[] } {
  const problems: string[] = [];
  const say = (field: string, message: string) => problems.push(`${file.path}: ${field ? field + ": " : ""}${message}`);

  const base = file.path.split("/").pop()!;
  if (!base.endsWith(".yaml")) {
    say("", `facility files end in .yaml; rename it to ${base.replace(/\.[^.]*$/, "")}.yaml`);
    return { problems };
  }
  const slug = base.slice(0, -".yaml".length);
  if (!SLUG.test(slug)) {
    say("", `file name "${slug}" is not a slug; rename the file to lowercase letters, digits and dashes (at most 40), e.g. ${slugify(slug).slice(0, 40) || "my-facility"}.yaml`);
  }

  const lineCounter = new LineCounter();
  const doc = parseDocument(file.text, { uniqueKeys: true, prettyErrors: false, lineCounter });
  if (doc.errors.length) {
    const e = doc.errors[0];
    const line = lineCounter.linePos(e.pos[0]).line;
    say("", `not valid YAML${line ? ` at line ${line}` : ""}: ${e.message.split("\n")[0]}; fix the syntax`);
    return { problems };
  }
  const raw = doc.toJS() as unknown;
  if (raw === null || raw === undefined) {
    say("", "the file is empty; copy facilities/example.yaml.sample and fill it in");
    return { problems };
  }
  if (!isMap(raw)) {
    say("", "expected key: value pairs at the top (name, dhis2Code, host, source, ...); see facilities/example.yaml.sample");
    return { problems };
  }
  const misspelt = unknownKeys(raw, TOP_KEYS, say);

  const name = text(raw, "name", say, { required: !misspelt.has("name"), max: 200 });
  const dhis2Code = code(raw, say);
  let dhis2Uid: string | undefined;
  if (raw.dhis2Uid !== undefined) {
    if (typeof raw.dhis2Uid !== "string" || !UID.test(raw.dhis2Uid)) {
      say("dhis2Uid", `${show(raw.dhis2Uid)} is not a DHIS2 uid; use 11 letters and digits starting with a letter, or remove the key`);
    } else dhis2Uid = raw.dhis2Uid;
  }
  let agent: Facility["agent"] = "ssh";
  if (raw.agent !== undefined) {
    if (raw.agent === "ssh" || raw.agent === "compose") agent = raw.agent;
    else say("agent", `${show(raw.agent)} is not a way to run the agent; use ssh (pulumi up runs it on host, the default) or compose (the site runs the compose bundle)`);
  }
  const host = agent === "compose"
    ? (raw.host !== undefined ? (say("host", "not used with agent: compose (the site runs the compose bundle; Pulumi reaches no host); remove it"), undefined) : undefined)
    : text(raw, "host", say, { required: !misspelt.has("host"), max: 300 });
  if (host !== undefined && !SSH_HOST.test(host)) {
    say("host", `${show(host)} is not an SSH Docker host; write ssh://user@host or ssh://user@host:port`);
  }

  let source: FacilitySource | undefined;
  if (raw.source === undefined) { if (!misspelt.has("source")) say("source", "missing; describe the facility's database (engine, host, database, user, passwordSecret)"); }
  else if (!isMap(raw.source)) say("source", "expected key: value pairs (engine, host, port, database, user, passwordSecret)");
  else source = parseSource(raw.source, secretIsSet, say);

  const tables = raw.tables === undefined ? undefined : identList(raw.tables, "tables", /^[A-Za-z_][A-Za-z0-9_]*$/, "a table name such as Visits", say);
  if (tables && tables.length === 0) say("tables", "empty; list tables to capture, or remove the key to capture every table");
  const excludedColumns = raw.excludedColumns === undefined
    ? DEFAULT_EXCLUDED_COLUMNS
    : identList(raw.excludedColumns, "excludedColumns", /^[A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*$/, "Table.Column such as Patients.Photo", say);
  const memoryLimitMb = int(raw, "memoryLimitMb", 1536, 512, 65536, say);
  const restPort = int(raw, "restPort", 8083, 1024, 65535, say);

  if (problems.length) return { problems };
  return {
    facility: {
      slug, file: file.path, name: name!, dhis2Code: dhis2Code!, ...(dhis2Uid ? { dhis2Uid } : {}), agent, ...(host ? { host } : {}), source: source!,
      ...(tables ? { tables } : {}), excludedColumns: excludedColumns ?? DEFAULT_EXCLUDED_COLUMNS, memoryLimitMb, restPort,
    },
    problems,
  };
}

type Say = (field: string, message: string) => void;

function parseSource(raw: Record<string, unknown>, secretIsSet: (key: string) => boolean, outer: Say): FacilitySource | undefined {
  const before: string[] = [];
  const say: Say = (field, message) => { before.push(field); outer(`source.${field}`, message); };
  const misspelt = unknownKeys(raw, SOURCE_KEYS, say);
  const required = (key: string) => ({ required: !misspelt.has(key) });
  let engine: SourceEngine = "sqlserver";
  if (raw.engine !== undefined) {
    if (typeof raw.engine === "string" && (ENGINES as readonly string[]).includes(raw.engine)) engine = raw.engine as SourceEngine;
    else say("engine", `${show(raw.engine)} is not supported; use one of ${ENGINES.join(", ")} (default sqlserver)`);
  }
  const host = text(raw, "host", say, { ...required("host"), max: 255 });
  if (host !== undefined && !HOSTNAME.test(host)) say("host", `${show(host)} is not a host name or address; write it without scheme or port`);
  const port = int(raw, "port", DEFAULT_PORTS[engine], 1, 65535, say);
  const database = text(raw, "database", say, { ...required("database"), max: 128 });
  if (database !== undefined && !IDENT.test(database)) say("database", `${show(database)} is not a database name; use letters, digits and _`);
  const user = text(raw, "user", say, { ...required("user"), max: 128 });
  const passwordSecret = text(raw, "passwordSecret", say, { ...required("passwordSecret"), max: 200 });
  if (passwordSecret !== undefined) {
    if (!CONFIG_KEY.test(passwordSecret)) {
      say("passwordSecret", "must be the NAME of a stack secret, not the password; e.g. passwordSecret: st-marys-db-password");
    } else if (!secretIsSet(passwordSecret)) {
      say("passwordSecret", `stack secret "${passwordSecret}" is not set; run: pulumi config set --secret ${passwordSecret} <the database password>`);
    }
  }
  let schema: string | undefined;
  if (engine === "mysql" || engine === "mariadb") {
    if (raw.schema !== undefined) say("schema", `${engine} has no schemas (the database is the schema); remove the key`);
  } else {
    schema = text(raw, "schema", say, { required: false, max: 128 }) ?? "dbo";
    if (!IDENT.test(schema)) say("schema", `${show(schema)} is not a schema name; use letters, digits and _`);
  }
  const flag = (key: "encrypt" | "trustServerCertificate", fallback: boolean): boolean => {
    if (raw[key] === undefined) return fallback;
    if (engine !== "sqlserver") { say(key, `only applies to sqlserver sources; remove the key`); return fallback; }
    if (typeof raw[key] !== "boolean") { say(key, `${show(raw[key])} is not true or false`); return fallback; }
    return raw[key] as boolean;
  };
  const encrypt = flag("encrypt", true);
  const trustServerCertificate = flag("trustServerCertificate", false);
  if (before.length || misspelt.size) return undefined;
  return { engine, host: host!, port, database: database!, ...(schema ? { schema } : {}), user: user!, passwordSecret: passwordSecret!, encrypt, trustServerCertificate };
}

/** Problems only visible across files: the same code, or two agents on one host and port. */
function crossFileProblems(facilities: Facility[]): string[] {
  const problems: string[] = [];
  const byCode = new Map<string, Facility>();
  const byEndpoint = new Map<string, Facility>();
  for (const f of facilities) {
    const code = f.dhis2Code.toLowerCase();
    const first = byCode.get(code);
    if (first) problems.push(`${f.file}: dhis2Code: "${f.dhis2Code}" is already used by ${first.file}; every facility needs its own DHIS2 code`);
    else byCode.set(code, f);
    if (f.host === undefined) continue;
    const endpoint = `${hostOf(f.host)}:${f.restPort}`;
    const other = byEndpoint.get(endpoint);
    if (other) problems.push(`${f.file}: restPort: ${f.restPort} is already used on ${hostOf(f.host)} by ${other.file}; give one of them another restPort`);
    else byEndpoint.set(endpoint, f);
  }
  return problems;
}

function hostOf(url: string): string {
  return url.replace(/^ssh:\/\/[^@]+@/, "").replace(/:\d+$/, "");
}

function code(raw: Record<string, unknown>, say: Say): string | undefined {
  const v = raw.dhis2Code;
  if (v === undefined || v === null || v === "") { say("dhis2Code", "missing; give the facility's DHIS2 code, in quotes"); return undefined; }
  if (typeof v === "number") { say("dhis2Code", `${v} was read as a number; put the code in quotes so it is kept exactly, e.g. dhis2Code: "${v}"`); return undefined; }
  if (typeof v !== "string") { say("dhis2Code", `${show(v)} is not a code; write it as text in quotes`); return undefined; }
  if (v.trim() !== v || CONTROL.test(v) || v.length > 50) { say("dhis2Code", `${show(v)} has surrounding spaces, control characters or more than 50 characters; write the code exactly`); return undefined; }
  if (v.includes("${")) { say("dhis2Code", `${show(v)} contains "\${", which Kafka Connect reads as a secret reference; remove it`); return undefined; }
  return v;
}

function text(raw: Record<string, unknown>, key: string, say: Say, opts: { required: boolean; max: number }): string | undefined {
  const v = raw[key];
  if (v === undefined || v === null || v === "") {
    if (opts.required) say(key, "missing; it is required");
    return undefined;
  }
  if (typeof v !== "string") { say(key, `${show(v)} is not text; write it in quotes`); return undefined; }
  if (CONTROL.test(v)) { say(key, "contains a line break or control character; write it on one line"); return undefined; }
  if (v.length > opts.max) { say(key, `is ${v.length} characters long; shorten it to at most ${opts.max}`); return undefined; }
  if (v.includes("${")) { say(key, `contains "\${", which Kafka Connect reads as a secret reference; remove it`); return undefined; }
  return v;
}

function int(raw: Record<string, unknown>, key: string, fallback: number, min: number, max: number, say: Say): number {
  const v = raw[key];
  if (v === undefined) return fallback;
  if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) {
    say(key, `${show(v)} is out of range; use a whole number from ${min} to ${max}`);
    return fallback;
  }
  return v;
}

function identList(v: unknown, key: string, pattern: RegExp, what: string, say: Say): string[] | undefined {
  if (!Array.isArray(v)) { say(key, `expected a list (- item per line) of ${what}`); return undefined; }
  const bad = v.filter((x) => typeof x !== "string" || !pattern.test(x));
  if (bad.length) { say(key, `${bad.map(show).join(", ")} ${bad.length === 1 ? "is" : "are"} not ${what}`); return undefined; }
  const dup = v.filter((x, i) => v.indexOf(x) !== i);
  if (dup.length) { say(key, `${dup.map(show).join(", ")} listed twice; keep each once`); return undefined; }
  return v as string[];
}

/** Reports keys the format does not have; returns the known keys they were probably meant as. */
function unknownKeys(raw: Record<string, unknown>, known: string[], say: Say): Set<string> {
  const meant = new Set<string>();
  for (const key of Object.keys(raw)) {
    if (known.includes(key)) continue;
    const k = key.toLowerCase();
    const near = known.find((c) => editDistance(c.toLowerCase(), k) <= 2 || (k.startsWith(c.toLowerCase()) && c.length >= 4));
    if (near && raw[near] === undefined) meant.add(near);
    say(key, `unknown key; ${near ? `did you mean ${near}?` : `known keys are ${known.join(", ")}`}`);
  }
  return meant;
}

function isMap(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

function show(v: unknown): string {
  return typeof v === "string" ? JSON.stringify(v) : JSON.stringify(v) ?? String(v);
}


function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
  }
  return d[a.length][b.length];
}
