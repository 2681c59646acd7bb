import { declaredOfType, recordDeclaredResources } from "../testing/mocks";

const created = recordDeclaredResources();

import * as kafka from "@pulumi/kafka";
import { loadFacilities } from "../settings/facility";
import { ANY_SECRET } from "../settings/stack";
import { FacilityStack } from "./stack";
import { planSystem } from "../plan/system";
import { settingsFor } from "../settings/stack";

const settings = settingsFor({ kafkaBootstrapServers: '["x:1"]', kafkaTlsEnabled: "false", connectImage: "img" });

const file = (slug: string, code: string, restPort: number) => ({
  path: `facilities/${slug}.yaml`,
  text: `name: "${slug}"\ndhis2Code: "${code}"\nhost: ssh://cmw@h\nrestPort: ${restPort}\nsource: {engine: postgres, host: db, database: cm, user: u, passwordSecret: ${slug}-pw}\n`,
});

describe("FacilityStack", () => {
  it("names every child after the facility's slug, so facilities never share a resource", async () => {
    const provider = new kafka.Provider("p", { bootstrapServers: ["x:1"] });
    const facilities = loadFacilities([file("fac-a", "A", 8083), file("fac-b", "B", 8084)], ANY_SECRET);
    for (const plan of planSystem(settings, facilities, "central").facilities) {
      new FacilityStack(plan.facility.slug, { plan, kafkaProvider: provider, databasePassword: "pw", credentialSeed: "test-seed-test-seed-test-seed-test-seed" });
    }
    const containers = await declaredOfType(created, "docker:index/container:Container", 2);
    // 8 for each facility's own principal, 3 for the monitoring login on its liveness topics.
    const acls = await declaredOfType(created, "kafka:index/acl:Acl", 22);
    expect(containers.map((c) => c.name).sort()).toEqual(["fac-a-agent", "fac-b-agent"]);
    expect(acls).toHaveLength(22);
    const children = created.filter((r) => r.type !== "clinicmaster:facility:FacilityStack" && r.type !== "pulumi:providers:kafka");
    for (const r of children) expect(r.name.startsWith("fac-a") || r.name.startsWith("fac-b") || r.name.startsWith("acl-cmw-facility-fac-") || /^acl-cmw-monitor-.*-cmw-facility-fac-[ab]-/.test(r.name)).toBe(true);
    expect(new Set(children.map((r) => `${r.type} ${r.name}`)).size).toBe(children.length);
    const a = containers.find((c) => c.name === "fac-a-agent")!.inputs;
    expect(a).toMatchObject({ name: "cmw-central-facility-fac-a", networkMode: "host", restart: "unless-stopped", memory: 1536 });
    // The uploads carry the secrets file, so the whole list arrives wrapped as a secret.
    const uploads = Array.isArray(a.uploads) ? a.uploads : a.uploads.value;
    const connector = uploads.find((u: { file: string }) => u.file.endsWith(".json"));
    expect(connector.file).toBe("/etc/connect-agent/connectors/cmw-facility-fac-a-source.json");
    expect(JSON.parse(connector.content)["transforms.code.static.value"]).toBe("A");
  });
  it("declares no Docker host nor container for a compose site: its IT runs the bundle", async () => {
    const provider = new kafka.Provider("p2", { bootstrapServers: ["x:1"] });
    const text = file("fac-c", "C", 8085).text.replace("host: ssh://cmw@h\n", "agent: compose\n");
    const [f] = loadFacilities([{ path: "facilities/fac-c.yaml", text }], ANY_SECRET);
    const s = new FacilityStack(f.slug, {
      plan: planSystem(settings, [f], "central").facilities[0], kafkaProvider: provider, databasePassword: "pw", credentialSeed: "test-seed-test-seed-test-seed-test-seed",
    });
    await declaredOfType(created, "kafka:index/acl:Acl", 22 + 11);
    const mine = created.filter((r) => r.name.startsWith("fac-c") || r.name.includes("facility-fac-c"));
    expect(mine.filter((r) => r.type.startsWith("docker:") || r.type === "pulumi:providers:docker")).toEqual([]);
    expect(mine.filter((r) => r.type === "kafka:index/userScramCredential:UserScramCredential")).toHaveLength(1);
    expect(await new Promise((resolve) => s.containerName.apply(resolve))).toBeUndefined();
  });
});
