import { declaredOfType, recordDeclaredResources } from "../testing/mocks";

const created = recordDeclaredResources();

import * as kafka from "@pulumi/kafka";
import { CentralKafka } from "./kafka";
import { settingsFor } from "../settings/stack";
import { planSystem } from "../plan/system";

describe("CentralKafka", () => {
  it("declares topics, the sink user and one ACL resource per binding, all parented", async () => {
    const provider = new kafka.Provider("p", { bootstrapServers: ["x:1"] });
    const c = new CentralKafka("central", { plan: planSystem(settingsFor({}), [], "central"), provider, credentialSeed: "test-seed-test-seed-test-seed-test-seed" });
    await new Promise<void>((resolve) => c.topicNames.apply(() => resolve()));
    // ACLs wait on the user (dependsOn): let the mock engine register them too.
    const acls = await declaredOfType(created, "kafka:index/acl:Acl", 22);
    const byType = (t: string) => created.filter((r) => r.type === t);
    expect(byType("kafka:index/topic:Topic")).toHaveLength(7 + 1 + 3);
    expect(byType("kafka:index/userScramCredential:UserScramCredential").map((u) => u.inputs.username).sort()).toEqual(["clinicmaster-sink", "cmw-monitor"]);
    expect(acls).toHaveLength(22);
    expect(new Set(acls.map((a) => a.name)).size).toBe(22);
    expect(acls.filter((a) => a.name.startsWith("acl-clinicmaster-sink-"))).toHaveLength(18);
    // The monitoring login only describes and reads: never writes, creates, alters or deletes.
    const monitor = acls.filter((a) => a.inputs.aclPrincipal === "User:cmw-monitor").map((a) => a.inputs.aclOperation);
    expect([...monitor].sort()).toEqual(["Describe", "Describe", "Describe", "Read"]);
  });
});
