/**
 * The monitoring login file: the read-only credentials of the operations tools run from cron
 * (`npm run monitoring -- login` writes it from the stack's `monitoringLogin` output). With it the
 * tools read the stack's plain settings only, never its secrets, and log in as the monitoring
 * principal and role instead of the admins.
 */
import * as fs from "fs";
import { z } from "zod";
import { UsageError } from "./stack";

const credentials = z.strictObject({ user: z.string().min(1), password: z.string().min(1) });
const loginSchema = z.strictObject({ kafka: credentials, warehouse: credentials });
export type MonitoringLogin = z.infer<typeof loginSchema>;

/** Reads and checks a login file; it must be readable by its owner only. */
export function readLoginFile(file: string): MonitoringLogin {
  let stat: fs.Stats;
  try { stat = fs.statSync(file); } catch (e) { throw new UsageError(`--login ${file}: ${(e as Error).message}`); }
  if ((stat.mode & 0o077) !== 0) throw new UsageError(`--login ${file}: readable by others (mode ${(stat.mode & 0o777).toString(8)}); chmod 600 ${file}`);
  let parsed: unknown;
  try { parsed = JSON.parse(fs.readFileSync(file, "utf8")); } catch (e) { throw new UsageError(`--login ${file}: not JSON (${(e as Error).message.split("\n")[0]}); write it again with npm run monitoring -- login`); }
  const result = loginSchema.safeParse(parsed);
  if (!result.success) throw new UsageError(`--login ${file}: ${result.error.issues[0].path.join(".")}: ${result.error.issues[0].message}; write it again with npm run monitoring -- login`);
  return result.data;
}

/** Writes a login file readable by its owner only, whatever was there before. */
export function writeLoginFile(file: string, login: MonitoringLogin): void {
  const fd = fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_TRUNC | fs.constants.O_NOFOLLOW, 0o600);
  try {
    fs.fchmodSync(fd, 0o600);
    fs.writeSync(fd, JSON.stringify(loginSchema.parse(login), null, 2) + "\n");
  } finally {
    fs.closeSync(fd);
  }
}
