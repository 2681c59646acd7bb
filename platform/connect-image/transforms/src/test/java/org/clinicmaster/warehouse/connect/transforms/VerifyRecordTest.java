package org.clinicmaster.warehouse.connect.transforms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.header.ConnectHeaders;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the sink refuses, with which reason, and key rotation through the reloaded keys file. */
class VerifyRecordTest {
  static final Schema VALUE = SchemaBuilder.struct().name("Patients.Value")
      .field("id", Schema.INT32_SCHEMA).field(FacilityCode.FIELD, Schema.STRING_SCHEMA)
      .field("names", Schema.OPTIONAL_STRING_SCHEMA).build();

  @TempDir Path dir;
  private final long[] clock = {0};
  private final Pipeline pipeline = new Pipeline();
  private final SignRecord<SourceRecord> signA1 = Pipeline.signer("FAC-A", "g1", Pipeline.SECRET_A1);
  private final SignRecord<SourceRecord> signA2 = Pipeline.signer("FAC-A", "g2", Pipeline.SECRET_A2);
  private final SignRecord<SourceRecord> signB = Pipeline.signer("FAC-B", "g1", Pipeline.SECRET_B1);
  private Path keysFile;
  private VerifyRecord<SinkRecord> verify;

  @BeforeEach
  void keys() throws Exception {
    keysFile = Pipeline.keysFile(dir, "FAC-A=g1=" + Pipeline.SECRET_A1 + "\nFAC-B=g1=" + Pipeline.SECRET_B1 + "\n");
    verify = Pipeline.verifier(keysFile, clock);
  }

  static SourceRecord row(String keyCode, String valueCode, String names) {
    Struct v = new Struct(VALUE).put("id", 7).put(FacilityCode.FIELD, valueCode).put("names", names);
    return Pipeline.source(Pipeline.key(7, keyCode), VALUE, v);
  }

  static SinkRecord withValue(SinkRecord r, Object value) {
    return r.newRecord(r.topic(), r.kafkaPartition(), r.keySchema(), r.key(), r.valueSchema(), value, r.timestamp(), r.headers());
  }

  static SinkRecord withKey(SinkRecord r, Object key) {
    return r.newRecord(r.topic(), r.kafkaPartition(), r.keySchema(), key, r.valueSchema(), r.value(), r.timestamp(), r.headers());
  }

  private String refusal(SinkRecord r) {
    String message = assertThrows(DataException.class, () -> verify.apply(r)).getMessage();
    for (String secret : new String[] {Pipeline.SECRET_A1, Pipeline.SECRET_A2, Pipeline.SECRET_B1}) {
      assertFalse(message.contains(secret), "a refusal names no secret");
    }
    return message;
  }

  @Test
  void aSignedRecordPassesWithoutItsHeader() {
    SinkRecord received = pipeline.overKafka(signA1.apply(row("FAC-A", "FAC-A", "Akello")));
    received.headers().addString("other", "kept");
    SinkRecord verified = verify.apply(received);
    assertNull(verified.headers().lastWithName("cmw.sig"));
    assertEquals("kept", verified.headers().lastWithName("other").value());
    assertEquals("Akello", ((Struct) verified.value()).getString("names"));
  }

  @Test
  void anUnsignedRecordIsRefused() {
    assertEquals("unsigned record", refusal(pipeline.overKafka(row("FAC-A", "FAC-A", "Akello"))));
  }

  @Test
  void aMalformedHeaderIsRefused() {
    for (String header : new String[] {"garbage", "v2:g1:AAAA", "v1::AAAA", "v1:g1:not base64!", "v1:g1:AAAA"}) {
      SourceRecord r = row("FAC-A", "FAC-A", "x");
      r.headers().addString("cmw.sig", header);
      assertEquals("malformed signature header", refusal(pipeline.overKafka(r)), header);
    }
  }

  @Test
  void anAlteredValueIsRefused() {
    SinkRecord received = pipeline.overKafka(signA1.apply(row("FAC-A", "FAC-A", "Akello")));
    Struct altered = new Struct(received.valueSchema()).put("id", 7).put(FacilityCode.FIELD, "FAC-A").put("names", "Okello");
    assertEquals("signature does not match facility FAC-A's keys (altered, or signed by another facility)",
        refusal(withValue(received, altered)));
  }

  @Test
  void anAlteredKeyIsRefused() {
    SinkRecord received = pipeline.overKafka(signA1.apply(row("FAC-A", "FAC-A", "Akello")));
    Struct key = new Struct(received.keySchema()).put("id", 8).put(FacilityCode.FIELD, "FAC-A");
    assertEquals("signature does not match facility FAC-A's keys (altered, or signed by another facility)",
        refusal(withKey(received, key)));
  }

  @Test
  void anotherFacilitysRowSignedWithItsOwnKeyIsRefused() {
    // FAC-B's host, compromised, signs a row keyed with FAC-A's code using FAC-B's key (bypassing SignRecord's check).
    SourceRecord spoof = row("FAC-A", "FAC-A", "overwritten");
    String header = RecordSignature.header("g1", new RecordSignature(true).mac(
        new SigningKey("g1", Pipeline.SECRET_B1, "test"), "FAC-A", spoof));
    spoof.headers().addString("cmw.sig", header);
    assertEquals("signature does not match facility FAC-A's keys (altered, or signed by another facility)",
        refusal(pipeline.overKafka(spoof)));
  }

