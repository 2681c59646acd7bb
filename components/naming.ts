/** Names every part of the pipeline agrees on. Changing one of these renames topics and tables. */

/** Debezium `topic.prefix` shared by every facility: all facilities write the same topics. */
export const TOPIC_PREFIX = "clinicmasterwarehouse-sqlserver";

/** The database segment of canonical topic names, whatever a facility's database is called. */
export const CANONICAL_DATABASE = "ClinicMasterMOH";

/** The schema segment of canonical topic names (ClinicMaster keeps its tables in `dbo`). */
export const CANONICAL_SCHEMA = "dbo";

/** Prefix of every shared data topic: `<prefix>.ClinicMasterMOH.dbo.` */
export const DATA_TOPIC_PREFIX = `${TOPIC_PREFIX}.${CANONICAL_DATABASE}.${CANONICAL_SCHEMA}.`;

/** The column (and key field) every warehouse row carries: the facility's DHIS2 code. */
export const FACILITY_CODE_COLUMN = "facility_dhis2_code";

/** Dead letter topic of the central sink. */
export const DLQ_TOPIC = "sink-dlq";

/** The canonical topic of one ClinicMaster table, e.g. `...ClinicMasterMOH.dbo.Visits`. */
export function dataTopic(table: string): string {
  return `${DATA_TOPIC_PREFIX}${table}`;
}

/**
 * Turns any label into a Pulumi/Kafka/Docker-safe token: lowercase ASCII letters, digits and
 * dashes. Used to derive resource names from content, never from list positions.
 */
export function slugify(label: string): string {
  return label
    .normalize("NFKD")
    .replace(/[^\x00-\x7f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
}

/** `s` as a regular expression matching exactly itself (Java and JavaScript alike). */
export function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * A Pulumi resource name from content: `<prefix><slug>` when the slug keeps all of the content
 * (lowercase letters, digits, dashes), else `<prefix><slug>-<hash>`, so two contents whose slugs
 * agree (`a.b` and `a-b`, `Visits` and `visits`) never share a name.
 */
export function contentName(prefix: string, content: string): string {
  const slug = slugify(content);
  return slug === content ? `${prefix}${slug}` : `${prefix}${slug}-${fnv1a(content)}`;
}

/** FNV-1a 32-bit of the UTF-16 code units: stable, dependency-free, for name suffixes. */
export function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, "0");
}
