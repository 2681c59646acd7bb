import * as pulumi from "@pulumi/pulumi";
import * as kafka from "@pulumi/kafka";
import * as docker from "@pulumi/docker";
import { propertiesFile } from "../connect/worker";
import { sortedJson } from "../json";
import { aclResourceName } from "../kafka/acl";
import { slugify } from "../naming";
import { derivedPassword } from "../secrets/derived";
import { Facility } from "./config";
import {
  FACILITY_SECRETS_FILE, FacilityKafka, FacilityNames, connectorFilePath, facilityNames, planFacilityAcls, planFacilityTopics,
  planFacilityWorkerEnv, planSourceConnectorConfig,
} from "./plan";

/** Inputs of {@link FacilityStack}. */
export interface FacilityStackArgs {
  /** The validated facility file. */
  facility: Facility;
  /** Kafka provider logged in as the central admin (creates the user, ACLs and private topics). */
  kafkaProvider: kafka.Provider;
  /** Kafka as the facility's agent reaches it. */
  kafka: FacilityKafka;
  /** Partitions of shared topics the facility creates for tables added later (as the central ones). */
  dataTopicPartitions: number;
  /** The Connect image, available to the facility's Docker host. */
  image: string;
  /** Extra ssh arguments for reaching the facility's Docker host (keys, known hosts). */
  sshOpts?: string[];
  /** The source database password (a stack secret). */
  databasePassword: pulumi.Input<string>;
  /** The stack's secret `credentialSeed`; the facility's Kafka password is derived from it. */
  credentialSeed: pulumi.Input<string>;
  /** Bump to rotate the facility's SCRAM password. @default 1 */
  passwordGeneration?: number;
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
  public readonly connectorName: string;
  /** The agent container on the facility's host; undefined for a compose site. */
  public readonly containerName: pulumi.Output<string | undefined>;
  /** The connector config the agent registers (no secret in it, only references). */
  public readonly connectorConfig: Record<string, string>;

  constructor(name: string, args: FacilityStackArgs, opts?: pulumi.ComponentResourceOptions) {
    super("clinicmaster:facility:FacilityStack", name, {}, opts);
    const f = args.facility;
    const names = facilityNames(f, pulumi.getStack());
    const onKafka = { parent: this, provider: args.kafkaProvider };

    const password = derivedPassword(args.credentialSeed, `kafka:${names.principal}`, args.passwordGeneration);
    const user = new kafka.UserScramCredential(`${f.slug}-user`, {
      username: names.principal,
      scramMechanism: "SCRAM-SHA-512",
      scramIterations: 8192,
      password,
    }, onKafka);
    const topics = planFacilityTopics(names, args.kafka.replicationFactor).map((t) =>
      new kafka.Topic(`${f.slug}-topic-${slugify(t.name)}`, {
        name: t.name, partitions: t.partitions, replicationFactor: t.replicationFactor, config: t.config,
      }, onKafka));
    const acls = planFacilityAcls(names).map((acl) =>
      new kafka.Acl(`acl-${aclResourceName(acl)}`, {
        aclPrincipal: acl.principal,
        aclHost: acl.host,
        aclOperation: acl.operation,
        aclPermissionType: acl.permission,
        aclResourceType: acl.resourceType,
        aclResourceName: acl.resourceName,
        resourcePatternTypeFilter: acl.patternType,
      }, { ...onKafka, dependsOn: [user] }));

    this.connectorConfig = planSourceConnectorConfig(f, names, args.kafka, args.dataTopicPartitions);
    // A compose site runs the same agent from its bundle; Pulumi reaches no host there.
    const agent = f.agent === "ssh" ? this.agentOnHost(f, names, args, password, [...topics, ...acls]) : undefined;

    this.principal = user.username;
    this.kafkaPassword = password;
    this.connectorName = names.connectorName;
    this.containerName = agent ? agent.name : pulumi.output(undefined);
    this.registerOutputs({ principal: this.principal, containerName: this.containerName });
  }

  /** The agent container on the facility's own Docker host, over SSH. */
  private agentOnHost(f: Facility, names: FacilityNames, args: FacilityStackArgs, password: pulumi.Output<string>, after: pulumi.Resource[]): docker.Container {
    const host = new docker.Provider(`${f.slug}-docker`, { host: f.host, sshOpts: args.sshOpts }, { parent: this });
    const onHost = { parent: this, provider: host };
    const image = new docker.RemoteImage(`${f.slug}-image`, { name: args.image, keepLocally: true }, onHost);

    const secrets = pulumi.secret(pulumi.all([password, args.databasePassword]).apply(([kafkaPassword, databasePassword]) =>
      propertiesFile({ "database.password": databasePassword, "kafka.password": kafkaPassword })));
    return new docker.Container(`${f.slug}-agent`, {
      name: names.containerName,
      image: image.imageId,
      // Host network with REST bound to the host's loopback: the agent reaches Kafka and the
      // database as the host does, and nothing outside the host reaches its REST API.
      networkMode: "host",
      restart: "unless-stopped",
      memory: f.memoryLimitMb,
      envs: planFacilityWorkerEnv(names, args.kafka, f.restPort),
      uploads: [
        { file: FACILITY_SECRETS_FILE, content: secrets },
        { file: connectorFilePath(names), content: sortedJson(this.connectorConfig) + "\n" },
      ],
      labels: [
        { label: "clinicmaster.role", value: "facility-agent" },
        { label: "clinicmaster.facility", value: f.slug },
      ],
      destroyGraceSeconds: 30,
    }, { ...onHost, deleteBeforeReplace: true, dependsOn: after });
  }
}
