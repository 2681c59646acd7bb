import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { lookAtAgent } from "./facility-host";

/**
 * lookAtAgent against a stand-in `ssh` on PATH: it runs the remote command line through a real
 * shell (so quoting is what a host would read), with a stand-in `docker` that answers as the
 * test sets it. No host, no Docker.
 */
const ID = `sha256:${"9".repeat(64)}`;
let dir: string;
const savedPath = process.env.PATH;

function answer(kind: "inspect" | "image" | "exec", out: string, code = 0): void {
  fs.writeFileSync(path.join(dir, `${kind}.out`), out);
  fs.writeFileSync(path.join(dir, `${kind}.code`), String(code));
}

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "cmw-facility-host-"));
  fs.writeFileSync(path.join(dir, "ssh"), [
    "#!/bin/bash",
    // ssh's arguments end with `-- HOST COMMAND` (sshTarget): run COMMAND.
    'while [[ $# -gt 0 && $1 != -- ]]; do shift; done; shift 2',
    `[[ -f ${dir}/unreachable ]] && { echo "ssh: connect to host h port 22: Connection refused" >&2; exit 255; }`,
    'exec bash -c "$1"',
  ].join("\n"), { mode: 0o755 });
  // docker: prints each argument on a line to args, then answers by the subcommand.
  fs.writeFileSync(path.join(dir, "docker"), [
    "#!/bin/bash",
    `printf '%s\\n' "$@" > ${dir}/args.$1.$2`,
    'case "$1 $2" in "inspect --type") k=inspect;; "image inspect") k=image;; exec*) k=exec;; esac',
    `code=$(cat ${dir}/$k.code); if [[ $code == 0 ]]; then cat ${dir}/$k.out; else cat ${dir}/$k.out >&2; fi; exit $code`,
  ].join("\n"), { mode: 0o755 });
  process.env.PATH = `${dir}:${savedPath}`;
  answer("inspect", `running\t${ID}\t${ID}\n`);
  answer("image", '["clinicmaster/connect:7-new","mirror/connect:7"]\t["clinicmaster/connect@sha256:abc"]\n');
  answer("exec", JSON.stringify({ connector: { state: "RUNNING" }, tasks: [{ id: 0, state: "RUNNING" }] }));
});
afterEach(() => {
  process.env.PATH = savedPath;
  fs.rmSync(dir, { recursive: true, force: true });
});

const look = () => lookAtAgent("ssh://root@h", [], "cmw-central-facility-a", 8083, "cmw-facility-a-source", 2);

describe("lookAtAgent", () => {
  it("reads the container's state and image ID, the names the host has for it, and the connector", async () => {
    expect(await look()).toEqual({
      hostReachable: true, agentState: "running",
      agentImage: { id: ID, configured: ID, references: ["clinicmaster/connect:7-new", "mirror/connect:7", "clinicmaster/connect@sha256:abc"] },
      connector: { connector: { state: "RUNNING" }, tasks: [{ id: 0, state: "RUNNING" }] },
    });
    // The format strings reach docker intact through the remote shell, tabs and all.
    expect(fs.readFileSync(path.join(dir, "args.inspect.--type"), "utf8")).toContain("--format\n{{.State.Status}}\t{{.Image}}\t{{.Config.Image}}\ncmw-central-facility-a\n");
    expect(fs.readFileSync(path.join(dir, "args.image.inspect"), "utf8")).toBe(`image\ninspect\n--format\n{{json .RepoTags}}\t{{json .RepoDigests}}\n${ID}\n`);
  });
  it("still reads the image of a stopped agent, and does not ask its worker", async () => {
    answer("inspect", `exited\t${ID}\t${ID}\n`);
    expect(await look()).toEqual({ hostReachable: true, agentState: "exited", agentImage: { id: ID, configured: ID, references: ["clinicmaster/connect:7-new", "mirror/connect:7", "clinicmaster/connect@sha256:abc"] } });
    expect(fs.existsSync(path.join(dir, "args.exec.cmw-central-facility-a"))).toBe(false);
  });
  it("gives an image removed since the container was made no name", async () => {
    answer("image", `Error response from daemon: No such image: ${ID}`, 1);
    expect((await look()).agentImage).toEqual({ id: ID, configured: ID, references: [] });
  });
  it("says why the image could not be read", async () => {
    answer("image", "permission denied while trying to connect to the Docker daemon socket", 1);
    expect((await look()).agentImage).toEqual({ error: "docker image inspect failed: permission denied while trying to connect to the Docker daemon socket" });
  });
  it("reports a missing container, and an unreachable host with ssh's error", async () => {
    answer("inspect", "Error: No such container: cmw-central-facility-a", 1);
    expect(await look()).toEqual({ hostReachable: true, agentState: "missing" });
    fs.writeFileSync(path.join(dir, "unreachable"), "");
    expect(await look()).toEqual({ hostReachable: false, hostError: "ssh: connect to host h port 22: Connection refused" });
  });
});
