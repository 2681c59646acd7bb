import { loadFacilities } from "../settings/facility";
import { ANY_SECRET } from "../settings/stack";
import { facilityNames, planFacilityAcls, planFacilityTopics, planFacilityWorkerEnv, planSourceConnectorConfig } from "./plan";

const kafka = { bootstrap: ["kafka.moh:9093"], tls: true, replicationFactor: 3 };

function facility(slug: string, engine: string, extra = "") {
  const text = [
    `name: "St. Mary's \\"Mission\\" & Co / Kyaka\\\\East — Ölüm"`,
    `dhis2Code: "${slug.toUpperCase()}-01"`,
    "host: ssh://cmw@10.0.0.1",
    "source:",
    `  engine: ${engine}`,
    "  host: db.local",
    "  database: ClinicMaster_2",
    "  user: debezium",
    `  passwordSecret: ${slug}-db-password`,
    extra,
  ].join("\n");
  return loadFacilities([{ path: `facilities/${slug}.yaml`, text }], ANY_SECRET)[0];
}

const TOPIC = "clinicmasterwarehouse-sqlserver";
const route = (c: Record<string, string>, topic: string) =>
  new RegExp(`^(?:${c["transforms.route.regex"]})$`).test(topic) ? topic.replace(new RegExp(`^${c["transforms.route.regex"]}$`), c["transforms.route.replacement"]) : topic;

describe("facility names", () => {
  const n = facilityNames({ slug: "st-marys" }, "central");
  it("derive from the slug, with a dot ending the private prefix", () => {
    expect(n).toMatchObject({
      principal: "cmw-facility-st-marys",
      privatePrefix: "cmw-facility.st-marys.",
      connectGroup: "cmw-facility.st-marys.connect",
      historyTopic: "cmw-facility.st-marys.schema-history",
      heartbeatTopic: `cmw-facility.st-marys.heartbeat.${TOPIC}`,
      signalTopic: "cmw-facility.st-marys.signal",
      connectorName: "cmw-facility-st-marys-source",
      containerName: "cmw-central-facility-st-marys",
    });
  });
  it("keep every private topic and group under the facility's prefix", () => {
    const all = [...Object.values(n.internalTopics), n.historyTopic, n.heartbeatTopic, n.signalTopic, n.connectGroup, n.historyGroup, n.signalGroup];
    expect(all.every((t) => t.startsWith(n.privatePrefix))).toBe(true);
    // "st" must not own "st-marys"' things: prefixes end at the dot.
    expect(all.some((t) => t.startsWith(facilityNames({ slug: "st" }, "central").privatePrefix))).toBe(false);
  });
  it("plan the private topics: one-partition config topic, history kept forever", () => {
    const topics = planFacilityTopics(n, 3);
    expect(topics.map((t) => t.name)).toEqual([...Object.values(n.internalTopics), n.historyTopic, n.heartbeatTopic, n.signalTopic]);
    expect(topics[0].partitions).toBe(1);
    expect(topics[3].config).toMatchObject({ "retention.ms": "-1", "retention.bytes": "-1" });
    expect(topics.every((t) => t.config["min.insync.replicas"] === "2")).toBe(true);
  });
});

describe("facility ACLs", () => {
  const acls = planFacilityAcls(facilityNames({ slug: "st-marys" }, "central"));
  const summary = acls.map((a) => `${a.operation} ${a.resourceType} ${a.patternType} ${a.resourceName}`).sort();
  it("write the shared topics, use its own prefix, and nothing else", () => {
    expect(summary).toEqual([
      `Create Topic Prefixed ${TOPIC}.ClinicMasterMOH.dbo.`,
      `Describe Topic Prefixed ${TOPIC}.ClinicMasterMOH.dbo.`,
      "Describe Topic Prefixed cmw-facility.st-marys.",
      "DescribeConfigs Topic Prefixed cmw-facility.st-marys.",
      "Read Group Prefixed cmw-facility.st-marys.",
      "Read Topic Prefixed cmw-facility.st-marys.",
      `Write Topic Prefixed ${TOPIC}.ClinicMasterMOH.dbo.`,
      "Write Topic Prefixed cmw-facility.st-marys.",
    ].sort());
    expect(acls.every((a) => a.principal === "User:cmw-facility-st-marys" && a.permission === "Allow")).toBe(true);
    expect(summary.some((s) => s.startsWith("Read Topic Prefixed clinic"))).toBe(false);
  });
});

