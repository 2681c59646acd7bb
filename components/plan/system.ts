import { AclBinding } from "../kafka/acl";
import { KAFKA_CA_FILE, KafkaTransport, WAREHOUSE_CA_FILE } from "../connect/worker";
import { TopicPlan, planMonitorAcls, planSinkAcls, planTopics } from "../central/plan";
import { WarehouseTarget, planSinkConnectorConfig, planSinkWorkerEnv } from "../central/sink";
import { ComposeBundle, planComposeBundle } from "../facility/bundle";
import {
  FacilityKafka, FacilityNames, facilityNames, planFacilityAcls, planFacilityMonitorAcls, planFacilityTopics, planFacilityWorkerEnv, planSourceConnectorConfig,
} from "../facility/plan";
import { Facility } from "../settings/facility";
import { SettingsError, StackSettings } from "../settings/stack";
import { ReaderScope, RlsPlan } from "../central/rls";
import { minSigningGenerations } from "../secrets/signing";

/**
 * The whole system as plain data, from a stack's settings and its facility files: every name,
 * topic, ACL, worker environment, connector config and compose bundle. `index.ts` turns it into
 * resources; the operations tools and the facility CLI read the same plan, so nothing is
 * planned twice. No secret is in it: passwords are derived from the seed where resources are made.
 */
export interface SystemPlan {
  stack: string;
  kafka: { bootstrap: string[]; tls: boolean; caPem?: string; adminUser: string };
  topics: TopicPlan[];
  sink: SinkPlan;
  warehouse: WarehousePlan;
  monitor: MonitorPlan;
  facilities: FacilityPlan[];
}

/** The read-only login of the operations tools run from cron. */
export interface MonitorPlan {
  principal: string;
  /** Its ACLs on the central topics (each facility's are in its plan). */
  acls: AclBinding[];
  /** Its PostgreSQL login role, a member of the analyst group. */
  role: string;
  passwordGeneration: number;
}

export interface WarehousePlan {
  host: string;
  port: number;
  sslmode: StackSettings["pgSslMode"];
  /** PEM of the server's CA, for verify-ca and verify-full. */
  caPem?: string;
  adminUser: string;
  database: string;
  schema: string;
  sinkRole: string;
  analystRole: string;
  monitorRole: string;
  /** Facility-scoped reading: the readers' group role and each reader's facility codes. */
  rls: RlsPlan;
}

/** A file every worker of a kind gets beside its secrets; public (CA certificates). */
export interface PlannedFile {
  path: string;
  content: string;
}

export interface SinkPlan {
  principal: string;
  acls: AclBinding[];
  passwordGeneration: number;
  image: string;
  docker: { host: string; sshOpts: string[] };
  workers: { name: string; restPort: number; env: string[] }[];
  /** CA certificates the workers trust (Kafka's, the warehouse's). */
  files: PlannedFile[];
  /** REST base URLs of the workers, on the central host's loopback, worker 0 first. */
  urls: string[];
  connector: { name: string; state: "running" | "paused"; config: Record<string, string> };
}

export interface FacilityPlan {
  facility: Facility;
  names: FacilityNames;
  kafka: FacilityKafka;
  topics: TopicPlan[];
  acls: AclBinding[];
  /** The monitoring login's ACLs on this facility's liveness topics. */
  monitorAcls: AclBinding[];
  passwordGeneration: number;
  image: string;
  /** The worker's environment (CONNECT_* lines); no secret in it. */
  workerEnv: string[];
  /** CA certificates the agent trusts (Kafka's). */
  files: PlannedFile[];
  /** The Debezium source connector its agent registers; secrets only as references. */
  connectorConfig: Record<string, string>;
  /** For a site without SSH: what its IT runs with docker compose. */
  bundle: ComposeBundle;
}

export function planSystem(settings: StackSettings, facilities: Facility[], stack: string): SystemPlan {
  const warehouse: WarehousePlan = {
    host: settings.pgHost,
    port: settings.pgPort,
    sslmode: settings.pgSslMode,
    ...(settings.pgCaCertificate ? { caPem: settings.pgCaCertificate } : {}),
    adminUser: settings.pgAdminUser,
    database: settings.warehouseDatabase,
    schema: settings.warehouseSchema,
    sinkRole: settings.warehouseSinkRole,
    analystRole: settings.warehouseAnalystRole,
    monitorRole: settings.warehouseMonitorRole,
    rls: {
      schema: settings.warehouseSchema,
      readerGroup: settings.warehouseReaderGroupRole,
      analystRole: settings.warehouseAnalystRole,
      readers: planReaders(settings, facilities),
    },
  };
  const facilityPlans = facilities.map((f) => planFacility(settings, f, stack));
  return {
    stack,
    kafka: {
      bootstrap: settings.kafkaBootstrapServers, tls: settings.kafkaTlsEnabled, adminUser: settings.kafkaAdminUser,
      ...(settings.kafkaTlsEnabled && settings.kafkaCaCertificate ? { caPem: settings.kafkaCaCertificate } : {}),
    },
    topics: planTopics(settings),
    sink: planSink(settings, warehouse, stack, facilityPlans),
    warehouse,
    monitor: {
      principal: settings.monitorPrincipal,
      acls: planMonitorAcls(settings),
      role: settings.warehouseMonitorRole,
      passwordGeneration: settings.monitorPasswordGeneration,
    },
    facilities: facilityPlans,
  };
}

