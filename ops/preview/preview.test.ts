import { facilityOf, renderPreviewSummary, summarizePreview } from "./preview";

const urn = (types: string, name: string) => `urn:pulumi:central::clinicmaster-warehouse::${types}::${name}`;
const FS = "clinicmaster:facility:FacilityStack";
const stack = urn(FS, "st-marys");
const steps = [
  { op: "same", urn: urn("pulumi:pulumi:Stack", "clinicmaster-warehouse-central") },
  { op: "create", urn: stack, newState: {} },
  { op: "create", urn: urn(`${FS}$kafka:index/userScramCredential:UserScramCredential`, "st-marys-user"), newState: { parent: stack } },
  { op: "create", urn: urn(`${FS}$kafka:index/acl:Acl`, "acl-cmw-facility-st-marys-topic-write"), newState: { parent: stack } },
  { op: "same", urn: urn(`${FS}$docker:index/container:Container`, "kyaka-agent"), newState: { parent: urn(FS, "kyaka") } },
];

describe("summarizePreview", () => {
  it("groups a new facility's resources under its slug and finds nothing elsewhere", () => {
    const s = summarizePreview(steps, ["st-marys"]);
    expect(s.facilities).toEqual({ "st-marys": { create: ["FacilityStack::st-marys", "UserScramCredential::st-marys-user", "Acl::acl-cmw-facility-st-marys-topic-write"] } });
    expect(s.elsewhere).toEqual([]);
    expect(renderPreviewSummary("central", ["st-marys"], s)).toContain("- **st-marys**: 3 to create\n");
  });
  it("reports changes of other facilities and of the central stack as elsewhere", () => {
    const others = [...steps,
      { op: "delete", urn: urn(`${FS}$kafka:index/topic:Topic`, "kyaka-topic-x"), oldState: { parent: urn(FS, "kyaka") } },
      { op: "update", urn: urn("cmw:ConnectConnector", "sink-connector") }];
    const s = summarizePreview(others, ["st-marys"]);
    expect(s.elsewhere.map((e) => e.op)).toEqual(["delete", "update"]);
    expect(renderPreviewSummary("central", ["st-marys"], s)).toContain("**2 change(s) outside these facilities:**");
  });
  it("says when a touched facility changes nothing", () => {
    expect(summarizePreview(steps.slice(0, 1), ["st-marys"]).unchanged).toEqual(["st-marys"]);
  });
  it("knows a facility's resources by their parent, deletes by their old state", () => {
    expect(facilityOf({ op: "delete", urn: "x", oldState: { parent: urn(FS, "kyaka") } })).toBe("kyaka");
    expect(facilityOf({ op: "create", urn: urn("kafka:index/topic:Topic", "central-dlq") })).toBeUndefined();
  });
});