describe("source connector config", () => {
  const cases: Array<[string, string, string]> = [
    ["sqlserver", `${TOPIC}.ClinicMaster_2.dbo.Visits`, "io.debezium.connector.sqlserver.SqlServerConnector"],
    ["mysql", `${TOPIC}.ClinicMaster_2.Visits`, "io.debezium.connector.mysql.MySqlConnector"],
    ["mariadb", `${TOPIC}.ClinicMaster_2.Visits`, "io.debezium.connector.mariadb.MariaDbConnector"],
    ["postgres", `${TOPIC}.dbo.Visits`, "io.debezium.connector.postgresql.PostgresConnector"],
  ];
  it.each(cases)("%s: routes its own topic names to the canonical ones", (engine, ownTopic, cls) => {
    const f = facility("fac-a", engine);
    const c = planSourceConnectorConfig(f, facilityNames(f, "central"), kafka, 6, 1);
    expect(c["connector.class"]).toBe(cls);
    expect(route(c, ownTopic)).toBe(`${TOPIC}.ClinicMasterMOH.dbo.Visits`);
    // Heartbeats stay on the facility's own topic.
    const hb = `cmw-facility.fac-a.heartbeat.${TOPIC}`;
    expect(route(c, hb)).toBe(hb);
    expect(c).toMatchObject({
      "topic.prefix": TOPIC,
      "snapshot.mode": "when_needed",
      "heartbeat.interval.ms": "30000",
      "topic.heartbeat.prefix": "cmw-facility.fac-a.heartbeat",
      "include.schema.changes": "false",
      // Signed last, after the code is in key and value.
      "transforms": "unwrap,route,code,name,keycode,sign",
      "transforms.sign.type": "org.clinicmaster.warehouse.connect.transforms.SignRecord",
      "transforms.sign.code": "FAC-A-01",
      "transforms.sign.key": "${file:/etc/kafka-connect/secrets/facility.properties:signing.key}",
      "transforms.sign.key.id": "g1",
      "transforms.unwrap.delete.tombstone.handling.mode": "tombstone",
      "transforms.keycode.type": "org.apache.kafka.connect.transforms.InsertField$Key",
      "transforms.keycode.static.field": "facility_dhis2_code",
      "transforms.keycode.static.value": "FAC-A-01",
      "transforms.code.static.value": "FAC-A-01",
      "transforms.name.static.value": `St. Mary's "Mission" & Co / Kyaka\\East — Ölüm`,
      "database.password": "${file:/etc/kafka-connect/secrets/facility.properties:database.password}",
    });
  });
  it.each(cases)("%s: holds no password, only config-provider references", (engine) => {
    const f = facility("fac-a", engine);
    const c = planSourceConnectorConfig(f, facilityNames(f, "central"), kafka, 6, 1);
    for (const [k, v] of Object.entries(c)) {
      if (/password/i.test(k) || /password=/.test(v)) expect(v).toMatch(/\$\{file:\/etc\/kafka-connect\/secrets\/facility\.properties:(kafka|database)\.password\}/);
    }
  });
  it("SQL Server: own schema history and client ids, encryption on unless opted out", () => {
    const f = facility("fac-a", "sqlserver");
    const c = planSourceConnectorConfig(f, facilityNames(f, "central"), kafka, 6, 1);
    expect(c).toMatchObject({
      "database.names": "ClinicMaster_2",
      "table.include.list": "dbo\\.[^.]+",
      "schema.history.internal.kafka.topic": "cmw-facility.fac-a.schema-history",
      "schema.history.internal.consumer.group.id": "cmw-facility.fac-a.schema-history",
      "schema.history.internal.producer.security.protocol": "SASL_SSL",
      "driver.encrypt": "true",
    });
    const optOut = facility("fac-b", "sqlserver", "  encrypt: false\n  trustServerCertificate: true");
    expect(planSourceConnectorConfig(optOut, facilityNames(optOut, "central"), kafka, 6, 1)).toMatchObject({ "driver.encrypt": "false", "driver.trustServerCertificate": "true" });
  });
  it("excludes the patient photo and fingerprint by default, per engine's column naming", () => {
    const cols = (engine: string) => {
      const f = facility("fac-a", engine);
      return planSourceConnectorConfig(f, facilityNames(f, "central"), kafka, 6, 1)["column.exclude.list"].split(",");
    };
    const matches = (engine: string, name: string) => cols(engine).some((re) => new RegExp(`^${re}$`).test(name));
    expect(matches("sqlserver", "dbo.Patients.Photo")).toBe(true);
    expect(matches("sqlserver", "ClinicMaster_2.dbo.Patients.FingerPrint")).toBe(true);
    expect(matches("mariadb", "ClinicMaster_2.Patients.Photo")).toBe(true);
    expect(matches("postgres", "dbo.Patients.FingerPrint")).toBe(true);
    expect(matches("postgres", "dbo.Patients.PhotoConsent")).toBe(false);
  });
  it("captures only the listed tables when given", () => {
    const f = facility("fac-a", "mysql", "tables: [Visits, LabResults]");
    const c = planSourceConnectorConfig(f, facilityNames(f, "central"), kafka, 6, 1);
    expect(c["table.include.list"]).toBe("ClinicMaster_2\\.(Visits|LabResults)");
    expect(c["database.server.id"]).toMatch(/^\d{6}$/);
  });
  it("PostgreSQL: a slot and publication of its own, filtered to the captured tables", () => {
    const f = facility("fac-b", "postgres");
    expect(planSourceConnectorConfig(f, facilityNames(f, "central"), kafka, 6, 1)).toMatchObject({
      "slot.name": "cmw_fac_b", "publication.name": "cmw_fac_b", "publication.autocreate.mode": "filtered", "plugin.name": "pgoutput", "schema.include.list": "dbo",
    });
  });
});

