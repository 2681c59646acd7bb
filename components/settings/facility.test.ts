import { FacilityConfigError, FacilityFile, SecretLookup, loadFacilities, parseFacility } from "./facility";
import { STACK_SETTING_KEYS } from "./stack";

const SECRETS = new Set(["fac-a-db-password", "fac-b-db-password", "a-db-password", "b-db-password", "z-db-password", "fac-c-db-password"]);
const secretIsSet: SecretLookup = { isSet: (k) => SECRETS.has(k), isSecret: () => true, reserved: STACK_SETTING_KEYS };

const good = (over: Record<string, string> = {}) => {
  const v = { name: '"Fac A"', code: '"FAC-A"', host: "ssh://cmw@10.0.0.1", engine: "mariadb", passwordSecret: "fac-a-db-password", ...over };
  return [
    `name: ${v.name}`,
    `dhis2Code: ${v.code}`,
    `host: ${v.host}`,
    "source:",
    `  engine: ${v.engine}`,
    "  host: 10.0.0.2",
    "  database: ClinicMaster",
    "  user: debezium",
    `  passwordSecret: ${v.passwordSecret}`,
    "",
  ].join("\n");
};

function problemsOf(path: string, text: string): string[] {
  return parseFacility({ path, text }, secretIsSet).problems;
}

describe("a valid facility file", () => {
  it("gets the engine's defaults filled in", () => {
    const [f] = loadFacilities([{ path: "facilities/fac-a.yaml", text: good() }], secretIsSet);
    expect(f).toMatchObject({
      slug: "fac-a", name: "Fac A", dhis2Code: "FAC-A", memoryLimitMb: 1536, restPort: 8083,
      excludedColumns: ["Patients.Photo", "Patients.FingerPrint"],
      source: { engine: "mariadb", port: 3306, database: "ClinicMaster", user: "debezium", passwordSecret: "fac-a-db-password" },
    });
    expect(f.tables).toBeUndefined();
    expect(f.source.schema).toBeUndefined();
  });
  it("defaults to SQL Server, schema dbo, encrypted", () => {
    const [f] = loadFacilities([{ path: "facilities/fac-a.yaml", text: good({ engine: "sqlserver" }) }], secretIsSet);
    expect(f.source).toMatchObject({ engine: "sqlserver", port: 1433, schema: "dbo", encrypt: true, trustServerCertificate: false });
  });
  it("carries quotes, slashes, ampersands, backslashes and non-ASCII letters in names exactly", () => {
    const name = `St. Mary's "Mission" Hospital & Clinic / Kyaka\\East — Ölüm Ñandú 病院`;
    const [f] = loadFacilities([{ path: "facilities/fac-a.yaml", text: good({ name: JSON.stringify(name) }) }], secretIsSet);
    expect(f.name).toBe(name);
  });
  it("the commented example is itself valid", () => {
    const fs = require("fs");
    const text = fs.readFileSync(`${__dirname}/../../facilities/example.yaml.sample`, "utf8");
    const { facility, problems } = parseFacility({ path: "facilities/st-marys.yaml", text }, { isSet: (k) => k === "st-marys-db-password", isSecret: () => true, reserved: [] });
    expect(problems).toEqual([]);
    expect(facility!.dhis2Uid).toBe("Xy12AbC34dE");
  });
});

