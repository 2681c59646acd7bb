import { SettingsError, settingsFor } from "../settings/stack";
import { planSinkAcls, planTopics } from "./plan";
import { aclResourceName } from "../kafka/acl";

const cfg = settingsFor({});
const DEFAULT_TABLES = cfg.tables;

describe("planTopics", () => {
  const topics = planTopics(cfg);
  it("has one compacted data topic per table, the DLQ and the sink's internal topics", () => {
    expect(topics.map((t) => t.name)).toEqual([
      ...DEFAULT_TABLES.map((t) => `clinicmasterwarehouse-sqlserver.ClinicMasterMOH.dbo.${t}`),
      "sink-dlq",
      "cmw-sink-connect-configs",
      "cmw-sink-connect-offsets",
      "cmw-sink-connect-status",
    ]);
    const visits = topics.find((t) => t.name.endsWith(".Visits"))!;
    expect(visits.config["cleanup.policy"]).toBe("compact");
    expect(visits.partitions).toBe(6);
  });
  it("keeps the DLQ by time and gives Connect's config topic one partition", () => {
    expect(topics.find((t) => t.name === "sink-dlq")!.config).toMatchObject({ "cleanup.policy": "delete", "retention.ms": String(30 * 86400000) });
    expect(topics.find((t) => t.name === "cmw-sink-connect-configs")!.partitions).toBe(1);
  });
  it("caps min.insync.replicas at the replication factor", () => {
    expect(planTopics(settingsFor({ replicationFactor: "3" }))[0].config["min.insync.replicas"]).toBe("2");
    expect(topics[0].config["min.insync.replicas"]).toBe("1");
  });
});

describe("planSinkAcls", () => {
  const acls = planSinkAcls(cfg);
  const summary = acls.map((a) => `${a.operation} ${a.resourceType} ${a.patternType} ${a.resourceName}`);
  it("reads the data topics by prefix and never writes them", () => {
    expect(summary).toContain("Read Topic Prefixed clinicmasterwarehouse-sqlserver.ClinicMasterMOH.dbo.");
    expect(acls.filter((a) => a.resourceName.startsWith("clinicmasterwarehouse-sqlserver") && a.operation !== "Read" && a.operation !== "Describe")).toEqual([]);
  });
  it("holds exactly the least-privilege set", () => {
    expect([...summary].sort()).toEqual([
      "Describe Topic Literal cmw-sink-connect-configs",
      "Describe Topic Literal cmw-sink-connect-offsets",
      "Describe Topic Literal cmw-sink-connect-status",
      "Describe Topic Literal sink-dlq",
      "Describe Topic Prefixed clinicmasterwarehouse-sqlserver.ClinicMasterMOH.dbo.",
      "DescribeConfigs Topic Literal cmw-sink-connect-configs",
      "DescribeConfigs Topic Literal cmw-sink-connect-offsets",
      "DescribeConfigs Topic Literal cmw-sink-connect-status",
      "Read Group Literal cmw-sink-connect",
      "Read Group Literal connect-clinicmaster-warehouse-sink",
      "Read Topic Literal cmw-sink-connect-configs",
      "Read Topic Literal cmw-sink-connect-offsets",
      "Read Topic Literal cmw-sink-connect-status",
      "Read Topic Prefixed clinicmasterwarehouse-sqlserver.ClinicMasterMOH.dbo.",
      "Write Topic Literal cmw-sink-connect-configs",
      "Write Topic Literal cmw-sink-connect-offsets",
      "Write Topic Literal cmw-sink-connect-status",
      "Write Topic Literal sink-dlq",
    ]);
    expect(acls.every((a) => a.principal === "User:clinicmaster-sink" && a.permission === "Allow")).toBe(true);
  });
  it("names ACLs from content: adding a table changes no ACL name", () => {
    const more = planSinkAcls(settingsFor({ tables: JSON.stringify([...DEFAULT_TABLES, "Admissions"]) }));
    expect(more.map(aclResourceName)).toEqual(acls.map(aclResourceName));
  });
});

describe("central settings", () => {
  it("reports every bad setting at once, naming key and fix", () => {
    expect(() => settingsFor({ tables: '["Visits", "Bad Table"]', dataTopicPartitions: "0", replicationFactor: "1.5" }))
      .toThrow(new SettingsError([
        'setting tables: 1: "Bad Table" is not a table name such as Visits',
        "setting dataTopicPartitions: 0 is out of range; use a whole number from 1 to 1000",
        "setting replicationFactor: 1.5 is out of range; use a whole number from 1 to 7",
      ].join("\n")));
  });
});
