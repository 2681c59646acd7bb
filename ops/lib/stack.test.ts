import { UsageError, parallelArgs, parallelOf } from "./stack";

describe("parallelOf (--parallel of the fleet's pulumi runs)", () => {
  it("leaves Pulumi's default when absent, and takes 1 to 256", () => {
    expect(parallelOf(undefined)).toBeUndefined();
    expect(parallelArgs(undefined)).toEqual([]);
    expect(parallelArgs(parallelOf("32"))).toEqual(["--parallel", "32"]);
    expect(parallelOf("1")).toBe(1);
    expect(parallelOf("256")).toBe(256);
  });
  it.each(["0", "257", "-4", "8x", "", "1e2", " 8"])("refuses %j, naming it", (v) => {
    expect(() => parallelOf(v)).toThrow(UsageError);
    expect(() => parallelOf(v)).toThrow(`--parallel takes a whole number from 1 to 256, not ${JSON.stringify(v)}`);
  });
});
