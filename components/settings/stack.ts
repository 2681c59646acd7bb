import type { SecretLookup } from "./facility";
import { z } from "zod";
import { nearestKey, show, unsafeCharacter } from "./text";

/**
 * Every setting of a stack, in one schema: its type, its default, its description (Pulumi.yaml
 * is generated from it) and whether it is a secret. The program, the operations tools and the
 * facility CLI all read a stack's settings through {@link parseStackSettings}, so no default is
 * kept anywhere else.
 */

/** A setting a person must fix; one line per problem, each naming the key and the fix. */
export class SettingsError extends Error {}

/** Stack config arrives as text (`pulumi config set`); numbers, booleans and lists as JSON. */
function fromConfigText(v: unknown): unknown {
  if (typeof v !== "string") return v;
  const t = v.trim();
  if (t === "") return undefined;
  if (/^[-\d[{]|^(true|false|null)$/.test(t)) {
    try {
      return JSON.parse(t);
    } catch {
      return v;
    }
  }
  return v;
}

const text = (what: string) => z.string({ error: (i) => `${show(i.input)} is not text; ${what}` })
  .min(1, { error: `is empty; ${what}` })
  .max(2000, { error: "is longer than 2000 characters" })
  .refine((s) => unsafeCharacter(s) === undefined, { error: (i) => `contains the invisible or line-breaking character ${unsafeCharacter(String(i.input))}; retype it` })
  .transform((s) => s.normalize("NFC"));

const int = (min: number, max: number) => z.preprocess(fromConfigText, z.number({ error: (i) => `${show(i.input)} is not a number; use a whole number from ${min} to ${max}` })
  .int({ error: (i) => `${show(i.input)} is out of range; use a whole number from ${min} to ${max}` })
  .min(min, { error: (i) => `${show(i.input)} is out of range; use a whole number from ${min} to ${max}` })
  .max(max, { error: (i) => `${show(i.input)} is out of range; use a whole number from ${min} to ${max}` }));

const bool = () => z.preprocess(fromConfigText, z.boolean({ error: (i) => `${show(i.input)} is not true or false` }));

const list = (item: z.ZodType<string>, what: string) => z.preprocess(fromConfigText, z.array(item, { error: (i) => `${show(i.input)} is not a list; set each item with pulumi config set --path '<key>[0]' ${what}` }));

const hostPort = text("write host:port").refine((s) => /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/.test(s), { error: (i) => `${show(i.input)} is not host:port` });

const identifier = (what: string) => text(what).refine((s) => /^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(s), { error: (i) => `${show(i.input)} is not ${what}` });

const slugish = (what: string) => text(what).refine((s) => /^[a-z0-9][a-z0-9._-]{0,120}$/.test(s), { error: (i) => `${show(i.input)} is not ${what}` });

const dockerHost = text("write unix:///path or ssh://user@host[:port]").refine(
  (s) => /^unix:\/\/\/[^\s]+$/.test(s) || /^ssh:\/\/[A-Za-z0-9._][A-Za-z0-9._-]*@([A-Za-z0-9][A-Za-z0-9.-]*|\[[0-9A-Fa-f:]+\])(:\d{1,5})?$/.test(s),
  { error: (i) => `${show(i.input)} is not a Docker host; write unix:///path or ssh://user@host[:port]` });

/** PEM certificates (a CA bundle): public, but checked so that a paste error fails the preview. */
const pem = (what: string) => z.string({ error: (i) => `${show(i.input)} is not text; ${what}` })
  .max(256 * 1024, { error: "is longer than 256 KiB" })
  .refine((s) => /^\s*(-----BEGIN CERTIFICATE-----\r?\n[A-Za-z0-9+/=\r\n]+-----END CERTIFICATE-----\s*)+$/.test(s), {
    error: `is not PEM certificates (-----BEGIN CERTIFICATE----- ... -----END CERTIFICATE-----); ${what}`,
  })
  .transform((s) => s.trim() + "\n");

const sshOpts = list(text("one ssh argument per item"), "-i ~/.ssh/key");

/** The statusThresholds map: when `npm run status` calls the pipeline unhealthy. */
export const statusThresholdsSchema = z.preprocess(fromConfigText, z.strictObject({
  /** Agents send a heartbeat every 30 s: 180 s allows five missed ones and a slow link. */
  heartbeatMaxAgeSeconds: int(1, 86400 * 30).default(180),
  /** Records the sink has not yet written before it is called behind. */
  sinkMaxLag: int(0, 1e12).default(10000),
  /** New dead-lettered records allowed since the previous look. */
  dlqMaxGrowth: int(0, 1e12).default(0),
}, { error: (i) => i.code === "unrecognized_keys" ? `unknown key ${i.keys.join(", ")}; known keys are heartbeatMaxAgeSeconds, sinkMaxLag, dlqMaxGrowth` : `expected a map of heartbeatMaxAgeSeconds, sinkMaxLag, dlqMaxGrowth` }))
  .default({ heartbeatMaxAgeSeconds: 180, sinkMaxLag: 10000, dlqMaxGrowth: 0 });
export type StatusThresholds = z.infer<typeof statusThresholdsSchema>;

/** One documented setting: its schema, and whether it must be stored with `--secret`. */
interface Setting {
  schema: z.ZodType;
  description: string;
  secret?: boolean;
}

const setting = <S extends z.ZodType>(schema: S, description: string, secret = false) => ({ schema, description, secret });

/**
 * Every stack setting. Required ones have no default. Descriptions are what Pulumi.yaml shows;
 * `npm run settings-doc` rewrites it from here, and a unit test fails when they differ.
 */
export const STACK_SETTINGS = {
  // Kafka
  kafkaBootstrapServers: setting(list(hostPort, "kafka1:9093").refine((l) => l.length > 0, { error: "is empty; list at least one host:port" }),
    "Central Kafka bootstrap servers (host:port), reached by Pulumi, the sink and the operations tools."),
  kafkaTlsEnabled: setting(bool().default(true), "TLS to Kafka (SASL_SSL), with hostname verification always on. Only an explicit local opt-out turns it off."),
  kafkaCaCertificate: setting(pem("set it from a file: pulumi config set kafkaCaCertificate -- \"$(cat ca.pem)\"").optional(),
    "PEM of the CA that signed the Kafka brokers' certificates (a private CA), trusted by the Kafka provider, every agent, the sink and the operations tools; without it each client's default trust store applies."),
  kafkaAdminUser: setting(slugish("a Kafka user name"), "Kafka SCRAM-SHA-512 admin that may create topics, SCRAM users and ACLs."),
  kafkaAdminPassword: setting(text("set it with pulumi config set --secret kafkaAdminPassword"), "Password of kafkaAdminUser.", true),
  tables: setting(list(identifier("a table name such as Visits"), "Visits").default(["Patients", "Visits", "Triage", "LabRequests", "LabResults", "Diagnosis", "Appointments"])
    .refine((l) => l.length > 0, { error: "is empty; list at least one ClinicMaster table" })
    .refine((l) => new Set(l).size === l.length, { error: "lists a table twice; keep each table once" }),
  "ClinicMaster tables with a shared data topic each."),
  dataTopicPartitions: setting(int(1, 1000).default(6), "Partitions per data topic; keys are (row id, facility code), so a row's changes stay ordered with any count."),
  replicationFactor: setting(int(1, 7).default(1), "Replicas of every topic (3 on a production cluster; min.insync.replicas follows, at most 2)."),
  tombstoneRetentionDays: setting(int(1, 3650).default(7), "Days a delete stays in the compacted data topics."),
  dlqRetentionDays: setting(int(1, 3650).default(30), "Days dead-lettered records are kept in sink-dlq."),
  sinkPrincipal: setting(slugish("a Kafka user name").default("clinicmaster-sink"), "SCRAM user of the central sink."),
  sinkConnectorName: setting(slugish("a connector name").default("clinicmaster-warehouse-sink"), "Name of the JDBC sink connector (its consumer group is connect-<name>)."),
  sinkConnectGroup: setting(slugish("a group id").default("cmw-sink-connect"), "Group id of the sink Connect cluster, prefix of its internal topics."),
  sinkPasswordGeneration: setting(int(1, 1e6).default(1), "Bump to rotate the sink's generated passwords (Kafka and PostgreSQL)."),
  monitorPrincipal: setting(slugish("a Kafka user name").default("cmw-monitor"), "Read-only SCRAM user of the operations tools run from cron (npm run status, npm run dlq -- list|show)."),
  monitorPasswordGeneration: setting(int(1, 1e6).default(1), "Bump to rotate the monitoring login's passwords (Kafka and PostgreSQL)."),
  credentialSeed: setting(text("set a random one once per stack").refine((s) => s.length >= 32, { error: (i) => `is ${String(i.input).length} characters long; use at least 32 random ones: pulumi config set --secret credentialSeed "$(head -c 32 /dev/urandom | base64)"` }),
    "Every generated password (sink, facilities) is derived from it; set once per stack: pulumi config set --secret credentialSeed \"$(head -c 32 /dev/urandom | base64)\". Changing it rotates them all.", true),
  // PostgreSQL
  pgHost: setting(text("the warehouse PostgreSQL host name or address"), "Warehouse PostgreSQL host, reached by Pulumi and by the sink."),
  pgPort: setting(int(1, 65535).default(5432), "Warehouse PostgreSQL port."),
  pgSslMode: setting(z.enum(["disable", "require", "verify-ca", "verify-full"], { error: (i) => `${show(i.input)} is not an sslmode; use disable, require, verify-ca or verify-full` }).default("require"),
    "sslmode of every warehouse connection: the admin provider, the sink's JDBC URL and the operations tools (verify-full in production; disable only as an explicit local opt-out)."),
  pgCaCertificate: setting(pem("set it from a file: pulumi config set pgCaCertificate -- \"$(cat ca.pem)\"").optional(),
    "PEM of the CA that signed the warehouse PostgreSQL server's certificate, for pgSslMode verify-ca or verify-full; without it each client's default trust store applies."),
  pgAdminUser: setting(identifier("a PostgreSQL role name"), "PostgreSQL admin that may create databases and roles (not used by the data path)."),
  pgAdminPassword: setting(text("set it with pulumi config set --secret pgAdminPassword"), "Password of pgAdminUser.", true),
  warehouseDatabase: setting(identifier("a database name").default("warehouse"), "The warehouse database."),
  warehouseSchema: setting(identifier("a schema name").default("public"), "Schema of the sink's tables, as public.<Table> in the original design."),
  warehouseSinkRole: setting(identifier("a role name").default("clinicmaster_sink"), "Login role of the JDBC sink: creates and alters tables in that schema only."),
  warehouseAnalystRole: setting(identifier("a role name").default("warehouse_analyst"), "Read-only group role for analysts, also on tables created later."),
  warehouseMonitorRole: setting(identifier("a role name").default("warehouse_monitor"), "Login role of the operations tools run from cron: a member of the analyst group, nothing else."),
  warehouseReaderGroupRole: setting(identifier("a role name").default("warehouse_facility_reader"), "Group role of the facility-scoped readers: row-level security lets its members read only their facilities' rows, in every table, those the sink creates later too."),
  warehouseReaders: setting(z.preprocess(fromConfigText, z.record(z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, { error: "keys are PostgreSQL role names (lowercase letters, digits and _)" }),
    z.array(z.string().min(1).max(50).refine((c) => unsafeCharacter(c) === undefined, { error: "is not a DHIS2 code" }), { error: "expected a list of DHIS2 codes" }), { error: "expected a map of role name to a list of DHIS2 codes" })).default({}),
    "Readers of groups of facilities (a district): map of login role to the DHIS2 codes whose rows it reads. A facility file's readers read that facility's rows."),
  warehouseHostForSink: setting(text("the warehouse host as the sink workers reach it").optional(), "The warehouse host as the sink workers reach it (default pgHost)."),
  // The sink
  connectImage: setting(text("the Kafka Connect image (platform/connect-image/build.sh prints it)"), "The Kafka Connect image (platform/connect-image/build.sh prints it), present on the central Docker host."),
  centralDockerHost: setting(dockerHost.default("unix:///var/run/docker.sock"), "Docker host of the sink workers (unix:///path or ssh://user@host[:port])."),
  centralDockerSshOpts: setting(sshOpts.default([]), "Extra ssh arguments for an ssh:// centralDockerHost."),
  sinkWorkers: setting(int(1, 32).default(1), "Sink Connect workers; 2 or more share the load."),
  sinkRestPortBase: setting(int(1024, 65000).default(18083), "REST port of sink worker 0 on the central host's loopback; worker i uses base+i."),
  sinkState: setting(z.enum(["running", "paused"], { error: (i) => `${show(i.input)} is not a connector state; use running or paused` }).default("running"), "Declared state of the sink connector."),
  sinkConnectorOverrides: setting(z.preprocess(fromConfigText, z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]), { error: "expected a map of connector settings" }))
    .transform((m) => Object.fromEntries(Object.entries(m).map(([k, v]) => [k, String(v)])))
    .default({}), "Map of connector settings merged over the sink's plan (Connect takes strings; numbers and booleans are written as such)."),
  statusThresholds: setting(statusThresholdsSchema, "When npm run status calls the pipeline unhealthy: heartbeatMaxAgeSeconds (default 180), sinkMaxLag records (default 10000), dlqMaxGrowth records since the previous look (default 0)."),
  // Facilities
  facilitiesDir: setting(text("the folder of facility files").default("facilities"), "Folder of facility files (one <slug>.yaml per facility)."),
  facilityKafkaBootstrapServers: setting(list(hostPort, "kafka.example.org:9093").optional(), "Kafka as the facility hosts reach it (default kafkaBootstrapServers)."),
  facilityDockerSshOpts: setting(sshOpts.default([]), "Extra ssh arguments (key, known hosts) for the facilities' ssh:// hosts."),
  facilityImage: setting(text("the Connect image on the facility hosts").optional(), "The Connect image on the facility hosts (default connectImage)."),
  facilityPasswordGenerations: setting(z.preprocess(fromConfigText, z.record(z.string().regex(/^[a-z0-9-]{1,40}$/, { error: "keys are facility slugs" }), int(1, 1e6), { error: "expected a map of facility slug to a whole number" })).default({}),
    "Map of facility slug to a number; bump one to rotate that facility's Kafka password."),
} satisfies Record<string, Setting>;

