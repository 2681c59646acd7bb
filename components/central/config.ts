import { StackSettings } from "../settings/stack";

/** The settings the central Kafka plans read (types, defaults and checks: components/settings/stack.ts). */
export type CentralConfig = Pick<StackSettings,
  "tables" | "dataTopicPartitions" | "replicationFactor" | "tombstoneRetentionDays" | "dlqRetentionDays" | "sinkPrincipal" | "sinkConnectorName" | "sinkConnectGroup">;
