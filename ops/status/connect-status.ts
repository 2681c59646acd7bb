import { ConnectorStatus } from "./status";
import { WireRecord } from "../dlq/dlq";

/**
 * A connector's last known status from its Connect cluster's status topic, where every worker
 * writes `status-connector-<name>` and `status-task-<name>-<id>` records
 * (`{"state":"RUNNING","trace":null,"worker_id":...,"generation":n}`; a tombstone when deleted).
 * The central team can read it for any facility, also when the facility's host cannot be reached.
 */
export function connectorStatusFromTopic(records: WireRecord[], connector: string): ConnectorStatus | null {
  const latest = new Map<string, { state: string; trace?: string } | null>();
  const ordered = [...records].sort((a, b) => a.partition - b.partition || a.offset - b.offset);
  for (const r of ordered) {
    if (r.key === null) continue;
    const key = Buffer.from(r.key, "base64").toString("utf8");
    if (r.value === null) { latest.set(key, null); continue; }
    try {
      const v = JSON.parse(Buffer.from(r.value, "base64").toString("utf8"));
      if (typeof v?.state === "string") latest.set(key, { state: v.state, ...(typeof v.trace === "string" ? { trace: v.trace } : {}) });
    } catch {
      // Not a status record: skip it.
    }
  }
  const own = latest.get(`status-connector-${connector}`);
  if (!own) return null;
  const taskPrefix = `status-task-${connector}-`;
  const tasks = [...latest.entries()]
    .filter(([k, v]) => k.startsWith(taskPrefix) && /^\d+$/.test(k.slice(taskPrefix.length)) && v !== null)
    .map(([k, v]) => ({ id: Number(k.slice(taskPrefix.length)), ...v! }))
    .sort((a, b) => a.id - b.id);
  return { connector: own, tasks };
}
