import * as pulumi from "@pulumi/pulumi";
import * as kafka from "@pulumi/kafka";
import * as docker from "@pulumi/docker";
import { propertiesFile } from "../connect/worker";
import { sortedJson } from "../json";
import { declareAcls, declareScramUser, declareTopics } from "../kafka/resources";
import { FacilityPlan } from "../plan/system";
import { derivedPassword } from "../secrets/derived";
import { facilitySigningKey } from "../secrets/signing";
import { FACILITY_SECRETS_FILE, connectorFilePath } from "./plan";

/** Inputs of {@link FacilityStack}. */
export interface FacilityStackArgs {
  /** The facility's plan (names, topics, ACLs, worker environment, connector), from the system plan. */
  plan: FacilityPlan;
  /** Kafka provider logged in as the central admin (creates the user, ACLs and private topics). */
  kafkaProvider: kafka.Provider;
  /** Extra ssh arguments for reaching the facility's Docker host (keys, known hosts). */
  sshOpts?: string[];
  /** The source database password (a stack secret). */
  databasePassword: pulumi.Input<string>;
  /** The stack's secret `credentialSeed`; the facility's Kafka password and signing key are derived from it. */
  credentialSeed: pulumi.Input<string>;
}

/**
 * One facility: its SCRAM user with least-privilege ACLs and private topics on the central
 * Kafka, and its agent (a Connect worker that registers the facility's Debezium source
 * connector itself) on the facility's own Docker host. Every child is named after the slug, so
 * one facility's change never touches another's resources.
 */
export class FacilityStack extends pulumi.ComponentResource {
  public readonly principal: pulumi.Output<string>;
  /** The facility's Kafka password: a secret. */
  public readonly kafkaPassword: pulumi.Output<string>;
  /** The key its agent signs records with: a secret. */
  public readonly signingKey: pulumi.Output<string>;
  public readonly connectorName: string;
  /** The agent container on the facility's host; undefined for a compose site. */
  public readonly containerName: pulumi.Output<string | undefined>;
  /** The connector config the agent registers (no secret in it, only references). */
  public readonly connectorConfig: Record<string, string>;

  constructor(name: string, args: FacilityStackArgs, opts?: pulumi.ComponentResourceOptions) {
    super("clinicmaster:facility:FacilityStack", name, {}, opts);
    const { plan } = args;
    const f = plan.facility;
    const names = plan.names;
    const onKafka = { parent: this, provider: args.kafkaProvider };

    const password = derivedPassword(args.credentialSeed, `kafka:${names.principal}`, plan.passwordGeneration);
    const signingKey = facilitySigningKey(args.credentialSeed, f.dhis2Code, plan.passwordGeneration);
    const user = declareScramUser(`${f.slug}-user`, names.principal, password, onKafka);
    const topics = declareTopics(`${f.slug}-topic-`, plan.topics, onKafka);
    const acls = declareAcls(plan.acls, { ...onKafka, dependsOn: [user] });
    // The monitoring login (created centrally) may see this facility's liveness topics.
    declareAcls(plan.monitorAcls, onKafka);

    this.connectorConfig = plan.connectorConfig;
    // A compose site runs the same agent from its bundle; Pulumi reaches no host there.
    const agent = f.agent === "ssh" ? this.agentOnHost(plan, args, password, signingKey, [...topics, ...acls]) : undefined;

    this.principal = user.username;
    this.kafkaPassword = password;
    this.signingKey = signingKey;
    this.connectorName = names.connectorName;
    this.containerName = agent ? agent.name : pulumi.output(undefined);
    this.registerOutputs({ principal: this.principal, containerName: this.containerName });
  }

  /** The agent container on the facility's own Docker host, over SSH. */
  private agentOnHost(plan: FacilityPlan, args: FacilityStackArgs, password: pulumi.Output<string>, signingKey: pulumi.Output<string>, after: pulumi.Resource[]): docker.Container {
    const { facility: f, names } = plan;
    const host = new docker.Provider(`${f.slug}-docker`, { host: f.host, sshOpts: args.sshOpts }, { parent: this });
    const onHost = { parent: this, provider: host };
    const image = new docker.RemoteImage(`${f.slug}-image`, { name: plan.image, keepLocally: true }, onHost);

    const secrets = pulumi.secret(pulumi.all([password, args.databasePassword, signingKey]).apply(([kafkaPassword, databasePassword, key]) =>
      propertiesFile({ "database.password": databasePassword, "kafka.password": kafkaPassword, "signing.key": key })));
    return new docker.Container(`${f.slug}-agent`, {
      name: names.containerName,
      image: image.imageId,
      // Host network with REST bound to the host's loopback: the agent reaches Kafka and the
      // database as the host does, and nothing outside the host reaches its REST API.
      networkMode: "host",
      restart: "unless-stopped",
      memory: f.memoryLimitMb,
      envs: plan.workerEnv,
      uploads: [
        { file: FACILITY_SECRETS_FILE, content: secrets },
        { file: connectorFilePath(names), content: sortedJson(this.connectorConfig) + "\n" },
        ...plan.files.map((file) => ({ file: file.path, content: file.content })),
      ],
      labels: [
        { label: "clinicmaster.role", value: "facility-agent" },
        { label: "clinicmaster.facility", value: f.slug },
      ],
      destroyGraceSeconds: 30,
    }, { ...onHost, deleteBeforeReplace: true, dependsOn: after });
  }
}
