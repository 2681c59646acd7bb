import { signLinesCommand } from "./signing";

describe("signLinesCommand", () => {
  it("runs SignLines in the sink worker through the central Docker host", () => {
    expect(signLinesCommand("unix:///var/run/docker.sock", [], "cmw-central-sink-worker-0")).toEqual({
      file: "docker",
      args: ["-H", "unix:///var/run/docker.sock", "exec", "-i", "cmw-central-sink-worker-0", "java", "-cp",
        "/opt/connect/lib/*:/opt/connect/plugins/cmw-connect-transforms/*", "org.clinicmaster.warehouse.connect.transforms.SignLines"],
    });
  });
  it("over ssh, with the stack's ssh options and every remote argument quoted", () => {
    const { file, args } = signLinesCommand("ssh://ops@central:2222", ["-i", "/k"], "w0");
    expect(file).toBe("ssh");
    expect(args.slice(0, 9)).toEqual(["-i", "/k", "-o", "BatchMode=yes", "-l", "ops", "-p", "2222", "--"]);
    expect(args[args.length - 1]).toBe("docker exec -i w0 java -cp '/opt/connect/lib/*:/opt/connect/plugins/cmw-connect-transforms/*' org.clinicmaster.warehouse.connect.transforms.SignLines");
  });
});
