import { AclBinding, aclResourceName, normalizeAcls } from "./acl";

const read: AclBinding = {
  principal: "User:clinicmaster-sink",
  resourceType: "Topic",
  resourceName: "clinicmasterwarehouse-sqlserver.ClinicMasterMOH.dbo.",
  patternType: "Prefixed",
  operation: "Read",
  permission: "Allow",
  host: "*",
};

describe("aclResourceName", () => {
  it("derives a readable, stable name from the binding's content", () => {
    expect(aclResourceName(read)).toMatch(/^clinicmaster-sink-read-topic-prefix-clinicmasterwarehouse-sqlserver-clinicmastermoh-dbo-[0-9a-f]{8}$/);
    expect(aclResourceName({ ...read })).toBe(aclResourceName(read));
  });

  it("gives different names to bindings that differ in any field", () => {
    const variants: AclBinding[] = [
      { ...read, operation: "Describe" },
      { ...read, patternType: "Literal" },
      { ...read, principal: "User:other" },
      { ...read, host: "10.0.0.1" },
      { ...read, permission: "Deny" },
    ];
    const names = new Set([read, ...variants].map(aclResourceName));
    expect(names.size).toBe(variants.length + 1);
  });
});

describe("normalizeAcls", () => {
  it("sorts and de-duplicates, independent of input order", () => {
    const write: AclBinding = { ...read, operation: "Write" };
    expect(normalizeAcls([write, read, read])).toEqual(normalizeAcls([read, write]));
    expect(normalizeAcls([write, read, read])).toHaveLength(2);
  });
});
