/**
 * What a pull request's `pulumi preview` would change, per facility: the steps of
 * `pulumi preview --json` grouped by the FacilityStack they belong to, so a reviewer sees that
 * adding `facilities/<slug>.yaml` creates exactly that facility's resources and nothing else.
 */

/** One step of `pulumi preview --json`. */
export interface PreviewStep {
  op: string;
  urn: string;
  newState?: { type?: string; parent?: string };
  oldState?: { type?: string; parent?: string };
}

export const FACILITY_STACK_TYPE = "clinicmaster:facility:FacilityStack";

export interface PreviewSummary {
  /** Facility slug → operation → resources, for every facility with a change. */
  facilities: Record<string, Record<string, string[]>>;
  /** Changes outside the facilities the pull request touches: operation and URN. */
  elsewhere: { op: string; urn: string }[];
  /** Touched facilities whose preview changes nothing (a file edited without effect). */
  unchanged: string[];
}

/** `urn:pulumi:<stack>::<project>::<type chain>::<name>` → its type chain and name. */
function parseUrn(urn: string): { types: string[]; name: string } {
  const parts = urn.split("::");
  return { types: (parts[2] ?? "").split("$"), name: parts.slice(3).join("::") };
}

/** The slug of the FacilityStack a resource is (or belongs to), if any. */
export function facilityOf(step: PreviewStep): string | undefined {
  const self = parseUrn(step.urn);
  if (self.types[self.types.length - 1] === FACILITY_STACK_TYPE) return self.name;
  const parent = step.newState?.parent ?? step.oldState?.parent;
  if (!parent) return undefined;
  const p = parseUrn(parent);
  return p.types[p.types.length - 1] === FACILITY_STACK_TYPE ? p.name : undefined;
}

/** Short, readable resource label: the type's last part and the name. */
const label = (urn: string) => {
  const { types, name } = parseUrn(urn);
  return `${types[types.length - 1].split(":").pop()}::${name}`;
};

export function summarizePreview(steps: PreviewStep[], touched: string[]): PreviewSummary {
  const summary: PreviewSummary = { facilities: {}, elsewhere: [], unchanged: [] };
  for (const step of steps) {
    if (step.op === "same" || step.op === "read" || step.op === "refresh") continue;
    const slug = facilityOf(step);
    if (slug !== undefined && touched.includes(slug)) {
      const ops = (summary.facilities[slug] ??= {});
      (ops[step.op] ??= []).push(label(step.urn));
    } else {
      summary.elsewhere.push({ op: step.op, urn: step.urn });
    }
  }
  summary.unchanged = touched.filter((s) => !summary.facilities[s]).sort();
  return summary;
}

/** Markdown for the pull request (GitHub's job summary) and the log alike. */
export function renderPreviewSummary(stack: string, touched: string[], s: PreviewSummary): string {
  const lines = [`### Stack \`${stack}\`: facilities ${touched.map((t) => `\`${t}\``).join(", ") || "(none)"}`, ""];
  for (const slug of Object.keys(s.facilities).sort()) {
    const ops = s.facilities[slug];
    lines.push(`- **${slug}**: ${Object.keys(ops).sort().map((op) => `${ops[op].length} to ${op}`).join(", ")}`);
    for (const op of Object.keys(ops).sort()) lines.push(`  - ${op}: ${ops[op].sort().join(", ")}`);
  }
  for (const slug of s.unchanged) lines.push(`- **${slug}**: no change`);
  lines.push("");
  lines.push(s.elsewhere.length === 0
    ? "No change outside these facilities."
    : `**${s.elsewhere.length} change(s) outside these facilities:**\n${s.elsewhere.map((e) => `- ${e.op}: \`${e.urn}\``).join("\n")}`);
  return lines.join("\n") + "\n";
}