// Each malformed file and the one line it must produce: file, field, and the fix.
const malformed: Array<[string, string, string, string]> = [
  ["YAML syntax", "facilities/fac-a.yaml", "name: [unclosed\n", "facilities/fac-a.yaml: not valid YAML at line 2: Flow sequence in block collection must be sufficiently indented and end with a ]; fix the syntax"],
  ["an empty file", "facilities/fac-a.yaml", "", "facilities/fac-a.yaml: the file is empty; copy facilities/example.yaml.sample and fill it in"],
  ["a list at the top", "facilities/fac-a.yaml", "- name: x\n", "facilities/fac-a.yaml: expected key: value pairs at the top (name, dhis2Code, host, source, ...); see facilities/example.yaml.sample"],
  ["a .yml file", "facilities/a.yml", good(), "facilities/a.yml: facility files end in .yaml; rename it to a.yaml"],
  ["a file name that is no slug", "facilities/St Marys.yaml", good(), 'facilities/St Marys.yaml: file name "St Marys" is not a slug; rename the file to lowercase letters, digits and dashes (at most 40), e.g. st-marys.yaml'],
  ["a missing name", "facilities/fac-a.yaml", good().replace('name: "Fac A"\n', ""), "facilities/fac-a.yaml: name: missing; it is required"],
  ["a name over two lines", "facilities/fac-a.yaml", good({ name: '"Fac\\nA"' }), "facilities/fac-a.yaml: name: contains a line break or control character; write it on one line"],
  ["a config reference in the name", "facilities/fac-a.yaml", good({ name: '"${file:/etc/passwd:x}"' }), 'facilities/fac-a.yaml: name: contains "${", which Kafka Connect reads as a secret reference; remove it'],
  ["a missing code", "facilities/fac-a.yaml", good().replace('dhis2Code: "FAC-A"\n', ""), "facilities/fac-a.yaml: dhis2Code: missing; give the facility's DHIS2 code, in quotes"],
  ["a code read as a number", "facilities/fac-a.yaml", good({ code: "00123" }), 'facilities/fac-a.yaml: dhis2Code: 123 was read as a number; put the code in quotes so it is kept exactly, e.g. dhis2Code: "123"'],
  ["a code with spaces around", "facilities/fac-a.yaml", good({ code: '" FAC "' }), 'facilities/fac-a.yaml: dhis2Code: " FAC " has surrounding spaces or more than 50 characters; write the code exactly'],
  ["a bad DHIS2 uid", "facilities/fac-a.yaml", good() + "dhis2Uid: 12345\n", "facilities/fac-a.yaml: dhis2Uid: 12345 is not a DHIS2 uid; use 11 letters and digits starting with a letter, or remove the key"],
  ["a host that is not ssh://", "facilities/fac-a.yaml", good({ host: "tcp://10.0.0.1:2375" }), 'facilities/fac-a.yaml: host: "tcp://10.0.0.1:2375" is not an SSH Docker host; write ssh://user@host or ssh://user@host:port (IPv6 as ssh://user@[fd00::20]:22; user and host may not start with \"-\")'],
  ["an unknown top-level key, near a known one", "facilities/fac-a.yaml", good() + "memoryLimitMB: 2048\n", "facilities/fac-a.yaml: memoryLimitMB: unknown key; did you mean memoryLimitMb?"],
  ["an unknown source key", "facilities/fac-a.yaml", good().replace("  host: 10.0.0.2", "  hostname: 10.0.0.2"), "facilities/fac-a.yaml: source.hostname: unknown key; did you mean host?"],
  ["no source", "facilities/fac-a.yaml", good().split("source:")[0], "facilities/fac-a.yaml: source: missing; describe the facility's database (engine, host, database, user, passwordSecret)"],
  ["an unsupported engine", "facilities/fac-a.yaml", good({ engine: "oracle" }), 'facilities/fac-a.yaml: source.engine: "oracle" is not supported; use one of sqlserver, mysql, mariadb, postgres (default sqlserver)'],
  ["a port out of range", "facilities/fac-a.yaml", good() .replace("  host: 10.0.0.2", "  host: 10.0.0.2\n  port: 99999"), "facilities/fac-a.yaml: source.port: 99999 is out of range; use a whole number from 1 to 65535"],
  ["a password instead of a secret name", "facilities/fac-a.yaml", good({ passwordSecret: '"pa ss!"' }), "facilities/fac-a.yaml: source.passwordSecret: must be the NAME of a stack secret, not the password; e.g. passwordSecret: st-marys-db-password"],
  ["a secret that is not set", "facilities/fac-a.yaml", good({ passwordSecret: "fac-a-nope-password" }), 'facilities/fac-a.yaml: source.passwordSecret: stack secret "fac-a-nope-password" is not set; run: pulumi config set --secret fac-a-nope-password <the database password>'],
  ["a schema on MariaDB", "facilities/fac-a.yaml", good() + "  schema: dbo\n", "facilities/fac-a.yaml: source.schema: mariadb has no schemas (the database is the schema); remove the key"],
  ["encrypt on a non-SQL Server source", "facilities/fac-a.yaml", good() + "  encrypt: false\n", "facilities/fac-a.yaml: source.encrypt: only applies to sqlserver sources; remove the key"],
  ["encrypt that is not a boolean", "facilities/fac-a.yaml", good({ engine: "sqlserver" }) + '  encrypt: "no"\n', 'facilities/fac-a.yaml: source.encrypt: "no" is not true or false'],
  ["tables that is not a list", "facilities/fac-a.yaml", good() + "tables: Visits\n", "facilities/fac-a.yaml: tables: expected a list (- item per line) of a table name such as Visits"],
  ["a table twice", "facilities/fac-a.yaml", good() + "tables: [Visits, Visits]\n", 'facilities/fac-a.yaml: tables: "Visits" listed twice; keep each once'],
  ["an excluded column without its table", "facilities/fac-a.yaml", good() + "excludedColumns: [Photo]\n", 'facilities/fac-a.yaml: excludedColumns: "Photo" is not Table.Column such as Patients.Photo'],
  ["a memory limit too small", "facilities/fac-a.yaml", good() + "memoryLimitMb: 128\n", "facilities/fac-a.yaml: memoryLimitMb: 128 is out of range; use a whole number from 512 to 65536"],
  ["a key given twice", "facilities/fac-a.yaml", good() + 'name: "Again"\n', "facilities/fac-a.yaml: not valid YAML at line 10: Map keys must be unique; fix the syntax"],
  ["an agent that is neither ssh nor compose", "facilities/fac-a.yaml", good() + "agent: kubernetes\n", 'facilities/fac-a.yaml: agent: "kubernetes" is not a way to run the agent; use ssh (pulumi up runs it on host, the default) or compose (the site runs the compose bundle)'],
  ["a host for a compose site", "facilities/fac-a.yaml", good() + "agent: compose\n", "facilities/fac-a.yaml: host: not used with agent: compose (the site runs the compose bundle; Pulumi reaches no host); remove it"],
];

