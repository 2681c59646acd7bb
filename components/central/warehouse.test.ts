import * as pulumi from "@pulumi/pulumi";

const created: { type: string; name: string; inputs: Record<string, any> }[] = [];
pulumi.runtime.setMocks({
  newResource: (args) => {
    created.push({ type: args.type, name: args.name, inputs: args.inputs });
    return { id: `${args.name}-id`, state: args.inputs };
  },
  call: () => ({}),
}, "clinicmaster-warehouse", "central", false);

// Dynamic providers cannot be serialized inside jest (no v8 inspector): stand the password in.
jest.mock("../secrets/password", () => ({
  GeneratedPassword: class {
    password = require("@pulumi/pulumi").secret("generated");
  },
}));

import * as postgresql from "@pulumi/postgresql";
import { CentralWarehouse } from "./warehouse";

describe("CentralWarehouse", () => {
  it("grants the sink create-in-schema only, analysts read-only now and later, and no superuser", async () => {
    const provider = new postgresql.Provider("pg", {});
    const w = new CentralWarehouse("warehouse", { provider });
    await new Promise<void>((resolve) => w.analystRole.apply(() => resolve()));
    for (let i = 0; i < 50 && created.filter((r) => r.type.endsWith("Privileges")).length < 1; i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    const roles = created.filter((r) => r.type === "postgresql:index/role:Role");
    expect(roles.map((r) => [r.inputs.name, r.inputs.login ?? false, r.inputs.superuser ?? false]).sort()).toEqual([
      ["clinicmaster_sink", true, false],
      ["warehouse_analyst", false, false],
    ]);
    const grants = created.filter((r) => r.type === "postgresql:index/grant:Grant")
      .map((g) => `${g.inputs.role} ${g.inputs.objectType} ${g.inputs.privileges.join(",")}`).sort();
    expect(grants).toEqual([
      "clinicmaster_sink database CONNECT",
      "clinicmaster_sink schema CREATE,USAGE",
      "warehouse_analyst database CONNECT",
      "warehouse_analyst schema USAGE",
      "warehouse_analyst table SELECT",
    ]);
    const defaults = created.filter((r) => r.type === "postgresql:index/defaultPrivileges:DefaultPrivileges");
    expect(defaults.map((d) => d.inputs)).toEqual([expect.objectContaining({ owner: "clinicmaster_sink", role: "warehouse_analyst", objectType: "table", privileges: ["SELECT"], schema: "public" })]);
  });
});
