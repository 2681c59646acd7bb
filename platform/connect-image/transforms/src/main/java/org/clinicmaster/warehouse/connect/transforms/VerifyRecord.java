package org.clinicmaster.warehouse.connect.transforms;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.components.Versioned;
import org.apache.kafka.connect.connector.ConnectRecord;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.header.Header;
import org.apache.kafka.connect.header.Headers;
import org.apache.kafka.connect.transforms.Transformation;

/**
 * Sink side, first in the sink's chain: accepts a record only when its signature header matches
 * one of the keys of the facility its key claims ({@code facility_dhis2_code}), then removes the
 * header. Anything else fails the transform with a one-line reason that names no secret, so
 * Connect's error handling dead-letters the record with that reason.
 */
public class VerifyRecord<R extends ConnectRecord<R>> implements Transformation<R>, Versioned {
  public static final String KEYS_FILE_CONFIG = "keys.file";
  public static final String HEADER_CONFIG = "header";
  public static final String RELOAD_MS_CONFIG = "reload.ms";

  public static final ConfigDef CONFIG_DEF = new ConfigDef()
      .define(KEYS_FILE_CONFIG, ConfigDef.Type.STRING, ConfigDef.NO_DEFAULT_VALUE, new ConfigDef.NonEmptyString(),
          ConfigDef.Importance.HIGH, "Properties file: <facility code>=<key.id>=<secret>[,<key.id>=<secret>...].")
      .define(HEADER_CONFIG, ConfigDef.Type.STRING, SignRecord.DEFAULT_HEADER, new ConfigDef.NonEmptyString(),
          ConfigDef.Importance.LOW, "The header that carries the signature.")
      .define(RELOAD_MS_CONFIG, ConfigDef.Type.LONG, 30000L, ConfigDef.Range.atLeast(0),
          ConfigDef.Importance.LOW, "How often the keys file is read again for changes, in milliseconds.");

  private String header;
  private FacilityKeys keys;
  private RecordSignature signature;
  private long keysGeneration;

  @Override
  public void configure(Map<String, ?> props) {
    configure(props, System::currentTimeMillis);
  }

  /** With the clock the key file reload follows (tests pass their own). */
  void configure(Map<String, ?> props, LongSupplier clock) {
    AbstractConfig config = new AbstractConfig(CONFIG_DEF, props);
    header = config.getString(HEADER_CONFIG);
    keys = new FacilityKeys(Path.of(config.getString(KEYS_FILE_CONFIG)), config.getLong(RELOAD_MS_CONFIG), clock);
    signature = new RecordSignature(false);
  }

  @Override
  public R apply(R record) {
    Header sig = record.headers().lastWithName(header);
    if (sig == null || sig.value() == null) throw new DataException("unsigned record");
    byte[] claimed = RecordSignature.parseHeader(headerText(sig.value()));
    if (claimed == null) throw new DataException("malformed signature header");
    String code = FacilityCode.of(record.key());
    if (code == null) throw new DataException("record key has no " + FacilityCode.FIELD);
    String valueCode = FacilityCode.of(record.value());
    if (valueCode != null && !valueCode.equals(code)) {
      throw new DataException("the value's " + FacilityCode.FIELD + " " + valueCode + " differs from the key's " + code);
    }
    List<SigningKey> facilityKeys = keys.of(code);
    if (facilityKeys.isEmpty()) throw new DataException("no key for facility " + code);
    if (keys.generation() != keysGeneration) {
      keysGeneration = keys.generation();
      signature.retainOnly(keys.all());
    }
    RecordSignature.Canonical canonical = signature.canonical(code, record);
    boolean matched = false;
    // Every key is tried, with a constant-time compare, whatever matched before it.
    for (SigningKey key : facilityKeys) {
      matched |= RecordSignature.matches(signature.mac(key, canonical), claimed);
    }
    if (!matched) {
      throw new DataException("signature does not match facility " + code
          + "'s keys (altered, or signed by another facility)");
    }
    Headers headers = record.headers().duplicate();
    headers.remove(header);
    return record.newRecord(record.topic(), record.kafkaPartition(), record.keySchema(), record.key(),
        record.valueSchema(), record.value(), record.timestamp(), headers);
  }

  // The sink's header converter may hand the header over as a string or as raw bytes.
  private static String headerText(Object value) {
    if (value instanceof String s) return s;
    if (value instanceof byte[] b) return new String(b, StandardCharsets.UTF_8);
    return "";
  }

  @Override
  public ConfigDef config() { return CONFIG_DEF; }

  @Override
  public String version() { return Version.get(); }

  @Override
  public void close() {}
}
