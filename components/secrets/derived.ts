import { createHmac } from "crypto";
import * as pulumi from "@pulumi/pulumi";

/**
 * Passwords derived from the stack's secret `credentialSeed`: HMAC-SHA256 of what the password
 * is for and its generation. Derived in the program, so a preview knows them (a password made by
 * a resource is unknown until that resource is created, and the Kafka provider's SCRAM check
 * crashes on an unknown password: the preview of every new facility or rotation failed), stable
 * across runs, and rotated by bumping the generation. Whoever holds the seed can derive them, as
 * whoever holds the stack's passphrase can read them from its state: keep both alike.
 */

/** Letters and digits without look-alikes: no quoting trouble in SCRAM, JAAS, properties or URLs. */
const ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";

/** The seed must carry at least this many characters (32 random bytes in base64 are 44). */
export const MIN_SEED_LENGTH = 32;

export class CredentialSeedError extends Error {}

/** The password for `purpose` at `generation`, 32 characters drawn uniformly from {@link ALPHABET}. */
export function derivePasswordText(seed: string, purpose: string, generation: number, length = 32): string {
  if (seed.length < MIN_SEED_LENGTH) throw new CredentialSeedError(`credentialSeed is ${seed.length} characters long; use at least ${MIN_SEED_LENGTH} random ones`);
  const chars: string[] = [];
  // Counter-mode blocks and rejection sampling: every character uniform, any length.
  for (let block = 0; chars.length < length; block++) {
    const bytes = createHmac("sha256", seed).update(`${purpose}\n${generation}\n${block}`).digest();
    for (const byte of bytes) {
      if (byte < 256 - (256 % ALPHABET.length) && chars.length < length) chars.push(ALPHABET[byte % ALPHABET.length]);
    }
  }
  return chars.join("");
}

/** {@link derivePasswordText} as a secret output. */
export function derivedPassword(seed: pulumi.Input<string>, purpose: string, generation: number | undefined): pulumi.Output<string> {
  return pulumi.secret(pulumi.output(seed).apply((s) => derivePasswordText(s, purpose, generation ?? 1)));
}

/** How to set the seed, for the error when it is missing. */
export const SET_SEED_HINT = 'pulumi config set --secret credentialSeed "$(head -c 32 /dev/urandom | base64)"';
