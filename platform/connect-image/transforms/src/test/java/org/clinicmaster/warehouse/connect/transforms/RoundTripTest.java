package org.clinicmaster.warehouse.connect.transforms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.math.BigDecimal;
import java.util.Date;
import java.util.stream.Stream;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Time;
import org.apache.kafka.connect.data.Timestamp;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** A record signed on the agent verifies on the sink after crossing Kafka as JSON, for every column type. */
class RoundTripTest {
  private final VerifyRecord<SinkRecord> verify = Pipeline.verifier("");
  private final Pipeline pipeline = new Pipeline();
  private final SignRecord<SourceRecord> sign = Pipeline.signer("FAC-A", 1);

  static Schema nested() {
    return SchemaBuilder.struct().name("Address").optional()
        .field("village", Schema.OPTIONAL_STRING_SCHEMA).field("gps", Schema.OPTIONAL_FLOAT64_SCHEMA).build();
  }

  static Schema variableScaleDecimal() {
    return SchemaBuilder.struct().name("io.debezium.data.VariableScaleDecimal").version(1).optional()
        .doc("Variable scaled decimal").field("scale", Schema.INT32_SCHEMA).field("value", Schema.BYTES_SCHEMA).build();
  }

  // Every Connect type Debezium emits for ClinicMaster columns, with a value and, optional, a null.
  static Stream<Arguments> columns() {
    Schema decimal = Decimal.builder(2).optional().build();
    Schema debeziumTimestamp = SchemaBuilder.int64().name("io.debezium.time.MicroTimestamp").version(1).optional().build();
    return Stream.of(
        Arguments.of("int8", Schema.INT8_SCHEMA, (byte) -7),
        Arguments.of("int16", Schema.INT16_SCHEMA, (short) 31000),
        Arguments.of("int32", Schema.INT32_SCHEMA, Integer.MIN_VALUE),
        Arguments.of("int64", Schema.INT64_SCHEMA, Long.MAX_VALUE),
        Arguments.of("float32", Schema.FLOAT32_SCHEMA, 36.6f),
        Arguments.of("float32 tiny", Schema.FLOAT32_SCHEMA, 1.0e-7f),
        Arguments.of("float64", Schema.FLOAT64_SCHEMA, 0.1 + 0.2),
        Arguments.of("float64 negative zero (JSON gives 0.0)", Schema.FLOAT64_SCHEMA, -0.0),
        Arguments.of("float64 NaN (JSON gives 0.0)", Schema.FLOAT64_SCHEMA, Double.NaN),
        Arguments.of("float32 negative zero", Schema.FLOAT32_SCHEMA, -0.0f),
        Arguments.of("boolean", Schema.BOOLEAN_SCHEMA, true),
        Arguments.of("string non-ASCII", Schema.STRING_SCHEMA, "Hôpital St. Mary's \"A&E\" — Gulu \\ 病院 🏥"),
        Arguments.of("bytes", Schema.BYTES_SCHEMA, new byte[] {0, 1, (byte) 0xff, 10, 13}),
        Arguments.of("decimal", decimal, new BigDecimal("-12345678901234567890.25")),
        Arguments.of("date", org.apache.kafka.connect.data.Date.SCHEMA, new Date(1767225600000L - 86400000L * 365)),
        Arguments.of("time", Time.SCHEMA, new Date(13 * 3600_000L + 5 * 60_000L + 7_123)),
        Arguments.of("timestamp", Timestamp.SCHEMA, new Date(1767225612345L)),
        Arguments.of("debezium micro timestamp", debeziumTimestamp, 1767225612345678L),
        Arguments.of("decimal with Debezium's source type parameters", Decimal.builder(2).optional()
            .parameter("__debezium.source.column.type", "DECIMAL").parameter("__debezium.source.column.length", "18")
            .parameter("__debezium.source.column.scale", "2").build(), new BigDecimal("15000.50")),
        Arguments.of("Debezium variable scale decimal", variableScaleDecimal(),
            new Struct(variableScaleDecimal()).put("scale", 3).put("value", new byte[] {0x30, 0x39})),
        Arguments.of("optional null string", Schema.OPTIONAL_STRING_SCHEMA, null),
        Arguments.of("optional null decimal", decimal, null),
        Arguments.of("optional null int64", Schema.OPTIONAL_INT64_SCHEMA, null),
        Arguments.of("default on a null", SchemaBuilder.string().optional().defaultValue("n/a").doc("a doc").build(), null),
        Arguments.of("nested struct", nested(), new Struct(nested()).put("village", "Kyaka").put("gps", -0.0)),
        Arguments.of("nested struct with nulls", nested(), new Struct(nested())));
  }

  static Struct row(String code, String column, Schema schema, Object value) {
    Schema s = SchemaBuilder.struct().name("clinicmasterwarehouse.Patients.Value")
        .field("id", Schema.INT32_SCHEMA)
        .field(FacilityCode.FIELD, Schema.STRING_SCHEMA)
        .field("facility_name", Schema.STRING_SCHEMA)
        .field("col", schema)
        .build();
    return new Struct(s).put("id", 42).put(FacilityCode.FIELD, code).put("facility_name", "Kyaka HC")
        .put("col", value);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("columns")
  void aSignedColumnVerifiesAfterCrossingKafka(String column, Schema schema, Object value) {
    Struct v = row("FAC-A", column, schema, value);
    SinkRecord received = pipeline.overKafka(sign.apply(Pipeline.source(Pipeline.key(42, "FAC-A"), v.schema(), v)));
    SinkRecord verified = verify.apply(received);
    assertNotNull(verified.value());
    assertNull(verified.headers().lastWithName("cmw.sig"), "the verified header is removed");
  }

  @Test
  void everyTypeInOneRowVerifies() {
    SchemaBuilder b = SchemaBuilder.struct().name("AllTypes").field(FacilityCode.FIELD, Schema.STRING_SCHEMA);
    Object[][] cols = columns().map(Arguments::get).toArray(Object[][]::new);
    for (int i = 0; i < cols.length; i++) b.field("c" + i, (Schema) cols[i][1]);
    Schema s = b.build();
    Struct v = new Struct(s).put(FacilityCode.FIELD, "FAC-A");
    for (int i = 0; i < cols.length; i++) v.put("c" + i, cols[i][2]);
    SinkRecord received = pipeline.overKafka(sign.apply(Pipeline.source(Pipeline.key(1, "FAC-A"), s, v)));
    assertEquals(v.getString(FacilityCode.FIELD), ((Struct) verify.apply(received).value()).getString(FacilityCode.FIELD));
  }

  @Test
  void aSignedTombstoneVerifies() {
    SinkRecord received = pipeline.overKafka(sign.apply(Pipeline.source(Pipeline.key(42, "FAC-A"), null, null)));
    SinkRecord verified = verify.apply(received);
    assertNull(verified.value());
    assertEquals(42, ((Struct) verified.key()).getInt32("id"));
    assertNull(verified.headers().lastWithName("cmw.sig"));
  }
}
