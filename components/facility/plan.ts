import { TopicPlan } from "../central/plan";
import { AclBinding, normalizeAcls } from "../kafka/acl";
import { AGENT_CONNECTORS_DIR, DELIVERY, InternalTopics, KAFKA_CA_FILE, KafkaTransport, SECRETS_DIR, fileSecretRef, scramClientSettings, workerEnv } from "../connect/worker";
import { DATA_TOPIC_PREFIX, FACILITY_CODE_COLUMN, TOPIC_PREFIX, escapeRegex } from "../naming";
import { Facility, SourceEngine } from "../settings/facility";
import { SIGN_RECORD_CLASS, signingKeyId } from "../secrets/signing";

/**
 * What one facility is made of, as plain data: names, private topics, ACLs, the worker's
 * environment and the Debezium source connector config. Facility in, data out.
 */

/** Kafka settings the facility's agent connects with. */
export interface FacilityKafka {
  /** Bootstrap servers as the facility's host reaches them. */
  bootstrap: string[];
  tls: boolean;
  /** PEM of the brokers' CA, uploaded beside the agent's secrets; absent: the JVM's trust store. */
  caPem?: string;
  replicationFactor: number;
}

/** How the agent's clients reach Kafka: TLS, and the CA file when the stack names one. */
export function facilityTransport(kafka: FacilityKafka): KafkaTransport {
  return { tls: kafka.tls, ...(kafka.tls && kafka.caPem ? { caFile: KAFKA_CA_FILE } : {}) };
}

/** Every name of one facility, derived from its slug only. */
export interface FacilityNames {
  principal: string;
  /**
   * Prefix of the facility's private topics and groups: `cmw-facility.<slug>.`. The dot ends
   * the slug (slugs have none), so no facility's prefix covers another's.
   */
  privatePrefix: string;
  connectGroup: string;
  internalTopics: InternalTopics;
  historyTopic: string;
  historyGroup: string;
  heartbeatPrefix: string;
  heartbeatTopic: string;
  signalTopic: string;
  signalGroup: string;
  connectorName: string;
  containerName: string;
}

/** Where the agent's secrets are, inside its container. */
export const FACILITY_SECRETS_FILE = `${SECRETS_DIR}/facility.properties`;
const secret = (key: "kafka.password" | "database.password" | "signing.key") => fileSecretRef(FACILITY_SECRETS_FILE, key);

