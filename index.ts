/**
 * The central stack: Kafka topics and the sink principal with its ACLs. (The warehouse, the sink
 * Connect cluster and its connector follow in the same program; facilities are their own stacks.)
 */
import * as pulumi from "@pulumi/pulumi";
import * as kafka from "@pulumi/kafka";
import { CentralKafka } from "./components/central/kafka";
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

export const sinkPrincipal = centralKafka.sinkPrincipal;
export const topicNames = centralKafka.topicNames;
