import { stringify } from "yaml";
import { sortedJson } from "../json";
import { KAFKA_CA_FILE, TLS_DIR } from "../connect/worker";
import { Facility } from "../settings/facility";
import { FACILITY_SECRETS_FILE, FacilityKafka, FacilityNames, planFacilityWorkerEnv, planSourceConnectorConfig } from "./plan";

/**
 * The compose bundle of a facility the central team cannot reach over SSH: the same image, the
 * same worker settings and the same connector as its FacilityStack, with the two passwords
 * left for local IT to put in `.env` (`cp .env.sample .env`, edit, `docker compose up -d`).
 */
export interface ComposeBundle {
  /** Relative path → content. */
  files: Record<string, string>;
}

const ENV_KEYS = { kafka: "KAFKA_PASSWORD", database: "DATABASE_PASSWORD", signing: "SIGNING_KEY" } as const;
/** Compose secrets: files under /run/secrets in the container, never environment variables. */
const SECRETS = { kafka: "kafka_password", database: "database_password", signing: "signing_key" } as const;
const SECRETS_DIR_IN_CONTAINER = "/run/secrets";

export function planComposeBundle(f: Facility, names: FacilityNames, kafka: FacilityKafka, image: string, dataTopicPartitions: number, credentialGeneration: number): ComposeBundle {
  const environment: Record<string, string> = {};
  for (const line of planFacilityWorkerEnv(names, kafka, f.restPort)) {
    const i = line.indexOf("=");
    // Compose interpolates `$`: the worker's `${file:...}` references are written `$${file:...}`.
    environment[line.slice(0, i)] = composeLiteral(line.slice(i + 1));
  }
  // The image turns the secret files into the file the connector config references.
  environment.CONNECT_SECRETS_FILE = FACILITY_SECRETS_FILE;
  environment.CONNECT_SECRETS_FROM_DIR = SECRETS_DIR_IN_CONTAINER;
  const compose = {
    name: `cmw-facility-${f.slug}`,
    services: {
      agent: {
        image,
        // As under Pulumi: the host's network, REST on the host's loopback only.
        network_mode: "host",
        restart: "unless-stopped",
        mem_limit: `${f.memoryLimitMb}m`,
        environment: sortObject(environment),
        // Passwords as files: `docker inspect` shows no secret.
        secrets: [SECRETS.database, SECRETS.kafka, SECRETS.signing],
        volumes: [`./connectors:/etc/connect-agent/connectors:ro`, ...(kafka.caPem ? [`./tls:${TLS_DIR}:ro`] : [])],
        // Free text (the facility's name) only ever as a value the YAML writer quotes.
        labels: { "clinicmaster.role": "facility-agent", "clinicmaster.facility": f.slug, "clinicmaster.facility-name": composeLiteral(f.name), "clinicmaster.dhis2-code": composeLiteral(f.dhis2Code) },
      },
    },
    // Read from .env by docker compose (KAFKA_PASSWORD, DATABASE_PASSWORD, SIGNING_KEY) and mounted as files.
    secrets: {
      [SECRETS.database]: { environment: ENV_KEYS.database },
      [SECRETS.kafka]: { environment: ENV_KEYS.kafka },
      [SECRETS.signing]: { environment: ENV_KEYS.signing },
    },
  };
  const header = [
    `# ClinicMaster warehouse agent of facility ${f.slug}, generated from facilities/${f.slug}.yaml.`,
    "# cp .env.sample .env; put the two passwords and the signing key in .env (chmod 600 .env); docker compose up -d",
    "",
  ].join("\n");
  return {
    files: {
      "docker-compose.yml": header + stringify(compose, { lineWidth: 0 }),
      ".env.sample": envFile({ [ENV_KEYS.kafka]: "", [ENV_KEYS.database]: "", [ENV_KEYS.signing]: "" }, [
        "Secrets of this facility's agent. Copy to .env (readable by root only: chmod 600 .env) and fill in:",
        `${ENV_KEYS.kafka}: from the central team (the facility's Kafka user ${names.principal})`,
        `${ENV_KEYS.database}: of the database user of this facility's source database (see connectors/)`,
        `${ENV_KEYS.signing}: from the central team (the key its records are signed with, generation ${credentialGeneration})`,
      ]),
      [`connectors/${names.connectorName}.json`]: sortedJson(planSourceConnectorConfig(f, names, kafka, dataTopicPartitions, credentialGeneration)) + "\n",
      // The brokers' CA (public), as the agent under Pulumi gets it.
      ...(kafka.caPem ? { [`tls/${KAFKA_CA_FILE.split("/").pop()}`]: kafka.caPem } : {}),
    },
  };
}

/** A filled `.env`, written only where the operator asks (it holds passwords). */
export function filledEnvFile(kafkaPassword: string, databasePassword: string, signingKey: string): string {
  return envFile({ [ENV_KEYS.kafka]: kafkaPassword, [ENV_KEYS.database]: databasePassword, [ENV_KEYS.signing]: signingKey }, ["Secrets of this facility's agent: keep this file readable by root only."]);
}

/**
 * A compose `.env`: single quotes keep a value literal (no `$` interpolation); a value with a
 * single quote is double-quoted with `\`, `"` and `$` escaped.
 */
export function envFile(values: Record<string, string>, comments: string[]): string {
  const quote = (v: string) => v === "" ? "" : !v.includes("'") ? `'${v}'` : `"${v.replace(/[\\"]/g, (c) => "\\" + c).replace(/\$/g, "$$$$")}"`;
  return [...comments.map((c) => `# ${c}`), ...Object.entries(values).map(([k, v]) => `${k}=${quote(v)}`)].join("\n") + "\n";
}

/** A value compose must not interpolate: every `$` doubled (`$${file:...}`, a name with `$5`). */
function composeLiteral(v: string): string {
  return v.replace(/\$/g, "$$$$");
}

function sortObject(o: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.keys(o).sort().map((k) => [k, o[k]]));
}