describe("facility worker env", () => {
  const env = planFacilityWorkerEnv(facilityNames({ slug: "fac-a" }, "central"), kafka, 8084);
  it("is the facility's own Connect cluster, SASL for every client, compressed, no secret", () => {
    expect(env).toEqual(expect.arrayContaining([
      "CONNECT_GROUP_ID=cmw-facility.fac-a.connect",
      "CONNECT_OFFSET_STORAGE_TOPIC=cmw-facility.fac-a.connect-offsets",
      "CONNECT_REST_PORT=8084",
      "CONNECT_PRODUCER_COMPRESSION_TYPE=zstd",
      "MALLOC_ARENA_MAX=2",
      "CONNECT_PRODUCER_SECURITY_PROTOCOL=SASL_SSL",
      // A lone worker back from a partition gets its connector at once, not after 5 minutes.
      "CONNECT_SCHEDULED_REBALANCE_MAX_DELAY_MS=10000",
    ]));
    expect(env.filter((e) => /password/i.test(e)).every((e) => e.includes('password="${file:'))).toBe(true);
  });
});

describe("delivery on a cluster", () => {
  const f = facility("fac-d", "mariadb");
  const names = facilityNames(f, "central");
  it("every producer of the agent waits for all in-sync replicas, idempotent, and new tables' topics need two in sync", () => {
    const env = planFacilityWorkerEnv(names, kafka, 8083);
    expect(env).toEqual(expect.arrayContaining(["CONNECT_PRODUCER_ACKS=all", "CONNECT_PRODUCER_ENABLE_IDEMPOTENCE=true", "CONNECT_PRODUCER_MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION=5"]));
    const c = planSourceConnectorConfig(f, names, kafka, 6, 1);
    expect(c).toMatchObject({ "schema.history.internal.producer.acks": "all", "schema.history.internal.producer.enable.idempotence": "true", "topic.creation.default.min.insync.replicas": "2" });
  });
});
