package org.clinicmaster.warehouse.connect.transforms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.header.ConnectHeaders;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SignLines: its lines verify on the sink with the same master; what it refuses, and how. */
class SignLinesTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path dir;
  private Path masterFile;

  record Result(int rc, List<String> out, String err) {}

  @BeforeEach
  void masterFile() throws IOException {
    // As worker-properties.sh writes the sink's secrets file: other properties beside the master.
    masterFile = dir.resolve("sink.properties");
    Files.writeString(masterFile, "warehouse.password=pw\nsigning.master=" + Pipeline.MASTER + "\n", StandardCharsets.UTF_8);
  }

  private Result run(String stdin, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int rc = SignLines.run(args, new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    String o = out.toString(StandardCharsets.UTF_8);
    String e = err.toString(StandardCharsets.UTF_8);
    for (String secret : new String[] {Pipeline.MASTER, Pipeline.SECRET_A1, Pipeline.SECRET_A2, Pipeline.SECRET_B1,
        Pipeline.facilityKey("FAC-B", 2)}) {
      assertFalse(o.contains(secret) || e.contains(secret), "neither the master nor a derived key is printed");
    }
    return new Result(rc, o.isEmpty() ? List.of() : List.of(o.split("\n")), e);
  }

  private Result sign(String stdin) {
    return run(stdin, "--master-file", masterFile.toString());
  }

  static String json(boolean isKey, org.apache.kafka.connect.data.Schema schema, Object value) {
    JsonConverter c = new JsonConverter();
    c.configure(Map.of("schemas.enable", "true"), isKey);
    byte[] bytes = c.fromConnectData("t", schema, value);
    return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
  }

  /** An input line for a record as an agent's converter would have written it. */
  static String line(SourceRecord r, Integer generation) throws IOException {
    var node = JSON.createObjectNode();
    node.put("key", json(true, r.keySchema(), r.key()));
    node.put("value", json(false, r.valueSchema(), r.value()));
    if (generation != null) node.put("generation", generation);
    return JSON.writeValueAsString(node);
  }

  /** What the sink's VerifyRecord receives when an output line is produced to Kafka. */
  static SinkRecord received(String outputLine) throws IOException {
    JsonNode signed = JSON.readTree(outputLine);
    JsonConverter keys = new JsonConverter();
    keys.configure(Map.of("schemas.enable", "true"), true);
    JsonConverter values = new JsonConverter();
    values.configure(Map.of("schemas.enable", "true"), false);
    SchemaAndValue key = keys.toConnectData("t", signed.get("key").textValue().getBytes(StandardCharsets.UTF_8));
    SchemaAndValue value = signed.get("value").isNull() ? SchemaAndValue.NULL
        : values.toConnectData("t", signed.get("value").textValue().getBytes(StandardCharsets.UTF_8));
    ConnectHeaders headers = new ConnectHeaders();
    headers.addString(signed.get("header").textValue(), signed.get("signature").textValue());
    return new SinkRecord("t", 0, key.schema(), key.value(), value.schema(), value.value(), 0, 0L,
        TimestampType.CREATE_TIME, headers);
  }

  @Test
  void itsLinesVerifyOnTheSinkWithTheSameMaster() throws Exception {
    String handWritten = "{\"key\": \"{ \\\"schema\\\": {\\\"type\\\": \\\"struct\\\", \\\"optional\\\": false, \\\"fields\\\": ["
        + "{\\\"field\\\": \\\"id\\\", \\\"type\\\": \\\"int32\\\", \\\"optional\\\": false},"
        + " {\\\"field\\\": \\\"facility_dhis2_code\\\", \\\"type\\\": \\\"string\\\", \\\"optional\\\": false}]},"
        + " \\\"payload\\\": {\\\"id\\\": 9, \\\"facility_dhis2_code\\\": \\\"FAC-A\\\"} }\", \"value\": null}";
    String input = String.join("\n",
        line(VerifyRecordTest.row("FAC-A", "FAC-A", "Akello — Hôpital 病院"), null),
        "",
        line(VerifyRecordTest.row("FAC-B", "FAC-B", "Okello"), 2),
        "{\"key\":" + JSON.writeValueAsString(json(true, Pipeline.KEY_SCHEMA, Pipeline.key(8, "FAC-A")))
            + ",\"value\":null,\"generation\":1}",
        handWritten) + "\n";
    Result r = sign(input);
    assertEquals(0, r.rc(), r.err());
    assertEquals("", r.err());
    assertEquals(4, r.out().size());
    VerifyRecord<SinkRecord> verify = Pipeline.verifier("");
    List<String> signatures = new ArrayList<>();
    for (String out : r.out()) {
      JsonNode node = JSON.readTree(out);
      List<String> names = new ArrayList<>();
      for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) names.add(it.next());
      assertEquals(List.of("header", "key", "signature", "value"), names, "sorted keys");
      assertEquals("cmw.sig", node.get("header").textValue());
      signatures.add(node.get("signature").textValue());
      SinkRecord verified = verify.apply(received(out));
      assertNull(verified.headers().lastWithName("cmw.sig"));
    }
    assertTrue(signatures.get(0).matches("v1:g1:[A-Za-z0-9+/]{22}"), signatures.get(0));
    assertTrue(signatures.get(1).startsWith("v1:g2:"), signatures.get(1));
    assertTrue(signatures.get(2).startsWith("v1:g1:"), signatures.get(2));
    // The key and value printed as the JsonConverter writes them; the tombstone's value is null.
    SourceRecord first = VerifyRecordTest.row("FAC-A", "FAC-A", "Akello — Hôpital 病院");
    assertEquals(json(true, first.keySchema(), first.key()), JSON.readTree(r.out().get(0)).get("key").textValue());
    assertEquals(json(false, first.valueSchema(), first.value()), JSON.readTree(r.out().get(0)).get("value").textValue());
    assertTrue(r.out().get(2).endsWith(",\"value\":null}"), r.out().get(2));
    assertEquals("{\"schema\":{\"type\":\"struct\",\"fields\":[{\"type\":\"int32\",\"optional\":false,\"field\":\"id\"},"
        + "{\"type\":\"string\",\"optional\":false,\"field\":\"facility_dhis2_code\"}],\"optional\":false},"
        + "\"payload\":{\"id\":9,\"facility_dhis2_code\":\"FAC-A\"}}", JSON.readTree(r.out().get(3)).get("key").textValue(),
        "hand-written JSON is printed as the converter writes it");
    assertEquals("Akello — Hôpital 病院", ((Struct) verify.apply(received(r.out().get(0))).value()).getString("names"));
    // The same signature as the facility's agent makes (SignRecord with the derived key).
    SourceRecord byAgent = Pipeline.signer("FAC-A", 1).apply(first);
    assertEquals(byAgent.headers().lastWithName("cmw.sig").value(), signatures.get(0));
    // A sink whose minimum for FAC-B is 3 refuses the g2 line; one with another master refuses all.
    String message = assertThrows(DataException.class,
        () -> Pipeline.verifier("FAC-B=3").apply(received(r.out().get(1)))).getMessage();
    assertEquals("key g2 of facility FAC-B is retired (signatures from g3 on are accepted)", message);
    VerifyRecord<SinkRecord> other = new VerifyRecord<>();
    other.configure(Map.of("master", "another-signing-master-0123456789abcdef"));
    assertThrows(DataException.class, () -> other.apply(received(r.out().get(0))));
  }

  @Test
  void theMasterPropertyCanBeNamed() throws Exception {
    Path file = dir.resolve("other.properties");
    Files.writeString(file, "master.for.tests=" + Pipeline.MASTER + "\n");
    Result r = run(line(VerifyRecordTest.row("FAC-A", "FAC-A", "x"), null) + "\n",
        "--master-property", "master.for.tests", "--master-file", file.toString());
    assertEquals(0, r.rc(), r.err());
    Pipeline.verifier("").apply(received(r.out().get(0)));
  }

  @Test
  void aLineThatCannotBeSignedStopsWithItsNumberAndReason() throws Exception {
    String good = line(VerifyRecordTest.row("FAC-A", "FAC-A", "x"), null);
    String key = JSON.writeValueAsString(json(true, Pipeline.KEY_SCHEMA, Pipeline.key(1, "FAC-A")));
    String[][] cases = {
        {"{not json", "SignLines: line 3: not JSON: Unexpected character"},
        {"[1]", "SignLines: line 3: not a JSON object"},
        {"{\"key\":" + key + "}", "SignLines: line 3: \"value\" must be a string"},
        {"{\"key\":" + key + ",\"value\":null,\"generaton\":2}", "SignLines: line 3: unknown field \"generaton\""},
        {"{\"key\":" + key + ",\"value\":null,\"generation\":0}", "SignLines: line 3: \"generation\" must be a whole number from 1 to 999999999"},
        {"{\"key\":" + key + ",\"value\":null,\"generation\":1.5}", "SignLines: line 3: \"generation\" must be"},
        {"{\"key\":" + key + ",\"value\":null,\"generation\":\"2\"}", "SignLines: line 3: \"generation\" must be"},
        {"{\"key\":{\"id\":1},\"value\":null}", "SignLines: line 3: \"key\" must be a string"},
        {"{\"key\":\"{\\\"id\\\":1}\",\"value\":null}", "SignLines: line 3: key: JsonConverter with schemas.enable requires"},
        {"{\"key\":\"{\\\"schema\\\":null,\\\"payload\\\":{\\\"id\\\":1}}\",\"value\":null}",
            "SignLines: line 3: the record key has no facility_dhis2_code"},
        {line(VerifyRecordTest.row("FAC-A", "FAC-B", "x"), null),
            "SignLines: line 3: refusing to sign: the record value's facility_dhis2_code is FAC-B, not this facility's FAC-A"},
    };
    for (String[] c : cases) {
      Result r = sign(good + "\n" + good + "\n" + c[0] + "\n" + good + "\n");
      assertEquals(1, r.rc(), c[0]);
      assertEquals(2, r.out().size(), "the lines before it were printed: " + c[0]);
      assertTrue(r.err().startsWith(c[1]), c[0] + " -> " + r.err());
      assertEquals(1, r.err().strip().lines().count(), "one line: " + r.err());
    }
  }

  @Test
  void aMissingOrShortMasterIsExit2NamingTheFileAndProperty() throws Exception {
    String input = line(VerifyRecordTest.row("FAC-A", "FAC-A", "x"), null) + "\n";
    Result r = run(input, "--master-file", dir.resolve("absent.properties").toString());
    assertEquals(2, r.rc());
    assertTrue(r.err().contains(dir.resolve("absent.properties").toString()) && r.err().contains("signing.master"), r.err());
    assertEquals(List.of(), r.out());

    r = run(input, "--master-file", masterFile.toString(), "--master-property", "nope");
    assertEquals(2, r.rc());
    assertEquals("SignLines: the signing master file " + masterFile + " has no property nope\n", r.err());

    Path weak = dir.resolve("weak.properties");
    Files.writeString(weak, "signing.master=too-short-master\n");
    r = run(input, "--master-file", weak.toString());
    assertEquals(2, r.rc());
    assertTrue(r.err().startsWith("SignLines: property signing.master of " + weak + " is shorter than 32 bytes"), r.err());
    assertFalse(r.err().contains("too-short-master"));

    r = run(input, "--master-file");
    assertEquals(2, r.rc());
    assertTrue(r.err().contains("usage"), r.err());
    r = run(input, "--key", "x");
    assertEquals(2, r.rc());
  }

  @Test
  void theDefaultsAreTheSinksSecretsFile() {
    assertEquals("/etc/kafka-connect/secrets/sink.properties", SignLines.DEFAULT_MASTER_FILE);
    assertEquals("signing.master", SignLines.DEFAULT_MASTER_PROPERTY);
  }
}
