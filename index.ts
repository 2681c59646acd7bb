/**
 * The central stack: Kafka topics and the sink principal with its ACLs, and the PostgreSQL
 * warehouse with its sink and analyst roles, the sink Connect cluster with its JDBC sink
 * connector, and one FacilityStack per `facilities/<slug>.yaml`.
 */
import * as pulumi from "@pulumi/pulumi";
import * as kafka from "@pulumi/kafka";
import * as postgresql from "@pulumi/postgresql";
import * as docker from "@pulumi/docker";
import { CentralKafka } from "./components/central/kafka";
import { CentralWarehouse } from "./components/central/warehouse";
import { SinkConnectCluster } from "./components/central/sink-cluster";
import { CentralConfigError, normalizeCentralConfig } from "./components/central/config";
import { FacilityConfigError } from "./components/facility/config";
import { readFacilityFiles } from "./components/facility/files";
import { FacilityStack } from "./components/facility/stack";
import { StatusThresholdsError, normalizeStatusThresholds } from "./ops/status/thresholds";
import { SET_SEED_HINT } from "./components/secrets/derived";

const cfg = new pulumi.Config();

// Configuration mistakes are reported as plain lines naming what to fix, without a stack trace.
function checked<T>(read: () => T): T {
  try {
    return read();
  } catch (e) {
    if (e instanceof CentralConfigError || e instanceof FacilityConfigError || e instanceof StatusThresholdsError) throw new pulumi.RunError(e.message);
    throw e;
  }
}

const central = checked(() => normalizeCentralConfig({
  tables: cfg.getObject<string[]>("tables"),
  dataTopicPartitions: cfg.getNumber("dataTopicPartitions"),
  replicationFactor: cfg.getNumber("replicationFactor"),
  tombstoneRetentionDays: cfg.getNumber("tombstoneRetentionDays"),
  dlqRetentionDays: cfg.getNumber("dlqRetentionDays"),
  sinkPrincipal: cfg.get("sinkPrincipal"),
  sinkConnectorName: cfg.get("sinkConnectorName"),
  sinkConnectGroup: cfg.get("sinkConnectGroup"),
}));
// Read by `npm run status`; checked here so that a bad threshold fails the preview.
checked(() => normalizeStatusThresholds(cfg.getObject("statusThresholds")));
// Every facility file is validated before anything is declared: one bad file stops the run.
const facilities = checked(() => readFacilityFiles(cfg.get("facilitiesDir") ?? "facilities", (key) => cfg.getSecret(key) !== undefined));

// Every generated credential (sink, facilities) is derived from this one secret.
const credentialSeed = cfg.getSecret("credentialSeed");
if (credentialSeed === undefined) throw new pulumi.RunError(`credentialSeed: missing; set a random one once per stack: ${SET_SEED_HINT}`);

const kafkaBootstrap = cfg.requireObject<string[]>("kafkaBootstrapServers");
const kafkaTls = cfg.getBoolean("kafkaTlsEnabled") ?? true;
const pgHost = cfg.require("pgHost");
const pgPort = cfg.getNumber("pgPort") ?? 5432;

const kafkaAdmin = new kafka.Provider("central-kafka", {
  bootstrapServers: kafkaBootstrap,
  tlsEnabled: kafkaTls,
  saslMechanism: "scram-sha512",
  saslUsername: cfg.require("kafkaAdminUser"),
  saslPassword: cfg.requireSecret("kafkaAdminPassword"),
});

const centralKafka = new CentralKafka("central", {
  config: central,
  provider: kafkaAdmin,
  credentialSeed,
  sinkPasswordGeneration: cfg.getNumber("sinkPasswordGeneration"),
});

const pgAdmin = new postgresql.Provider("warehouse-postgres", {
  host: pgHost,
  port: pgPort,
  username: cfg.require("pgAdminUser"),
  password: cfg.requireSecret("pgAdminPassword"),
  sslmode: cfg.get("pgSslMode") ?? "require",
  database: "postgres",
});

