import { settingsFor } from "../settings/stack";
import { jdbcUrl, planSinkConnectorConfig, planSinkWorkerEnv } from "./sink";

const cfg = settingsFor({});
const target = { host: "db", port: 5432, database: "warehouse", schema: "public", username: "clinicmaster_sink", sslmode: "verify-full" as const, hasCa: true };

describe("planSinkConnectorConfig", () => {
  const c = planSinkConnectorConfig(cfg, target, 2, "");
  it("upserts on the composite record key, applies deletes, evolves schemas", () => {
    expect(c).toMatchObject({
      "connector.class": "io.debezium.connector.jdbc.JdbcSinkConnector",
      "primary.key.mode": "record_key",
      "insert.mode": "upsert",
      "delete.enabled": "true",
      "schema.evolution": "basic",
      "key.converter.schemas.enable": "true",
      "value.converter.schemas.enable": "true",
      "errors.tolerance": "all",
      "errors.deadletterqueue.topic.name": "sink-dlq",
      "errors.deadletterqueue.context.headers.enable": "true",
      "connection.url": "jdbc:postgresql://db:5432/warehouse?reWriteBatchedInserts=true&sslmode=verify-full&sslrootcert=%2Fetc%2Fkafka-connect%2Ftls%2Fwarehouse-ca.pem",
    });
  });
  it("reads every shared data topic and routes each to its table name", () => {
    const topic = "clinicmasterwarehouse-sqlserver.ClinicMasterMOH.dbo.Visits";
    expect(new RegExp(`^${c["topics.regex"]}$`).test(topic)).toBe(true);
    expect(new RegExp(`^${c["topics.regex"]}$`).test("sink-dlq")).toBe(false);
    expect(topic.replace(new RegExp(`^${c["transforms.route.regex"]}$`), "$1")).toBe("Visits");
    expect(c["collection.name.format"]).toBe("public.${topic}");
  });
  it("holds no secret, only config-provider references", () => {
    expect(c["connection.password"]).toBe("${file:/etc/kafka-connect/secrets/sink.properties:warehouse.password}");
    expect(c["transforms.verify.master"]).toBe("${file:/etc/kafka-connect/secrets/sink.properties:signing.master}");
  });
  it("verifies every record's signature first, before it is routed or written", () => {
    expect(c["transforms"]).toBe("verify,route");
    expect(c["transforms.verify.type"]).toBe("org.clinicmaster.warehouse.connect.transforms.VerifyRecord");
    expect(c["transforms.verify.min.generations"]).toBeUndefined();
    expect(planSinkConnectorConfig(cfg, target, 2, "FAC-B=2")["transforms.verify.min.generations"]).toBe("FAC-B=2");
  });
});

describe("planSinkWorkerEnv", () => {
  const env = planSinkWorkerEnv(cfg, ["k1:9092", "k2:9092"], { tls: true, caFile: "/etc/kafka-connect/tls/kafka-ca.pem" }, 18083);
  it("gives the cluster its own group and topics, SASL_SSL for every client, secrets by reference", () => {
    expect(env).toContain("CONNECT_GROUP_ID=cmw-sink-connect");
    expect(env).toContain("CONNECT_CONFIG_STORAGE_TOPIC=cmw-sink-connect-configs");
    expect(env).toContain("CONNECT_BOOTSTRAP_SERVERS=k1:9092,k2:9092");
    for (const p of ["", "PRODUCER_", "CONSUMER_", "ADMIN_"]) {
      expect(env).toContain(`CONNECT_${p}SECURITY_PROTOCOL=SASL_SSL`);
      expect(env).toContain(`CONNECT_${p}SSL_ENDPOINT_IDENTIFICATION_ALGORITHM=https`);
      expect(env).toContain(`CONNECT_${p}SSL_TRUSTSTORE_LOCATION=/etc/kafka-connect/tls/kafka-ca.pem`);
    }
    expect(env.filter((e) => e.includes("password=")).every((e) => e.includes('password="${file:'))).toBe(true);
    expect([...env].sort()).toEqual(env);
  });
  it("commits offsets every 10 s, so the reported lag is close to the truth", () => {
    expect(env).toContain("CONNECT_OFFSET_FLUSH_INTERVAL_MS=10000");
  });
});

describe("jdbcUrl", () => {
  const t = { ...target, hasCa: false };
  it("carries the stack's sslmode, and a CA or the JVM's trust store for verify-*", () => {
    expect(jdbcUrl({ ...t, sslmode: "disable" })).toBe("jdbc:postgresql://db:5432/warehouse?reWriteBatchedInserts=true&sslmode=disable");
    expect(jdbcUrl({ ...t, sslmode: "require" })).toBe("jdbc:postgresql://db:5432/warehouse?reWriteBatchedInserts=true&sslmode=require");
    expect(jdbcUrl({ ...t, sslmode: "verify-full" })).toBe("jdbc:postgresql://db:5432/warehouse?reWriteBatchedInserts=true&sslfactory=org.postgresql.ssl.DefaultJavaSSLFactory&sslmode=verify-full");
  });
});
