package org.clinicmaster.warehouse.connect.transforms;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.kafka.common.config.ConfigException;

/**
 * Facilities' signing keys, derived from one secret the sink holds (the signing master), so the
 * sink needs no list of facilities and no file that changes when one is added:
 *
 * <pre>
 * key(code, N) = base64(HMAC-SHA256(key = UTF-8(master), message = UTF-8("cmw.sign.key.v1\n" + code + "\ng" + N)))
 * </pre>
 *
 * standard base64 with padding (44 characters), the text an agent's {@link SignRecord} is given as
 * {@code key}, with {@code key.id} {@code g<N>}. The deployment (TypeScript) computes the same.
 * Neither the master nor a derived key appears in toString or in an exception message. Not
 * thread-safe (one Mac, reused), like the transform instance that owns it.
 */
final class FacilityKeyDerivation {
  static final String DOMAIN = "cmw.sign.key.v1";
  static final int MAX_GENERATION = 999_999_999;
  private static final Pattern KEY_ID = Pattern.compile("g([1-9][0-9]{0,8})");

  /** A facility and one generation of its key: what derived keys are cached by. */
  record FacilityGeneration(String code, int generation) {}

  private final Mac master;

  /**
   * @param master the signing master, at least {@value RecordSignature#MIN_SECRET_BYTES} UTF-8 bytes
   * @param where what to name in the ConfigException when it is too short (a setting, a file)
   */
  FacilityKeyDerivation(String master, String where) {
    byte[] bytes = master == null ? new byte[0] : master.getBytes(StandardCharsets.UTF_8);
    if (bytes.length < RecordSignature.MIN_SECRET_BYTES) {
      throw new ConfigException(where + " is " + (bytes.length == 0 ? "empty" : "shorter than "
          + RecordSignature.MIN_SECRET_BYTES + " bytes") + ": the signing master must be a random secret of at least "
          + RecordSignature.MIN_SECRET_BYTES + " bytes");
    }
    try {
      this.master = Mac.getInstance(RecordSignature.ALGORITHM);
      this.master.init(new SecretKeySpec(bytes, RecordSignature.ALGORITHM));
    } catch (GeneralSecurityException e) {
      throw new ConfigException("cannot initialize " + RecordSignature.ALGORITHM + " for " + where + ": " + e.getMessage());
    }
  }

  /** The key id of a generation: {@code g<N>}. */
  static String keyId(int generation) {
    return "g" + generation;
  }

  /** The generation a key id names ({@code g1} to {@code g999999999}, no leading zero), or -1. */
  static int generation(String keyId) {
    Matcher m = KEY_ID.matcher(keyId);
    return m.matches() ? Integer.parseInt(m.group(1)) : -1;
  }

  /** The facility's key for the generation, as the text its agent is configured with. */
  String key(String code, int generation) {
    if (generation < 1 || generation > MAX_GENERATION) {
      throw new IllegalArgumentException("generation " + generation + " is not between 1 and " + MAX_GENERATION);
    }
    master.reset();
    byte[] mac = master.doFinal((DOMAIN + "\n" + code + "\n" + keyId(generation)).getBytes(StandardCharsets.UTF_8));
    return Base64.getEncoder().encodeToString(mac);
  }

  /** The facility's key for the generation, as its agent's SignRecord holds it. */
  SigningKey signingKey(String code, int generation) {
    return new SigningKey(keyId(generation), key(code, generation), "facility " + code);
  }

  @Override
  public String toString() { return "FacilityKeyDerivation"; }
}
