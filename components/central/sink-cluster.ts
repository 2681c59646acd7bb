import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import { ConnectConnector } from "../connect/connector";
import { propertiesFile } from "../connect/worker";
import { CentralConfig } from "./config";
import { SINK_SECRETS_FILE, WarehouseTarget, planSinkConnectorConfig, planSinkWorkerEnv } from "./sink";

/** REST port of sink worker 0 on the central host's loopback when the stack does not set one. */
export const SINK_REST_PORT_BASE = 18083;

/** Inputs of {@link SinkConnectCluster}. */
export interface SinkConnectClusterArgs {
  config: CentralConfig;
  /** Docker provider of the central host (unix:// or ssh://). */
  provider: docker.Provider;
  /** The Connect image (built by platform/connect-image/build.sh), already on the host. */
  image: string;
  kafkaBootstrap: string[];
  kafkaTls: boolean;
  /** The sink principal's Kafka password (secret). */
  kafkaPassword: pulumi.Input<string>;
  warehouse: WarehouseTarget;
  /** The sink role's PostgreSQL password (secret). */
  warehousePassword: pulumi.Input<string>;
  /** Workers; 2 or more share the load. @default 1 */
  workers?: number;
  /** REST port of the first worker; worker i listens on base + i, on the host's loopback. @default 18083 */
  restPortBase?: number;
  /** Declared connector state. @default "running" */
  state?: "running" | "paused";
  /** Extra connector settings merged over the plan (tuning without code changes). */
  connectorOverrides?: Record<string, string>;
}

/**
 * The central sink: N Connect workers (one Connect cluster, its own group and topics) on the
 * central Docker host, REST on loopback only, secrets in a file read by FileConfigProvider, and
 * the Debezium JDBC sink connector declared over the REST API.
 */
export class SinkConnectCluster extends pulumi.ComponentResource {
  public readonly connectUrl: string;
  public readonly connectorState: pulumi.Output<string>;
  public readonly taskStates: pulumi.Output<string[]>;

  constructor(name: string, args: SinkConnectClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("clinicmaster:central:SinkConnectCluster", name, {}, opts);
    const workers = args.workers ?? 1;
    const base = args.restPortBase ?? SINK_REST_PORT_BASE;
    const image = new docker.RemoteImage("sink-image", { name: args.image, keepLocally: true }, { parent: this, provider: args.provider });
    const secrets = pulumi.secret(pulumi.all([args.kafkaPassword, args.warehousePassword]).apply(([kafkaPassword, warehousePassword]) =>
      propertiesFile({ "kafka.password": kafkaPassword, "warehouse.password": warehousePassword })));

    const containers: docker.Container[] = [];
    for (let i = 0; i < workers; i++) {
      containers.push(new docker.Container(`sink-worker-${i}`, {
        name: `cmw-${pulumi.getStack()}-sink-worker-${i}`,
        image: image.imageId,
        // Host network with REST bound to 127.0.0.1: reachable from the central host only.
        networkMode: "host",
        restart: "unless-stopped",
        memory: 1024,
        envs: planSinkWorkerEnv(args.config, args.kafkaBootstrap, args.kafkaTls, base + i),
        uploads: [{ file: SINK_SECRETS_FILE, content: secrets }],
        labels: [{ label: "clinicmaster.role", value: "sink-worker" }],
        destroyGraceSeconds: 30,
      }, { parent: this, provider: args.provider, deleteBeforeReplace: true }));
    }

    this.connectUrl = `http://127.0.0.1:${base}`;
    const connector = new ConnectConnector("sink-connector", {
      connectUrl: this.connectUrl,
      name: args.config.sinkConnectorName,
      config: { ...planSinkConnectorConfig(args.config, args.warehouse, workers), ...(args.connectorOverrides ?? {}) },
      state: args.state ?? "running",
    }, { parent: this, dependsOn: containers });
    this.connectorState = connector.connectorState;
    this.taskStates = connector.taskStates;
    this.registerOutputs({ connectorState: this.connectorState, taskStates: this.taskStates });
  }
}
