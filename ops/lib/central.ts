/**
 * Where the operations tools find the central parts of a stack: Kafka as the admin, the
 * warehouse as its admin, the sink's REST API, and the facilities of its facility folder, all
 * from the same settings and the same plan the program uses.
 */
import { Client } from "pg";
import { Facility } from "../../components/settings/facility";
import { readFacilityFiles } from "../../components/settings/files";
import { StackSettings, secretLookup } from "../../components/settings/stack";
import { SystemPlan, planSystem } from "../../components/plan/system";
import { KafkaConnection } from "./kafka-ops";
import { MonitoringLogin } from "./login";
import { StackView } from "./stack";

export interface Central {
  stack: string;
  settings: StackSettings;
  plan: SystemPlan;
  kafka: KafkaConnection;
  facilities: Facility[];
  facilitySshOpts: string[];
  /** Base URLs of the sink workers' REST APIs, worker 0 first. */
  sinkUrls: string[];
  warehouse: { schema: string; connect: () => Promise<Client> };
}

/**
 * `facilitiesDir` overrides the stack's folder of facility files. With a monitoring `login`, the
 * tools log in as the read-only monitoring principal and role (the view then holds no secret).
 */
export function centralFrom(view: StackView, facilitiesDir?: string, login?: MonitoringLogin): Central {
  const { settings } = view;
  const facilities = readFacilityFiles(facilitiesDir ?? settings.facilitiesDir, secretLookup(settings));
  const plan = planSystem(settings, facilities, view.stack);
  const pg = plan.warehouse;
  return {
    stack: view.stack,
    settings,
    plan,
    kafka: {
      bootstrap: plan.kafka.bootstrap, tls: plan.kafka.tls,
      user: login?.kafka.user ?? plan.kafka.adminUser, password: login?.kafka.password ?? settings.kafkaAdminPassword,
      ...(plan.kafka.caPem ? { caPem: plan.kafka.caPem } : {}),
    },
    facilities,
    facilitySshOpts: settings.facilityDockerSshOpts,
    sinkUrls: plan.sink.urls,
    warehouse: {
      schema: pg.schema,
      connect: async () => {
        const client = new Client({
          host: pg.host, port: pg.port, database: pg.database,
          user: login?.warehouse.user ?? pg.adminUser, password: login?.warehouse.password ?? settings.pgAdminPassword,
          // libpq's sslmode: require encrypts without checking the certificate, verify-ca checks
          // the chain, verify-full the chain and the host name.
          ssl: pg.sslmode === "disable" ? false : {
            rejectUnauthorized: pg.sslmode.startsWith("verify"),
            ...(pg.caPem ? { ca: pg.caPem } : {}),
            ...(pg.sslmode === "verify-ca" ? { checkServerIdentity: () => undefined } : {}),
          },
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
