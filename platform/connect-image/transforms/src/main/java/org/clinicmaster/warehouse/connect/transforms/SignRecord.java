package org.clinicmaster.warehouse.connect.transforms;

import java.util.Map;
import javax.crypto.Mac;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;
import org.apache.kafka.connect.components.Versioned;
import org.apache.kafka.connect.connector.ConnectRecord;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.header.Headers;
import org.apache.kafka.connect.transforms.Transformation;

/**
 * Agent side, last in the source connector's chain: adds a header {@code v1:<key.id>:<HMAC>} over
 * the facility code, key and value (see {@link RecordSignature}). Refuses to sign a record whose
 * key names another facility.
 */
public class SignRecord<R extends ConnectRecord<R>> implements Transformation<R>, Versioned {
  public static final String CODE_CONFIG = "code";
  public static final String KEY_CONFIG = "key";
  public static final String KEY_ID_CONFIG = "key.id";
  public static final String HEADER_CONFIG = "header";
  public static final String DEFAULT_HEADER = "cmw.sig";

  public static final ConfigDef CONFIG_DEF = new ConfigDef()
      .define(CODE_CONFIG, ConfigDef.Type.STRING, ConfigDef.NO_DEFAULT_VALUE, new ConfigDef.NonEmptyString(),
          ConfigDef.Importance.HIGH, "The facility's DHIS2 code; every signed record's key must carry it.")
      .define(KEY_CONFIG, ConfigDef.Type.PASSWORD, ConfigDef.NO_DEFAULT_VALUE,
          ConfigDef.Importance.HIGH, "The facility's signing secret (at least 32 bytes), as a ${file:...} reference.")
      .define(KEY_ID_CONFIG, ConfigDef.Type.STRING, ConfigDef.NO_DEFAULT_VALUE, new ConfigDef.NonEmptyString(),
          ConfigDef.Importance.HIGH, "A short label of the secret's generation, e.g. g1.")
      .define(HEADER_CONFIG, ConfigDef.Type.STRING, DEFAULT_HEADER, new ConfigDef.NonEmptyString(),
          ConfigDef.Importance.LOW, "The header that carries the signature.");

  private String code;
  private String header;
  private SigningKey key;
  private Mac mac;
  private RecordSignature signature;

  @Override
  public void configure(Map<String, ?> props) {
    AbstractConfig config = new AbstractConfig(CONFIG_DEF, props);
    code = config.getString(CODE_CONFIG);
    header = config.getString(HEADER_CONFIG);
    Password secret = config.getPassword(KEY_CONFIG);
    if (secret == null || secret.value().isEmpty()) {
      throw new ConfigException(KEY_CONFIG + " is empty: set it to the facility's signing secret");
    }
    key = new SigningKey(config.getString(KEY_ID_CONFIG), secret.value(), KEY_CONFIG);
    mac = RecordSignature.newMac(key);
    signature = new RecordSignature(true);
  }

  @Override
  public R apply(R record) {
    String keyCode = FacilityCode.of(record.key());
    if (!code.equals(keyCode)) {
      throw new DataException("refusing to sign: the record key's " + FacilityCode.FIELD + " is "
          + (keyCode == null ? "missing" : keyCode) + ", not this facility's " + code);
    }
    String valueCode = FacilityCode.of(record.value());
    if (valueCode != null && !valueCode.equals(code)) {
      throw new DataException("refusing to sign: the record value's " + FacilityCode.FIELD + " is "
          + valueCode + ", not this facility's " + code);
    }
    Headers headers = record.headers().duplicate();
    headers.remove(header);
    headers.addString(header, RecordSignature.header(key.id(), signature.mac(mac, code, record)));
    return record.newRecord(record.topic(), record.kafkaPartition(), record.keySchema(), record.key(),
        record.valueSchema(), record.value(), record.timestamp(), headers);
  }

  @Override
  public ConfigDef config() { return CONFIG_DEF; }

  @Override
  public String version() { return Version.get(); }

  @Override
  public void close() {}
}