export function facilityNames(f: Pick<Facility, "slug">, stack: string): FacilityNames {
  const p = `cmw-facility.${f.slug}.`;
  const heartbeatPrefix = `${p}heartbeat`;
  return {
    principal: `cmw-facility-${f.slug}`,
    privatePrefix: p,
    connectGroup: `${p}connect`,
    internalTopics: { configs: `${p}connect-configs`, offsets: `${p}connect-offsets`, status: `${p}connect-status` },
    historyTopic: `${p}schema-history`,
    historyGroup: `${p}schema-history`,
    heartbeatPrefix,
    // Debezium 3.5 names the heartbeat topic `<topic.heartbeat.prefix>.<topic.prefix>`.
    heartbeatTopic: `${heartbeatPrefix}.${TOPIC_PREFIX}`,
    signalTopic: `${p}signal`,
    signalGroup: `${p}signal`,
    connectorName: `cmw-facility-${f.slug}-source`,
    containerName: `cmw-${stack}-facility-${f.slug}`,
  };
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** The facility's private topics, created by the central admin so the facility needs no Create on them. */
export function planFacilityTopics(names: FacilityNames, rf: number): TopicPlan[] {
  const minIsr = String(Math.min(2, rf));
  const compact = { "cleanup.policy": "compact", "min.insync.replicas": minIsr };
  return [
    { name: names.internalTopics.configs, partitions: 1, replicationFactor: rf, config: compact },
    { name: names.internalTopics.offsets, partitions: 5, replicationFactor: rf, config: compact },
    { name: names.internalTopics.status, partitions: 1, replicationFactor: rf, config: compact },
    // Debezium needs the whole schema history forever, in order: one partition, never deleted.
    { name: names.historyTopic, partitions: 1, replicationFactor: rf, config: { "cleanup.policy": "delete", "retention.ms": "-1", "retention.bytes": "-1", "min.insync.replicas": minIsr } },
    // Heartbeats only show liveness: a day of them is plenty.
    { name: names.heartbeatTopic, partitions: 1, replicationFactor: rf, config: { "cleanup.policy": "delete", "retention.ms": String(DAY_MS), "min.insync.replicas": minIsr } },
    { name: names.signalTopic, partitions: 1, replicationFactor: rf, config: { "cleanup.policy": "delete", "retention.ms": String(7 * DAY_MS), "min.insync.replicas": minIsr } },
  ];
}

/**
 * The facility principal's ACLs: write (and create, for tables added later) the shared data
 * topics, full use of its own prefix, nothing else: it cannot read any data topic nor touch
 * another facility's topics or groups.
 */
export function planFacilityAcls(names: FacilityNames): AclBinding[] {
  const principal = `User:${names.principal}`;
  const allow = (resourceType: AclBinding["resourceType"], resourceName: string, operation: AclBinding["operation"]): AclBinding =>
    ({ principal, resourceType, resourceName, patternType: "Prefixed", operation, permission: "Allow", host: "*" });
  return normalizeAcls([
    allow("Topic", DATA_TOPIC_PREFIX, "Write"),
    allow("Topic", DATA_TOPIC_PREFIX, "Describe"),
    // A table added at the source gets its shared topic from the first facility that has it.
    allow("Topic", DATA_TOPIC_PREFIX, "Create"),
    ...(["Read", "Write", "Describe", "DescribeConfigs"] as const).map((op) => allow("Topic", names.privatePrefix, op)),
    allow("Group", names.privatePrefix, "Read"),
  ]);
}

const CONNECTOR_CLASS: Record<SourceEngine, string> = {
  sqlserver: "io.debezium.connector.sqlserver.SqlServerConnector",
  mysql: "io.debezium.connector.mysql.MySqlConnector",
  mariadb: "io.debezium.connector.mariadb.MariaDbConnector",
  postgres: "io.debezium.connector.postgresql.PostgresConnector",
};

/**
 * The Debezium source connector config of one facility, as plain strings. Every engine's topics
 * are routed to the canonical `<prefix>.ClinicMasterMOH.dbo.<Table>`; every record carries the
 * facility's code (value and key) and name (value); passwords are config-provider references.
 */
export function planSourceConnectorConfig(f: Facility, names: FacilityNames, kafka: FacilityKafka, centralTopicPartitions: number, signingGeneration: number): Record<string, string> {
  const s = f.source;
  // Where the connector's own topics name a table: `<prefix>.<db>.<schema>.<T>` on SQL Server,
  // `<prefix>.<db>.<T>` on MySQL/MariaDB, `<prefix>.<schema>.<T>` on PostgreSQL.
  const container = s.engine === "sqlserver" ? `${s.database}.${s.schema}` : s.engine === "postgres" ? s.schema! : s.database;
  // Table include lists match `<schema>.<table>` (SQL Server, PostgreSQL) or `<db>.<table>`.
  const owner = s.engine === "mysql" || s.engine === "mariadb" ? s.database : s.schema!;
  const tables = f.tables ? `(${f.tables.map(escapeRegex).join("|")})` : "[^.]+";
  const columns = f.excludedColumns.map((c) => {
    const [table, column] = c.split(".");
    // SQL Server column names may come with or without the database in front.
    const db = s.engine === "sqlserver" ? `(${escapeRegex(s.database)}\\.)?` : "";
    return `${db}${escapeRegex(owner)}\\.${escapeRegex(table)}\\.${escapeRegex(column)}`;
  });
  const kafkaClient = scramClientSettings(names.principal, secret("kafka.password"), facilityTransport(kafka));

  const config: Record<string, string> = {
    "connector.class": CONNECTOR_CLASS[s.engine],
    "tasks.max": "1",
    "topic.prefix": TOPIC_PREFIX,
    "database.hostname": s.host,
    "database.port": String(s.port),
    "database.user": s.user,
    "database.password": secret("database.password"),
    "table.include.list": `${escapeRegex(owner)}\\.${tables}`,
    ...(columns.length ? { "column.exclude.list": columns.join(",") } : {}),
    // Snapshot when there are no offsets or they are older than the source keeps changes.
    "snapshot.mode": "when_needed",
    // Every 30 s, on the facility's own heartbeat topic: quiet databases keep fresh offsets, and
    // the central team sees the facility is alive.
    "heartbeat.interval.ms": "30000",
    "topic.heartbeat.prefix": names.heartbeatPrefix,
    // An idle queue is looked at again after 100 ms, not Debezium's 500 ms: up to 0.4 s less
    // from commit to warehouse (npm run bench: freshness).
    "poll.interval.ms": "100",
    // Schema-change events would land on the shared `<prefix>` topic: keep them out.
    "include.schema.changes": "false",
    // Connect's own timestamp type on every engine: one warehouse column type whichever engine
    // wrote the row first, and SQL Server's 9999-12-31 fits (nanosecond types overflow).
    "time.precision.mode": "connect",
    "tombstones.on.delete": "true",
    // Tables added later get a shared topic shaped like the central ones.
    "topic.creation.default.partitions": String(centralTopicPartitions),
    "topic.creation.default.replication.factor": String(kafka.replicationFactor),
    "topic.creation.default.cleanup.policy": "compact",
    "topic.creation.default.min.insync.replicas": String(Math.min(2, kafka.replicationFactor)),
    // Operators can ask for ad-hoc snapshots through the facility's own signal topic.
    "signal.enabled.channels": "source,kafka",
    "signal.kafka.topic": names.signalTopic,
    "signal.kafka.groupId": names.signalGroup,
    "signal.kafka.bootstrap.servers": kafka.bootstrap.join(","),
    ...prefixKeys("signal.consumer.", kafkaClient),
    "key.converter": "org.apache.kafka.connect.json.JsonConverter",
    "key.converter.schemas.enable": "true",
    "value.converter": "org.apache.kafka.connect.json.JsonConverter",
    "value.converter.schemas.enable": "true",
    ...transforms(f, container, signingGeneration),
    ...engineSettings(f, names, kafka, kafkaClient),
  };
  return config;
}

/**
 * unwrap: the row after the change (a delete becomes a tombstone);
 * route: the connector's topic → the canonical shared topic;
 * code, name: the facility's code and name into the value; keycode: the code into the key, so
 * upserts and deletes hit this facility's row only;
 * sign: last, an HMAC header under the facility's own key (generation = its credential
 * generation), which the sink checks before it writes: no host can write another facility's rows.
 */
function transforms(f: Facility, container: string, signingGeneration: number): Record<string, string> {
  const insert = "org.apache.kafka.connect.transforms.InsertField";
  return {
    "transforms": "unwrap,route,code,name,keycode,sign",
    "transforms.unwrap.type": "io.debezium.transforms.ExtractNewRecordState",
    "transforms.unwrap.delete.tombstone.handling.mode": "tombstone",
    "transforms.route.type": "org.apache.kafka.connect.transforms.RegexRouter",
    "transforms.route.regex": `${escapeRegex(TOPIC_PREFIX)}\\.${escapeRegex(container)}\\.([^.]+)`,
    "transforms.route.replacement": `${DATA_TOPIC_PREFIX}$1`,
    "transforms.code.type": `${insert}$Value`,
    "transforms.code.static.field": FACILITY_CODE_COLUMN,
    "transforms.code.static.value": f.dhis2Code,
    "transforms.name.type": `${insert}$Value`,
    "transforms.name.static.field": "facility_name",
    "transforms.name.static.value": f.name,
    "transforms.keycode.type": `${insert}$Key`,
    "transforms.keycode.static.field": FACILITY_CODE_COLUMN,
    "transforms.keycode.static.value": f.dhis2Code,
    "transforms.sign.type": SIGN_RECORD_CLASS,
    "transforms.sign.code": f.dhis2Code,
    "transforms.sign.key": secret("signing.key"),
    "transforms.sign.key.id": signingKeyId(signingGeneration),
  };
}

function engineSettings(f: Facility, names: FacilityNames, kafka: FacilityKafka, kafkaClient: Record<string, string>): Record<string, string> {
  const s = f.source;
  // The schema history (SQL Server, MySQL, MariaDB) on the facility's own topic, with its own
  // client ids and group: the defaults are the same for every facility sharing the prefix.
  const history = {
    "schema.history.internal.kafka.bootstrap.servers": kafka.bootstrap.join(","),
    "schema.history.internal.kafka.topic": names.historyTopic,
    "schema.history.internal.producer.client.id": `${names.historyGroup}.producer`,
    "schema.history.internal.consumer.client.id": `${names.historyGroup}.consumer`,
    "schema.history.internal.consumer.group.id": names.historyGroup,
    "schema.history.internal.store.only.captured.tables.ddl": "true",
    ...prefixKeys("schema.history.internal.producer.", kafkaClient),
    // The schema history is the connector's memory of every table's shape: written as safely as rows.
    ...prefixKeys("schema.history.internal.producer.", DELIVERY),
    ...prefixKeys("schema.history.internal.consumer.", kafkaClient),
  };
  switch (s.engine) {
    case "sqlserver":
      return {
        ...history,
        "database.names": s.database,
        // Encrypted by default, as the driver is; opting out is explicit in the facility file.
        "driver.encrypt": String(s.encrypt),
        "driver.trustServerCertificate": String(s.trustServerCertificate),
      };
    case "mysql":
    case "mariadb":
      return {
        ...history,
        "database.include.list": s.database,
        // A replication client id unique per facility (the source sees the connector as a replica).
        "database.server.id": String(serverId(f.slug)),
      };
    case "postgres": {
      const slot = `cmw_${f.slug.replace(/-/g, "_")}`;
      return {
        "database.dbname": s.database,
        "schema.include.list": s.schema!,
        "plugin.name": "pgoutput",
        "slot.name": slot,
        "publication.name": slot,
        // Only the captured tables: needs table ownership, not superuser.
        "publication.autocreate.mode": "filtered",
      };
    }
  }
}

function prefixKeys(prefix: string, settings: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(settings).map(([k, v]) => [prefix + k, v]));
}