export type StackSettingKey = keyof typeof STACK_SETTINGS;
type Out<K extends StackSettingKey> = z.output<(typeof STACK_SETTINGS)[K]["schema"]>;

/** A stack's settings, every default filled in. */
export type StackSettings = { [K in StackSettingKey]: Out<K> } & {
  /** Settings the schema does not declare: facilities' database passwords (by name), as given. */
  extra: Record<string, string>;
  /** Names of the settings stored as secrets; undefined when the caller could not tell. */
  secretKeys: Set<string> | undefined;
};

export const STACK_SETTING_KEYS = Object.keys(STACK_SETTINGS) as StackSettingKey[];

/**
 * A stack's settings from its raw config (`key` → text, as `pulumi config` stores it), checked
 * in one pass: every problem at once, one line each. `secretKeys` are the keys stored with
 * `--secret`; a secret setting stored in plain text is refused.
 */
export function parseStackSettings(raw: Record<string, string | undefined>, secretKeys: ReadonlySet<string> | undefined): StackSettings {
  const errors: string[] = [];
  const say = (key: string, message: string) => errors.push(`setting ${key}: ${message}`);
  const out: Record<string, unknown> = {};
  for (const key of STACK_SETTING_KEYS) {
    const spec: Setting = STACK_SETTINGS[key];
    const value = raw[key];
    const result = spec.schema.safeParse(value);
    if (!result.success) {
      const issue = result.error.issues[0];
      if (value === undefined) {
        say(key, `missing; set it with pulumi config set${spec.secret ? " --secret" : ""} ${key} <value>`);
      } else {
        const where = issue.path.length ? `${issue.path.join(".")}: ` : "";
        say(key, `${where}${issue.message.replace("<key>", key)}`);
      }
      continue;
    }
    if (spec.secret && value !== undefined && secretKeys && !secretKeys.has(key)) {
      say(key, `is stored in plain text; store it as a secret: pulumi config set --secret ${key} <value>`);
    }
    out[key] = result.data;
  }
  const extra: Record<string, string> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (key in STACK_SETTINGS || value === undefined) continue;
    const near = nearestKey(key, STACK_SETTING_KEYS);
    // A near miss of a known key is a typo; anything else may be a facility's database password.
    if (near) say(key, `unknown setting; did you mean ${near}?`);
    else extra[key] = value;
  }
  if (errors.length) throw new SettingsError(errors.join("\n"));
  return { ...(out as { [K in StackSettingKey]: Out<K> }), extra, secretKeys: secretKeys ? new Set(secretKeys) : undefined };
}

