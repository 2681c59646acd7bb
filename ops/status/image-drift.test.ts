import { evaluateAgentImage, fleetDrift, normalizeReference, referenceVersion } from "./image-drift";

const OLD = "clinicmaster/connect:4.1.1-debezium-3.5.0.Final-old";
const NEW = "clinicmaster/connect:4.1.1-debezium-3.5.0.Final-new";
const id = (c: string) => `sha256:${c.repeat(64)}`;

describe("references", () => {
  it("are compared as Docker lists them", () => {
    expect(normalizeReference("docker.io/library/debian:bookworm-slim")).toBe("debian:bookworm-slim");
    expect(normalizeReference("debian")).toBe("debian:latest");
    expect(normalizeReference("registry.moh.go.ug:5000/cmw/connect")).toBe("registry.moh.go.ug:5000/cmw/connect:latest");
    expect(normalizeReference(`cmw/connect@sha256:${"b".repeat(64)}`)).toBe(`cmw/connect@sha256:${"b".repeat(64)}`);
  });
  it("have a version: the tag, else the digest, else the short image ID", () => {
    expect(referenceVersion(NEW)).toBe("4.1.1-debezium-3.5.0.Final-new");
    expect(referenceVersion("registry:5000/cmw/connect:7")).toBe("7");
    expect(referenceVersion(`cmw/connect@sha256:${"b".repeat(64)}`)).toBe(`sha256:${"b".repeat(64)}`);
    expect(referenceVersion(id("c"))).toBe("cccccccccccc");
  });
});

describe("evaluateAgentImage", () => {
  it("is current when the host names the container's image ID as the desired image (Pulumi creates agents by ID)", () => {
    expect(evaluateAgentImage({ id: id("a"), configured: id("a"), references: [NEW, "other:tag"] }, NEW, "-")).toEqual({
      image: NEW, imageVersion: "4.1.1-debezium-3.5.0.Final-new", imageDrift: "current", imageUnknownReason: null,
    });
  });
  it("is current for a container created by name, and a desired image given by ID", () => {
    expect(evaluateAgentImage({ id: id("a"), configured: "docker.io/library/connect", references: [] }, "connect:latest", "-").imageDrift).toBe("current");
    expect(evaluateAgentImage({ id: id("a"), configured: id("a"), references: [] }, id("a"), "-").imageDrift).toBe("current");
  });
  it("is behind on another image, and names the version it runs (same repository first)", () => {
    expect(evaluateAgentImage({ id: id("b"), configured: id("b"), references: ["mirror/x:1", OLD] }, NEW, "-")).toEqual({
      image: OLD, imageVersion: "4.1.1-debezium-3.5.0.Final-old", imageDrift: "behind", imageUnknownReason: null,
    });
  });
  it("is behind on an image that lost its name, shown by its short ID", () => {
    expect(evaluateAgentImage({ id: id("b"), configured: id("b"), references: [] }, NEW, "-")).toMatchObject({ image: id("b"), imageVersion: "bbbbbbbbbbbb", imageDrift: "behind" });
  });
  it("is unknown, with the reason, when no container was looked at or it could not be inspected", () => {
    expect(evaluateAgentImage(undefined, NEW, "host unreachable")).toEqual({ image: null, imageVersion: null, imageDrift: "unknown", imageUnknownReason: "host unreachable" });
    expect(evaluateAgentImage({ error: "docker image inspect failed: permission denied" }, NEW, "-").imageUnknownReason).toBe("docker image inspect failed: permission denied");
  });
  it("is unknown, version shown, when the stack names no image", () => {
    expect(evaluateAgentImage({ id: id("a"), configured: id("a"), references: [OLD] }, null, "-")).toMatchObject({ imageVersion: "4.1.1-debezium-3.5.0.Final-old", imageDrift: "unknown" });
  });
});

describe("fleetDrift", () => {
  it("counts the current agents and names those behind and unknown", () => {
    const a = (slug: string, imageDrift: "current" | "behind" | "unknown") => ({ slug, image: null, imageVersion: null, imageDrift, imageUnknownReason: null });
    expect(fleetDrift([a("a", "current"), a("b", "behind"), a("c", "unknown"), a("d", "behind")], NEW)).toEqual({
      desiredImage: NEW, desiredVersion: "4.1.1-debezium-3.5.0.Final-new", agents: 4, current: 1, behind: ["b", "d"], unknown: ["c"],
    });
  });
});
