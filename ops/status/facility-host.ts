/**
 * Looks at a facility's agent on its own host, over the SSH path Pulumi's Docker provider uses:
 * the container's state from Docker, and the connector's status from the agent's worker (its
 * REST API listens on the host's loopback only, so it is asked from inside the container).
 */
import { execFile } from "child_process";
import { remoteCommand, sshTarget } from "../lib/ssh";
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
    execFile("ssh", args, { timeout: (r.timeoutSeconds + 20) * 1000, maxBuffer: 4 * 1024 * 1024 }, (err, stdout, stderr) => {
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
}

/** ssh exits 255 when it cannot connect or log in; anything else is the remote command's status. */
const lastLine = (s: string) => s.trim().split("\n").filter(Boolean).pop() ?? "";

export async function lookAtAgent(url: string, sshOpts: string[], container: string, restPort: number, connector: string, timeoutSeconds = 10): Promise<AgentLook> {
  const remote = { url, sshOpts, timeoutSeconds };
  const inspect = await ssh(remote, ["docker", "inspect", "--format", "{{.State.Status}}", container]);
  if (inspect.code === 255) return { hostReachable: false, hostError: lastLine(inspect.stderr) || "ssh could not connect" };
  if (inspect.code !== 0) {
    if (/no such (object|container)/i.test(inspect.stderr)) return { hostReachable: true, agentState: "missing" };
    return { hostReachable: true, agentState: "unknown", connector: { error: `docker inspect failed: ${lastLine(inspect.stderr)}` } };
  }
  const agentState = inspect.stdout.trim();
  if (agentState !== "running") return { hostReachable: true, agentState };
  const status = await ssh(remote, ["docker", "exec", container, "curl", "-sS", "--max-time", "10",
    `http://127.0.0.1:${restPort}/connectors/${encodeURIComponent(connector)}/status`]);
  if (status.code !== 0) return { hostReachable: true, agentState, connector: { error: lastLine(status.stderr) || `exit ${status.code}` } };
  try {
    const body = JSON.parse(status.stdout);
    if (!body.connector) return { hostReachable: true, agentState, connector: { error: body.message ?? "the worker does not know the connector" } };
    return { hostReachable: true, agentState, connector: body as ConnectorStatus };
  } catch {
    return { hostReachable: true, agentState, connector: { error: `not JSON from the worker: ${status.stdout.slice(0, 200)}` } };
  }
}