/** The Pulumi.yaml `config:` block, generated from {@link STACK_SETTINGS}. */
export function pulumiYamlConfigBlock(): string {
  const lines = [
    "# Every setting of the stacks. Generated from components/settings/stack.ts (npm run settings-doc):",
    "# types, defaults and checks live there. Values per stack go in Pulumi.<stack>.yaml; secrets with",
    "# `pulumi config set --secret`. Facility files add one secret each: their source.passwordSecret.",
    "config:",
  ];
  const required: string[] = [];
  const optional: string[] = [];
  for (const key of STACK_SETTING_KEYS) {
    const spec: Setting = STACK_SETTINGS[key];
    const probe = spec.schema.safeParse(undefined);
    const secret = spec.secret ? " (secret)" : "";
    if (!probe.success) {
      required.push(`  ${key}:`, `    type: ${key === "kafkaBootstrapServers" ? "array" : "string"}`);
      if (key === "kafkaBootstrapServers") required.push("    items: { type: string }");
      if (spec.secret) required.push("    secret: true");
      required.push(`    description: ${JSON.stringify(spec.description)}`);
    } else {
      const def = probe.data === undefined ? "" : ` [default ${JSON.stringify(probe.data)}]`;
      optional.push(`#   ${key}${secret}${def}: ${spec.description}`);
    }
  }
  return [...lines, ...required, "# Optional settings:", ...optional].join("\n") + "\n";
}

