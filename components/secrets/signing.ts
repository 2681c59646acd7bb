import { createHmac } from "crypto";
import * as pulumi from "@pulumi/pulumi";
import { derivePasswordText } from "./derived";

/**
 * Record signing keys (platform/connect-image/transforms: SignRecord, VerifyRecord). The sink
 * holds one signing master, derived from the stack's seed; each facility's key is derived from
 * the master, its code and its generation, here for the agent and in VerifyRecord for the sink.
 * So adding a facility changes nothing on the sink, and an agent holds only its own key: a
 * hospital host cannot sign as another facility.
 */

const TRANSFORMS = "org.clinicmaster.warehouse.connect.transforms";
export const SIGN_RECORD_CLASS = `${TRANSFORMS}.SignRecord`;
export const VERIFY_RECORD_CLASS = `${TRANSFORMS}.VerifyRecord`;

/** The signing master: what VerifyRecord derives every facility's key from. */
export function signingMasterText(seed: string): string {
  return derivePasswordText(seed, "signing:master", 1, 48);
}

/** The key id the agent writes in its signatures, after the facility's credential generation. */
export function signingKeyId(generation: number): string {
  return `g${generation}`;
}

/**
 * A facility's signing key: base64 of HMAC-SHA256(master, "cmw.sign.key.v1\n<code>\ng<N>"),
 * byte for byte as VerifyRecord derives it (a test checks both against one vector).
 */
export function facilitySigningKeyText(master: string, code: string, generation: number): string {
  return createHmac("sha256", Buffer.from(master, "utf8"))
    .update(Buffer.from(`cmw.sign.key.v1\n${code}\n${signingKeyId(generation)}`, "utf8"))
    .digest("base64");
}

/** {@link signingMasterText} as a secret output. */
export function signingMaster(seed: pulumi.Input<string>): pulumi.Output<string> {
  return pulumi.secret(pulumi.output(seed).apply(signingMasterText));
}

/** {@link facilitySigningKeyText} of the stack's seed, as a secret output. */
export function facilitySigningKey(seed: pulumi.Input<string>, code: string, generation: number): pulumi.Output<string> {
  return pulumi.secret(pulumi.output(seed).apply((s) => facilitySigningKeyText(signingMasterText(s), code, generation)));
}

/**
 * The sink's `min.generations`: after a rotation to generation N, signatures of N-1 still verify
 * (records in flight during the switch) and older ones are refused. Facilities at generation 1
 * or 2 accept from g1, so they are left out and adding a facility never changes the sink.
 */
export function minSigningGenerations(facilities: { code: string; generation: number }[]): string {
  return facilities.filter((f) => f.generation > 2).map((f) => `${f.code}=${f.generation - 1}`).sort().join(",");
}