  @Test
  void aSignatureMovedToAnotherFacilitysRowIsRefused() {
    SinkRecord own = pipeline.overKafka(signB.apply(row("FAC-B", "FAC-B", "x")));
    SourceRecord spoof = row("FAC-A", "FAC-A", "x");
    spoof.headers().addString("cmw.sig", (String) own.headers().lastWithName("cmw.sig").value());
    assertEquals("signature does not match facility FAC-A's keys (altered, or signed by another facility)",
        refusal(pipeline.overKafka(spoof)));
  }

  @Test
  void aValueClaimingAnotherFacilityIsRefused() {
    SinkRecord received = pipeline.overKafka(signA1.apply(row("FAC-A", "FAC-A", "x")));
    Struct altered = new Struct(received.valueSchema()).put("id", 7).put(FacilityCode.FIELD, "FAC-B").put("names", "x");
    assertEquals("the value's facility_dhis2_code FAC-B differs from the key's FAC-A", refusal(withValue(received, altered)));
  }

  @Test
  void aCodeWithoutKeysIsRefused() {
    SignRecord<SourceRecord> signC = Pipeline.signer("FAC-C", "g1", Pipeline.SECRET_A1);
    assertEquals("no key for facility FAC-C", refusal(pipeline.overKafka(signC.apply(row("FAC-C", "FAC-C", "x")))));
  }

  @Test
  void aSignedTombstonePassesAndASpoofedOneIsRefused() {
    SinkRecord tombstone = pipeline.overKafka(signA1.apply(Pipeline.source(Pipeline.key(7, "FAC-A"), null, null)));
    assertNull(verify.apply(tombstone).value());
    // A signed row turned into a tombstone (null value, same header) must not delete the row.
    SinkRecord row = pipeline.overKafka(signA1.apply(row("FAC-A", "FAC-A", "x")));
    assertEquals("signature does not match facility FAC-A's keys (altered, or signed by another facility)",
        refusal(row.newRecord(row.topic(), 0, row.keySchema(), row.key(), null, null, row.timestamp(), row.headers())));
    // FAC-B deleting FAC-A's row with a tombstone signed by FAC-B's key.
    SourceRecord spoof = Pipeline.source(Pipeline.key(7, "FAC-A"), null, null);
    spoof.headers().addString("cmw.sig", RecordSignature.header("g1", new RecordSignature(true).mac(
        new SigningKey("g1", Pipeline.SECRET_B1, "test"), "FAC-A", spoof)));
    assertEquals("signature does not match facility FAC-A's keys (altered, or signed by another facility)",
        refusal(pipeline.overKafka(spoof)));
  }

  @Test
  void rotationAcceptsBothKeysThenRefusesTheRemovedOne() throws Exception {
    Pipeline.keysFile(dir, "FAC-A=g1=" + Pipeline.SECRET_A1 + ",g2=" + Pipeline.SECRET_A2 + "\n");
    SinkRecord byG2 = pipeline.overKafka(signA2.apply(row("FAC-A", "FAC-A", "x")));
    assertEquals("signature does not match facility FAC-A's keys (altered, or signed by another facility)",
        refusal(byG2), "not reloaded before reload.ms");
    clock[0] += 30_000;
    verify.apply(byG2);
    verify.apply(pipeline.overKafka(signA1.apply(row("FAC-A", "FAC-A", "x"))));
    Pipeline.keysFile(dir, "FAC-A=g2=" + Pipeline.SECRET_A2 + "\n");
    clock[0] += 30_000;
    assertEquals("signature does not match facility FAC-A's keys (altered, or signed by another facility)",
        refusal(pipeline.overKafka(signA1.apply(row("FAC-A", "FAC-A", "x")))));
    verify.apply(pipeline.overKafka(signA2.apply(row("FAC-A", "FAC-A", "x"))));
    assertEquals("no key for facility FAC-B", refusal(pipeline.overKafka(signB.apply(row("FAC-B", "FAC-B", "x")))));
  }

  @Test
  void aBadEditOfTheKeysFileKeepsTheLastGoodKeys() throws Exception {
    Pipeline.keysFile(dir, "FAC-A=g1=short\n");
    clock[0] += 30_000;
    verify.apply(pipeline.overKafka(signA1.apply(row("FAC-A", "FAC-A", "x"))));
  }

  @Test
  void aMissingOrMalformedKeysFileIsAConfigError() throws Exception {
    VerifyRecord<SinkRecord> v = new VerifyRecord<>();
    assertThrows(ConfigException.class, () -> v.configure(Map.of("keys.file", dir.resolve("absent").toString())));
    Path bad = Pipeline.keysFile(dir, "FAC-A=g1\n");
    String message = assertThrows(ConfigException.class, () -> v.configure(Map.of("keys.file", bad.toString()))).getMessage();
    assertEquals(bad + ", facility FAC-A: an entry is not <key.id>=<secret>", message);
    Path weak = Pipeline.keysFile(dir, "FAC-A=g1=tooshort\n");
    message = assertThrows(ConfigException.class, () -> v.configure(Map.of("keys.file", weak.toString()))).getMessage();
    assertFalse(message.contains("tooshort"));
  }

  @Test
  void aHeaderThatArrivesAsBytesIsRead() {
    SourceRecord signed = signA1.apply(row("FAC-A", "FAC-A", "x"));
    SinkRecord received = pipeline.overKafka(signed);
    ConnectHeaders headers = new ConnectHeaders();
    headers.addBytes("cmw.sig", ((String) received.headers().lastWithName("cmw.sig").value()).getBytes());
    verify.apply(received.newRecord(received.topic(), 0, received.keySchema(), received.key(),
        received.valueSchema(), received.value(), received.timestamp(), headers));
  }
}
