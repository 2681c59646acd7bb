import { declaredOfType, recordDeclaredResources } from "../testing/mocks";

const created = recordDeclaredResources();

import * as postgresql from "@pulumi/postgresql";
import { CentralWarehouse } from "./warehouse";
import { planSystem } from "../plan/system";
import { settingsFor } from "../settings/stack";

describe("CentralWarehouse", () => {
  it("grants the sink create-in-schema only, analysts read-only now and later, and no superuser", async () => {
    const provider = new postgresql.Provider("pg", {});
    const w = new CentralWarehouse("warehouse", { provider, plan: planSystem(settingsFor({}), [], "central").warehouse, credentialSeed: "test-seed-test-seed-test-seed-test-seed", sinkPasswordGeneration: 1, monitorPasswordGeneration: 1,
      admin: { host: "db", port: 5432, user: "admin", password: "pw", sslmode: "verify-full" } });
    await new Promise<void>((resolve) => w.analystRole.apply(() => resolve()));
    const defaults = await declaredOfType(created, "postgresql:index/defaultPrivileges:DefaultPrivileges", 1);
    await declaredOfType(created, "postgresql:index/role:Role", 4);
    const all = created.filter((r) => r.type === "postgresql:index/role:Role");
    expect(all.map((r) => [r.inputs.name, r.inputs.login ?? false, r.inputs.superuser ?? false]).sort()).toEqual([
      ["clinicmaster_sink", true, false],
      ["warehouse_analyst", false, false],
      ["warehouse_facility_reader", false, false],
      ["warehouse_monitor", true, false],
    ]);
    // The monitoring login reads as an analyst does, and holds nothing else.
    expect(all.find((r) => r.inputs.name === "warehouse_monitor")!.inputs.roles).toEqual(["warehouse_analyst"]);
    const grants = created.filter((r) => r.type === "postgresql:index/grant:Grant")
      .map((g) => `${g.inputs.role} ${g.inputs.objectType} ${g.inputs.privileges.join(",")}`).sort();
    expect(grants).toEqual([
      "clinicmaster_sink database CONNECT",
      "clinicmaster_sink schema CREATE,USAGE",
      "warehouse_analyst database CONNECT",
      "warehouse_analyst schema USAGE",
      "warehouse_analyst table SELECT",
      "warehouse_facility_reader database CONNECT",
      "warehouse_facility_reader schema USAGE",
      "warehouse_facility_reader table SELECT",
    ]);
    const all2 = await declaredOfType(created, "postgresql:index/defaultPrivileges:DefaultPrivileges", 2);
    expect(all2.map((d) => d.inputs.role).sort()).toEqual(["warehouse_analyst", "warehouse_facility_reader"]);
    expect(defaults.map((d) => d.inputs)).toEqual(expect.arrayContaining([expect.objectContaining({ owner: "clinicmaster_sink", role: "warehouse_analyst", objectType: "table", privileges: ["SELECT"], schema: "public" })]));
  });
});
