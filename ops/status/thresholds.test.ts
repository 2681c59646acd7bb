import { STATUS_THRESHOLD_DEFAULTS, normalizeStatusThresholds } from "./thresholds";

describe("normalizeStatusThresholds", () => {
  it("fills in defaults and takes numbers given as text (pulumi config set)", () => {
    expect(normalizeStatusThresholds(undefined)).toEqual(STATUS_THRESHOLD_DEFAULTS);
    expect(normalizeStatusThresholds({ sinkMaxLag: "500" })).toEqual({ ...STATUS_THRESHOLD_DEFAULTS, sinkMaxLag: 500 });
  });
  it("names every bad key and value, one line each", () => {
    expect(() => normalizeStatusThresholds({ heartbeatMaxAge: 10, dlqMaxGrowth: -1 })).toThrow(
      "statusThresholds: unknown key heartbeatMaxAge; known keys are heartbeatMaxAgeSeconds, sinkMaxLag, dlqMaxGrowth\n" +
      "statusThresholds: dlqMaxGrowth: -1 is not a whole number of 0 or more");
    expect(() => normalizeStatusThresholds([1])).toThrow("statusThresholds: expected a map");
  });
});
