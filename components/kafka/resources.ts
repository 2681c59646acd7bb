import * as pulumi from "@pulumi/pulumi";
import * as kafka from "@pulumi/kafka";
import { TopicPlan } from "../central/plan";
import { contentName, slugify } from "../naming";
import { AclBinding, aclResourceName } from "./acl";

/**
 * Topics and ACLs from their plans, named from content. A topic whose earlier name
 * (`<prefix><slug>`) lost information keeps it as an alias, so existing stacks are not replaced.
 */
export function declareTopics(prefix: string, topics: TopicPlan[], opts: pulumi.CustomResourceOptions): kafka.Topic[] {
  return topics.map((t) => {
    const name = contentName(prefix, t.name);
    const before = `${prefix}${slugify(t.name)}`;
    return new kafka.Topic(name, { name: t.name, partitions: t.partitions, replicationFactor: t.replicationFactor, config: t.config },
      { ...opts, ...(before !== name ? { aliases: [{ name: before }] } : {}) });
  });
}

export function declareAcls(acls: AclBinding[], opts: pulumi.CustomResourceOptions): kafka.Acl[] {
  return acls.map((acl) => new kafka.Acl(`acl-${aclResourceName(acl)}`, {
    aclPrincipal: acl.principal,
    aclHost: acl.host,
    aclOperation: acl.operation,
    aclPermissionType: acl.permission,
    aclResourceType: acl.resourceType,
    aclResourceName: acl.resourceName,
    resourcePatternTypeFilter: acl.patternType,
  }, opts));
}

/** A SCRAM-SHA-512 user with the given (secret) password. */
export function declareScramUser(name: string, username: string, password: pulumi.Input<string>, opts: pulumi.CustomResourceOptions): kafka.UserScramCredential {
  return new kafka.UserScramCredential(name, { username, scramMechanism: "SCRAM-SHA-512", scramIterations: 8192, password }, opts);
}
