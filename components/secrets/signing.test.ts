import { facilitySigningKeyText, minSigningGenerations, signingKeyId, signingMasterText } from "./signing";

describe("record signing keys", () => {
  it("derive a facility's key byte for byte as VerifyRecord does (shared vector)", () => {
    // printf 'cmw.sign.key.v1\nFAC-A\ng1' | openssl dgst -sha256 -hmac mmm…(40) -binary | base64
    expect(facilitySigningKeyText("m".repeat(40), "FAC-A", 1)).toBe("uVhWjxsSwP9wEfVo0/JWtf4g+HGd7/bwZW38cLwfVRg=");
  });
  it("differ by facility and generation, and are long enough for SignRecord", () => {
    const master = signingMasterText("s".repeat(44));
    const keys = [facilitySigningKeyText(master, "FAC-A", 1), facilitySigningKeyText(master, "FAC-B", 1), facilitySigningKeyText(master, "FAC-A", 2)];
    expect(new Set(keys).size).toBe(3);
    for (const k of keys) expect(Buffer.byteLength(k)).toBeGreaterThanOrEqual(32);
    expect(master).toHaveLength(48);
    expect(signingMasterText("t".repeat(44))).not.toBe(master);
  });
  it("name the generation in the key id", () => {
    expect(signingKeyId(3)).toBe("g3");
  });
  it("retire keys two generations old, leaving facilities that never rotated twice out", () => {
    expect(minSigningGenerations([{ code: "B", generation: 3 }, { code: "A", generation: 1 }, { code: "C", generation: 2 }, { code: "A2", generation: 10 }])).toBe("A2=9,B=2");
    expect(minSigningGenerations([])).toBe("");
  });
});
