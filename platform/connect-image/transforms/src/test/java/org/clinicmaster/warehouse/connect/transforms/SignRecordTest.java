package org.clinicmaster.warehouse.connect.transforms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Test;

/** What the agent refuses to configure or to sign, and the header it writes. */
class SignRecordTest {
  private static Map<String, String> config(String code, String key) {
    return Map.of("code", code, "key", key, "key.id", "g1");
  }

  @Test
  void refusesAnEmptyOrShortKeyOrAnEmptyCode() {
    SignRecord<SourceRecord> s = new SignRecord<>();
    assertThrows(ConfigException.class, () -> s.configure(config("FAC-A", "")));
    String message = assertThrows(ConfigException.class, () -> s.configure(config("FAC-A", "31-bytes-long-secret-0123456789"))).getMessage();
    assertFalse(message.contains("31-bytes-long-secret"), "the error names no secret");
    assertTrue(message.contains("shorter than 32 bytes"), message);
    assertThrows(ConfigException.class, () -> s.configure(config("", Pipeline.SECRET_A1)));
    assertThrows(ConfigException.class, () -> s.configure(Map.of("code", "FAC-A", "key", Pipeline.SECRET_A1, "key.id", "g:1")));
    s.configure(config("FAC-A", "32-bytes-long-secret-0123456789a"));
  }

  @Test
  void refusesToSignAnotherFacilitysRow() {
    SignRecord<SourceRecord> s = Pipeline.signer("FAC-A", "g1", Pipeline.SECRET_A1);
    String message = assertThrows(DataException.class,
        () -> s.apply(VerifyRecordTest.row("FAC-B", "FAC-B", "x"))).getMessage();
    assertEquals("refusing to sign: the record key's facility_dhis2_code is FAC-B, not this facility's FAC-A", message);
    assertThrows(DataException.class, () -> s.apply(VerifyRecordTest.row("FAC-A", "FAC-B", "x")));
  }

  @Test
  void writesAVersionedHeaderAndReplacesAnEarlierOne() {
    SignRecord<SourceRecord> s = Pipeline.signer("FAC-A", "g1", Pipeline.SECRET_A1);
    SourceRecord r = VerifyRecordTest.row("FAC-A", "FAC-A", "x");
    r.headers().addString("cmw.sig", "forged");
    SourceRecord signed = s.apply(r);
    assertEquals(1, count(signed));
    assertTrue(((String) signed.headers().lastWithName("cmw.sig").value()).matches("v1:g1:[A-Za-z0-9+/]{22}"));
  }

  private static int count(SourceRecord r) {
    int n = 0;
    for (var it = r.headers().allWithName("cmw.sig"); it.hasNext(); it.next()) n++;
    return n;
  }
}
