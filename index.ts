/**
 * The central stack: Kafka topics and the sink principal with its ACLs, and the PostgreSQL
 * warehouse with its sink and analyst roles, and the sink Connect cluster with its JDBC sink
 * connector. Facilities are their own stacks.
 */
import * as pulumi from "@pulumi/pulumi";
import * as kafka from "@pulumi/kafka";
import * as postgresql from "@pulumi/postgresql";
import * as docker from "@pulumi/docker";
import { CentralKafka } from "./components/central/kafka";
import { CentralWarehouse } from "./components/central/warehouse";
import { SinkConnectCluster } from "./components/central/sink-cluster";
import { normalizeCentralConfig } from "./components/central/config";

const cfg = new pulumi.Config();

const central = normalizeCentralConfig({
  tables: cfg.getObject<string[]>("tables"),
  dataTopicPartitions: cfg.getNumber("dataTopicPartitions"),
  replicationFactor: cfg.getNumber("replicationFactor"),
  tombstoneRetentionDays: cfg.getNumber("tombstoneRetentionDays"),
  dlqRetentionDays: cfg.getNumber("dlqRetentionDays"),
  sinkPrincipal: cfg.get("sinkPrincipal"),
  sinkConnectorName: cfg.get("sinkConnectorName"),
  sinkConnectGroup: cfg.get("sinkConnectGroup"),
});

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
