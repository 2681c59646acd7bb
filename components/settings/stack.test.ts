import * as fs from "fs";
import { withConfigBlock } from "./doc";
import { STACK_SETTING_KEYS, SettingsError, parseStackSettings, settingsFor } from "./stack";

const SECRET = new Set(["kafkaAdminPassword", "pgAdminPassword", "credentialSeed"]);
const minimal = {
  kafkaBootstrapServers: '["k1:9093"]', kafkaAdminUser: "admin", kafkaAdminPassword: "p", credentialSeed: "s".repeat(44),
  pgHost: "db", pgAdminUser: "admin", pgAdminPassword: "p", connectImage: "img:1",
};
const problems = (raw: Record<string, string>, secret: Set<string> | undefined = SECRET) => {
  try { parseStackSettings(raw, secret); return []; } catch (e) { return (e as SettingsError).message.split("\n"); }
};

describe("the settings schema", () => {
  it("is what Pulumi.yaml documents (npm run settings-doc rewrites it)", () => {
    const text = fs.readFileSync(`${__dirname}/../../Pulumi.yaml`, "utf8");
    expect(withConfigBlock(text)).toBe(text);
    for (const key of STACK_SETTING_KEYS) expect(text).toMatch(new RegExp(`^(  |#   )${key}\\b`, "m"));
  });
  it("fills every default from the schema alone", () => {
    const s = parseStackSettings(minimal, SECRET);
    expect(s).toMatchObject({ dataTopicPartitions: 6, replicationFactor: 1, pgPort: 5432, pgSslMode: "require", sinkState: "running", kafkaTlsEnabled: true,
      statusThresholds: { heartbeatMaxAgeSeconds: 180, sinkMaxLag: 10000, dlqMaxGrowth: 0 }, facilityPasswordGenerations: {}, facilitiesDir: "facilities" });
  });
  it("reads config text: numbers, booleans, lists and maps", () => {
    const s = parseStackSettings({ ...minimal, pgPort: "15432", kafkaTlsEnabled: "false", tables: '["Visits"]', sinkConnectorOverrides: '{"batch.size": 1000, "x": true}', facilityPasswordGenerations: '{"fac-b": 2}' }, SECRET);
    expect(s).toMatchObject({ pgPort: 15432, kafkaTlsEnabled: false, tables: ["Visits"], sinkConnectorOverrides: { "batch.size": "1000", x: "true" }, facilityPasswordGenerations: { "fac-b": 2 } });
  });
  it("keeps a password that looks like a number or JSON as text", () => {
    expect(parseStackSettings({ ...minimal, kafkaAdminPassword: "12345678", pgAdminPassword: "[abc" }, SECRET)).toMatchObject({ kafkaAdminPassword: "12345678", pgAdminPassword: "[abc" });
  });
  it("names every problem at once, one line each, with the fix", () => {
    expect(problems({ ...minimal, dataTopicPartitions: "0", sinkState: "stopped", pgSSLMode: "disable", credentialSeed: "short", facilityPasswordGenerations: '{"fac-b": 0}', statusThresholds: '{"lag": 1}' })).toEqual([
      "setting dataTopicPartitions: 0 is out of range; use a whole number from 1 to 1000",
      'setting credentialSeed: is 5 characters long; use at least 32 random ones: pulumi config set --secret credentialSeed "$(head -c 32 /dev/urandom | base64)"',
      'setting sinkState: "stopped" is not a connector state; use running or paused',
      "setting statusThresholds: unknown key lag; known keys are heartbeatMaxAgeSeconds, sinkMaxLag, dlqMaxGrowth",
      "setting facilityPasswordGenerations: fac-b: 0 is out of range; use a whole number from 1 to 1000000",
      "setting pgSSLMode: unknown setting; did you mean pgSslMode?",
    ]);
  });
  it("says how to set a missing one, and refuses a secret stored in plain text", () => {
    const { connectImage: _, ...rest } = minimal;
    expect(problems(rest)).toEqual(["setting connectImage: missing; set it with pulumi config set connectImage <value>"]);
    expect(problems(minimal, new Set(["pgAdminPassword", "credentialSeed"]))).toEqual(["setting kafkaAdminPassword: is stored in plain text; store it as a secret: pulumi config set --secret kafkaAdminPassword <value>"]);
    expect(problems(minimal, undefined)).toEqual([]);
  });
  it("refuses invisible characters in text settings and bad hosts", () => {
    expect(problems({ ...minimal, pgHost: "db\u200b", kafkaBootstrapServers: '["k1:9093", "nope"]', centralDockerHost: "ssh://-oProxyCommand=x@h" })).toEqual([
      'setting kafkaBootstrapServers: 1: "nope" is not host:port',
      "setting pgHost: contains the invisible or line-breaking character U+200B; retype it",
      'setting centralDockerHost: "ssh://-oProxyCommand=x@h" is not a Docker host; write unix:///path or ssh://user@host[:port]',
    ]);
  });
  it("keeps settings it does not know for facility files (their database passwords)", () => {
    expect(settingsFor({}).extra).toEqual({});
    expect(parseStackSettings({ ...minimal, "fac-a-db-password": "x" }, SECRET).extra).toEqual({ "fac-a-db-password": "x" });
  });
});
