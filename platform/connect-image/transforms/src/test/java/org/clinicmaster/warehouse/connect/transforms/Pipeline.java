package org.clinicmaster.warehouse.connect.transforms;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.header.ConnectHeaders;
import org.apache.kafka.connect.header.Header;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.storage.SimpleHeaderConverter;

/**
 * The pipeline around the transforms, as the workers run it: the agent's JsonConverter and header
 * converter turn a signed SourceRecord into bytes, and the sink's own instances turn those bytes
 * into the SinkRecord VerifyRecord sees.
 */
final class Pipeline {
  static final String TOPIC = "clinicmasterwarehouse-sqlserver.ClinicMasterMOH.dbo.Patients";
  /** The sink's signing master in the tests; facilities' keys are derived from it. */
  static final String MASTER = "pipeline-test-signing-master-0123456789abcdef";
  static final String SECRET_A1 = facilityKey("FAC-A", 1);
  static final String SECRET_A2 = facilityKey("FAC-A", 2);
  static final String SECRET_B1 = facilityKey("FAC-B", 1);

  static final Schema KEY_SCHEMA = SchemaBuilder.struct().name("clinicmasterwarehouse.Patients.Key")
      .field("id", Schema.INT32_SCHEMA)
      .field(FacilityCode.FIELD, Schema.STRING_SCHEMA)
      .build();

  private final JsonConverter agentKey = converter(true);
  private final JsonConverter agentValue = converter(false);
  private final SimpleHeaderConverter agentHeaders = new SimpleHeaderConverter();
  private final JsonConverter sinkKey = converter(true);
  private final JsonConverter sinkValue = converter(false);
  private final SimpleHeaderConverter sinkHeaders = new SimpleHeaderConverter();
  private long offset;

  private static JsonConverter converter(boolean isKey) {
    JsonConverter c = new JsonConverter();
    c.configure(Map.of("schemas.enable", "true"), isKey);
    return c;
  }

  static Struct key(int id, String code) {
    return new Struct(KEY_SCHEMA).put("id", id).put(FacilityCode.FIELD, code);
  }

  static SourceRecord source(Struct key, Schema valueSchema, Object value) {
    return new SourceRecord(Map.of("server", "cmw"), Map.of("lsn", 1), TOPIC, null,
        key.schema(), key, valueSchema, value, 1767225600000L, new ConnectHeaders());
  }

  /** What the sink's VerifyRecord receives after the record crossed Kafka as bytes. */
  SinkRecord overKafka(SourceRecord r) {
    byte[] k = agentKey.fromConnectData(r.topic(), r.keySchema(), r.key());
    byte[] v = agentValue.fromConnectData(r.topic(), r.valueSchema(), r.value());
    Map<String, byte[]> wireHeaders = new HashMap<>();
    for (Header h : r.headers()) wireHeaders.put(h.key(), agentHeaders.fromConnectHeader(r.topic(), h.key(), h.schema(), h.value()));
    SchemaAndValue key = sinkKey.toConnectData(r.topic(), k);
    SchemaAndValue value = sinkValue.toConnectData(r.topic(), v);
    ConnectHeaders headers = new ConnectHeaders();
    wireHeaders.forEach((name, bytes) -> {
      SchemaAndValue h = sinkHeaders.toConnectHeader(r.topic(), name, bytes);
      headers.add(name, h.value(), h.schema());
    });
    return new SinkRecord(r.topic(), 0, key.schema(), key.value(), value.schema(), value.value(),
        offset++, r.timestamp(), TimestampType.CREATE_TIME, headers);
  }

  /** A facility's key of a generation, derived from {@link #MASTER}: what its agent is given. */
  static String facilityKey(String code, int generation) {
    return new FacilityKeyDerivation(MASTER, "test").key(code, generation);
  }

  static SignRecord<SourceRecord> signer(String code, String keyId, String secret) {
    SignRecord<SourceRecord> s = new SignRecord<>();
    s.configure(Map.of("code", code, "key", secret, "key.id", keyId));
    return s;
  }

  /** An agent of the facility, configured as the deployment configures it for a generation. */
  static SignRecord<SourceRecord> signer(String code, int generation) {
    return signer(code, "g" + generation, facilityKey(code, generation));
  }

  /** The sink's VerifyRecord with {@link #MASTER} and min.generations (CODE=N,...; "" for none). */
  static VerifyRecord<SinkRecord> verifier(String minGenerations) {
    VerifyRecord<SinkRecord> v = new VerifyRecord<>();
    v.configure(Map.of("master", MASTER, "min.generations", minGenerations));
    return v;
  }
}
