package org.clinicmaster.warehouse.connect.transforms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.header.ConnectHeaders;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Test;

/** What the sink accepts and refuses, with which reason: derived keys, generations, configuration. */
class VerifyRecordTest {
  static final Schema VALUE = SchemaBuilder.struct().name("Patients.Value")
      .field("id", Schema.INT32_SCHEMA).field(FacilityCode.FIELD, Schema.STRING_SCHEMA)
      .field("names", Schema.OPTIONAL_STRING_SCHEMA).build();
  static final String MISMATCH_A = "signature does not match facility FAC-A's keys (altered, or signed by another facility)";

  private final Pipeline pipeline = new Pipeline();
  private final SignRecord<SourceRecord> signA1 = Pipeline.signer("FAC-A", 1);
  private final SignRecord<SourceRecord> signA2 = Pipeline.signer("FAC-A", 2);
  private final SignRecord<SourceRecord> signB = Pipeline.signer("FAC-B", 1);
  private VerifyRecord<SinkRecord> verify = Pipeline.verifier("");

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

  /** The header a holder of {@code secret} (any key) writes on {@code r}, claiming key id {@code keyId}. */
  static String signature(String keyId, String secret, String code, SourceRecord r) {
    SigningKey key = new SigningKey(keyId, secret, "test");
    return RecordSignature.header(keyId, new RecordSignature(true).mac(RecordSignature.newMac(key), code, r));
  }

  private String refusal(SinkRecord r) {
    String message = assertThrows(DataException.class, () -> verify.apply(r)).getMessage();
    for (String secret : new String[] {Pipeline.MASTER, Pipeline.SECRET_A1, Pipeline.SECRET_A2, Pipeline.SECRET_B1}) {
      assertFalse(message.contains(secret), "a refusal names no secret");
    }
    return message;
  }

  private static Map<String, String> config(String master, String minGenerations) {
    Map<String, String> c = new HashMap<>();
    if (master != null) c.put("master", master);
    if (minGenerations != null) c.put("min.generations", minGenerations);
    return c;
  }

  @Test
  void aRecordSignedWithTheDerivedKeyPassesWithoutItsHeader() {
    SinkRecord received = pipeline.overKafka(signA1.apply(row("FAC-A", "FAC-A", "Akello")));
    received.headers().addString("other", "kept");
    SinkRecord verified = verify.apply(received);
    assertNull(verified.headers().lastWithName("cmw.sig"));
    assertEquals("kept", verified.headers().lastWithName("other").value());
    assertEquals("Akello", ((Struct) verified.value()).getString("names"));
  }

  @Test
  void anyFacilityIsVerifiedWithoutConfiguringIt() {
    // No list of facilities: a facility added after the sink started verifies with its derived key.
    SignRecord<SourceRecord> signNew = Pipeline.signer("FAC-NEW-0042", 1);
    verify.apply(pipeline.overKafka(signNew.apply(row("FAC-NEW-0042", "FAC-NEW-0042", "x"))));
  }

  @Test
  void aKeyDerivedFromAnotherMasterIsRefused() {
    String otherMastersKey = new FacilityKeyDerivation("another-signing-master-0123456789abcdef", "test").key("FAC-A", 1);
    SignRecord<SourceRecord> sign = Pipeline.signer("FAC-A", "g1", otherMastersKey);
    assertEquals(MISMATCH_A, refusal(pipeline.overKafka(sign.apply(row("FAC-A", "FAC-A", "x")))));
  }

  @Test
  void anUnsignedRecordIsRefused() {
    assertEquals("unsigned record", refusal(pipeline.overKafka(row("FAC-A", "FAC-A", "Akello"))));
  }

  @Test
  void aMalformedHeaderIsRefused() {
    String mac = "A".repeat(22);
    for (String header : new String[] {"garbage", "v2:g1:" + mac, "v1::" + mac, "v1:g1:not base64!", "v1:g1:AAAA",
        "v1:x1:" + mac, "v1:g0:" + mac, "v1:g01:" + mac, "v1:G1:" + mac, "v1:g-1:" + mac, "v1:g1 :" + mac,
        "v1:g:" + mac, "v1:g1000000000:" + mac, "v1:g99999999999:" + mac}) {
      SourceRecord r = row("FAC-A", "FAC-A", "x");
      r.headers().addString("cmw.sig", header);
      assertEquals("malformed signature header", refusal(pipeline.overKafka(r)), header);
    }
  }

  @Test
  void theHighestGenerationIsAccepted() {
    SignRecord<SourceRecord> sign = Pipeline.signer("FAC-A", 999_999_999);
    verify.apply(pipeline.overKafka(sign.apply(row("FAC-A", "FAC-A", "x"))));
  }

  @Test
  void aRecordKeyWithoutCodeIsRefused() {
    SinkRecord received = pipeline.overKafka(signA1.apply(row("FAC-A", "FAC-A", "x")));
    Schema keySchema = SchemaBuilder.struct().field("id", Schema.INT32_SCHEMA).build();
    assertEquals("record key has no facility_dhis2_code", refusal(received.newRecord(received.topic(), 0,
        keySchema, new Struct(keySchema).put("id", 7), received.valueSchema(), received.value(), received.timestamp(),
        received.headers())));
  }

