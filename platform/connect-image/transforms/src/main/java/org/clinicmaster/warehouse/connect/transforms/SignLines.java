package org.clinicmaster.warehouse.connect.transforms;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.header.Header;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.json.JsonConverterConfig;
import org.apache.kafka.connect.source.SourceRecord;
import org.clinicmaster.warehouse.connect.transforms.FacilityKeyDerivation.FacilityGeneration;

/**
 * Signs records given as JSON lines, each with the key its facility derives from the signing
 * master, as that facility's agent would (SignRecord). Runs inside a sink worker's container,
 * where the master already is, so no secret leaves it (tests; the dead-letter replay tool):
 *
 * <pre>
 * java -cp '/opt/connect/lib/*:/opt/connect/plugins/cmw-connect-transforms/*' \
 *   org.clinicmaster.warehouse.connect.transforms.SignLines [--master-file FILE] [--master-property NAME]
 * </pre>
 *
 * <p>The master is property NAME (default {@value #DEFAULT_MASTER_PROPERTY}) of the
 * java.util.Properties file FILE (default {@value #DEFAULT_MASTER_FILE}), read as Connect's
 * FileConfigProvider reads it. A missing file, property or too short a master: one line on stderr
 * naming the file and the property, exit 2.
 *
 * <p>stdin: one JSON object per line (blank lines are skipped),
 * {@code {"key": "<key as JsonConverter JSON, schema and payload>", "value": "<the same>" or null,
 * "generation": N}} ({@code generation} optional, default 1). The facility is the key's
 * {@code facility_dhis2_code}. stdout: per line, flushed,
 * {@code {"header":"cmw.sig","key":"<key JSON>","signature":"v1:g<N>:<MAC>","value":"<value JSON>" or null}},
 * key and value as a JsonConverter with schemas serializes them (what a producer sends as the
 * record's bytes). A line that cannot be signed: one line on stderr with its number and the
 * reason, exit 1 (the lines before it were printed). Neither the master nor a derived key is ever
 * printed.
 */
public final class SignLines {
  static final String DEFAULT_MASTER_FILE = "/etc/kafka-connect/secrets/sink.properties";
  static final String DEFAULT_MASTER_PROPERTY = "signing.master";
  static final String USAGE = "usage: SignLines [--master-file FILE] [--master-property NAME] < JSON lines";
  private static final String TOPIC = "cmw-sign-lines";
  private static final Set<String> FIELDS = Set.of("key", "value", "generation");
  private static final int MAX_SIGNERS = 1000;