const warehouse = new CentralWarehouse("warehouse", {
  provider: pgAdmin,
  database: cfg.get("warehouseDatabase"),
  schema: cfg.get("warehouseSchema"),
  sinkRole: cfg.get("warehouseSinkRole"),
  analystRole: cfg.get("warehouseAnalystRole"),
  credentialSeed,
  sinkPasswordGeneration: cfg.getNumber("sinkPasswordGeneration"),
});

const centralHost = new docker.Provider("central-docker", {
  host: cfg.get("centralDockerHost") ?? "unix:///var/run/docker.sock",
  sshOpts: cfg.getObject<string[]>("centralDockerSshOpts"),
});

const sink = new SinkConnectCluster("sink", {
  config: central,
  provider: centralHost,
  image: cfg.require("connectImage"),
  kafkaBootstrap,
  kafkaTls,
  kafkaPassword: centralKafka.sinkPassword,
  warehouse: {
    host: cfg.get("warehouseHostForSink") ?? pgHost,
    port: pgPort,
    database: warehouse.names.database,
    schema: warehouse.names.schema,
    username: warehouse.names.sinkRole,
  },
  warehousePassword: warehouse.sinkPassword,
  workers: cfg.getNumber("sinkWorkers"),
  restPortBase: cfg.getNumber("sinkRestPortBase"),
  state: cfg.get("sinkState") as "running" | "paused" | undefined,
  // Connect takes strings only; YAML numbers and booleans in the overrides are meant as such.
  connectorOverrides: Object.fromEntries(
    Object.entries(cfg.getObject<Record<string, unknown>>("sinkConnectorOverrides") ?? {}).map(([k, v]) => [k, String(v)]),
  ),
}, { dependsOn: [centralKafka, warehouse] });

const facilityKafka = {
  bootstrap: cfg.getObject<string[]>("facilityKafkaBootstrapServers") ?? kafkaBootstrap,
  tls: kafkaTls,
  replicationFactor: central.replicationFactor,
};
const passwordGenerations = cfg.getObject<Record<string, number>>("facilityPasswordGenerations") ?? {};
const facilityStacks = facilities.map((f) => new FacilityStack(f.slug, {
  facility: f,
  kafkaProvider: kafkaAdmin,
  kafka: facilityKafka,
  dataTopicPartitions: central.dataTopicPartitions,
  image: cfg.get("facilityImage") ?? cfg.require("connectImage"),
  sshOpts: cfg.getObject<string[]>("facilityDockerSshOpts"),
  databasePassword: cfg.requireSecret(f.source.passwordSecret),
  credentialSeed,
  passwordGeneration: passwordGenerations[f.slug],
}, { dependsOn: [centralKafka] }));

export const sinkPrincipal = centralKafka.sinkPrincipal;
export const topicNames = centralKafka.topicNames;
/** Where analysts connect (their own login roles are members of the analyst group role). */
export const analystConnection = {
  host: pgHost,
  port: pgPort,
  database: warehouse.database,
  schema: warehouse.names.schema,
  groupRole: warehouse.analystRole,
};
export const warehouseSinkRole = warehouse.sinkRole;
export const sinkConnectUrl = sink.connectUrl;
export const sinkConnectorState = sink.connectorState;
export const sinkTaskStates = sink.taskStates;
/** Per facility (by slug): who it is, its Kafka principal, connector and agent container. */
export const facilitySummary = Object.fromEntries(facilityStacks.map((s, i) => [facilities[i].slug, {
  name: facilities[i].name,
  dhis2Code: facilities[i].dhis2Code,
  agent: facilities[i].agent,
  host: facilities[i].host ?? "compose",
  engine: facilities[i].source.engine,
  principal: s.principal,
  connector: s.connectorName,
  container: s.containerName,
  restPort: facilities[i].restPort,
}]));
/** Per facility: its Kafka password (secret), for the compose bundle of sites without SSH. */
export const facilityKafkaPasswords = pulumi.secret(Object.fromEntries(facilityStacks.map((s, i) => [facilities[i].slug, s.kafkaPassword])));
