// Exercises our docker plugin through the official @pulumi/docker SDK, over ssh://.
import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";

const cfg = new pulumi.Config();
const provider = new docker.Provider("host", {
  host: cfg.require("host"),
  sshOpts: cfg.requireObject<string[]>("sshOpts"),
  ...(cfg.getBoolean("unsupportedSetting") ? { registryAuth: [{ address: "registry.example", username: "u", password: "p" }] } : {}),
});
const opts = { provider };
const image = new docker.RemoteImage("base", { name: "debian:bookworm-slim", keepLocally: true }, opts);
const network = new docker.Network("net", { name: "cmw-t-net" }, opts);
const volume = new docker.Volume("vol", { name: "cmw-t-vol" }, opts);
new docker.Container("box", {
  name: "cmw-t-box",
  image: image.imageId,
  command: ["sleep", "infinity"],
  envs: [`MODE=${cfg.get("mode") ?? "one"}`, pulumi.interpolate`TOKEN=${cfg.requireSecret("token")}`],
  memory: cfg.getNumber("memory") ?? 64,
  restart: "unless-stopped",
  networkMode: network.name,
  volumes: [{ volumeName: volume.name, containerPath: "/data" }],
  labels: [{ label: "cmw.test", value: "yes" }],
  uploads: [{ file: "/etc/cmw/secret.properties", content: pulumi.interpolate`token=${cfg.requireSecret("token")}\n` }],
  healthcheck: { tests: ["CMD-SHELL", "test -f /etc/cmw/secret.properties"], interval: "5s", retries: 3 },
  destroyGraceSeconds: 1,
  ...(cfg.getBoolean("unsupported") ? { privileged: true } : {}),
}, { ...opts, deleteBeforeReplace: true }); // a named container cannot exist twice
