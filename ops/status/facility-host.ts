/**
 * Looks at a facility's agent on its own host, over the SSH path Pulumi's Docker provider uses:
 * the container's state and image from Docker, and the connector's status from the agent's worker
 * (its REST API listens on the host's loopback only, so it is asked from inside the container).
 */
import { execFile } from "child_process";
import { remoteCommand, sshTarget } from "../lib/ssh";
import { AgentImage } from "./image-drift";
import { ConnectorStatus, Unobserved } from "./status";

interface Remote {
  url: string;
  sshOpts: string[];
  timeoutSeconds: number;
}

function ssh(r: Remote, argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const args = [
    ...r.sshOpts,
    // Never prompt, give up on a dead host quickly, and keep no connection behind.
    "-o", "BatchMode=yes", "-o", `ConnectTimeout=${r.timeoutSeconds}`, "-o", "ServerAliveInterval=5", "-o", "ServerAliveCountMax=2",
    // sshTarget ends with `-- host`; the remote command line follows it.
    ...sshTarget(r.url), remoteCommand(argv),
  ];
  return new Promise((resolve) => {
    // env as this module sees it: its tests put a stand-in ssh first on PATH.
    execFile("ssh", args, { env: process.env, timeout: (r.timeoutSeconds + 20) * 1000, maxBuffer: 4 * 1024 * 1024 }, (err, stdout, stderr) => {
      // A number is the remote command's exit status; a timeout or a missing ssh counts as no connection.
      const code = !err ? 0 : typeof (err as { code?: unknown }).code === "number" ? (err as { code: number }).code : 255;
      resolve({ code, stdout, stderr: stderr || (err && !stdout ? err.message : "") });
    });
  });
}

export interface AgentLook {
  hostReachable: boolean;
  hostError?: string;
  agentState?: string;
  connector?: ConnectorStatus | Unobserved;
  agentImage?: AgentImage | Unobserved;
}

/** ssh exits 255 when it cannot connect or log in; anything else is the remote command's status. */
const lastLine = (s: string) => s.trim().split("\n").filter(Boolean).pop() ?? "";

/** The names the host's Docker has for an image ID: Pulumi creates agents by ID, so `.Config.Image` alone names no version. */
async function imageOnHost(remote: Remote, id: string, configured: string): Promise<AgentImage | Unobserved> {
  const names = await ssh(remote, ["docker", "image", "inspect", "--format", "{{json .RepoTags}}\t{{json .RepoDigests}}", id]);
  // Removed since the container was made: the container still runs it, under no name.
  if (names.code !== 0 && /no such (object|image)/i.test(names.stderr)) return { id, configured, references: [] };
  if (names.code !== 0) return { error: `docker image inspect failed: ${lastLine(names.stderr) || `exit ${names.code}`}` };
  try {
    const references = names.stdout.trim().split("\t").flatMap((part) => (JSON.parse(part) as string[] | null) ?? []);
    return { id, configured, references };
  } catch {
    return { error: `docker image inspect answered ${names.stdout.slice(0, 200)}` };
  }
}

async function connectorOnHost(remote: Remote, container: string, restPort: number, connector: string): Promise<ConnectorStatus | Unobserved> {
  const status = await ssh(remote, ["docker", "exec", container, "curl", "-sS", "--max-time", "10",
    `http://127.0.0.1:${restPort}/connectors/${encodeURIComponent(connector)}/status`]);
  if (status.code !== 0) return { error: lastLine(status.stderr) || `exit ${status.code}` };
  try {
    const body = JSON.parse(status.stdout);
    if (!body.connector) return { error: body.message ?? "the worker does not know the connector" };
    return body as ConnectorStatus;
  } catch {
    return { error: `not JSON from the worker: ${status.stdout.slice(0, 200)}` };
  }
}

export async function lookAtAgent(url: string, sshOpts: string[], container: string, restPort: number, connector: string, timeoutSeconds = 10): Promise<AgentLook> {
  const remote = { url, sshOpts, timeoutSeconds };
  // Tab-separated: none of the three contains one.
  const inspect = await ssh(remote, ["docker", "inspect", "--type", "container", "--format", "{{.State.Status}}\t{{.Image}}\t{{.Config.Image}}", container]);
  if (inspect.code === 255) return { hostReachable: false, hostError: lastLine(inspect.stderr) || "ssh could not connect" };
  if (inspect.code !== 0) {
    if (/no such (object|container)/i.test(inspect.stderr)) return { hostReachable: true, agentState: "missing" };
    const error = `docker inspect failed: ${lastLine(inspect.stderr)}`;
    return { hostReachable: true, agentState: "unknown", connector: { error }, agentImage: { error } };
  }
  const [agentState, imageId, configured] = inspect.stdout.trim().split("\t");
  // The image and the connector are asked at once: one more round trip would cost every host its latency.
  const [agentImage, status] = await Promise.all([
    imageOnHost(remote, imageId, configured ?? ""),
    agentState === "running" ? connectorOnHost(remote, container, restPort, connector) : Promise.resolve(undefined),
  ]);
  return { hostReachable: true, agentState, agentImage, ...(status ? { connector: status } : {}) };
}
