package org.clinicmaster.warehouse.connect.transforms;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.kafka.connect.connector.ConnectRecord;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.json.JsonConverterConfig;

/**
 * The signed bytes and the header format, shared by {@link SignRecord} and {@link VerifyRecord}.
 *
 * <p>Key and value are serialized with a JsonConverter configured like the pipeline's
 * (schemas enabled), so the agent, which signs Structs before its converter runs, and the sink,
 * which verifies the Structs its converter rebuilt from those bytes, hash the same bytes. The MAC
 * input is a domain tag, the facility code, the key and the value, each length-prefixed; a null
 * key or value (a tombstone) is a distinct marker, never the encoding of an empty value. The topic
 * is left out (routing renames it); Debezium's key and value schema names, which are signed, name
 * the source table.
 *
 * <p>JSON does not carry every value exactly (-0.0 arrives as 0.0, NaN as 0.0), so the agent signs
 * what the sink will see: its bytes are serialized, read back and serialized again, which gives
 * the bytes the sink's converter makes from the record it rebuilt.
 */
final class RecordSignature {
  static final String ALGORITHM = "HmacSHA256";
  static final String VERSION = "v1";
  static final int MIN_SECRET_BYTES = 32;
  /**
   * The signature is HMAC-SHA256 truncated to its first 128 bits (RFC 2104 section 5): it travels
   * with every record over the hospitals' links and cannot be compressed, and 128 bits leave a
   * forger, who never sees whether an attempt passed, no practical chance.
   */
  static final int TAG_BYTES = 16;
  private static final byte[] DOMAIN = "cmw.sig.v1".getBytes(StandardCharsets.UTF_8);
  private static final byte ABSENT = 0;
  private static final byte PRESENT = 1;

  private final JsonConverter keyConverter = converter(true);
  private final JsonConverter valueConverter = converter(false);
  private final boolean asSinkWillSee;

  /** @param asSinkWillSee true on the agent (see the class comment), false on the sink */
  RecordSignature(boolean asSinkWillSee) {
    this.asSinkWillSee = asSinkWillSee;
  }

  private static JsonConverter converter(boolean isKey) {
    JsonConverter converter = new JsonConverter();
    converter.configure(Map.of(JsonConverterConfig.SCHEMAS_ENABLE_CONFIG, "true"), isKey);
    return converter;
  }

  /** What a record's MAC is computed over: serialized once, then MACed. */
  record Canonical(byte[] code, byte[] key, byte[] value) {}

  Canonical canonical(String facilityCode, ConnectRecord<?> record) {
    return new Canonical(facilityCode.getBytes(StandardCharsets.UTF_8),
        bytes(keyConverter, record.topic(), record.keySchema(), record.key()),
        bytes(valueConverter, record.topic(), record.valueSchema(), record.value()));
  }

  /**
   * The HMAC of the canonical bytes under the key {@code mac} was initialized with ({@link
   * #newMac}). Callers keep their Macs (Mac.init is the costly part; a transform instance is
   * single-threaded): SignRecord its one key's, VerifyRecord a bounded cache per facility and
   * generation.
   */
  byte[] mac(Mac mac, Canonical canonical) {
    mac.reset();
    update(mac, DOMAIN);
    update(mac, canonical.code());
    updateOptional(mac, canonical.key());
    updateOptional(mac, canonical.value());
    return Arrays.copyOf(mac.doFinal(), TAG_BYTES);
  }

  byte[] mac(Mac mac, String facilityCode, ConnectRecord<?> record) {
    return mac(mac, canonical(facilityCode, record));
  }

  private byte[] bytes(JsonConverter converter, String topic, Schema schema, Object value) {
    byte[] bytes = converter.fromConnectData(topic, schema, value);
    if (!asSinkWillSee || bytes == null) return bytes;
    SchemaAndValue read = converter.toConnectData(topic, bytes);
    return converter.fromConnectData(topic, read.schema(), read.value());
  }

  /** A Mac initialized with the key's secret. */
  static Mac newMac(SigningKey key) {
    try {
      Mac mac = Mac.getInstance(ALGORITHM);
      mac.init(new SecretKeySpec(key.secret(), ALGORITHM));
      return mac;
    } catch (GeneralSecurityException e) {
      throw new DataException("cannot initialize " + ALGORITHM + " for key " + key.id(), e);
    }
  }

  private static void update(Mac mac, byte[] bytes) {
    mac.update(ByteBuffer.allocate(4).putInt(bytes.length).array());
    mac.update(bytes);
  }

  private static void updateOptional(Mac mac, byte[] bytes) {
    if (bytes == null) {
      mac.update(ABSENT);
    } else {
      mac.update(PRESENT);
      update(mac, bytes);
    }
  }

  static String header(String keyId, byte[] mac) {
    return VERSION + ":" + keyId + ":" + Base64.getEncoder().withoutPadding().encodeToString(mac);
  }

  /** A header value's parts: the key id as written (checked by the reader) and the MAC. */
  record Parsed(String keyId, byte[] mac) {}

  /** The key id and MAC of a header value, or null when the value is not a v1 signature. */
  static Parsed parseHeader(String value) {
    String[] parts = value.split(":", -1);
    if (parts.length != 3 || !parts[0].equals(VERSION) || parts[1].isEmpty()) return null;
    try {
      byte[] mac = Base64.getDecoder().decode(parts[2]);
      return mac.length == TAG_BYTES ? new Parsed(parts[1], mac) : null;
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  static boolean matches(byte[] expected, byte[] actual) {
    return MessageDigest.isEqual(expected, actual);
  }
}