  @Test
  void anAlteredValueIsRefused() {
    SinkRecord received = pipeline.overKafka(signA1.apply(row("FAC-A", "FAC-A", "Akello")));
    Struct altered = new Struct(received.valueSchema()).put("id", 7).put(FacilityCode.FIELD, "FAC-A").put("names", "Okello");
    assertEquals(MISMATCH_A, refusal(withValue(received, altered)));
  }

  @Test
  void anAlteredKeyIsRefused() {
    SinkRecord received = pipeline.overKafka(signA1.apply(row("FAC-A", "FAC-A", "Akello")));
    Struct key = new Struct(received.keySchema()).put("id", 8).put(FacilityCode.FIELD, "FAC-A");
    assertEquals(MISMATCH_A, refusal(withKey(received, key)));
  }

  @Test
  void anotherFacilitysRowSignedWithItsOwnKeyIsRefused() {
    // FAC-B's host, compromised, signs a row keyed with FAC-A's code using FAC-B's key (bypassing SignRecord's check).
    SourceRecord spoof = row("FAC-A", "FAC-A", "overwritten");
    spoof.headers().addString("cmw.sig", signature("g1", Pipeline.SECRET_B1, "FAC-A", spoof));
    assertEquals(MISMATCH_A, refusal(pipeline.overKafka(spoof)));
  }

  @Test
  void aSignatureMovedToAnotherFacilitysRowIsRefused() {
    SinkRecord own = pipeline.overKafka(signB.apply(row("FAC-B", "FAC-B", "x")));
    SourceRecord spoof = row("FAC-A", "FAC-A", "x");
    spoof.headers().addString("cmw.sig", (String) own.headers().lastWithName("cmw.sig").value());
    assertEquals(MISMATCH_A, refusal(pipeline.overKafka(spoof)));
  }

  @Test
  void aSignatureClaimingAnotherGenerationIsRefused() {
    // Signed with FAC-A's g1 key, the header relabelled g2 (or the other way round): keys differ per generation.
    SourceRecord r = row("FAC-A", "FAC-A", "x");
    r.headers().addString("cmw.sig", signature("g2", Pipeline.SECRET_A1, "FAC-A", r));
    assertEquals(MISMATCH_A, refusal(pipeline.overKafka(r)));
    SourceRecord s = row("FAC-A", "FAC-A", "x");
    s.headers().addString("cmw.sig", signature("g1", Pipeline.SECRET_A2, "FAC-A", s));
    assertEquals(MISMATCH_A, refusal(pipeline.overKafka(s)));
  }

  @Test
  void aValueClaimingAnotherFacilityIsRefused() {
    SinkRecord received = pipeline.overKafka(signA1.apply(row("FAC-A", "FAC-A", "x")));
    Struct altered = new Struct(received.valueSchema()).put("id", 7).put(FacilityCode.FIELD, "FAC-B").put("names", "x");
    assertEquals("the value's facility_dhis2_code FAC-B differs from the key's FAC-A", refusal(withValue(received, altered)));
  }

  @Test
  void aSignedTombstonePassesAndASpoofedOneIsRefused() {
    SinkRecord tombstone = pipeline.overKafka(signA1.apply(Pipeline.source(Pipeline.key(7, "FAC-A"), null, null)));
    SinkRecord verified = verify.apply(tombstone);
    assertNull(verified.value());
    assertNull(verified.headers().lastWithName("cmw.sig"));
    // A signed row turned into a tombstone (null value, same header) must not delete the row.
    SinkRecord row = pipeline.overKafka(signA1.apply(row("FAC-A", "FAC-A", "x")));
    assertEquals(MISMATCH_A,
        refusal(row.newRecord(row.topic(), 0, row.keySchema(), row.key(), null, null, row.timestamp(), row.headers())));
    // FAC-B deleting FAC-A's row with a tombstone signed by FAC-B's key.
    SourceRecord spoof = Pipeline.source(Pipeline.key(7, "FAC-A"), null, null);
    spoof.headers().addString("cmw.sig", signature("g1", Pipeline.SECRET_B1, "FAC-A", spoof));
    assertEquals(MISMATCH_A, refusal(pipeline.overKafka(spoof)));
    // A tombstone signed with a retired key.
    verify = Pipeline.verifier("FAC-A=2");
    assertEquals("key g1 of facility FAC-A is retired (signatures from g2 on are accepted)",
        refusal(pipeline.overKafka(signA1.apply(Pipeline.source(Pipeline.key(7, "FAC-A"), null, null)))));
  }

