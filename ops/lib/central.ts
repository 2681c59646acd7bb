/**
 * Where the operations tools find the central parts of a stack: Kafka as the admin, the
 * warehouse as its admin, the sink's REST API, and the facilities of its facility folder. The
 * same settings and defaults the program uses.
 */
import { Client } from "pg";
import { CentralConfig, normalizeCentralConfig } from "../../components/central/config";
import { SINK_REST_PORT_BASE } from "../../components/central/sink-cluster";
import { WAREHOUSE_DEFAULTS } from "../../components/central/warehouse";
import { Facility } from "../../components/facility/config";
import { readFacilityFiles } from "../../components/facility/files";
import { KafkaConnection } from "./kafka-ops";
import { StackConfig, UsageError } from "./stack";

export interface Central {
  stack: string;
  config: CentralConfig;
  kafka: KafkaConnection;
  facilities: Facility[];
  facilitySshOpts: string[];
  /** Base URLs of the sink workers' REST APIs, worker 0 first. */
  sinkUrls: string[];
  warehouse: { schema: string; connect: () => Promise<Client> };
}

/** `facilitiesDir` overrides the stack's folder of facility files. */
export function centralFrom(cfg: StackConfig, facilitiesDir?: string): Central {
  const str = (key: string) => (cfg.get(key) === undefined ? undefined : String(cfg.get(key)));
  const need = (key: string) => {
    const v = str(key);
    if (v === undefined) throw new UsageError(`stack ${cfg.stack} has no ${key}: set it with pulumi config set${key.endsWith("Password") ? " --secret" : ""} ${key} ...`);
    return v;
  };
  const list = (key: string) => (cfg.get(key) as string[] | undefined) ?? [];
  const num = (key: string) => (cfg.get(key) === undefined ? undefined : Number(cfg.get(key)));
  const config = normalizeCentralConfig({
    ...(cfg.get("tables") ? { tables: list("tables") } : {}),
    ...(str("sinkConnectorName") ? { sinkConnectorName: str("sinkConnectorName") } : {}),
    ...(str("sinkPrincipal") ? { sinkPrincipal: str("sinkPrincipal") } : {}),
    ...(str("sinkConnectGroup") ? { sinkConnectGroup: str("sinkConnectGroup") } : {}),
  });
  const bootstrap = list("kafkaBootstrapServers");
  if (!bootstrap.length) throw new UsageError(`stack ${cfg.stack} has no kafkaBootstrapServers`);
  const base = num("sinkRestPortBase") ?? SINK_REST_PORT_BASE;
  const workers = num("sinkWorkers") ?? 1;
  const pg = {
    host: need("pgHost"),
    port: num("pgPort") ?? 5432,
    user: need("pgAdminUser"),
    password: need("pgAdminPassword"),
    database: str("warehouseDatabase") ?? WAREHOUSE_DEFAULTS.database,
    sslmode: str("pgSslMode") ?? "require",
  };
  return {
    stack: cfg.stack,
    config,
    kafka: { bootstrap, tls: str("kafkaTlsEnabled") !== "false", user: need("kafkaAdminUser"), password: need("kafkaAdminPassword") },
    facilities: readFacilityFiles(facilitiesDir ?? str("facilitiesDir") ?? "facilities", cfg.has),
    facilitySshOpts: list("facilityDockerSshOpts"),
    sinkUrls: Array.from({ length: Math.max(1, workers) }, (_, i) => `http://127.0.0.1:${base + i}`),
    warehouse: {
      schema: str("warehouseSchema") ?? WAREHOUSE_DEFAULTS.schema,
      connect: async () => {
        const client = new Client({
          host: pg.host, port: pg.port, user: pg.user, password: pg.password, database: pg.database,
          // libpq's sslmode: require encrypts without checking the certificate, verify-* check it.
          ssl: pg.sslmode === "disable" ? false : { rejectUnauthorized: pg.sslmode.startsWith("verify") },
          connectionTimeoutMillis: 10_000,
          statement_timeout: 60_000,
        });
        await client.connect();
        return client;
      },
    },
  };
}

/** GET a Kafka Connect REST path from the first worker that answers. */
export async function connectGet(urls: string[], pathname: string): Promise<any> {
  let last: unknown;
  for (const url of urls) {
    try {
      const res = await fetch(`${url}${pathname}`, { signal: AbortSignal.timeout(10_000) });
      const body = await res.text();
      if (!res.ok) throw new Error(`${url}${pathname} answered ${res.status}: ${body.slice(0, 200)}`);
      return JSON.parse(body);
    } catch (e) {
      last = e;
    }
  }
  const err = last as Error & { cause?: { code?: string } };
  throw new Error(`no sink worker answered (${urls.join(", ")}): ${[err?.message ?? String(last), err?.cause?.code].filter(Boolean).join(": ")}`);
}
