import * as fs from "fs";
import * as path from "path";
import { EngineEvent, facilityUrns, firstErrorLine, parseEventLog, renderRollout, rolloutJson, summarizeRollout } from "./rollout";

// Recorded by the fleet suite's set-up (`pulumi up --continue-on-error --json`, trimmed to the
// fields the report reads): three facilities, a new image for all, fac-c's host refusing SSH.
const sample = (name: string) => parseEventLog(fs.readFileSync(path.join(__dirname, "testdata", name), "utf8"));

const FS = "clinicmaster:facility:FacilityStack";
const urn = (types: string, name: string) => `urn:pulumi:fleet::clinicmaster-warehouse::${types}::${name}`;
const stackUrn = (slug: string) => urn(FS, slug);
let seq = 0;
const step = (kind: "resourcePreEvent" | "resOutputsEvent" | "resOpFailedEvent", op: string, u: string, parent?: string): EngineEvent =>
  ({ sequence: ++seq, [kind]: { metadata: { op, urn: u, ...(parent ? { new: { parent } } : {}) } } });
/** A resource that went through `op` to the end. */
const done = (op: string, u: string, parent?: string) => [step("resourcePreEvent", op, u, parent), step("resOutputsEvent", op, u, parent)];
const error = (u: string | undefined, message: string): EngineEvent => ({ sequence: ++seq, diagnosticEvent: { ...(u ? { urn: u } : {}), severity: "error", prefix: "error: ", message } });

describe("summarizeRollout on a recorded rollout with one host offline", () => {
  const report = summarizeRollout(sample("host-offline.jsonl"), ["fac-a", "fac-b", "fac-c"]);

  it("applies the reachable facilities' change and reports the offline one failed with its reason", () => {
    expect(report.facilities.map((f) => [f.name, f.outcome])).toEqual([["fac-a", "applied"], ["fac-b", "applied"], ["fac-c", "failed"]]);
    expect(report.facilities[0].changes).toEqual({ replace: ["Container::fac-a-agent", "RemoteImage::fac-a-image"] });
    expect(report.facilities[2].reason).toBe("RemoteImage::fac-c-image: ssh: connect to host 127.0.0.1 port 2823: Connection refused");
  });

  it("leaves the central part unchanged and does not repeat the failure as a program error", () => {
    expect(report.central.outcome).toBe("unchanged");
    expect(report.errors).toEqual([]);
    expect(report.ok).toBe(false);
  });

  it("renders one line per part and the totals", () => {
    const text = renderRollout(report);
    expect(text).toMatch(/^central +unchanged\n/);
    expect(text).toContain("fac-a     applied    replace Container::fac-a-agent, RemoteImage::fac-a-image\n");
    expect(text).toContain("fac-c     failed     RemoteImage::fac-c-image: ssh: connect to host 127.0.0.1 port 2823: Connection refused\n");
    expect(text).toContain("facilities: 2 applied, 0 unchanged, 1 failed (fac-c)\n");
    expect(rolloutJson(report)).toMatchObject({ ok: false, facilities: [{ name: "fac-a", outcome: "applied", changes: 2 }, {}, { name: "fac-c", outcome: "failed" }] });
  });
});

describe("summarizeRollout on a recorded run targeted at one facility", () => {
  const report = summarizeRollout(sample("one-facility.jsonl"), ["fac-c"]);
  it("changes that facility alone", () => {
    expect(report.ok).toBe(true);
    expect(report.facilities.find((f) => f.name === "fac-c")).toMatchObject({ outcome: "applied", changes: { replace: ["Container::fac-c-agent", "RemoteImage::fac-c-image"] } });
    expect([report.central, ...report.facilities].filter((p) => p.name !== "fac-c").every((p) => p.outcome === "unchanged")).toBe(true);
  });
});