  @Test
  void rotationAcceptsEveryGenerationFromTheFacilitysMinimum() {
    // No minimum (or 1): the old and the new key both verify while the agent switches.
    for (String min : new String[] {"", "FAC-A=1", "FAC-B=3"}) {
      verify = Pipeline.verifier(min);
      verify.apply(pipeline.overKafka(signA1.apply(row("FAC-A", "FAC-A", "x"))));
      verify.apply(pipeline.overKafka(signA2.apply(row("FAC-A", "FAC-A", "x"))));
    }
    // The central plan raised FAC-A's minimum to 2: g1 is retired, g2 and later are accepted,
    // other facilities keep their own minimum.
    verify = Pipeline.verifier("FAC-A=2,FAC-C=5");
    assertEquals("key g1 of facility FAC-A is retired (signatures from g2 on are accepted)",
        refusal(pipeline.overKafka(signA1.apply(row("FAC-A", "FAC-A", "x")))));
    verify.apply(pipeline.overKafka(signA2.apply(row("FAC-A", "FAC-A", "x"))));
    verify.apply(pipeline.overKafka(Pipeline.signer("FAC-A", 3).apply(row("FAC-A", "FAC-A", "x"))));
    verify.apply(pipeline.overKafka(signB.apply(row("FAC-B", "FAC-B", "x"))));
    assertEquals("key g4 of facility FAC-C is retired (signatures from g5 on are accepted)",
        refusal(pipeline.overKafka(Pipeline.signer("FAC-C", 4).apply(row("FAC-C", "FAC-C", "x")))));
    // A retired key's records stay refused even when the signature itself is valid: the check
    // comes before the MAC, so a compromised old key cannot be used at all.
    SourceRecord forged = row("FAC-A", "FAC-A", "x");
    forged.headers().addString("cmw.sig", "v1:g1:" + "A".repeat(22));
    assertEquals("key g1 of facility FAC-A is retired (signatures from g2 on are accepted)", refusal(pipeline.overKafka(forged)));
  }

  @Test
  void aShortOrMissingMasterIsAConfigErrorThatNamesTheSettingNotTheValue() {
    VerifyRecord<SinkRecord> v = new VerifyRecord<>();
    String shortMaster = "a-31-bytes-long-signing-master!";
    assertEquals(31, shortMaster.length());
    String message = assertThrows(ConfigException.class, () -> v.configure(config(shortMaster, null))).getMessage();
    assertTrue(message.startsWith("master "), message);
    assertTrue(message.contains("shorter than 32 bytes"), message);
    assertFalse(message.contains(shortMaster), "the error names no secret");
    message = assertThrows(ConfigException.class, () -> v.configure(config("", null))).getMessage();
    assertTrue(message.startsWith("master "), message);
    message = assertThrows(ConfigException.class, () -> v.configure(config(null, null))).getMessage();
    assertTrue(message.contains("\"master\""), message);
    // Bytes, not characters, count: 12 characters, 32 bytes in UTF-8 (ten of 3 bytes, two of 1).
    v.configure(config("病院".repeat(5) + "ab", null));
    v.configure(config("a-32-bytes-long-signing-master!!", null));
  }

  @Test
  void aMalformedMinGenerationsEntryIsAConfigErrorNamingIt() {
    for (String entry : new String[] {"FAC-A", "FAC-A=", "=2", "FAC-A=0", "FAC-A=01", "FAC-A=-1", "FAC-A=x", "FAC-A=g2",
        "FAC-A=1000000000", "FAC-A=2=3", "FAC-A =2", "FAC-A= 2"}) {
      VerifyRecord<SinkRecord> v = new VerifyRecord<>();
      String message = assertThrows(ConfigException.class,
          () -> v.configure(config(Pipeline.MASTER, "FAC-B=2," + entry)), entry).getMessage();
      assertTrue(message.contains("'" + entry.strip() + "'"), message);
      assertFalse(message.contains(Pipeline.MASTER));
    }
    VerifyRecord<SinkRecord> v = new VerifyRecord<>();
    String message = assertThrows(ConfigException.class,
        () -> v.configure(config(Pipeline.MASTER, "FAC-A=2,FAC-A=3"))).getMessage();
    assertEquals("min.generations: entry 'FAC-A=3' names facility FAC-A again", message);
    v.configure(config(Pipeline.MASTER, " FAC-A=2 , FAC-B=999999999 "));
    v.configure(config(Pipeline.MASTER, ""));
    v.configure(config(Pipeline.MASTER, null));
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

  @Test
  void derivedKeysAreCachedUpToABound() {
    SinkRecord a1 = pipeline.overKafka(signA1.apply(row("FAC-A", "FAC-A", "x")));
    verify.apply(a1);
    verify.apply(pipeline.overKafka(signA1.apply(row("FAC-A", "FAC-A", "y"))));
    assertEquals(1, verify.cachedKeys());
    // A flood of records claiming ever new facilities (each derives a key) does not grow it past the bound.
    String mac = "A".repeat(22);
    for (int i = 0; i < VerifyRecord.MAX_CACHED_KEYS + 50; i++) {
      SourceRecord r = row("FAC-" + i, "FAC-" + i, "x");
      r.headers().addString("cmw.sig", "v1:g1:" + mac);
      assertThrows(DataException.class, () -> verify.apply(pipeline.overKafka(r)));
    }
    assertEquals(VerifyRecord.MAX_CACHED_KEYS, verify.cachedKeys());
    verify.apply(pipeline.overKafka(signA1.apply(row("FAC-A", "FAC-A", "z"))));
  }
}
