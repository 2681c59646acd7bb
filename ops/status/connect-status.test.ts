import { connectorStatusFromTopic } from "./connect-status";
import { WireRecord } from "../dlq/dlq";

const b64 = (s: string) => Buffer.from(s).toString("base64");
let offset = 0;
const rec = (key: string, value: object | null): WireRecord =>
  ({ topic: "cmw-facility.a.connect-status", partition: 0, offset: offset++, timestamp: 0, key: b64(key), value: value === null ? null : b64(JSON.stringify(value)), headers: [] });

describe("connectorStatusFromTopic", () => {
  const name = "cmw-facility-a-source";
  it("takes the newest record of the connector and of each task", () => {
    const s = connectorStatusFromTopic([
      rec(`status-connector-${name}`, { state: "UNASSIGNED", trace: null, worker_id: "w", generation: 1 }),
      rec(`status-task-${name}-0`, { state: "FAILED", trace: "java.lang.Exception: boom\n\tat x", generation: 1 }),
      rec(`status-connector-${name}`, { state: "RUNNING", trace: null, generation: 2 }),
      rec(`status-task-${name}-0`, { state: "RUNNING", trace: null, generation: 2 }),
      rec("status-task-other-source-0", { state: "FAILED" }),
      rec(`status-topic-x:connector-${name}`, { topic: { name: "x" } }),
    ], name);
    expect(s).toEqual({ connector: { state: "RUNNING" }, tasks: [{ id: 0, state: "RUNNING" }] });
  });
  it("knows nothing of a deleted or never-seen connector", () => {
    expect(connectorStatusFromTopic([rec(`status-connector-${name}`, { state: "RUNNING" }), rec(`status-connector-${name}`, null)], name)).toBeNull();
    expect(connectorStatusFromTopic([], name)).toBeNull();
  });
});
