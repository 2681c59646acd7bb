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
export const localStdout = local.stdout;
export const remoteStdout = remote.stdout;
