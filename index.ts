/**
 * The central stack, wiring only: the settings (components/settings) and the facility files are
 * read and checked once, planned once (components/plan/system.ts), and each part of the plan
 * becomes resources: Kafka topics and the sink principal, the PostgreSQL warehouse, the sink
 * Connect cluster with its connector, and one FacilityStack per `facilities/<slug>.yaml`.
 */
import { createHash } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import * as kafka from "@pulumi/kafka";
import * as postgresql from "@pulumi/postgresql";
import * as docker from "@pulumi/docker";
import { CentralKafka } from "./components/central/kafka";
import { CentralWarehouse } from "./components/central/warehouse";
import { SinkConnectCluster } from "./components/central/sink-cluster";
import { FacilityStack } from "./components/facility/stack";
import { planSystem } from "./components/plan/system";
import { FacilityConfigError } from "./components/settings/facility";
import { readFacilityFiles } from "./components/settings/files";
import { signingMaster } from "./components/secrets/signing";
import { SettingsError, StackSettings, parseStackSettings, secretLookup } from "./components/settings/stack";

const project = pulumi.getProject();

/** The stack's config as `key` → text, and the keys stored as secrets (set by the language host). */
function rawConfig(): { raw: Record<string, string>; secretKeys: Set<string> | undefined } {
  const prefix = `${project}:`;
  const raw: Record<string, string> = {};
  for (const [key, value] of Object.entries(pulumi.runtime.allConfig())) {
    if (key.startsWith(prefix)) raw[key.slice(prefix.length)] = value;
  }
  // An older language host may not say which keys are secrets: then that check is left out.
  const listed = process.env.PULUMI_CONFIG_SECRET_KEYS;
  if (listed === undefined) return { raw, secretKeys: undefined };
  const keys = JSON.parse(listed) as string[];
  return { raw, secretKeys: new Set(keys.filter((k) => k.startsWith(prefix)).map((k) => k.slice(prefix.length))) };
}

// Configuration mistakes are reported as plain lines naming what to fix, without a stack trace.
function checked<T>(read: () => T): T {
  try {
    return read();
  } catch (e) {
    if (e instanceof SettingsError || e instanceof FacilityConfigError) throw new pulumi.RunError(e.message);
    throw e;
  }
}

const { raw, secretKeys } = rawConfig();
const settings: StackSettings = checked(() => parseStackSettings(raw, secretKeys));
// Every facility file is validated before anything is declared: one bad file stops the run.
const facilities = checked(() => readFacilityFiles(settings.facilitiesDir, secretLookup(settings)));
const plan = planSystem(settings, facilities, pulumi.getStack());

const secret = (value: string) => pulumi.secret(value);

/** The provider takes its CA as a file: written where every run finds it, named by content. */
function caFile(purpose: string, pem: string): string {
  const file = path.join(os.tmpdir(), `cmw-${purpose}-ca-${createHash("sha256").update(pem).digest("hex").slice(0, 16)}.pem`);
  if (!fs.existsSync(file) || fs.readFileSync(file, "utf8") !== pem) fs.writeFileSync(file, pem, { mode: 0o644 });
  return file;
}
// Every generated credential (sink, facilities) is derived from this one secret.
const credentialSeed = secret(settings.credentialSeed);

const kafkaAdmin = new kafka.Provider("central-kafka", {
  bootstrapServers: plan.kafka.bootstrap,
  tlsEnabled: plan.kafka.tls,
  // PEM of a private CA; hostname verification stays on (skipTlsVerify is never set).
  ...(plan.kafka.caPem ? { caCert: plan.kafka.caPem } : {}),
  saslMechanism: "scram-sha512",
  saslUsername: plan.kafka.adminUser,
  saslPassword: secret(settings.kafkaAdminPassword),
});
const centralKafka = new CentralKafka("central", { plan, provider: kafkaAdmin, credentialSeed });