/** How facility files find their secrets in these settings. */
export function secretLookup(settings: Pick<StackSettings, "extra" | "secretKeys">): SecretLookup {
  return {
    isSet: (key) => key in settings.extra,
    isSecret: (key) => settings.secretKeys?.has(key),
    reserved: STACK_SETTING_KEYS,
  };
}

/** For checks without a stack (the facility CLI without --stack, tests): every secret counts as set. */
export const ANY_SECRET: SecretLookup = { isSet: () => true, isSecret: () => undefined, reserved: STACK_SETTING_KEYS };

/**
 * Settings for plans made without a stack (tests, the facility CLI's --bootstrap mode): the
 * schema's defaults, the given values, and placeholders for the required keys.
 */
export function settingsFor(values: Partial<Record<StackSettingKey, string>>): StackSettings {
  const required: Partial<Record<StackSettingKey, string>> = {
    kafkaBootstrapServers: '["kafka:9093"]', kafkaAdminUser: "admin", kafkaAdminPassword: "unused", credentialSeed: "unused-unused-unused-unused-unused-unused",
    pgHost: "db", pgAdminUser: "admin", pgAdminPassword: "unused", connectImage: "clinicmaster/connect:unset",
  };
  return parseStackSettings({ ...required, ...values }, new Set(["kafkaAdminPassword", "credentialSeed", "pgAdminPassword"]));
}