  private final ObjectMapper json = new ObjectMapper();
  private final JsonConverter keyConverter = converter(true);
  private final JsonConverter valueConverter = converter(false);
  private final FacilityKeyDerivation keys;
  private final Map<FacilityGeneration, SignRecord<SourceRecord>> signers = new LinkedHashMap<>(64, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<FacilityGeneration, SignRecord<SourceRecord>> eldest) {
      return size() > MAX_SIGNERS;
    }
  };

  SignLines(FacilityKeyDerivation keys) {
    this.keys = keys;
  }

  public static void main(String[] args) {
    PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), false, StandardCharsets.UTF_8);
    PrintStream err = new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);
    // Whatever a library prints to the console (a logger without configuration) goes to stderr:
    // stdout carries the signed lines only.
    System.setOut(err);
    int rc = run(args, System.in, out, err);
    out.flush();
    System.exit(rc);
  }

  /** The command: 0 when every line was signed, 1 at the first line that could not be, 2 for a usage or master error. */
  static int run(String[] args, InputStream in, PrintStream out, PrintStream err) {
    String file = DEFAULT_MASTER_FILE;
    String property = DEFAULT_MASTER_PROPERTY;
    for (int i = 0; i < args.length; i++) {
      if ((args[i].equals("--master-file") || args[i].equals("--master-property")) && i + 1 < args.length) {
        if (args[i].equals("--master-file")) file = args[++i]; else property = args[++i];
      } else {
        err.println(args[i].equals("--help") || args[i].equals("-h") ? USAGE : "SignLines: unexpected argument " + args[i] + "; " + USAGE);
        return 2;
      }
    }
    SignLines signer;
    try {
      signer = new SignLines(new FacilityKeyDerivation(master(file, property), "property " + property + " of " + file));
    } catch (ConfigException e) {
      err.println("SignLines: " + e.getMessage());
      return 2;
    }
    BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
    int number = 0;
    try {
      for (String line = lines.readLine(); line != null; line = lines.readLine()) {
        number++;
        if (line.isBlank()) continue;
        String signed;
        try {
          signed = signer.sign(line);
        } catch (Exception e) {
          err.println("SignLines: line " + number + ": " + reason(e));
          return 1;
        }
        out.println(signed);
        out.flush();
      }
    } catch (IOException e) {
      err.println("SignLines: cannot read stdin after line " + number + ": " + e.getMessage());
      return 1;
    }
    return 0;
  }

  /** The master, read as Connect's FileConfigProvider reads the file (UTF-8 properties). */
  static String master(String file, String property) {
    Properties props = new Properties();
    try (Reader reader = Files.newBufferedReader(Path.of(file), StandardCharsets.UTF_8)) {
      props.load(reader);
    } catch (NoSuchFileException e) {
      throw new ConfigException("cannot read the signing master (property " + property + "): no file " + file);
    } catch (AccessDeniedException e) {
      throw new ConfigException("cannot read the signing master (property " + property + "): permission denied on " + file);
    } catch (IOException | IllegalArgumentException e) {
      throw new ConfigException("cannot read the signing master (property " + property + ") from " + file + ": "
          + e.getClass().getSimpleName());
    }
    String master = props.getProperty(property);
    if (master == null) throw new ConfigException("the signing master file " + file + " has no property " + property);
    return master;
  }

  /** One input line signed, as the output line; an exception names what is wrong with it. */
  String sign(String line) throws IOException {
    JsonNode node;
    try {
      node = json.readTree(line);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage());
    }
    if (node == null || !node.isObject()) throw new IllegalArgumentException("not a JSON object");
    for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!FIELDS.contains(name)) throw new IllegalArgumentException("unknown field \"" + name + "\" (key, value, generation)");
    }
    JsonNode keyText = node.get("key");
    if (keyText == null || !keyText.isTextual()) {
      throw new IllegalArgumentException("\"key\" must be a string: the record key as JsonConverter JSON (schema and payload)");
    }
    JsonNode valueText = node.get("value");
    if (valueText == null || !(valueText.isTextual() || valueText.isNull())) {
      throw new IllegalArgumentException("\"value\" must be a string (JsonConverter JSON, schema and payload) or null for a tombstone");
    }
    int generation = 1;
    JsonNode g = node.get("generation");
    if (g != null) {
      if (!g.isIntegralNumber() || !g.canConvertToInt() || g.intValue() < 1 || g.intValue() > FacilityKeyDerivation.MAX_GENERATION) {
        throw new IllegalArgumentException("\"generation\" must be a whole number from 1 to " + FacilityKeyDerivation.MAX_GENERATION);
      }
      generation = g.intValue();
    }
    SchemaAndValue key = convert(keyConverter, "key", keyText.textValue());
    SchemaAndValue value = valueText.isNull() ? SchemaAndValue.NULL : convert(valueConverter, "value", valueText.textValue());
    String code = FacilityCode.of(key.value());
    if (code == null) throw new IllegalArgumentException("the record key has no " + FacilityCode.FIELD);
    SignRecord<SourceRecord> signRecord = signers.computeIfAbsent(new FacilityGeneration(code, generation), this::signer);
    SourceRecord signed = signRecord.apply(new SourceRecord(null, null, TOPIC, null,
        key.schema(), key.value(), value.schema(), value.value()));
    Header header = signed.headers().lastWithName(SignRecord.DEFAULT_HEADER);
    ObjectNode result = json.createObjectNode(); // sorted keys
    result.put("header", SignRecord.DEFAULT_HEADER);
    result.put("key", text(keyConverter.fromConnectData(TOPIC, signed.keySchema(), signed.key())));
    result.put("signature", (String) header.value());
    result.put("value", text(valueConverter.fromConnectData(TOPIC, signed.valueSchema(), signed.value())));
    return json.writeValueAsString(result);
  }

  private SignRecord<SourceRecord> signer(FacilityGeneration g) {
    SignRecord<SourceRecord> s = new SignRecord<>();
    s.configure(Map.of(SignRecord.CODE_CONFIG, g.code(), SignRecord.KEY_CONFIG, keys.key(g.code(), g.generation()),
        SignRecord.KEY_ID_CONFIG, FacilityKeyDerivation.keyId(g.generation())));
    return s;
  }

  private static SchemaAndValue convert(JsonConverter converter, String what, String text) {
    try {
      return converter.toConnectData(TOPIC, text.getBytes(StandardCharsets.UTF_8));
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(what + ": " + reason(e));
    }
  }

  private static String text(byte[] bytes) {
    return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
  }

  private static JsonConverter converter(boolean isKey) {
    JsonConverter converter = new JsonConverter();
    converter.configure(Map.of(JsonConverterConfig.SCHEMAS_ENABLE_CONFIG, "true"), isKey);
    return converter;
  }

  /** An exception's messages down its causes, on one line. */
  static String reason(Throwable e) {
    List<String> parts = new ArrayList<>();
    for (Throwable t = e; t != null && parts.size() < 4; t = t.getCause()) {
      if (t.getMessage() == null || t.getMessage().isBlank()) continue;
      String m = t.getMessage().strip().replaceAll("\\s*\\R\\s*", " ");
      if (parts.stream().noneMatch(p -> p.contains(m))) parts.add(m);
    }
    return parts.isEmpty() ? e.getClass().getSimpleName() : String.join(": ", parts);
  }
}
