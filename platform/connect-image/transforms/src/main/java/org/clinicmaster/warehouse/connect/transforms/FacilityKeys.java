package org.clinicmaster.warehouse.connect.transforms;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.LongSupplier;
import org.apache.kafka.common.config.ConfigException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sink's verification keys, from a java.util.Properties file: one line per facility,
 * {@code <code>=<key.id>=<secret>[,<key.id>=<secret>...]} (two entries during a rotation). The file
 * is read again every {@code reloadMs} and parsed when its bytes changed, so a new facility or a
 * rotation needs no restart. A file that became unreadable or malformed keeps the last good keys
 * (and says so in the worker log): a bad edit must not stop the sink.
 */
final class FacilityKeys {
  private static final Logger log = LoggerFactory.getLogger(FacilityKeys.class);

  private final Path path;
  private final long reloadMs;
  private final LongSupplier clock;
  private byte[] lastBytes;
  private long lastCheck;
  private Map<String, List<SigningKey>> keys;
  private long generation;

  FacilityKeys(Path path, long reloadMs, LongSupplier clock) {
    this.path = path;
    this.reloadMs = reloadMs;
    this.clock = clock;
    byte[] bytes = read();
    keys = parse(bytes);
    lastBytes = bytes;
    lastCheck = clock.getAsLong();
  }

  /** The keys of one facility; empty when it has none. */
  List<SigningKey> of(String code) {
    reloadIfDue();
    return keys.getOrDefault(code, List.of());
  }

  /** Counts reloads that changed the keys. */
  long generation() {
    return generation;
  }

  /** Every key in use, to drop cached MACs of removed ones. */
  List<SigningKey> all() {
    return keys.values().stream().flatMap(List::stream).toList();
  }

  private void reloadIfDue() {
    long now = clock.getAsLong();
    if (now - lastCheck < reloadMs) return;
    lastCheck = now;
    try {
      byte[] bytes = read();
      if (Arrays.equals(bytes, lastBytes)) return;
      keys = parse(bytes);
      lastBytes = bytes;
      generation++;
      log.info("reloaded signing keys of {} facilities from {}", keys.size(), path);
    } catch (ConfigException e) {
      log.warn("keeping the previous signing keys: {}", e.getMessage());
    }
  }

  private byte[] read() {
    try {
      return Files.readAllBytes(path);
    } catch (IOException e) {
      throw new ConfigException("cannot read the signing keys file " + path + ": " + e.getMessage());
    }
  }

  private Map<String, List<SigningKey>> parse(byte[] bytes) {
    Properties props = new Properties();
    try {
      props.load(new StringReader(new String(bytes, StandardCharsets.UTF_8)));
    } catch (IOException | IllegalArgumentException e) {
      throw new ConfigException("signing keys file " + path + " is not a properties file: " + e.getMessage());
    }
    Map<String, List<SigningKey>> parsed = new HashMap<>();
    for (String code : props.stringPropertyNames()) {
      String where = path + ", facility " + code;
      List<SigningKey> facilityKeys = new ArrayList<>();
      for (String entry : props.getProperty(code).split(",")) {
        entry = entry.strip();
        if (entry.isEmpty()) continue;
        int eq = entry.indexOf('=');
        if (eq < 0) throw new ConfigException(where + ": an entry is not <key.id>=<secret>");
        SigningKey key = new SigningKey(entry.substring(0, eq), entry.substring(eq + 1), where);
        if (facilityKeys.stream().anyMatch(k -> k.id().equals(key.id()))) {
          throw new ConfigException(where + ": key id " + key.id() + " appears twice");
        }
        facilityKeys.add(key);
      }
      parsed.put(code, List.copyOf(facilityKeys));
    }
    return parsed;
  }
}
