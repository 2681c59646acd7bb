import { CredentialSeedError, derivePasswordText } from "./derived";

const seed = "k6U1p0vJ0q8r3c8mQ9dZbq3hH1tqk2QeTz8m1c4WfXo=";

describe("derivePasswordText", () => {
  it("is stable for the same seed, purpose and generation", () => {
    expect(derivePasswordText(seed, "kafka:cmw-facility-a", 1)).toBe(derivePasswordText(seed, "kafka:cmw-facility-a", 1));
  });
  it("differs by purpose, generation and seed", () => {
    const all = [
      derivePasswordText(seed, "kafka:cmw-facility-a", 1),
      derivePasswordText(seed, "kafka:cmw-facility-b", 1),
      derivePasswordText(seed, "kafka:cmw-facility-a", 2),
      derivePasswordText(seed.replace("k6", "k7"), "kafka:cmw-facility-a", 1),
    ];
    expect(new Set(all).size).toBe(4);
  });
  it("gives 32 letters and digits, nothing that needs quoting", () => {
    for (let g = 1; g <= 50; g++) expect(derivePasswordText(seed, "p", g)).toMatch(/^[A-HJ-NP-Za-km-z2-9]{32}$/);
    expect(derivePasswordText(seed, "p", 1, 100)).toHaveLength(100);
  });
  it("refuses a short seed, saying how long it must be", () => {
    expect(() => derivePasswordText("short", "p", 1)).toThrow(CredentialSeedError);
    expect(() => derivePasswordText("short", "p", 1)).toThrow("credentialSeed is 5 characters long; use at least 32 random ones");
  });
});
