import { AclBinding, normalizeAcls } from "../kafka/acl";
import { DATA_TOPIC_PREFIX, DLQ_TOPIC, dataTopic } from "../naming";
import { CentralConfig } from "./config";

/** One topic to create, as plain data. */
export interface TopicPlan {
  name: string;
  partitions: number;
  replicationFactor: number;
  config: Record<string, string>;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** The sink's Connect cluster internal topics, named after its group. */
export function sinkInternalTopics(cfg: CentralConfig): { configs: string; offsets: string; status: string } {
  return { configs: `${cfg.sinkConnectGroup}-configs`, offsets: `${cfg.sinkConnectGroup}-offsets`, status: `${cfg.sinkConnectGroup}-status` };
}

/** Every topic the central stack owns: shared data topics, the DLQ, the sink's internal topics. */
export function planTopics(cfg: CentralConfig): TopicPlan[] {
  const rf = cfg.replicationFactor;
  const minIsr = String(Math.min(2, rf));
  // Compacted: the latest version of every row is kept forever, so the warehouse can be rebuilt
  // by replaying the topics; deletes (tombstones) are kept long enough for a slow reader.
  const data: TopicPlan[] = cfg.tables.map((table) => ({
    name: dataTopic(table),
    partitions: cfg.dataTopicPartitions,
    replicationFactor: rf,
    config: {
      "cleanup.policy": "compact",
      "delete.retention.ms": String(cfg.tombstoneRetentionDays * DAY_MS),
      "min.compaction.lag.ms": String(DAY_MS), // every change stays readable for a day before compaction
      "min.insync.replicas": minIsr,
      "compression.type": "producer",
    },
  }));
  // The DLQ is a log of failures, not state: time-based retention, kept long enough to replay.
  const dlq: TopicPlan = {
    name: DLQ_TOPIC,
    partitions: 1,
    replicationFactor: rf,
    config: { "cleanup.policy": "delete", "retention.ms": String(cfg.dlqRetentionDays * DAY_MS), "min.insync.replicas": minIsr },
  };
  // Connect's own topics must be compacted; the config topic must have exactly one partition.
  const internal = sinkInternalTopics(cfg);
  const compact = { "cleanup.policy": "compact", "min.insync.replicas": minIsr };
  const connect: TopicPlan[] = [
    { name: internal.configs, partitions: 1, replicationFactor: rf, config: compact },
    { name: internal.offsets, partitions: 25, replicationFactor: rf, config: compact },
    { name: internal.status, partitions: 5, replicationFactor: rf, config: compact },
  ];
  return [...data, dlq, ...connect];
}

/** The sink principal's ACLs: read the shared data, run its own Connect cluster, write the DLQ. Nothing else. */
export function planSinkAcls(cfg: CentralConfig): AclBinding[] {
  const principal = `User:${cfg.sinkPrincipal}`;
  const allow = (resourceType: AclBinding["resourceType"], resourceName: string, patternType: AclBinding["patternType"], operation: AclBinding["operation"]): AclBinding =>
    ({ principal, resourceType, resourceName, patternType, operation, permission: "Allow", host: "*" });
  const internal = Object.values(sinkInternalTopics(cfg));
  return normalizeAcls([
    // Consume every facility's rows, present and future tables alike (prefix).
    allow("Topic", DATA_TOPIC_PREFIX, "Prefixed", "Read"),
    allow("Topic", DATA_TOPIC_PREFIX, "Prefixed", "Describe"),
    // The sink connector's consumer group, and the workers' own group.
    allow("Group", `connect-${cfg.sinkConnectorName}`, "Literal", "Read"),
    allow("Group", cfg.sinkConnectGroup, "Literal", "Read"),
    // Connect's internal topics: read and write, and check that they are compacted.
    ...internal.flatMap((t) => [
      allow("Topic", t, "Literal", "Read"),
      allow("Topic", t, "Literal", "Write"),
      allow("Topic", t, "Literal", "Describe"),
      allow("Topic", t, "Literal", "DescribeConfigs"),
    ]),
    // Failed records go to the DLQ; nothing else is written.
    allow("Topic", DLQ_TOPIC, "Literal", "Write"),
    allow("Topic", DLQ_TOPIC, "Literal", "Describe"),
  ]);
}

/**
 * The monitoring login's ACLs on the central topics: what `npm run status` and `npm run dlq --
 * list|show` read, nothing they could change. Offsets of the data topics and the sink's committed
 * offsets (Describe), the DLQ's records (Read). Each facility's status and heartbeat topics are
 * granted with the facility (planFacilityMonitorAcls).
 */
export function planMonitorAcls(cfg: CentralConfig & { monitorPrincipal: string }): AclBinding[] {
  const principal = `User:${cfg.monitorPrincipal}`;
  const allow = (resourceType: AclBinding["resourceType"], resourceName: string, patternType: AclBinding["patternType"], operation: AclBinding["operation"]): AclBinding =>
    ({ principal, resourceType, resourceName, patternType, operation, permission: "Allow", host: "*" });
  return normalizeAcls([
    allow("Topic", DATA_TOPIC_PREFIX, "Prefixed", "Describe"),
    allow("Group", `connect-${cfg.sinkConnectorName}`, "Literal", "Describe"),
    allow("Topic", DLQ_TOPIC, "Literal", "Describe"),
    allow("Topic", DLQ_TOPIC, "Literal", "Read"),
  ]);
}
