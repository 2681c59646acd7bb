package org.clinicmaster.warehouse.connect.transforms;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;
import org.apache.kafka.connect.components.Versioned;
import org.apache.kafka.connect.connector.ConnectRecord;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.header.Header;
import org.apache.kafka.connect.header.Headers;
import org.apache.kafka.connect.transforms.Transformation;
import org.clinicmaster.warehouse.connect.transforms.FacilityKeyDerivation.FacilityGeneration;

/**
 * Sink side, first in the sink's chain: accepts a record only when its signature header matches
 * the key of the facility its key claims ({@code facility_dhis2_code}), for the generation the
 * header names ({@code g<N>}, at least the facility's minimum), then removes the header. Facility
 * keys are derived from the signing master ({@link FacilityKeyDerivation}), so a new facility
 * needs no change here. Anything else fails the transform with a one-line reason that names no
 * secret, so Connect's error handling dead-letters the record with that reason.
 */
public class VerifyRecord<R extends ConnectRecord<R>> implements Transformation<R>, Versioned {
  public static final String MASTER_CONFIG = "master";
  public static final String MIN_GENERATIONS_CONFIG = "min.generations";
  public static final String HEADER_CONFIG = "header";
  /** Derived keys' Macs kept, least recently used dropped first: a busy sink does not derive per record. */
  static final int MAX_CACHED_KEYS = 10_000;

  public static final ConfigDef CONFIG_DEF = new ConfigDef()
      .define(MASTER_CONFIG, ConfigDef.Type.PASSWORD, ConfigDef.NO_DEFAULT_VALUE,
          ConfigDef.Importance.HIGH, "The signing master (at least 32 bytes) the facilities' keys are derived from,"
              + " as a ${file:...} reference.")
      .define(MIN_GENERATIONS_CONFIG, ConfigDef.Type.LIST, "",
          ConfigDef.Importance.HIGH, "<facility code>=<N> entries: that facility's signatures with a key generation"
              + " below N are refused (retired keys). Facilities not listed: 1.")
      .define(HEADER_CONFIG, ConfigDef.Type.STRING, SignRecord.DEFAULT_HEADER, new ConfigDef.NonEmptyString(),
          ConfigDef.Importance.LOW, "The header that carries the signature.");

  private String header;
  private Map<String, Integer> minGenerations;
  private FacilityKeyDerivation keys;
  private RecordSignature signature;
  private final Map<FacilityGeneration, Mac> macs = new LinkedHashMap<>(256, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<FacilityGeneration, Mac> eldest) {
      return size() > MAX_CACHED_KEYS;
    }
  };

  @Override
  public void configure(Map<String, ?> props) {
    AbstractConfig config = new AbstractConfig(CONFIG_DEF, props);
    header = config.getString(HEADER_CONFIG);
    minGenerations = minGenerations(config.getList(MIN_GENERATIONS_CONFIG));
    Password master = config.getPassword(MASTER_CONFIG);
    keys = new FacilityKeyDerivation(master == null ? null : master.value(), MASTER_CONFIG);
    signature = new RecordSignature(false);
    macs.clear();
  }

  /** min.generations' entries CODE=N as a map; a malformed entry is a ConfigException naming it. */
  static Map<String, Integer> minGenerations(List<String> entries) {
    Map<String, Integer> min = new HashMap<>();
    for (String entry : entries) {
      int eq = entry.indexOf('=');
      String code = eq < 0 ? "" : entry.substring(0, eq);
      int n = eq < 0 ? -1 : FacilityKeyDerivation.generation("g" + entry.substring(eq + 1));
      if (code.isEmpty() || !code.equals(code.strip()) || n < 0) {
        throw new ConfigException(MIN_GENERATIONS_CONFIG + ": entry '" + entry
            + "' is not <facility code>=<generation> (a whole number from 1 to " + FacilityKeyDerivation.MAX_GENERATION + ")");
      }
      if (min.put(code, n) != null) {
        throw new ConfigException(MIN_GENERATIONS_CONFIG + ": entry '" + entry + "' names facility " + code + " again");
      }
    }
    return Map.copyOf(min);
  }

  @Override
  public R apply(R record) {
    Header sig = record.headers().lastWithName(header);
    if (sig == null || sig.value() == null) throw new DataException("unsigned record");
    RecordSignature.Parsed claimed = RecordSignature.parseHeader(headerText(sig.value()));
    if (claimed == null) throw new DataException("malformed signature header");
    String code = FacilityCode.of(record.key());
    if (code == null) throw new DataException("record key has no " + FacilityCode.FIELD);
    String valueCode = FacilityCode.of(record.value());
    if (valueCode != null && !valueCode.equals(code)) {
      throw new DataException("the value's " + FacilityCode.FIELD + " " + valueCode + " differs from the key's " + code);
    }
    int generation = FacilityKeyDerivation.generation(claimed.keyId());
    if (generation < 0) throw new DataException("malformed signature header");
    int min = minGenerations.getOrDefault(code, 1);
    if (generation < min) {
      throw new DataException("key " + FacilityKeyDerivation.keyId(generation) + " of facility " + code
          + " is retired (signatures from " + FacilityKeyDerivation.keyId(min) + " on are accepted)");
    }
    Mac mac = macs.computeIfAbsent(new FacilityGeneration(code, generation),
        g -> RecordSignature.newMac(keys.signingKey(g.code(), g.generation())));
    if (!RecordSignature.matches(signature.mac(mac, signature.canonical(code, record)), claimed.mac())) {
      throw new DataException("signature does not match facility " + code
          + "'s keys (altered, or signed by another facility)");
    }
    Headers headers = record.headers().duplicate();
    headers.remove(header);
    return record.newRecord(record.topic(), record.kafkaPartition(), record.keySchema(), record.key(),
        record.valueSchema(), record.value(), record.timestamp(), headers);
  }

  /** How many derived keys' Macs are cached (for tests). */
  int cachedKeys() {
    return macs.size();
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
  public void close() {
    macs.clear();
  }
}
