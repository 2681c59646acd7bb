import { parse } from "yaml";
import { loadFacilities } from "../settings/facility";
import { ANY_SECRET } from "../settings/stack";
import { envFile, filledEnvFile, planComposeBundle } from "./bundle";
import { facilityNames, planFacilityWorkerEnv } from "./plan";

const [f] = loadFacilities([{
  path: "facilities/fac-b.yaml",
  text: 'name: "Kyaka \\"HC\\" & Co"\ndhis2Code: "FAC-B"\nhost: ssh://cmw@h\nsource: {engine: postgres, host: db, database: cm, user: u, passwordSecret: fac-b-pw}\n',
}], ANY_SECRET);
const kafka = { bootstrap: ["kafka:9093"], tls: true, replicationFactor: 3 };
const names = facilityNames(f, "central");
const bundle = planComposeBundle(f, names, kafka, "registry/clinicmaster/connect:1", 6, 1);

describe("compose bundle", () => {
  const compose = parse(bundle.files["docker-compose.yml"]);
  const agent = compose.services.agent;
  it("runs the same image, host network, restart policy and memory limit as under Pulumi", () => {
    expect(agent).toMatchObject({ image: "registry/clinicmaster/connect:1", network_mode: "host", restart: "unless-stopped", mem_limit: "1536m" });
    expect(agent.volumes).toEqual(["./connectors:/etc/connect-agent/connectors:ro"]);
  });
  it("carries the worker env of the FacilityStack, with `$` doubled for compose", () => {
    for (const line of planFacilityWorkerEnv(names, kafka, 8083)) {
      const [k, ...v] = line.split("=");
      expect(agent.environment[k]).toBe(v.join("=").replace(/\$/g, "$$$$"));
    }
  });
  it("takes the passwords from .env as compose secrets (files), never as the container's environment", () => {
    expect(Object.keys(agent.environment).filter((k) => /PASSWORD/.test(k))).toEqual([]);
    expect(agent.secrets).toEqual(["database_password", "kafka_password", "signing_key"]);
    expect(compose.secrets).toEqual({ database_password: { environment: "DATABASE_PASSWORD" }, kafka_password: { environment: "KAFKA_PASSWORD" }, signing_key: { environment: "SIGNING_KEY" } });
    expect(agent.environment.CONNECT_SECRETS_FILE).toBe("/etc/kafka-connect/secrets/facility.properties");
    expect(agent.environment.CONNECT_SECRETS_FROM_DIR).toBe("/run/secrets");
    expect(bundle.files[".env.sample"]).toMatch(/^KAFKA_PASSWORD=$/m);
    expect(bundle.files[".env.sample"]).toMatch(/^SIGNING_KEY=$/m);
    const connector = JSON.parse(bundle.files["connectors/cmw-facility-fac-b-source.json"]);
    expect(connector["transforms.name.static.value"]).toBe('Kyaka "HC" & Co');
    // The compose agent signs as the Pulumi-managed one does, its key as a secret reference.
    expect(connector).toMatchObject({ "transforms.sign.code": "FAC-B", "transforms.sign.key": "${file:/etc/kafka-connect/secrets/facility.properties:signing.key}", "transforms.sign.key.id": "g1" });
  });
});

describe("env files", () => {
  it("keep any password literal", () => {
    expect(envFile({ A: "pa$s word#1" }, [])).toBe("A='pa$s word#1'\n");
    expect(envFile({ A: `it's "$x" \\` }, [])).toBe(`A="it's \\"$$x\\" \\\\"\n`);
    expect(filledEnvFile("k", "d", "s")).toMatch(/^KAFKA_PASSWORD='k'\nDATABASE_PASSWORD='d'\nSIGNING_KEY='s'\n$/m);
  });
});

describe("a hostile facility name", () => {
  // Names that end a YAML comment line, start a new key, or close a quote, as a contributor could write them.
  const hostile = [
    "Fac\u2028services: {evil: {image: x}}",
    "Fac\nservices:\n  evil: {image: x}",
    "Fac' : {x: 1}, '",
    'Fac": x\nversion: "9',
    "Fac # comment\n---\nservices: {}",
    "${KAFKA_PASSWORD}",
  ];
  it.each(hostile)("cannot change docker-compose.yml's structure: %j", (name) => {
    const b = planComposeBundle({ ...f, name }, names, kafka, "img", 6, 1);
    const parsed = parse(b.files["docker-compose.yml"]);
    expect(Object.keys(parsed).sort()).toEqual(["name", "secrets", "services"]);
    expect(Object.keys(parsed.services)).toEqual(["agent"]);
    expect(parsed.services.agent.labels["clinicmaster.facility-name"]).toBe(name.replace(/\$/g, "$$$$"));
    // The header comment never carries the name.
    expect(b.files["docker-compose.yml"].split("\n").filter((l: string) => l.startsWith("#")).join("\n")).not.toContain("Fac");
  });
});
