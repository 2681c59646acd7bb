import * as pulumi from "@pulumi/pulumi";

/** Inputs of a {@link GeneratedPassword}. */
export interface GeneratedPasswordArgs {
  /**
   * Bump to rotate: a new generation replaces the password (and everything that depends on it
   * is updated with the new one).
   * @default 1
   */
  generation?: pulumi.Input<number>;
  /**
   * Length in characters, from an alphabet of letters and digits (no quoting trouble in SCRAM,
   * JAAS, properties files or connection strings).
   * @default 32
   */
  length?: pulumi.Input<number>;
}

interface PasswordInputs {
  generation: number;
  length: number;
}

interface PasswordOutputs extends PasswordInputs {
  password: string;
}

/**
 * Generated once, kept in state as a Pulumi secret, stable across `up`s. A dynamic provider
 * because `@pulumi/random` is not among the product's packages; it only needs Node's crypto.
 */
const passwordProvider: pulumi.dynamic.ResourceProvider<PasswordInputs, PasswordOutputs> = {
  async create(inputs) {
    // Required at call time: dynamic providers are serialized without module-level imports.
    const crypto = require("crypto");
    const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
    // Rejection sampling: every character uniformly from the alphabet.
    const chars: string[] = [];
    while (chars.length < inputs.length) {
      for (const byte of crypto.randomBytes(inputs.length * 2)) {
        if (byte < 256 - (256 % alphabet.length) && chars.length < inputs.length) chars.push(alphabet[byte % alphabet.length]);
      }
    }
    const password = chars.join("");
    return { id: `generation-${inputs.generation}`, outs: { ...inputs, password } };
  },
  async diff(_id, olds, news) {
    const replaces = (["generation", "length"] as const).filter((k) => olds[k] !== news[k]);
    return { changes: replaces.length > 0, replaces, deleteBeforeReplace: false };
  },
};

/** A random password that changes only when its `generation` is bumped. */
export class GeneratedPassword extends pulumi.dynamic.Resource {
  /** The password; a secret everywhere it goes. */
  public declare readonly password: pulumi.Output<string>;
  public declare readonly generation: pulumi.Output<number>;

  constructor(name: string, args: GeneratedPasswordArgs = {}, opts?: pulumi.CustomResourceOptions) {
    super(
      passwordProvider,
      name,
      { generation: args.generation ?? 1, length: args.length ?? 32, password: undefined },
      pulumi.mergeOptions(opts, { additionalSecretOutputs: ["password"] }),
      "cmw",
      "GeneratedPassword",
    );
  }
}
