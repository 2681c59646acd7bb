import { UsageError, parallelOf } from "./stack";

describe("parallelOf (--parallel of the fleet's pulumi runs)", () => {
  it("defaults to 32 and takes 1 to 256", () => {
    expect(parallelOf(undefined)).toBe(32);
    expect(parallelOf("1")).toBe(1);
    expect(parallelOf("256")).toBe(256);
  });
  it.each(["0", "257", "-4", "8x", "", "1e2", " 8"])("refuses %j, naming it", (v) => {
    expect(() => parallelOf(v)).toThrow(UsageError);
    expect(() => parallelOf(v)).toThrow(`--parallel takes a whole number from 1 to 256, not ${JSON.stringify(v)}`);
  });
});
