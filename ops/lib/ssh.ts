/** How the operations tools reach a facility host over SSH, as pure argument building. */

/** `ssh://user@host[:port]` → ssh's arguments (`-p PORT user@host`). */
export function sshTarget(url: string): string[] {
  const m = /^ssh:\/\/([^@/]+)@([^:/[\]]+|\[[0-9A-Fa-f:]+\])(?::(\d+))?$/.exec(url);
  if (!m) throw new Error(`${url} is not ssh://user@host[:port]`);
  return [...(m[3] ? ["-p", m[3]] : []), `${m[1]}@${m[2].replace(/^\[|\]$/g, "")}`];
}

/** One argument as the remote shell reads it: ssh joins its arguments into one command line. */
export function shellQuote(arg: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** A remote command line from its arguments, each quoted. */
export function remoteCommand(argv: string[]): string {
  return argv.map(shellQuote).join(" ");
}
