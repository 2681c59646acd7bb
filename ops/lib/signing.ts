/**
 * Signing a record as its facility's agent would, for the operators' fixed copies (npm run dlq --
 * replay --value-file): VerifyRecord refuses a record whose content changed since it was signed.
 * The signing runs inside sink worker 0 (SignLines, in the project's Connect image), where the
 * signing master already is: no key leaves the central host, and this tool holds none.
 */
import { spawnSync } from "child_process";
import { SystemPlan } from "../../components/plan/system";
import { remoteCommand, sshTarget } from "./ssh";

const SIGN_LINES = ["java", "-cp", "/opt/connect/lib/*:/opt/connect/plugins/cmw-connect-transforms/*", "org.clinicmaster.warehouse.connect.transforms.SignLines"];

export interface ToSign {
  /** Key and value as JSON text with the schema envelope (a tombstone's value is null). */
  key: string;
  value: string | null;
  /** The facility's credential generation (its key id is g<generation>). */
  generation: number;
}

export interface Signed {
  header: string;
  signature: string;
  key: string;
  value: string | null;
}

export class SigningError extends Error {}

/** The command that runs SignLines in `worker` on the central Docker host. */
export function signLinesCommand(dockerHost: string, sshOpts: string[], worker: string): { file: string; args: string[] } {
  const exec = ["exec", "-i", worker, ...SIGN_LINES];
  if (!dockerHost.startsWith("ssh://")) return { file: "docker", args: ["-H", dockerHost, ...exec] };
  return { file: "ssh", args: [...sshOpts, "-o", "BatchMode=yes", ...sshTarget(dockerHost), remoteCommand(["docker", ...exec])] };
}

export function signInSinkWorker(plan: SystemPlan, records: ToSign[]): Signed[] {
  const worker = plan.sink.workers[0].name;
  const { file, args } = signLinesCommand(plan.sink.docker.host, plan.sink.docker.sshOpts, worker);
  const run = spawnSync(file, args, { input: records.map((r) => JSON.stringify(r)).join("\n") + "\n", encoding: "utf8", timeout: 120_000, maxBuffer: 64 * 1024 * 1024 });
  const why = (run.stderr ?? "").trim().split("\n").filter(Boolean).pop() ?? run.error?.message ?? `exit ${run.status}`;
  if (run.status !== 0) throw new SigningError(`could not sign in the sink worker ${worker}: ${why}`);
  const signed = run.stdout.trim().split("\n").filter(Boolean).map((l) => JSON.parse(l) as Signed);
  if (signed.length !== records.length) throw new SigningError(`the sink worker ${worker} signed ${signed.length} of ${records.length} records`);
  return signed;
}
