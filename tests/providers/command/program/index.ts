// Exercises our command plugin through the official @pulumi/command SDK: local and over SSH.
import * as pulumi from "@pulumi/pulumi";
import * as command from "@pulumi/command";

const cfg = new pulumi.Config();
const dir = cfg.require("dir");
const version = cfg.get("version") ?? "1";
const local = new command.local.Command("local", {
  create: `printf '%s' "created $VERSION" > marker && cat marker`,
  update: `printf '%s' "updated $VERSION (was: $PULUMI_COMMAND_STDOUT)" > marker && cat marker`,
  delete: "rm -f marker",
  dir,
  environment: { VERSION: version, TOKEN: cfg.requireSecret("token") },
  triggers: [cfg.get("trigger") ?? "a"],
  ...(cfg.getBoolean("unsupported") ? { logging: "stdout" } : {}),
});
const remote = new command.remote.Command("remote", {
  connection: {
    host: "127.0.0.1",
    port: cfg.requireNumber("sshPort"),
    user: "root",
    privateKey: cfg.requireSecret("privateKey"),
  },
  create: `printf '%s' "$GREETING from $(hostname)"`,
  environment: { GREETING: "it's \"quoted\" & fine" },
});
// Prints its own command line (as the remote host's process list shows it) and the length of
// the secret it got in its environment.
const remoteSecret = new command.remote.Command("remote-secret", {
  connection: remote.connection,
  create: `printf '%s|%s' "$(tr '\\0' ' ' < /proc/$$/cmdline)" "\${#TOKEN}"`,
  environment: { TOKEN: cfg.requireSecret("token") },
});
// A remote command that fails while it carries a known secret.
if (cfg.getBoolean("failRemote")) {
  new command.remote.Command("remote-fails", {
    connection: remote.connection,
    create: "echo 'about to fail' >&2; exit 3",
    environment: { TOKEN: cfg.requireSecret("token") },
  });
}
export const remoteSecretStdout = pulumi.unsecret(remoteSecret.stdout);
export const localStdout = local.stdout;
export const remoteStdout = remote.stdout;
