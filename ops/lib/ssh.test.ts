import { execFileSync } from "child_process";
import { remoteCommand, shellQuote, sshTarget } from "./ssh";

describe("sshTarget", () => {
  it("turns a facility host into ssh arguments", () => {
    expect(sshTarget("ssh://cmw@10.20.30.40:2222")).toEqual(["-l", "cmw", "-p", "2222", "--", "10.20.30.40"]);
    expect(sshTarget("ssh://root@host")).toEqual(["-l", "root", "--", "host"]);
    expect(sshTarget("ssh://root@[fd00::20]:22")).toEqual(["-l", "root", "-p", "22", "--", "fd00::20"]);
  });
  it("refuses anything else", () => {
    expect(() => sshTarget("tcp://h:2375")).toThrow("is not ssh://user@host[:port]");
    expect(() => sshTarget("ssh://-oProxyCommand=x@h")).toThrow("is not ssh://user@host[:port]");
    expect(() => sshTarget("ssh://u@-oProxyCommand=x")).toThrow("is not ssh://user@host[:port]");
  });
});

describe("remoteCommand", () => {
  it("leaves plain words alone and quotes the rest so a shell reads them back exactly", () => {
    expect(shellQuote("http://127.0.0.1:8083/connectors/x/status")).toBe("http://127.0.0.1:8083/connectors/x/status");
    const args = ["docker", "inspect", "--format", "{{.State.Status}}", "it's $(bad) `x` \"q\" \\ ;"];
    const line = remoteCommand(args);
    const echoed = execFileSync("bash", ["-c", `for a in ${line}; do printf '%s\\0' "$a"; done`], { encoding: "utf8" });
    expect(echoed.split("\0").slice(0, -1)).toEqual(args);
  });
});
