package org.clinicmaster.warehouse.connect.transforms;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Timestamp;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Test;

/**
 * The cost per record of signing (agent) and verifying (sink), for a visit-sized row of 16
 * columns, over 100,000 records after a warm-up, and of deriving a facility's key from the master
 * (the sink does it once per facility and generation while the key stays cached). Prints
 * wall-clock and this thread's CPU time (the latter holds on a busy machine); asserts only that
 * every record verified.
 */
class SigningCostTest {
  static final int RECORDS = 100_000;
  static final int DERIVATIONS = 10_000;
  static final Schema VALUE = SchemaBuilder.struct().name("Visits.Value")
      .field("id", Schema.INT32_SCHEMA).field(FacilityCode.FIELD, Schema.STRING_SCHEMA)
      .field("facility_name", Schema.STRING_SCHEMA).field("patient_id", Schema.INT32_SCHEMA)
      .field("visit_no", Schema.STRING_SCHEMA).field("visit_date", Timestamp.SCHEMA)
      .field("clinic", Schema.OPTIONAL_STRING_SCHEMA).field("temperature", Schema.OPTIONAL_FLOAT64_SCHEMA)
      .field("weight", Schema.OPTIONAL_FLOAT32_SCHEMA).field("systolic", Schema.OPTIONAL_INT16_SCHEMA)
      .field("diastolic", Schema.OPTIONAL_INT16_SCHEMA).field("amount", Decimal.builder(2).optional().build())
      .field("paid", Schema.OPTIONAL_BOOLEAN_SCHEMA).field("notes", Schema.OPTIONAL_STRING_SCHEMA)
      .field("created_by", Schema.OPTIONAL_STRING_SCHEMA).field("modified", Schema.OPTIONAL_INT64_SCHEMA)
      .build();

  static SourceRecord visit(int i) {
    Struct v = new Struct(VALUE).put("id", i).put(FacilityCode.FIELD, "FAC-A").put("facility_name", "Kyaka HC III")
        .put("patient_id", i / 3).put("visit_no", "V-" + i).put("visit_date", new Date(1767225600000L + i * 1000L))
        .put("clinic", "OPD").put("temperature", 36.5 + (i % 30) / 10.0).put("weight", 60.5f)
        .put("systolic", (short) 120).put("diastolic", (short) 80).put("amount", new BigDecimal("15000.00"))
        .put("paid", i % 2 == 0).put("notes", "Malaria RDT positive; artemether-lumefantrine given — review in 3 days")
        .put("created_by", "nurse.akello").put("modified", 1767225600000L + i);
    return Pipeline.source(Pipeline.key(i, "FAC-A"), VALUE, v);
  }

  @Test
  void timesSigningAndVerifying() {
    SignRecord<SourceRecord> sign = Pipeline.signer("FAC-A", 1);
    VerifyRecord<SinkRecord> verify = Pipeline.verifier("FAC-B=2");
    Pipeline pipeline = new Pipeline();
    List<SourceRecord> rows = new ArrayList<>(RECORDS);
    for (int i = 0; i < RECORDS; i++) rows.add(visit(i));
    List<SinkRecord> received = new ArrayList<>(RECORDS);
    for (int i = 0; i < 20_000; i++) verify.apply(pipeline.overKafka(sign.apply(rows.get(i)))); // warm-up

    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    long start = System.nanoTime();
    long cpuStart = threads.getCurrentThreadCpuTime();
    List<SourceRecord> signed = new ArrayList<>(RECORDS);
    for (SourceRecord r : rows) signed.add(sign.apply(r));
    long signNs = System.nanoTime() - start;
    long signCpuNs = threads.getCurrentThreadCpuTime() - cpuStart;

    for (SourceRecord r : signed) received.add(pipeline.overKafka(r));
    start = System.nanoTime();
    cpuStart = threads.getCurrentThreadCpuTime();
    int verified = 0;
    for (SinkRecord r : received) if (verify.apply(r) != null) verified++;
    long verifyNs = System.nanoTime() - start;
    long verifyCpuNs = threads.getCurrentThreadCpuTime() - cpuStart;

    // A facility's first record after a start (or after its key left the cache) derives its key.
    FacilityKeyDerivation keys = new FacilityKeyDerivation(Pipeline.MASTER, "test");
    for (int i = 0; i < 20_000; i++) RecordSignature.newMac(keys.signingKey("FAC-" + i, 1)); // warm-up
    start = System.nanoTime();
    cpuStart = threads.getCurrentThreadCpuTime();
    for (int i = 0; i < DERIVATIONS; i++) RecordSignature.newMac(keys.signingKey("FAC-" + i, 2));
    long deriveNs = System.nanoTime() - start;
    long deriveCpuNs = threads.getCurrentThreadCpuTime() - cpuStart;

    System.out.printf("signing cost: %d records, sign %.1f µs/record CPU (%.1f wall), verify %.1f µs/record CPU (%.1f wall),"
        + " key derivation %.1f µs/key CPU (%.1f wall)%n",
        RECORDS, signCpuNs / 1e3 / RECORDS, signNs / 1e3 / RECORDS, verifyCpuNs / 1e3 / RECORDS, verifyNs / 1e3 / RECORDS,
        deriveCpuNs / 1e3 / DERIVATIONS, deriveNs / 1e3 / DERIVATIONS);
    assertEquals(RECORDS, verified);
  }
}
