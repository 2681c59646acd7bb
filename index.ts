/**
 * The central stack: Kafka topics and the sink principal with its ACLs, and the PostgreSQL
 * warehouse with its sink and analyst roles. (The sink Connect cluster and its connector follow
 * in the same program; facilities are their own stacks.)
 */
import * as pulumi from "@pulumi/pulumi";
import * as kafka from "@pulumi/kafka";
import * as postgresql from "@pulumi/postgresql";
import { CentralKafka } from "./components/central/kafka";
import { CentralWarehouse } from "./components/central/warehouse";
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

const kafkaAdmin = new kafka.Provider("central-kafka", {
  bootstrapServers: cfg.requireObject<string[]>("kafkaBootstrapServers"),
  tlsEnabled: cfg.getBoolean("kafkaTlsEnabled") ?? true,
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
  host: cfg.require("pgHost"),
  port: cfg.getNumber("pgPort") ?? 5432,
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

export const sinkPrincipal = centralKafka.sinkPrincipal;
export const topicNames = centralKafka.topicNames;
/** Where analysts connect (their own login roles are members of the analyst group role). */
export const analystConnection = {
  host: cfg.require("pgHost"),
  port: cfg.getNumber("pgPort") ?? 5432,
  database: warehouse.database,
  schema: warehouse.schema,
  groupRole: warehouse.analystRole,
};
export const warehouseSinkRole = warehouse.sinkRole;
