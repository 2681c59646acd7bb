/**
 * When `npm run status` calls the pipeline unhealthy: the stack setting `statusThresholds`,
 * validated by the program (a bad value fails the preview) and by the status command alike.
 */
export interface StatusThresholds {
  /**
   * A facility whose newest heartbeat is older than this is stale. Agents send one every 30 s,
   * so the default allows five missed heartbeats and a slow link.
   * @default 180
   */
  heartbeatMaxAgeSeconds: number;
  /** The sink is behind when the records it has not yet written exceed this. @default 10000 */
  sinkMaxLag: number;
  /** New dead-lettered records allowed since the previous look before the DLQ is a problem. @default 0 */
  dlqMaxGrowth: number;
}

export const STATUS_THRESHOLD_DEFAULTS: StatusThresholds = {
  heartbeatMaxAgeSeconds: 180,
  sinkMaxLag: 10000,
  dlqMaxGrowth: 0,
};

export class StatusThresholdsError extends Error {}

/** Defaults filled in, unknown keys and bad numbers reported together, one line each. */
export function normalizeStatusThresholds(raw: unknown): StatusThresholds {
  if (raw === undefined || raw === null) return { ...STATUS_THRESHOLD_DEFAULTS };
  const errors: string[] = [];
  const say = (m: string) => errors.push(`statusThresholds: ${m}`);
  if (typeof raw !== "object" || Array.isArray(raw)) {
    throw new StatusThresholdsError(`statusThresholds: expected a map of ${Object.keys(STATUS_THRESHOLD_DEFAULTS).join(", ")}`);
  }
  const out: StatusThresholds = { ...STATUS_THRESHOLD_DEFAULTS };
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    if (!(key in STATUS_THRESHOLD_DEFAULTS)) {
      say(`unknown key ${key}; known keys are ${Object.keys(STATUS_THRESHOLD_DEFAULTS).join(", ")}`);
      continue;
    }
    // Stack config given on the command line arrives as text.
    const n = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
    if (typeof n !== "number" || !Number.isInteger(n) || n < 0) {
      say(`${key}: ${JSON.stringify(value)} is not a whole number of 0 or more`);
      continue;
    }
    out[key as keyof StatusThresholds] = n;
  }
  if (errors.length) throw new StatusThresholdsError(errors.join("\n"));
  return out;
}
