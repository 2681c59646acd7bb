package org.clinicmaster.warehouse.connect.transforms;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.header.Header;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * For the image suite: one record as a facility agent sends it (key and value Structs, signed by
 * SignRecord, serialized by a JsonConverter with schemas), as a console-producer line
 * {@code <header>:<signature>\t<key>|<value>}.
 * Usage: {@code SignedRecordLine CODE KEY_ID ID NAMES}, on the first line of stdin the facility's
 * key as its agent is given it: the text derived from the signing master for that facility and
 * generation ({@link FacilityKeyDerivation}; the suite derives it with openssl, an independent
 * implementation), KEY_ID {@code g<N>}.
 */
public final class SignedRecordLine {
  private SignedRecordLine() {}

  public static void main(String[] args) throws Exception {
    String secret = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
    SignRecord<SourceRecord> sign = new SignRecord<>();
    sign.configure(Map.of("code", args[0], "key.id", args[1], "key", secret));
    Schema valueSchema = SchemaBuilder.struct().name("cmw.image.test.Value")
        .field("id", Schema.INT32_SCHEMA).field(FacilityCode.FIELD, Schema.STRING_SCHEMA)
        .field("names", Schema.OPTIONAL_STRING_SCHEMA).build();
    int id = Integer.parseInt(args[2]);
    Struct value = new Struct(valueSchema).put("id", id).put(FacilityCode.FIELD, args[0]).put("names", args[3]);
    SourceRecord signed = sign.apply(Pipeline.source(Pipeline.key(id, args[0]), valueSchema, value));
    Header header = signed.headers().lastWithName(SignRecord.DEFAULT_HEADER);
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    out.println(header.key() + ":" + header.value() + "\t"
        + json(true, signed.keySchema(), signed.key()) + "|" + json(false, signed.valueSchema(), signed.value()));
  }

  private static String json(boolean isKey, Schema schema, Object value) {
    JsonConverter converter = new JsonConverter();
    converter.configure(Map.of("schemas.enable", "true"), isKey);
    return new String(converter.fromConnectData("", schema, value), StandardCharsets.UTF_8);
  }
}
