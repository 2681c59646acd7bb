import * as pulumi from "@pulumi/pulumi";
import * as docker from "@pulumi/docker";
import { ConnectConnector } from "../connect/connector";
import { propertiesFile } from "../connect/worker";
import { SinkPlan } from "../plan/system";
import { SINK_SECRETS_FILE } from "./sink";

/** Inputs of {@link SinkConnectCluster}. */
export interface SinkConnectClusterArgs {
  /** The sink's workers and connector, from the system plan. */
  plan: SinkPlan;
  /** Docker provider of the central host (unix:// or ssh://). */
  provider: docker.Provider;
  /** The sink principal's Kafka password (secret). */
  kafkaPassword: pulumi.Input<string>;
  /** The sink role's PostgreSQL password (secret). */
  warehousePassword: pulumi.Input<string>;
  /** The signing master VerifyRecord derives every facility's key from (secret). */
  signingMaster: pulumi.Input<string>;
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
    const { plan } = args;
    const image = new docker.RemoteImage("sink-image", { name: plan.image, keepLocally: true }, { parent: this, provider: args.provider });
    const secrets = pulumi.secret(pulumi.all([args.kafkaPassword, args.warehousePassword, args.signingMaster]).apply(([kafkaPassword, warehousePassword, signingMaster]) =>
      propertiesFile({ "kafka.password": kafkaPassword, "signing.master": signingMaster, "warehouse.password": warehousePassword })));

    const containers = plan.workers.map((w, i) => new docker.Container(`sink-worker-${i}`, {
      name: w.name,
      image: image.imageId,
      // Host network with REST bound to 127.0.0.1: reachable from the central host only.
      networkMode: "host",
      restart: "unless-stopped",
      memory: 1024,
      envs: w.env,
      uploads: [{ file: SINK_SECRETS_FILE, content: secrets }, ...plan.files.map((f) => ({ file: f.path, content: f.content }))],
      labels: [{ label: "clinicmaster.role", value: "sink-worker" }],
      destroyGraceSeconds: 30,
    }, { parent: this, provider: args.provider, deleteBeforeReplace: true }));

    this.connectUrl = plan.urls[0];
    const connector = new ConnectConnector("sink-connector", {
      connectUrl: this.connectUrl,
      name: plan.connector.name,
      config: plan.connector.config,
      state: plan.connector.state,
    }, { parent: this, dependsOn: containers });
    this.connectorState = connector.connectorState;
    this.taskStates = connector.taskStates;
    this.registerOutputs({ connectorState: this.connectorState, taskStates: this.taskStates });
  }
}
