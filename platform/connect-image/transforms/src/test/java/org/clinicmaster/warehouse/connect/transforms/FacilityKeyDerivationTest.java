package org.clinicmaster.warehouse.connect.transforms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

/**
 * The derivation of facilities' keys from the signing master, byte for byte: the deployment
 * (TypeScript) computes the same keys and is checked against these vectors. Each was computed
 * independently, e.g. the first with
 * {@code printf 'cmw.sign.key.v1\nFAC-A\ng1' | openssl dgst -sha256 -hmac "$(printf 'm%.0s' {1..40})" -binary | base64}.
 */
class FacilityKeyDerivationTest {
  static final String MASTER = "m".repeat(40);
  /** master "m" x 40, facility FAC-A, generation 1. */
  static final String VECTOR_FAC_A_G1 = "uVhWjxsSwP9wEfVo0/JWtf4g+HGd7/bwZW38cLwfVRg=";

  @Test
  void theFixedVector() {
    FacilityKeyDerivation keys = new FacilityKeyDerivation(MASTER, "test");
    String key = keys.key("FAC-A", 1);
    System.out.println("facility key vector: master \"m\" x 40, FAC-A, g1 -> " + key);
    assertEquals(VECTOR_FAC_A_G1, key);
    assertEquals(44, key.length());
    assertEquals("g1", keys.signingKey("FAC-A", 1).id());
  }

  @Test
  void moreVectorsGenerationsAndUtf8() {
    FacilityKeyDerivation keys = new FacilityKeyDerivation(MASTER, "test");
    assertEquals("RhB6PECE16tkmi6kqOwA8uFvAlAKsS8d4CM8Rs23rs0=", keys.key("FAC-A", 2));
    assertEquals("UppUKEBqDlDk6HN3wIlONaQrOitTbTKj/DdUgWq+ynE=", keys.key("Hôpital-Ω", 7));
    assertEquals("4cEumL14pOovJ9yC01j7bjJa+1qwesaawIBBlIXlKrI=",
        new FacilityKeyDerivation("mäster-".repeat(6), "test").key("FAC-B", 999_999_999));
    // The Mac is reused: the same input gives the same key whatever came before.
    assertEquals(VECTOR_FAC_A_G1, keys.key("FAC-A", 1));
    assertNotEquals(keys.key("FAC-A", 1), keys.key("FAC-B", 1));
  }

  @Test
  void keyIdsAreGWithAGenerationFrom1To999999999() {
    assertEquals(1, FacilityKeyDerivation.generation("g1"));
    assertEquals(10, FacilityKeyDerivation.generation("g10"));
    assertEquals(999_999_999, FacilityKeyDerivation.generation("g999999999"));
    for (String id : new String[] {"", "g", "g0", "g01", "x1", "G1", "g-1", "g+1", "g1 ", " g1", "g1000000000", "g1a", "g١"}) {
      assertEquals(-1, FacilityKeyDerivation.generation(id), id);
    }
    assertEquals("g42", FacilityKeyDerivation.keyId(42));
    FacilityKeyDerivation keys = new FacilityKeyDerivation(MASTER, "test");
    assertThrows(IllegalArgumentException.class, () -> keys.key("FAC-A", 0));
    assertThrows(IllegalArgumentException.class, () -> keys.key("FAC-A", 1_000_000_000));
  }

  @Test
  void aShortMasterIsRefusedWithoutShowingIt() {
    String message = assertThrows(ConfigException.class,
        () -> new FacilityKeyDerivation("m".repeat(31), "master")).getMessage();
    assertTrue(message.startsWith("master is shorter than 32 bytes"), message);
    assertFalse(message.contains("m".repeat(31)));
    assertThrows(ConfigException.class, () -> new FacilityKeyDerivation("", "master"));
    assertThrows(ConfigException.class, () -> new FacilityKeyDerivation(null, "master"));
    assertFalse(new FacilityKeyDerivation(MASTER, "test").toString().contains(MASTER));
  }
}
