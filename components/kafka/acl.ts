import { fnv1a, slugify } from "../naming";

/** One Kafka ACL binding as plain data; `@pulumi/kafka`'s `Acl` takes exactly these fields. */
export interface AclBinding {
  principal: string; // e.g. "User:sink"
  resourceType: "Topic" | "Group" | "Cluster" | "TransactionalID";
  resourceName: string;
  patternType: "Literal" | "Prefixed";
  operation: "Read" | "Write" | "Describe" | "Create" | "Alter" | "AlterConfigs" | "DescribeConfigs" | "IdempotentWrite" | "All";
  permission: "Allow" | "Deny";
  host: string; // "*" unless pinned to an address
}

/**
 * Resource name of one ACL, derived from its content (principal, resource, pattern, operation) so
 * adding or removing one binding never renames another. Long names keep a readable stem plus a
 * short hash of the full content.
 */
export function aclResourceName(acl: AclBinding): string {
  const content = [acl.principal, acl.resourceType, acl.patternType, acl.resourceName, acl.operation, acl.permission, acl.host].join("|");
  // Operation before resource name: a long resource name is what gets cut, never the operation.
  const stem = slugify([acl.principal.replace(/^User:/, ""), acl.operation, acl.resourceType, acl.patternType === "Prefixed" ? "prefix" : "", acl.resourceName].join("-"));
  return `${stem.slice(0, 100).replace(/-+$/, "")}-${fnv1a(content)}`;
}

/** Sorted, de-duplicated ACLs: the plan's order never depends on how it was assembled. */
export function normalizeAcls(acls: AclBinding[]): AclBinding[] {
  const byName = new Map<string, AclBinding>();
  for (const acl of acls) byName.set(aclResourceName(acl), acl);
  return [...byName.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, acl]) => acl);
}
