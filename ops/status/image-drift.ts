/**
 * Version drift: which image each facility agent runs, compared with the image the stack wants
 * on the facility hosts (`facilityImage`, else `connectImage`). Pure, so every verdict is tested
 * without a host.
 */

/** The image an agent's container runs, as its host's Docker reports it. */
export interface AgentImage {
  /** The image ID the container runs (`.Image`). */
  id: string;
  /** What the container was created from (`.Config.Image`): a reference, or an image ID (Pulumi creates agents by ID). */
  configured: string;
  /** The names the host's Docker has for that image ID (`RepoTags` and `RepoDigests`); empty once it was untagged or removed. */
  references: string[];
}

export type ImageDrift = "current" | "behind" | "unknown";

export interface AgentImageStatus {
  /** The image reference the agent runs, or null when unknown. */
  image: string | null;
  /** Its version: the tag (or digest, or short image ID when it has no name), or null when unknown. */
  imageVersion: string | null;
  imageDrift: ImageDrift;
  /** Why the version is unknown (a compose site, an unreachable host, ...); null when known. */
  imageUnknownReason: string | null;
}

/** The fleet's drift: how many agents run the desired image, and which do not or cannot be told. */
export interface FleetDrift {
  desiredImage: string | null;
  desiredVersion: string | null;
  agents: number;
  current: number;
  /** Slugs of the agents on another image than the desired one. */
  behind: string[];
  /** Slugs of the agents whose image is not known (compose sites, unreachable hosts, missing containers). */
  unknown: string[];
}

const isImageId = (ref: string) => /^sha256:[0-9a-f]{64}$/.test(ref);

/**
 * A reference as Docker lists it in `RepoTags`: Docker Hub's implicit `docker.io/` and
 * `library/` dropped, `:latest` added when there is neither tag nor digest.
 */
export function normalizeReference(ref: string): string {
  if (isImageId(ref)) return ref;
  let r = ref.replace(/^docker\.io\//, "").replace(/^index\.docker\.io\//, "");
  if (r.startsWith("library/") && r.indexOf("/", "library/".length) === -1) r = r.slice("library/".length);
  const name = r.split("@")[0];
  const lastSlash = name.lastIndexOf("/");
  const hasTag = name.indexOf(":", lastSlash + 1) !== -1;
  return hasTag || r.includes("@") ? r : `${r}:latest`;
}

/** The version part of a reference: its tag, else its digest, else (an image ID) its first 12 hex digits. */
export function referenceVersion(ref: string): string {
  if (isImageId(ref)) return ref.slice("sha256:".length, "sha256:".length + 12);
  const [name, digest] = ref.split("@");
  const lastSlash = name.lastIndexOf("/");
  const colon = name.indexOf(":", lastSlash + 1);
  if (colon !== -1) return name.slice(colon + 1);
  return digest ?? "latest";
}

/** The repository part of a reference (no tag, no digest). */
function repository(ref: string): string {
  const name = ref.split("@")[0];
  const lastSlash = name.lastIndexOf("/");
  const colon = name.indexOf(":", lastSlash + 1);
  return colon === -1 ? name : name.slice(0, colon);
}

const unknown = (reason: string): AgentImageStatus => ({ image: null, imageVersion: null, imageDrift: "unknown", imageUnknownReason: reason });

/**
 * What one agent runs and whether it is the desired image. `observed` is undefined when no
 * container was looked at (`reason` says why: a compose site, an unreachable host, ...).
 */
export function evaluateAgentImage(observed: AgentImage | { error: string } | undefined, desired: string | null, reason: string): AgentImageStatus {
  if (observed === undefined) return unknown(reason);
  if ("error" in observed) return unknown(observed.error);
  const names = [observed.configured, ...observed.references].filter((r) => !isImageId(r)).map(normalizeReference);
  const want = desired === null ? null : normalizeReference(desired);
  const isCurrent = want !== null && (isImageId(want) ? want === observed.id : names.includes(want));
  // The name to show: the desired one when it is that, else the closest name the host has for it.
  const shown = isCurrent && !isImageId(want!) ? want!
    : names.find((n) => want !== null && repository(n) === repository(want)) ?? names[0] ?? observed.id;
  if (want === null) return { image: shown, imageVersion: referenceVersion(shown), imageDrift: "unknown", imageUnknownReason: "the stack sets neither facilityImage nor connectImage" };
  return { image: shown, imageVersion: referenceVersion(shown), imageDrift: isCurrent ? "current" : "behind", imageUnknownReason: null };
}

export function fleetDrift(agents: ({ slug: string } & AgentImageStatus)[], desired: string | null): FleetDrift {
  return {
    desiredImage: desired,
    desiredVersion: desired === null ? null : referenceVersion(normalizeReference(desired)),
    agents: agents.length,
    current: agents.filter((a) => a.imageDrift === "current").length,
    behind: agents.filter((a) => a.imageDrift === "behind").map((a) => a.slug),
    unknown: agents.filter((a) => a.imageDrift === "unknown").map((a) => a.slug),
  };
}
