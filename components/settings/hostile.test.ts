import { HOSTILE, UNUSUAL_BUT_VALID } from "./hostile.cases";
import { SecretLookup, loadFacilities, parseFacility } from "./facility";
import { STACK_SETTING_KEYS } from "./stack";

// The stack of these files: its own secrets, one of another facility's, one stored in plain text.
const SET = new Set(["fac-a-db-password", "fac-b-db-password", "fac-a-plain-password", "credentialSeed", "kafkaAdminPassword", "pgAdminPassword"]);
const secrets: SecretLookup = { isSet: (k) => SET.has(k), isSecret: (k) => k !== "fac-a-plain-password", reserved: STACK_SETTING_KEYS };

describe("a hostile or malformed facility file gets exactly one line naming file, field and fix", () => {
  it.each(HOSTILE)("%s", (_what, path, text, expected) => {
    expect(parseFacility({ path, text }, secrets).problems).toEqual([expected]);
  });
  it("there are at least 60 of them", () => expect(HOSTILE.length).toBeGreaterThanOrEqual(60));
});

describe("an unusual but valid facility file passes", () => {
  it.each(UNUSUAL_BUT_VALID)("%s", (_what, path, text) => {
    expect(parseFacility({ path, text }, secrets).problems).toEqual([]);
  });
});

describe("across files, look-alikes are one", () => {
  const file = (slug: string, code: string, host: string) => ({
    path: `facilities/${slug}.yaml`,
    text: `name: x\ndhis2Code: "${code}"\nhost: ${host}\nsource: {engine: mariadb, host: db, database: cm, user: u, passwordSecret: ${slug}-db-password}\n`,
  });
  const all: SecretLookup = { isSet: () => true, isSecret: () => true, reserved: STACK_SETTING_KEYS };
  it("refuses a code that differs only by case or width", () => {
    expect(() => loadFacilities([file("fac-a", "FAC-A", "ssh://u@h1"), file("fac-b", "ｆａｃ-ａ", "ssh://u@h2")], all))
      .toThrow('facilities/fac-b.yaml: dhis2Code: "ｆａｃ-ａ" is already used by facilities/fac-a.yaml; every facility needs its own DHIS2 code');
  });
  it("refuses the same host written in another case with the same REST port", () => {
    expect(() => loadFacilities([file("fac-a", "A", "ssh://u@Host.Example"), file("fac-b", "B", "ssh://v@host.example:22")], all))
      .toThrow("facilities/fac-b.yaml: restPort: 8083 is already used on host.example by facilities/fac-a.yaml; give one of them another restPort");
  });
  it("finds duplicates among 2,000 tables in linear time", () => {
    const text = file("fac-a", "A", "ssh://u@h").text + "tables:\n" + Array.from({ length: 2000 }, (_, i) => `  - T${i % 1999}`).join("\n") + "\n";
    const start = Date.now();
    expect(parseFacility({ path: "facilities/fac-a.yaml", text }, all).problems).toEqual(['facilities/fac-a.yaml: tables: "T0" listed twice; keep each once']);
    expect(Date.now() - start).toBeLessThan(2000);
  });
});