/** 100000..999999, stable per slug. */
function serverId(slug: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < slug.length; i++) h = Math.imul(h ^ slug.charCodeAt(i), 0x01000193) >>> 0;
  return 100000 + (h % 900000);
}

/** The agent worker's environment; no secret in it. */
export function planFacilityWorkerEnv(names: FacilityNames, kafka: FacilityKafka, restPort: number): string[] {
  return [...workerEnv({
    bootstrap: kafka.bootstrap,
    transport: facilityTransport(kafka),
    principal: names.principal,
    passwordRef: secret("kafka.password"),
    group: names.connectGroup,
    topics: names.internalTopics,
    replicationFactor: kafka.replicationFactor,
    restPort,
    extra: {
      // Hospital links are slow: compress what goes over them, with zstd (fewer bytes than gzip
      // for less CPU). Batches of up to 256 KiB (the default is 16 KiB), waiting up to 20 ms to
      // fill, compress better (npm run bench: bytes per change).
      "producer.compression.type": "zstd",
      "producer.batch.size": "262144",
      "producer.linger.ms": "20",
      // Offsets every 10 s: after a crash at most 10 s of changes are sent again (and upserted).
      "offset.flush.interval.ms": "10000",
      // One worker per agent: after a network partition it rejoins under a new member id, and
      // Connect would hold its old connector and tasks for this delay (default 5 minutes)
      // waiting for a worker that will never come back. Seen in the fleet suite's partition.
      "scheduled.rebalance.max.delay.ms": "10000",
      "client.id": names.principal,
    },
  }),
  // A quarter of the container's memory limit for the heap (the image's default is 60%): an
  // agent's steady heap is small, and the rest of the limit is the JVM's own. After a burst, a
  // collection every 30 s while idle, keeping at most 30% of the heap free, gives the rest back
  // to the host (npm run bench: agent RSS 439/347 → 278/258 MiB; the periodic collection alone,
  // with G1's default 70%, gave nothing back).
  "CONNECT_HEAP_OPTS=-XX:MaxRAMPercentage=25.0 -XX:InitialRAMPercentage=5.0 -XX:G1PeriodicGCInterval=30000 -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=30",
  // glibc makes up to 8 malloc arenas per core for the JVM's native threads; two are plenty for
  // one connector and keep the resident size down (npm run bench: agent RSS).
  "MALLOC_ARENA_MAX=2",
  ].sort();
}

/** Where the agent finds its connector: `<connectors dir>/<name>.json`. */
export function connectorFilePath(names: FacilityNames): string {
  return `${AGENT_CONNECTORS_DIR}/${names.connectorName}.json`;
}

/** The monitoring login may see this facility's liveness: its heartbeat's offsets, its Connect status records. */
export function planFacilityMonitorAcls(names: FacilityNames, monitorPrincipal: string): AclBinding[] {
  const allow = (resourceName: string, operation: AclBinding["operation"]): AclBinding =>
    ({ principal: `User:${monitorPrincipal}`, resourceType: "Topic", resourceName, patternType: "Literal", operation, permission: "Allow", host: "*" });
  return normalizeAcls([
    allow(names.heartbeatTopic, "Describe"),
    allow(names.internalTopics.status, "Describe"),
    allow(names.internalTopics.status, "Read"),
  ]);
}
