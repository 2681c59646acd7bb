/** The central stack's settings, as plain data; read from stack config in index.ts. */
export interface CentralConfig {
  /** ClinicMaster tables with a shared data topic each (`...ClinicMasterMOH.dbo.<Table>`). */
  tables: string[];
  /**
   * Partitions per data topic. Records are keyed by (row id, facility code), so every change of
   * one row stays in order in one partition whatever the count; 6 lets up to 6 sink tasks share
   * the load of a large table.
   * @default 6
   */
  dataTopicPartitions: number;
  /**
   * Replicas of every topic: 3 on a production cluster, 1 on the single local broker.
   * @default 1
   */
  replicationFactor: number;
  /**
   * How long a delete (tombstone) stays in a compacted data topic: a sink or a rebuild that
   * reads within this window still applies the delete.
   * @default 7
   */
  tombstoneRetentionDays: number;
  /** How long dead-lettered records are kept for inspection and replay. @default 30 */
  dlqRetentionDays: number;
  /** SCRAM user of the central sink. @default "clinicmaster-sink" */
  sinkPrincipal: string;
  /** Name of the JDBC sink connector (its consumer group is `connect-<name>`). @default "clinicmaster-warehouse-sink" */
  sinkConnectorName: string;
  /** Group id of the sink's Connect cluster; also the prefix of its internal topics. @default "cmw-sink-connect" */
  sinkConnectGroup: string;
}

export const CENTRAL_DEFAULTS: CentralConfig = {
  tables: ["Patients", "Visits", "Triage", "LabRequests", "LabResults", "Diagnosis", "Appointments"],
  dataTopicPartitions: 6,
  replicationFactor: 1,
  tombstoneRetentionDays: 7,
  dlqRetentionDays: 30,
  sinkPrincipal: "clinicmaster-sink",
  sinkConnectorName: "clinicmaster-warehouse-sink",
  sinkConnectGroup: "cmw-sink-connect",
};

/** Thrown for settings a person must fix; the message names the key and the fix. */
export class CentralConfigError extends Error {}

/** Defaults filled in and every value checked; all problems reported at once. */
export function normalizeCentralConfig(partial: Partial<CentralConfig>): CentralConfig {
  const cfg: CentralConfig = { ...CENTRAL_DEFAULTS, ...stripUndefined(partial) };
  const errors: string[] = [];
  const tableName = /^[A-Za-z_][A-Za-z0-9_]*$/;
  if (cfg.tables.length === 0) errors.push("tables: empty; list at least one ClinicMaster table");
  for (const t of cfg.tables) {
    if (!tableName.test(t)) errors.push(`tables: "${t}" is not a table name; use letters, digits and _ as in dbo.${t.replace(/\W/g, "")}`);
  }
  if (new Set(cfg.tables).size !== cfg.tables.length) errors.push("tables: listed twice; keep each table once");
  const positive = (key: keyof CentralConfig, max: number) => {
    const v = cfg[key] as number;
    if (!Number.isInteger(v) || v < 1 || v > max) errors.push(`${key}: ${v} is out of range; use a whole number from 1 to ${max}`);
  };
  positive("dataTopicPartitions", 1000);
  positive("replicationFactor", 7);
  positive("tombstoneRetentionDays", 3650);
  positive("dlqRetentionDays", 3650);
  if (errors.length) throw new CentralConfigError(errors.map((e) => `central config ${e}`).join("\n"));
  return cfg;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
