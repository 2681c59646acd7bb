package org.clinicmaster.warehouse.connect.transforms;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.kafka.common.config.ConfigException;

/** One generation of a facility's signing secret. toString names the id only, never the secret. */
final class SigningKey {
  private final String id;
  private final byte[] secret;

  SigningKey(String id, String secret, String where) {
    if (id.isEmpty() || !id.matches("[A-Za-z0-9._-]+")) {
      throw new ConfigException(where + ": key id '" + id + "' must be letters, digits, '.', '_' or '-'");
    }
    this.id = id;
    this.secret = secret.getBytes(StandardCharsets.UTF_8);
    if (this.secret.length < RecordSignature.MIN_SECRET_BYTES) {
      throw new ConfigException(where + ": key " + id + " is shorter than "
          + RecordSignature.MIN_SECRET_BYTES + " bytes; use a longer random secret");
    }
  }

  String id() { return id; }

  byte[] secret() { return secret; }

  @Override
  public boolean equals(Object o) {
    return o instanceof SigningKey k && k.id.equals(id) && Arrays.equals(k.secret, secret);
  }

  @Override
  public int hashCode() { return 31 * id.hashCode() + Arrays.hashCode(secret); }

  @Override
  public String toString() { return "SigningKey(" + id + ")"; }
}