const pgCaFile = plan.warehouse.caPem ? caFile("warehouse", plan.warehouse.caPem) : undefined;
const pgAdmin = new postgresql.Provider("warehouse-postgres", {
  host: plan.warehouse.host,
  port: plan.warehouse.port,
  username: plan.warehouse.adminUser,
  password: secret(settings.pgAdminPassword),
  sslmode: plan.warehouse.sslmode,
  ...(pgCaFile ? { sslrootcert: pgCaFile } : {}),
  database: "postgres",
});
const warehouse = new CentralWarehouse("warehouse", {
  provider: pgAdmin, plan: plan.warehouse, credentialSeed,
  admin: {
    host: plan.warehouse.host, port: plan.warehouse.port, user: plan.warehouse.adminUser, password: secret(settings.pgAdminPassword),
    sslmode: plan.warehouse.sslmode, ...(pgCaFile ? { caFile: pgCaFile } : {}),
  },
  sinkPasswordGeneration: plan.sink.passwordGeneration, monitorPasswordGeneration: plan.monitor.passwordGeneration,
});

const centralHost = new docker.Provider("central-docker", {
  host: plan.sink.docker.host,
  ...(plan.sink.docker.sshOpts.length ? { sshOpts: plan.sink.docker.sshOpts } : {}),
});
const sink = new SinkConnectCluster("sink", {
  plan: plan.sink,
  provider: centralHost,
  kafkaPassword: centralKafka.sinkPassword,
  warehousePassword: warehouse.sinkPassword,
  signingMaster: signingMaster(credentialSeed),
}, { dependsOn: [centralKafka, warehouse] });

const facilityStacks = plan.facilities.map((p) => new FacilityStack(p.facility.slug, {
  plan: p,
  kafkaProvider: kafkaAdmin,
  ...(settings.facilityDockerSshOpts.length ? { sshOpts: settings.facilityDockerSshOpts } : {}),
  databasePassword: secret(settings.extra[p.facility.source.passwordSecret]),
  credentialSeed,
}, { dependsOn: [centralKafka] }));

export const sinkPrincipal = centralKafka.sinkPrincipal;
export const topicNames = centralKafka.topicNames;
/** Where analysts connect (their own login roles are members of the analyst group role). */
export const analystConnection = {
  host: plan.warehouse.host,
  port: plan.warehouse.port,
  database: warehouse.database,
  schema: plan.warehouse.schema,
  groupRole: warehouse.analystRole,
};
export const warehouseSinkRole = warehouse.sinkRole;
/** Each facility-scoped reader's PostgreSQL password (role → password; secret), to hand to its people. */
export const warehouseReaderPasswords = warehouse.readerPasswords;
export const sinkConnectUrl = sink.connectUrl;
export const sinkConnectorState = sink.connectorState;
export const sinkTaskStates = sink.taskStates;
/** Per facility (by slug): who it is, its Kafka principal, connector and agent container. */
export const facilitySummary = Object.fromEntries(facilityStacks.map((s, i) => {
  const f = plan.facilities[i].facility;
  return [f.slug, {
    name: f.name,
    dhis2Code: f.dhis2Code,
    agent: f.agent,
    host: f.host ?? "compose",
    engine: f.source.engine,
    principal: s.principal,
    connector: s.connectorName,
    container: s.containerName,
    restPort: f.restPort,
  }];
}));
/** Per facility: its Kafka password (secret), for the compose bundle of sites without SSH. */
export const facilityKafkaPasswords = pulumi.secret(Object.fromEntries(facilityStacks.map((s, i) => [plan.facilities[i].facility.slug, s.kafkaPassword])));
/** Per facility: the key its agent signs records with (secret), for the same bundles. */
export const facilitySigningKeys = pulumi.secret(Object.fromEntries(facilityStacks.map((s, i) => [plan.facilities[i].facility.slug, s.signingKey])));
/**
 * The read-only login of the operations tools run from cron (secret): write it to a file on the
 * operations host with `npm run monitoring -- login`, and the tools need no admin credential.
 */
export const monitoringLogin = pulumi.secret({
  kafka: { user: plan.monitor.principal, password: centralKafka.monitorPassword },
  warehouse: { user: plan.monitor.role, password: warehouse.monitorPassword },
});
