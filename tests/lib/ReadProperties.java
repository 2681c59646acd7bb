// java tests/lib/ReadProperties.java FILE KEY: prints KEY's value (UTF-8, no newline) as Kafka
// reads FILE: from a byte stream (ISO-8859-1, worker and client configs) and from a UTF-8 reader
// (FileConfigProvider); exits 1 when the two differ or the key is absent.
import java.io.FileInputStream;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.util.Properties;

public class ReadProperties {
  public static void main(String[] args) throws Exception {
    Properties stream = new Properties();
    try (InputStream in = new FileInputStream(args[0])) { stream.load(in); }
    Properties reader = new Properties();
    try (Reader in = new InputStreamReader(new FileInputStream(args[0]), StandardCharsets.UTF_8)) { reader.load(in); }
    String value = stream.getProperty(args[1]);
    if (value == null || !value.equals(reader.getProperty(args[1]))) {
      System.err.println(args[1] + ": absent, or read differently as bytes and as UTF-8");
      System.exit(1);
    }
    System.out.write(value.getBytes(StandardCharsets.UTF_8));
    System.out.flush();
  }
}
