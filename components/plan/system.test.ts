import { readFacilityFiles } from "../settings/files";
import { settingsFor } from "../settings/stack";
import { planSystem } from "./system";

// The demo stack of scripts/up.sh, planned whole: any change to a name, topic, ACL, worker
// environment, connector config or bundle shows in this snapshot's diff.
// A stand-in CA (format only): the local platform makes a real one.
const CA = "-----BEGIN CERTIFICATE-----\nMIIBdemo+platform+CA/only+for+the+snapshot==\n-----END CERTIFICATE-----\n";
const settings = settingsFor({
  kafkaBootstrapServers: '["127.0.0.1:19092"]', kafkaCaCertificate: CA, pgHost: "127.0.0.1", pgPort: "15432", pgSslMode: "verify-full", pgCaCertificate: CA,
  connectImage: "clinicmaster/connect:4.1.1-debezium-3.5.0.Final-test", facilitiesDir: "demo/facilities",
});
const facilities = readFacilityFiles(`${__dirname}/../../demo/facilities`, { isSet: () => true, isSecret: () => true, reserved: [] });
const plan = planSystem(settings, facilities, "local");

describe("the system plan of the demo stack", () => {
  it("is exactly this", () => {
    expect({ ...plan, facilities: plan.facilities.map((f) => ({ ...f, facility: { ...f.facility, file: "demo/facilities/" + f.facility.slug + ".yaml" } })) }).toMatchSnapshot();
  });
  it("holds no secret: passwords only as config-provider references", () => {
    const text = JSON.stringify(plan);
    expect(text).not.toContain(settings.credentialSeed);
    expect(text).not.toContain(settings.kafkaAdminPassword);
    for (const f of plan.facilities) expect(f.connectorConfig["database.password"]).toMatch(/^\$\{file:/);
  });
  it("gives every facility its own names, topics and principal", () => {
    const [a, b] = plan.facilities;
    expect(a.names.principal).not.toBe(b.names.principal);
    expect(a.topics.map((t) => t.name).filter((n) => b.topics.some((t) => t.name === n))).toEqual([]);
  });
});
