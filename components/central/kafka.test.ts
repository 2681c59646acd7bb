import * as pulumi from "@pulumi/pulumi";

// Pulumi mocks: record what the component declares, without any engine or broker.
const created: { type: string; name: string; inputs: Record<string, unknown> }[] = [];
pulumi.runtime.setMocks({
  newResource: (args) => {
    created.push({ type: args.type, name: args.name, inputs: args.inputs });
    return { id: `${args.name}-id`, state: { ...args.inputs, password: args.inputs.password ?? "generated" } };
  },
  call: () => ({}),
}, "clinicmaster-warehouse", "central", false);

// Dynamic providers cannot be serialized inside jest (no v8 inspector): stand the password in.
jest.mock("../secrets/password", () => ({
  GeneratedPassword: class {
    password = require("@pulumi/pulumi").secret("generated");
  },
}));

import * as kafka from "@pulumi/kafka";
import { CentralKafka } from "./kafka";
import { normalizeCentralConfig } from "./config";

describe("CentralKafka", () => {
  it("declares topics, the sink user and one ACL resource per binding, all parented", async () => {
    const provider = new kafka.Provider("p", { bootstrapServers: ["x:1"] });
    const c = new CentralKafka("central", { config: normalizeCentralConfig({}), provider });
    await new Promise<void>((resolve) => c.topicNames.apply(() => resolve()));
    // ACLs wait on the user (dependsOn): let the mock engine register them too.
    for (let i = 0; i < 50 && created.filter((r) => r.type === "kafka:index/acl:Acl").length < 18; i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    const byType = (t: string) => created.filter((r) => r.type === t);
    expect(byType("kafka:index/topic:Topic")).toHaveLength(7 + 1 + 3);
    expect(byType("kafka:index/userScramCredential:UserScramCredential")[0].inputs).toMatchObject({ username: "clinicmaster-sink", scramMechanism: "SCRAM-SHA-512" });
    const acls = byType("kafka:index/acl:Acl");
    expect(acls).toHaveLength(18);
    expect(new Set(acls.map((a) => a.name)).size).toBe(18);
    expect(acls.every((a) => a.name.startsWith("acl-clinicmaster-sink-"))).toBe(true);
  });
});