describe("summarizeRollout rules", () => {
  const a = stackUrn("lacor");
  const b = stackUrn("kyaka");
  const central = urn("kafka:index/topic:Topic", "topic-visits");

  it("a facility with only same steps is unchanged", () => {
    const r = summarizeRollout([...done("same", a), ...done("same", urn(`${FS}$kafka:index/topic:Topic`, "lacor-topic-x"), a)], ["lacor"]);
    expect(r.facilities).toEqual([{ name: "lacor", outcome: "unchanged", changes: {} }]);
    expect(r.ok).toBe(true);
  });

  it("a facility of the files that shows no event was never reached: failed", () => {
    const r = summarizeRollout(done("same", a), ["lacor", "kyaka"]);
    expect(r.facilities.find((f) => f.name === "kyaka")).toMatchObject({ outcome: "failed", reason: expect.stringMatching(/^not reached/) });
  });

  it("a step that started and never finished (cancelled) is a failure", () => {
    const container = urn(`${FS}$docker:index/container:Container`, "lacor-agent");
    const r = summarizeRollout([...done("same", a), step("resourcePreEvent", "update", container, a), { sequence: ++seq, cancelEvent: {} }], ["lacor"]);
    expect(r.facilities[0]).toMatchObject({ outcome: "failed", reason: "Container::lacor-agent: update did not finish (cancelled)" });
  });

  it("when a central resource failed, facilities that show no change were not checked: failed", () => {
    const r = summarizeRollout([
      step("resourcePreEvent", "update", central), error(central, "error: kafka: broker not available\n"), step("resOpFailedEvent", "update", central),
      ...done("same", a), ...done("update", urn(`${FS}$docker:index/container:Container`, "kyaka-agent"), b), ...done("same", b),
    ], ["lacor", "kyaka"]);
    expect(r.central).toMatchObject({ outcome: "failed", reason: "Topic::topic-visits: kafka: broker not available" });
    expect(r.facilities.map((f) => [f.name, f.outcome])).toEqual([["kyaka", "applied"], ["lacor", "failed"]]);
    expect(r.facilities[1].reason).toMatch(/^not checked: central failed first/);
  });

  it("an error that names no resource is reported on its own", () => {
    const r = summarizeRollout([...done("same", a), error(undefined, "error: the stack is locked by another update\n")], ["lacor"]);
    expect(r.errors).toEqual(["the stack is locked by another update"]);
    expect(r.ok).toBe(false);
  });

  it("a removed facility (deleted resources, old parent) is applied", () => {
    const topic = urn(`${FS}$kafka:index/topic:Topic`, "kyaka-topic-x");
    const r = summarizeRollout([{ sequence: ++seq, resourcePreEvent: { metadata: { op: "delete", urn: topic, old: { parent: b } } } },
      { sequence: ++seq, resOutputsEvent: { metadata: { op: "delete", urn: topic, old: { parent: b } } } }], []);
    expect(r.facilities).toEqual([{ name: "kyaka", outcome: "applied", changes: { delete: ["Topic::kyaka-topic-x"] } }]);
  });
});

describe("firstErrorLine", () => {
  it("keeps a command's own words from a wrapped error, without colour markup", () => {
    expect(firstErrorLine("<{%reset%}>image x: exit status 1: stderr=ssh: connect to host h port 22: No route to host\n<{%reset%}>")).toBe("ssh: connect to host h port 22: No route to host");
    expect(firstErrorLine("error: \nupdate failed\nerror: creating topic:\nkafka: topic exists\n")).toBe("kafka: topic exists");
  });
});

describe("facilityUrns", () => {
  it("takes a facility's resources by parent chain, not by name prefix", () => {
    const annex = stackUrn("lacor-annex");
    const refs = [
      { urn: stackUrn("lacor") },
      { urn: urn(`${FS}$kafka:index/topic:Topic`, "lacor-topic-x"), parent: stackUrn("lacor") },
      { urn: annex },
      { urn: urn(`${FS}$kafka:index/topic:Topic`, "lacor-annex-topic-x"), parent: annex },
      { urn: urn("kafka:index/topic:Topic", "lacor-lookalike") },
    ];
    expect(facilityUrns(refs, "lacor")).toEqual([stackUrn("lacor"), urn(`${FS}$kafka:index/topic:Topic`, "lacor-topic-x")].sort());
  });
});
