import { KafkaTransport, SECRETS_DIR, WAREHOUSE_CA_FILE, fileSecretRef, workerEnv } from "../connect/worker";
import { DATA_TOPIC_PREFIX, DLQ_TOPIC, escapeRegex } from "../naming";
import { CentralConfig } from "./config";
import { VERIFY_RECORD_CLASS } from "../secrets/signing";
import { sinkInternalTopics } from "./plan";

/** Where the sink's secrets live inside a worker (FileConfigProvider reads them). */
export const SINK_SECRETS_FILE = `${SECRETS_DIR}/sink.properties`;
export const secretRef = (key: string) => fileSecretRef(SINK_SECRETS_FILE, key);

/** Where the sink writes: the warehouse as the sink role sees it. */
export interface WarehouseTarget {
  host: string;
  port: number;
  database: string;
  schema: string;
  username: string;
  sslmode: "disable" | "require" | "verify-ca" | "verify-full";
  /** A CA file is uploaded to the workers (WAREHOUSE_CA_FILE). */
  hasCa: boolean;
}

/**
 * The JDBC URL, with the same sslmode as every other warehouse connection. verify-* trusts the
 * uploaded CA file, or else the JVM's default trust store.
 */
export function jdbcUrl(t: WarehouseTarget): string {
  // reWriteBatchedInserts: the driver sends a batch of upserts as multi-row statements, not one
  // statement per row (npm run bench: bulk throughput).
  const params: Record<string, string> = { reWriteBatchedInserts: "true", sslmode: t.sslmode };
  if (t.sslmode.startsWith("verify")) {
    if (t.hasCa) params.sslrootcert = WAREHOUSE_CA_FILE;
    else params.sslfactory = "org.postgresql.ssl.DefaultJavaSSLFactory";
  }
  const query = Object.keys(params).sort().map((k) => `${k}=${encodeURIComponent(params[k])}`).join("&");
  return `jdbc:postgresql://${t.host}:${t.port}/${t.database}?${query}`;
}

/**
 * The Debezium JDBC sink connector config, as plain strings. The password is a config-provider
 * reference: GET /connectors/<name>/config never shows it.
 */
export function planSinkConnectorConfig(cfg: CentralConfig, target: WarehouseTarget, workers: number, minSigningGenerations: string): Record<string, string> {
  const prefix = escapeRegex(DATA_TOPIC_PREFIX);
  return {
    "connector.class": "io.debezium.connector.jdbc.JdbcSinkConnector",
    // One task per worker, a task can own several partitions: the workers share the load.
    "tasks.max": String(Math.max(1, workers) * 2),
    "topics.regex": `${prefix}.*`,
    // verify: first, a record is written only when signed with the key of the facility its key
    // names (keys derived from the signing master in the sink's secrets file); anything else goes
    // to the DLQ with the reason. route: `...ClinicMasterMOH.dbo.Visits` → table `Visits`.
    "transforms": "verify,route",
    "transforms.verify.type": VERIFY_RECORD_CLASS,
    "transforms.verify.master": secretRef("signing.master"),
    // Keys of generations before these are retired (rotated); absent: every generation from g1.
    ...(minSigningGenerations ? { "transforms.verify.min.generations": minSigningGenerations } : {}),
    "transforms.route.type": "org.apache.kafka.connect.transforms.RegexRouter",
    "transforms.route.regex": `${prefix}(.*)`,
    "transforms.route.replacement": "$1",
    "collection.name.format": `${target.schema}.` + "${topic}",
    // Quoted: tables and columns keep ClinicMaster's names (Visits, VisitNo) instead of lowercase.
    "quote.identifiers": "true",
    "connection.url": jdbcUrl(target),
    "connection.username": target.username,
    "connection.password": secretRef("warehouse.password"),
    // Upsert on the record key (row id + facility code): facilities never collide, replays are idempotent.
    "insert.mode": "upsert",
    "primary.key.mode": "record_key",
    "delete.enabled": "true",
    "schema.evolution": "basic",
    "key.converter": "org.apache.kafka.connect.json.JsonConverter",
    "key.converter.schemas.enable": "true",
    "value.converter": "org.apache.kafka.connect.json.JsonConverter",
    "value.converter.schemas.enable": "true",
    // Records the sink cannot convert go to the DLQ with headers saying why and where from. A
    // database outage is not such a failure: the task fails, and the worker's agent restarts it.
    "errors.tolerance": "all",
    "errors.deadletterqueue.topic.name": DLQ_TOPIC,
    "errors.deadletterqueue.topic.replication.factor": String(cfg.replicationFactor),
    "errors.deadletterqueue.context.headers.enable": "true",
    "errors.log.enable": "true",
    "errors.log.include.messages": "false", // patient data stays out of logs
    // 1,000 rows per batch, the consumer fetching as many: large enough for throughput on a
    // snapshot, small enough that a failed batch retries quickly. The reduction buffer keeps only
    // the last change per key in a batch.
    "batch.size": "1000",
    "consumer.override.max.poll.records": "1000",
    // While rows pour in, a fetch waits up to 100 ms for 256 KiB instead of returning each few
    // records at once: fuller batches, fewer warehouse commits (npm run bench: bulk).
    "consumer.override.fetch.min.bytes": "262144",
    "consumer.override.fetch.max.wait.ms": "100",
    "use.reduction.buffer": "true",
    // The sink subscribes by pattern: a table added at a facility (a new shared topic) is
    // picked up within 30 s instead of the consumer's default 5 minutes.
    "consumer.override.metadata.max.age.ms": "30000",
    "flush.max.retries": "5",
    "flush.retry.delay.ms": "2000",
  };
}

/** Worker environment (CONNECT_* → worker.properties) of one sink worker; no secret in it. */
export function planSinkWorkerEnv(cfg: CentralConfig, bootstrap: string[], transport: KafkaTransport, restPort: number): string[] {
  return [
    ...workerEnv({
      bootstrap, transport, restPort,
      principal: cfg.sinkPrincipal,
      passwordRef: secretRef("kafka.password"),
      group: cfg.sinkConnectGroup,
      topics: sinkInternalTopics(cfg),
      replicationFactor: cfg.replicationFactor,
      // Offsets every 10 s (Connect's default is 60 s): the lag `npm run status` reports is at
      // most 10 s of records behind the truth, and a restart rewrites at most that much.
      extra: { "offset.flush.interval.ms": "10000" },
    }),
    // Heap set explicitly for the sink (the container limit is 1 GiB); batches of 1,000 rows
    // need little of it (npm run bench: sink RSS).
    "CONNECT_HEAP_OPTS=-Xms128m -Xmx384m",
    // A failed task (the warehouse away) is restarted at least every minute until it stays up.
    "CONNECT_AGENT_BACKOFF_MAX_SECONDS=60",
  ].sort();
}
