import * as pulumi from "@pulumi/pulumi";
import * as kafka from "@pulumi/kafka";
import { aclResourceName } from "../kafka/acl";
import { slugify } from "../naming";
import { derivedPassword } from "../secrets/derived";
import { CentralConfig } from "./config";
import { planSinkAcls, planTopics } from "./plan";

/** Inputs of {@link CentralKafka}. */
export interface CentralKafkaArgs {
  /** The central settings (already normalized). */
  config: CentralConfig;
  /** A Kafka provider logged in as an admin that may create topics, users and ACLs. */
  provider: kafka.Provider;
  /** The stack's secret `credentialSeed`; the sink's password is derived from it. */
  credentialSeed: pulumi.Input<string>;
  /**
   * Bump to rotate the sink's SCRAM password.
   * @default 1
   */
  sinkPasswordGeneration?: number;
}

/**
 * The central Kafka side: shared data topics, the DLQ, the sink's internal topics, the sink
 * principal (SCRAM-SHA-512, a derived password kept as a secret) and its least-privilege ACLs.
 * Every child is named from its content, so adding a table or an ACL touches only that child.
 */
export class CentralKafka extends pulumi.ComponentResource {
  public readonly topicNames: pulumi.Output<string[]>;
  public readonly sinkPrincipal: pulumi.Output<string>;
  /** The sink's password: a secret. */
  public readonly sinkPassword: pulumi.Output<string>;

  constructor(name: string, args: CentralKafkaArgs, opts?: pulumi.ComponentResourceOptions) {
    super("clinicmaster:central:Kafka", name, {}, opts);
    const child = { parent: this, provider: args.provider };

    const topics = planTopics(args.config).map((t) =>
      new kafka.Topic(`topic-${slugify(t.name)}`, {
        name: t.name,
        partitions: t.partitions,
        replicationFactor: t.replicationFactor,
        config: t.config,
      }, child));

    const password = derivedPassword(args.credentialSeed, `kafka:${args.config.sinkPrincipal}`, args.sinkPasswordGeneration);
    const user = new kafka.UserScramCredential("sink-user", {
      username: args.config.sinkPrincipal,
      scramMechanism: "SCRAM-SHA-512",
      scramIterations: 8192,
      password,
    }, child);

    for (const acl of planSinkAcls(args.config)) {
      new kafka.Acl(`acl-${aclResourceName(acl)}`, {
        aclPrincipal: acl.principal,
        aclHost: acl.host,
        aclOperation: acl.operation,
        aclPermissionType: acl.permission,
        aclResourceType: acl.resourceType,
        aclResourceName: acl.resourceName,
        resourcePatternTypeFilter: acl.patternType,
      }, { ...child, dependsOn: [user] });
    }

    this.topicNames = pulumi.all(topics.map((t) => t.name));
    this.sinkPrincipal = user.username;
    this.sinkPassword = password;
    this.registerOutputs({ topicNames: this.topicNames, sinkPrincipal: this.sinkPrincipal });
  }
}
