import { parseSshHost } from "../../components/settings/facility";
/** How the operations tools reach a facility host over SSH, as pure argument building. */

/**
 * `ssh://user@host[:port]` → ssh's arguments `-l user [-p port] -- host`: nothing in the URL can
 * be read as an ssh option (the validator already refuses a user or host starting with "-"), and
 * an IPv6 host goes without its brackets. The remote command follows directly.
 */
export function sshTarget(url: string): string[] {
  const t = parseSshHost(url);
  if (!t) throw new Error(`${url} is not ssh://user@host[:port]`);
  return ["-l", t.user, ...(t.port !== undefined ? ["-p", String(t.port)] : []), "--", t.host];
}

/** One argument as the remote shell reads it: ssh joins its arguments into one command line. */
export function shellQuote(arg: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** A remote command line from its arguments, each quoted. */
export function remoteCommand(argv: string[]): string {
  return argv.map(shellQuote).join(" ");
}
