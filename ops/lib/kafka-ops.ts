/** Runs cmw-kafka-ops (tools/kafka-ops, built by `npm run toolchain`): one JSON request, one JSON answer. */
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PartitionOffsets } from "../status/status";
import { WireRecord } from "../dlq/dlq";
import { UsageError } from "./stack";

export interface KafkaConnection {
  bootstrap: string[];
  tls: boolean;
  /** PEM of a private CA to trust (the stack's kafkaCaCertificate). */
  caPem?: string;
  user: string;
  password: string;
}

export interface OffsetsAnswer {
  topics: Record<string, PartitionOffsets[]>;
  groups: Record<string, Record<string, Record<string, number>>>;
  latestTimestamps: Record<string, number | null>;
  missing: string[];
}

export interface ReadAnswer {
  records: WireRecord[];
  end: Record<string, number>;
  truncated: boolean;
}

function binary(): string {
  if (process.env.CMW_KAFKA_OPS) return process.env.CMW_KAFKA_OPS;
  const cache = process.env.CMW_CACHE ?? path.join(os.homedir(), ".cache", "clinicmaster-warehouse");
  const built = path.join(cache, "bin", "cmw-kafka-ops");
  if (fs.existsSync(built)) return built;
  throw new UsageError(`cmw-kafka-ops is not built (looked for ${built}): run npm run toolchain`);
}

export function kafkaOps<T>(kafka: KafkaConnection, request: Record<string, unknown>): Promise<T> {
  // cmw-kafka-ops reads the CA from a file: a private one per call, removed afterwards.
  const dir = kafka.caPem ? fs.mkdtempSync(path.join(os.tmpdir(), "cmw-kafka-ops-")) : undefined;
  const { caPem, ...connection } = kafka;
  const caFile = dir ? path.join(dir, "ca.pem") : undefined;
  if (caFile) fs.writeFileSync(caFile, caPem!, { mode: 0o600 });
  return new Promise<T>((resolve, reject) => {
    const child = spawn(binary(), [], { stdio: ["pipe", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code !== 0) return reject(new Error(oneLine(err.trim()) || `cmw-kafka-ops exited with ${code}`));
      try { resolve(JSON.parse(out) as T); } catch (e) { reject(new Error(`cmw-kafka-ops answered no JSON: ${(e as Error).message}`)); }
    });
    // The password travels on stdin only: never on a command line or in a file.
    child.stdin.end(JSON.stringify({ ...request, kafka: { ...connection, ...(caFile ? { caFile } : {}) } }));
  }).finally(() => { if (dir) fs.rmSync(dir, { recursive: true, force: true }); });
}

/** A TLS failure is one line that says what to check. */
function oneLine(message: string): string {
  const first = message.split("\n").find((l) => l.trim()) ?? message;
  if (/x509|certificate|tls:/i.test(first)) return `TLS: the broker's certificate was refused (${first.replace(/^.*?(x509|tls):/i, "$1:")}); check kafkaCaCertificate and the broker's host names`;
  return first;
}