/**
 * Every reader role with the codes it reads: a facility file's readers read that facility, the
 * stack's warehouseReaders read the codes they list (a district). A reader named twice reads the
 * union. A reader may not be one of the stack's own roles.
 */
export function planReaders(settings: StackSettings, facilities: Facility[]): ReaderScope[] {
  const codes = new Map<string, Set<string>>();
  const add = (role: string, code: string) => (codes.get(role) ?? codes.set(role, new Set()).get(role)!).add(code);
  for (const f of facilities) for (const role of f.readers) add(role, f.dhis2Code);
  for (const [role, list] of Object.entries(settings.warehouseReaders)) for (const code of list) add(role, code);
  const reserved = [settings.pgAdminUser, settings.warehouseSinkRole, settings.warehouseAnalystRole, settings.warehouseMonitorRole, settings.warehouseReaderGroupRole];
  const clash = [...codes.keys()].filter((r) => reserved.includes(r));
  if (clash.length) throw new SettingsError(`setting warehouseReaders: ${clash.join(", ")} ${clash.length === 1 ? "is" : "are"} one of the stack's own roles (${reserved.join(", ")}); name the reader otherwise`);
  return [...codes.keys()].sort().map((role) => ({ role, codes: [...codes.get(role)!].sort() }));
}

function planSink(settings: StackSettings, warehouse: WarehousePlan, stack: string, facilities: FacilityPlan[]): SinkPlan {
  const target: WarehouseTarget = {
    host: settings.warehouseHostForSink ?? warehouse.host,
    port: warehouse.port,
    database: warehouse.database,
    schema: warehouse.schema,
    username: warehouse.sinkRole,
    sslmode: settings.pgSslMode,
    hasCa: settings.pgCaCertificate !== undefined,
  };
  const transport: KafkaTransport = { tls: settings.kafkaTlsEnabled, ...(settings.kafkaTlsEnabled && settings.kafkaCaCertificate ? { caFile: KAFKA_CA_FILE } : {}) };
  const files: PlannedFile[] = [
    ...(transport.caFile ? [{ path: KAFKA_CA_FILE, content: settings.kafkaCaCertificate! }] : []),
    ...(settings.pgCaCertificate ? [{ path: WAREHOUSE_CA_FILE, content: settings.pgCaCertificate }] : []),
  ];
  const ports = Array.from({ length: settings.sinkWorkers }, (_, i) => settings.sinkRestPortBase + i);
  return {
    principal: settings.sinkPrincipal,
    acls: planSinkAcls(settings),
    passwordGeneration: settings.sinkPasswordGeneration,
    image: settings.connectImage,
    docker: { host: settings.centralDockerHost, sshOpts: settings.centralDockerSshOpts },
    workers: ports.map((port, i) => ({
      name: `cmw-${stack}-sink-worker-${i}`,
      restPort: port,
      env: planSinkWorkerEnv(settings, settings.kafkaBootstrapServers, transport, port),
    })),
    files,
    urls: ports.map((port) => `http://127.0.0.1:${port}`),
    connector: {
      name: settings.sinkConnectorName,
      state: settings.sinkState,
      config: { ...planSinkConnectorConfig(settings, target, settings.sinkWorkers, minSigningGenerations(facilities.map((p) => ({ code: p.facility.dhis2Code, generation: p.passwordGeneration })))), ...settings.sinkConnectorOverrides },
    },
  };
}

function planFacility(settings: StackSettings, f: Facility, stack: string): FacilityPlan {
  const names = facilityNames(f, stack);
  const kafka: FacilityKafka = {
    bootstrap: settings.facilityKafkaBootstrapServers ?? settings.kafkaBootstrapServers,
    tls: settings.kafkaTlsEnabled,
    ...(settings.kafkaTlsEnabled && settings.kafkaCaCertificate ? { caPem: settings.kafkaCaCertificate } : {}),
    replicationFactor: settings.replicationFactor,
  };
  const image = settings.facilityImage ?? settings.connectImage;
  // The credential generation: the Kafka password and the signing key rotate together.
  const generation = settings.facilityPasswordGenerations[f.slug] ?? 1;
  return {
    facility: f,
    names,
    kafka,
    topics: planFacilityTopics(names, kafka.replicationFactor),
    acls: planFacilityAcls(names),
    monitorAcls: planFacilityMonitorAcls(names, settings.monitorPrincipal),
    passwordGeneration: generation,
    image,
    workerEnv: planFacilityWorkerEnv(names, kafka, f.restPort),
    files: kafka.caPem ? [{ path: KAFKA_CA_FILE, content: kafka.caPem }] : [],
    connectorConfig: planSourceConnectorConfig(f, names, kafka, settings.dataTopicPartitions, generation),
    bundle: planComposeBundle(f, names, kafka, image, settings.dataTopicPartitions, generation),
  };
}
