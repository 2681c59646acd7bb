/**
 * What every Connect worker from the project image needs: its own group and internal topics,
 * SASL/SCRAM for every client it makes, and secrets behind the file config provider.
 */

/** Folder of secrets files inside a worker; the image's FileConfigProvider may read only there. */
export const SECRETS_DIR = "/etc/kafka-connect/secrets";

/** Folder of the CA certificates a worker trusts (public: not behind the config provider). */
export const TLS_DIR = "/etc/kafka-connect/tls";
/** The CA of the Kafka brokers, when the stack names a private one. */
export const KAFKA_CA_FILE = `${TLS_DIR}/kafka-ca.pem`;
/** The CA of the warehouse PostgreSQL server, when the stack names one. */
export const WAREHOUSE_CA_FILE = `${TLS_DIR}/warehouse-ca.pem`;

/** Folder the image's agent registers connectors from (`<name>.json`, a flat config object). */
export const AGENT_CONNECTORS_DIR = "/etc/connect-agent/connectors";

/** `${file:<file>:<key>}`: Connect resolves it on the worker; REST shows only the reference. */
export function fileSecretRef(file: string, key: string): string {
  return "${file:" + file + ":" + key + "}";
}

/** The three internal topics of one Connect cluster. */
export interface InternalTopics {
  configs: string;
  offsets: string;
  status: string;
}

/** How a worker's clients reach Kafka: TLS or the local opt-out, and the CA file to trust. */
export interface KafkaTransport {
  tls: boolean;
  /** In-container path of a PEM CA bundle; absent: the JVM's default trust store. */
  caFile?: string;
}

/**
 * Client settings for SASL/SCRAM-SHA-512 with the password behind a config-provider reference,
 * over TLS with hostname verification (stated explicitly: no setting turns it off).
 */
export function scramClientSettings(principal: string, passwordRef: string, transport: KafkaTransport): Record<string, string> {
  return {
    "security.protocol": transport.tls ? "SASL_SSL" : "SASL_PLAINTEXT",
    "sasl.mechanism": "SCRAM-SHA-512",
    // JAAS quoting: the principal is a slug-like name and the password a reference, no quotes in either.
    "sasl.jaas.config": `org.apache.kafka.common.security.scram.ScramLoginModule required username="${principal}" password="${passwordRef}";`,
    ...(transport.tls ? { "ssl.endpoint.identification.algorithm": "https" } : {}),
    // Kafka clients read PEM directly (KIP-651): no keystore conversion.
    ...(transport.tls && transport.caFile ? { "ssl.truststore.type": "PEM", "ssl.truststore.location": transport.caFile } : {}),
  };
}

/**
 * How every producer a worker makes delivers: nothing acknowledged until every in-sync replica
 * has it, no duplicate from a retry, order kept. Connect's defaults are close, but a cluster of
 * three with min.insync.replicas 2 is only as safe as these, so they are stated.
 */
export const DELIVERY: Record<string, string> = {
  // All in-sync replicas (at least min.insync.replicas, 2 of 3) have the record before it counts.
  "acks": "all",
  // A retried send is written once (needs acks=all and at most 5 requests in flight).
  "enable.idempotence": "true",
  "max.in.flight.requests.per.connection": "5",
  // With fewer than min.insync.replicas brokers up, sends are retried for up to 10 minutes: the
  // task waits out a broker's restart; past that it fails, uncommitted, and is restarted.
  "delivery.timeout.ms": "600000",
};

/** Everything a worker's environment is made from. */
export interface WorkerPlan {
  bootstrap: string[];
  transport: KafkaTransport;
  principal: string;
  /** Config-provider reference to the principal's Kafka password. */
  passwordRef: string;
  group: string;
  topics: InternalTopics;
  replicationFactor: number;
  restPort: number;
  /** Further worker properties, as property names (`offset.flush.interval.ms`). */
  extra?: Record<string, string>;
}

/**
 * The worker's environment (CONNECT_FOO_BAR → foo.bar in worker.properties), sorted `KEY=value`
 * lines. SASL goes to the worker and to the producer, consumer and admin clients it makes.
 */
export function workerEnv(p: WorkerPlan): string[] {
  const props: Record<string, string> = {
    "bootstrap.servers": p.bootstrap.join(","),
    "group.id": p.group,
    "config.storage.topic": p.topics.configs,
    "offset.storage.topic": p.topics.offsets,
    "status.storage.topic": p.topics.status,
    "config.storage.replication.factor": String(p.replicationFactor),
    "offset.storage.replication.factor": String(p.replicationFactor),
    "status.storage.replication.factor": String(p.replicationFactor),
    // The worker's producers: source records, its internal topics, and a sink's DLQ.
    ...Object.fromEntries(Object.entries(DELIVERY).map(([k, v]) => [`producer.${k}`, v])),
    ...(p.extra ?? {}),
  };
  const sasl = scramClientSettings(p.principal, p.passwordRef, p.transport);
  for (const prefix of ["", "producer.", "consumer.", "admin."]) {
    for (const [k, v] of Object.entries(sasl)) props[prefix + k] = v;
  }
  const env: Record<string, string> = { CONNECT_REST_PORT: String(p.restPort) };
  for (const [k, v] of Object.entries(props)) env[`CONNECT_${k.toUpperCase().replace(/\./g, "_")}`] = v;
  return Object.keys(env).sort().map((k) => `${k}=${env[k]}`);
}

/**
 * A java.util.Properties file (a secrets file for FileConfigProvider). Values are escaped as
 * Properties reads them, so a password with `\\`, `=`, `:`, `#` or a leading space arrives exactly.
 */
export function propertiesFile(values: Record<string, string>): string {
  const escape = (v: string) => v
    .replace(/\\/g, "\\\\")
    .replace(/\n/g, "\\n").replace(/\r/g, "\\r").replace(/\t/g, "\\t").replace(/\f/g, "\\f")
    .replace(/^ /, "\\ ")
    .replace(/[=:#!]/g, (c) => "\\" + c);
  return Object.keys(values).sort().map((k) => `${k}=${escape(values[k])}\n`).join("");
}