describe("a malformed facility file gets one line naming file, field and fix", () => {
  it.each(malformed)("%s", (_what, path, text, expected) => {
    const problems = problemsOf(path, text);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toBe(expected);
  });
  it("there are at least 20 of them", () => expect(malformed.length).toBeGreaterThanOrEqual(20));
});

describe("a compose site", () => {
  it("needs no host, and shares no REST port check with the ssh agents", () => {
    const compose = good().replace("host: ssh://cmw@10.0.0.1\n", "agent: compose\n").replace('"FAC-A"', '"FAC-C"').replace("fac-a-db-password", "fac-c-db-password");
    const [a, c] = loadFacilities([{ path: "facilities/fac-a.yaml", text: good() }, { path: "facilities/fac-c.yaml", text: compose }], secretIsSet);
    expect(a).toMatchObject({ agent: "ssh", host: "ssh://cmw@10.0.0.1" });
    expect(c.agent).toBe("compose");
    expect(c.host).toBeUndefined();
  });
});

describe("across files", () => {
  const a: FacilityFile = { path: "facilities/fac-a.yaml", text: good() };
  it("rejects a duplicate code, whatever its case", () => {
    const b = { path: "facilities/fac-b.yaml", text: good({ code: '"fac-a"', host: "ssh://cmw@10.0.0.9", passwordSecret: "fac-b-db-password" }) };
    expect(() => loadFacilities([a, b], secretIsSet)).toThrow(
      new FacilityConfigError('facilities/fac-b.yaml: dhis2Code: "fac-a" is already used by facilities/fac-a.yaml; every facility needs its own DHIS2 code'));
  });
  it("rejects two agents on one host and REST port", () => {
    const b = { path: "facilities/fac-b.yaml", text: good({ code: '"FAC-B"', passwordSecret: "fac-b-db-password" }) };
    expect(() => loadFacilities([a, b], secretIsSet)).toThrow(/fac-b.yaml: restPort: 8083 is already used on 10.0.0.1 by facilities\/fac-a.yaml/);
  });
  it("reports every problem of every file at once, in file order", () => {
    const bad1 = { path: "facilities/z.yaml", text: good({ engine: "db2", passwordSecret: "z-db-password" }) };
    const bad2 = { path: "facilities/b.yaml", text: good({ host: "nowhere", passwordSecret: "b-db-password" }) + "color: red\n" };
    try {
      loadFacilities([bad1, a, bad2], secretIsSet);
      throw new Error("expected an error");
    } catch (e) {
      expect((e as Error).message.split("\n")).toEqual([
        "facilities/b.yaml: color: unknown key; known keys are name, dhis2Code, dhis2Uid, agent, host, source, tables, excludedColumns, memoryLimitMb, restPort, readers",
        'facilities/b.yaml: host: "nowhere" is not an SSH Docker host; write ssh://user@host or ssh://user@host:port (IPv6 as ssh://user@[fd00::20]:22; user and host may not start with \"-\")',
        'facilities/z.yaml: source.engine: "db2" is not supported; use one of sqlserver, mysql, mariadb, postgres (default sqlserver)',
      ]);
    }
  });
});

describe("the demo facilities of scripts/up.sh", () => {
  it("are valid and collide in nothing", () => {
    const { readFacilityFiles } = require("./files");
    const demo = readFacilityFiles(`${__dirname}/../../demo/facilities`, { isSet: () => true, isSecret: () => true, reserved: [] });
    expect(demo.map((f: { slug: string; source: { engine: string } }) => `${f.slug}:${f.source.engine}`)).toEqual(["demo-kyaka:mariadb", "demo-lacor:postgres"]);
  });
});
