package org.clinicmaster.warehouse.connect.transforms;

import java.util.Map;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Struct;

/** Reads facility_dhis2_code from a record's key or value (Struct, or a schemaless Map). */
final class FacilityCode {
  static final String FIELD = "facility_dhis2_code";

  private FacilityCode() {}

  /** The code, or null when the object has no such string field. */
  static String of(Object keyOrValue) {
    Object code = null;
    if (keyOrValue instanceof Struct struct) {
      Field field = struct.schema().field(FIELD);
      code = field == null ? null : struct.get(field);
    } else if (keyOrValue instanceof Map<?, ?> map) {
      code = map.get(FIELD);
    }
    return code instanceof String s ? s : null;
  }
}
