import * as pulumi from "@pulumi/pulumi";

/** Dynamic providers cannot be serialized inside jest (no v8 inspector): a fixed stand-in. */
export class GeneratedPassword {
  public readonly password = pulumi.secret("generated");
}
