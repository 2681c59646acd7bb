import * as pulumi from "@pulumi/pulumi";
import * as kafka from "@pulumi/kafka";
import { declareAcls, declareScramUser, declareTopics } from "../kafka/resources";
import { SystemPlan } from "../plan/system";
import { derivedPassword } from "../secrets/derived";

/** Inputs of {@link CentralKafka}. */
export interface CentralKafkaArgs {
  /** The central topics and the sink principal with its ACLs, from the system plan. */
  plan: Pick<SystemPlan, "topics" | "sink" | "monitor">;
  /** A Kafka provider logged in as an admin that may create topics, users and ACLs. */
  provider: kafka.Provider;
  /** The stack's secret `credentialSeed`; the sink's password is derived from it. */
  credentialSeed: pulumi.Input<string>;
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
  /** The monitoring login's Kafka password: a secret. */
  public readonly monitorPassword: pulumi.Output<string>;

  constructor(name: string, args: CentralKafkaArgs, opts?: pulumi.ComponentResourceOptions) {
    super("clinicmaster:central:Kafka", name, {}, opts);
    const child = { parent: this, provider: args.provider };
    const { sink } = args.plan;
    const topics = declareTopics("topic-", args.plan.topics, child);
    const password = derivedPassword(args.credentialSeed, `kafka:${sink.principal}`, sink.passwordGeneration);
    const user = declareScramUser("sink-user", sink.principal, password, child);
    declareAcls(sink.acls, { ...child, dependsOn: [user] });

    // The operations tools' read-only login (cron): offsets, the DLQ, nothing to change.
    const { monitor } = args.plan;
    const monitorPassword = derivedPassword(args.credentialSeed, `kafka:${monitor.principal}`, monitor.passwordGeneration);
    const monitorUser = declareScramUser("monitor-user", monitor.principal, monitorPassword, child);
    declareAcls(monitor.acls, { ...child, dependsOn: [monitorUser] });
    this.monitorPassword = monitorPassword;

    this.topicNames = pulumi.all(topics.map((t) => t.name));
    this.sinkPrincipal = user.username;
    this.sinkPassword = password;
    this.registerOutputs({ topicNames: this.topicNames, sinkPrincipal: this.sinkPrincipal });
  }
}
