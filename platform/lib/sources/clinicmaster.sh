# ClinicMaster's tables as SQL for MariaDB and PostgreSQL: the schema, a deterministic fill, the
# trickle's statements and the per-table checksum. Pure text generators (nothing runs here), so
# tests may source this file on its own. ENGINE is `mariadb` or `postgres` everywhere.

SOURCE_DB=ClinicMaster
SOURCE_TABLES=(Patients Visits Triage LabRequests LabResults Diagnosis Appointments)

# Columns whose text is the same at the source and in the warehouse, primary key first. Left out,
# because Debezium and the JDBC sink change their representation on the way: dates (days since
# the epoch), timestamps (epoch milliseconds; the zone and precision of the warehouse column are
# the sink's), decimals (bytes; the warehouse scale is the sink's), and Photo/FingerPrint (never
# sent: the facility connectors exclude them).
declare -gA SOURCE_CHECKED=(
  [Patients]="PatientNo FirstName LastName Gender Phone"
  [Visits]="VisitNo PatientNo VisitType Notes"
  [Triage]="TriageID VisitNo BloodPressure"
  [LabRequests]="RequestID VisitNo TestCode"
  [LabResults]="ResultID RequestID Result"
  [Diagnosis]="DiagnosisID VisitNo ICD10Code Description"
  [Appointments]="AppointmentID PatientNo Status"
)

# for_engine ENGINE: SQL written with PostgreSQL's "identifiers" made MariaDB's `identifiers`
# (MariaDB reads "x" as a string). No string literal here holds a double quote.
for_engine() { if [[ $1 == mariadb ]]; then sed 's/"/`/g'; else cat; fi; }

# schema_sql ENGINE: the tables, the same names, columns and (as near as the engines allow) types.
schema_sql() {
  local blob=LONGBLOB ts=DATETIME
  [[ $1 == postgres ]] && { blob=BYTEA; ts=TIMESTAMP; }
  for_engine "$1" <<SQL
CREATE TABLE IF NOT EXISTS "Patients" ("PatientNo" VARCHAR(20) PRIMARY KEY, "FirstName" VARCHAR(50), "LastName" VARCHAR(50), "Gender" CHAR(1), "BirthDate" DATE, "Phone" VARCHAR(20), "Photo" $blob, "FingerPrint" $blob, "CreatedAt" $ts);
CREATE TABLE IF NOT EXISTS "Visits" ("VisitNo" VARCHAR(20) PRIMARY KEY, "PatientNo" VARCHAR(20), "VisitDate" DATE, "VisitType" VARCHAR(20), "Notes" VARCHAR(200));
CREATE TABLE IF NOT EXISTS "Triage" ("TriageID" INT PRIMARY KEY, "VisitNo" VARCHAR(20), "Temperature" DECIMAL(4,1), "Weight" DECIMAL(5,1), "BloodPressure" VARCHAR(10));
CREATE TABLE IF NOT EXISTS "LabRequests" ("RequestID" INT PRIMARY KEY, "VisitNo" VARCHAR(20), "TestCode" VARCHAR(10), "RequestedAt" $ts);
CREATE TABLE IF NOT EXISTS "LabResults" ("ResultID" INT PRIMARY KEY, "RequestID" INT, "Result" VARCHAR(100), "ResultAt" $ts);
CREATE TABLE IF NOT EXISTS "Diagnosis" ("DiagnosisID" INT PRIMARY KEY, "VisitNo" VARCHAR(20), "ICD10Code" VARCHAR(10), "Description" VARCHAR(200));
CREATE TABLE IF NOT EXISTS "Appointments" ("AppointmentID" INT PRIMARY KEY, "PatientNo" VARCHAR(20), "AppointmentDate" DATE, "Status" VARCHAR(20));
SQL
}

# The few expressions the engines spell differently, as SQL text.
#   sql_pick ENGINE INDEX VALUE...   the INDEX-th (1-based, an SQL expression) of the values
#   sql_days ENGINE DATE N           DATE plus N days;  sql_minutes ENGINE DATE N: a timestamp
#   sql_unhex ENGINE HEX             bytes from hex text
#   sql_rows ENGINE N TABLE KEY      FROM rows seq = 1..N, keeping the rows already there (not
#                                    INSERT IGNORE, which would also turn bad values into warnings)
sql_pick() {
  local e="$1" i="$2" v list=(); shift 2
  for v in "$@"; do list+=("'$v'"); done
  if [[ $e == mariadb ]]; then echo "ELT($i, $(IFS=,; echo "${list[*]}"))"
  else echo "(ARRAY[$(IFS=,; echo "${list[*]}")])[$i]"; fi
}
sql_days() { if [[ $1 == mariadb ]]; then echo "DATE_ADD('$2', INTERVAL ($3) DAY)"; else echo "DATE '$2' + ($3)::int"; fi; }
sql_minutes() { if [[ $1 == mariadb ]]; then echo "DATE_ADD('$2', INTERVAL ($3) MINUTE)"; else echo "TIMESTAMP '$2' + ($3) * INTERVAL '1 minute'"; fi; }
sql_unhex() { if [[ $1 == mariadb ]]; then echo "UNHEX($2)"; else echo "decode($2, 'hex')"; fi; }
sql_rows() {
  if [[ $1 == mariadb ]]; then echo "FROM seq_1_to_$2 ON DUPLICATE KEY UPDATE \"$4\" = \"$3\".\"$4\""
  else echo "FROM generate_series(1::bigint, $2) AS g(seq) ON CONFLICT DO NOTHING"; fi
}

# seed_sql ENGINE ROWS SEED: ROWS patients; 2*ROWS visits, triages and diagnoses; ROWS lab
# requests, lab results and appointments (10*ROWS rows). Keys depend on ROWS only (P2024-000001,
# V2024-000001, 1, ...), so every facility has the same numbers; names, phones, notes, results
# and codes depend on SEED too. Rows already there are kept: a second run adds nothing. Only
# integer arithmetic on non-negative numbers, concat, lpad, md5 and lookups: both engines write
# the very same values for the same ROWS and SEED.
seed_sql() {
  local e="$1" n="$2" s="$3" ins="INSERT INTO"
  local first last sex dx
  first=$(sql_pick "$e" "1 + (seq * 7 + $s * 13) % 20" Okello Akello Nakato Mugisha Atim Ochieng Namubiru Tumusiime \
    Apio Kato Nansubuga Opio Achieng Byaruhanga Auma Ssemwanga Adong Kiiza Nabirye Odongo)
  last=$(sql_pick "$e" "1 + (seq * 11 + $s * 17) % 20" Okot Nakamya Mwesigwa Lakor Ogwang Namusoke Ouma Kyomuhendo \
    Oryem Babirye Kaggwa Amony Turyasingura Ochola Nalwoga Otim Kabugo Aciro Ssali Anena)
  sex=$(sql_pick "$e" "1 + (seq + $s) % 2" F M)
  dx="1 + (seq + $s) % 6"   # the code and its description share the index
  for_engine "$e" <<SQL
$ins "Patients" SELECT concat('P2024-', lpad(concat(seq), 6, '0')), $first, $last, $sex, $(sql_days "$e" 1950-01-01 "(seq * 37 + $s) % 25000"), concat('+2567', lpad(concat((seq * 7919 + $s * 104729) % 1000000), 6, '0'), lpad(concat((seq * 31 + $s) % 100), 2, '0')), $(sql_unhex "$e" "repeat(md5(concat(seq, 'photo')), 64)"), $(sql_unhex "$e" "repeat(md5(concat(seq, 'finger')), 16)"), $(sql_minutes "$e" 2024-01-01 "seq * 60 + $s % 60") $(sql_rows "$e" "$n" Patients PatientNo);
$ins "Visits" SELECT concat('V2024-', lpad(concat(seq), 6, '0')), concat('P2024-', lpad(concat((seq - 1) % $n + 1), 6, '0')), $(sql_days "$e" 2024-01-01 "(seq + $s) % 300"), $(sql_pick "$e" "1 + (seq + $s) % 4" OPD IPD ANC EMERGENCY), concat($(sql_pick "$e" "1 + (seq * 3 + $s) % 6" 'Fever and headache' 'Cough for two weeks' 'Routine antenatal visit' 'Abdominal pain' 'Follow-up review' 'Diarrhoea and vomiting'), ', seen by clinician ', (seq * $s) % 13 + 1) $(sql_rows "$e" $((2 * n)) Visits VisitNo);
$ins "Triage" SELECT seq, concat('V2024-', lpad(concat(seq), 6, '0')), 35 + (seq + $s) % 50 / 10.0, 3 + (seq * 37 + $s) % 900 / 10.0, concat(90 + (seq + $s) % 70, '/', 55 + (seq * 3 + $s) % 40) $(sql_rows "$e" $((2 * n)) Triage TriageID);
$ins "LabRequests" SELECT seq, concat('V2024-', lpad(concat(2 * seq), 6, '0')), $(sql_pick "$e" "1 + (seq + $s) % 6" MAL CBC HIV TB UA RBS), $(sql_minutes "$e" 2024-01-01 "seq * 90") $(sql_rows "$e" "$n" LabRequests RequestID);
$ins "LabResults" SELECT seq, seq, $(sql_pick "$e" "1 + (seq * 7 + $s) % 5" Negative Positive Normal 'Within range' 'Repeat test'), $(sql_minutes "$e" 2024-01-01 "seq * 90 + 45 + $s % 30") $(sql_rows "$e" "$n" LabResults ResultID);
$ins "Diagnosis" SELECT seq, concat('V2024-', lpad(concat(seq), 6, '0')), $(sql_pick "$e" "$dx" B54 J06.9 A09 O80 I10 E11.9), $(sql_pick "$e" "$dx" 'Malaria, unspecified' 'Acute upper respiratory infection' 'Gastroenteritis and colitis' 'Single spontaneous delivery' 'Essential hypertension' 'Type 2 diabetes mellitus') $(sql_rows "$e" $((2 * n)) Diagnosis DiagnosisID);
$ins "Appointments" SELECT seq, concat('P2024-', lpad(concat(seq), 6, '0')), $(sql_days "$e" 2025-01-01 "(seq + $s) % 200"), $(sql_pick "$e" "1 + (seq + $s) % 3" Booked Attended Missed) $(sql_rows "$e" "$n" Appointments AppointmentID);
SQL
}

# trickle_sql ENGINE STEP NEW_VISIT OLD_VISIT: one round of the trickle: a visit in, a patient's
# phone and an appointment's status changed, the visit of five rounds ago (if any) out.
trickle_sql() {
  local e="$1" k="$2" new="$3" old="$4" patient status=Attended
  patient="P2024-$(printf '%06d' $((k % 50 + 1)))"
  ((k % 2)) || status=Rescheduled
  for_engine "$e" <<SQL
INSERT INTO "Visits" ("VisitNo", "PatientNo", "VisitType", "Notes") VALUES ('$new', '$patient', 'OPD', 'trickle $k');
UPDATE "Patients" SET "Phone" = '+256700$(printf '%06d' $((k % 1000000)))' WHERE "PatientNo" = '$patient';
UPDATE "Appointments" SET "Status" = '$status' WHERE "AppointmentID" = $((k % 50 + 1));
DELETE FROM "Visits" WHERE "VisitNo" = '$old';
SQL
}

# checksum_sql ENGINE TABLE [WHERE]: one line "<Table> <rows> <md5>". A row's text is its checked
# columns, each as text (NULL as \N), joined by '|'; the table's md5 is over the rows' md5s (hex)
# concatenated in sorted order: equal rows give equal sums whatever the engine's collation or
# the physical order, and the primary key being in the text, any changed row changes the sum.
# An empty table sums to md5('') = d41d8cd98f00b204e9800998ecf8427e.
checksum_sql() {
  local e="$1" t="$2" where="${3:-}" c cols=()
  for c in ${SOURCE_CHECKED[$t]}; do
    if [[ $e == mariadb ]]; then cols+=("COALESCE(CAST(\"$c\" AS CHAR), '\\\\N')")
    else cols+=("coalesce(\"$c\"::text, '\\N')"); fi
  done
  local row="md5(concat_ws('|', $(IFS=,; echo "${cols[*]}")))"
  if [[ $e == mariadb ]]; then
    for_engine "$e" <<SQL
SET SESSION group_concat_max_len = 1073741824;
SELECT '$t', count(*), md5(coalesce(group_concat(h ORDER BY h SEPARATOR ''), '')) FROM (SELECT $row AS h FROM "$t" $where) x;
SQL
  else
    echo "SELECT '$t' || ' ' || count(*) || ' ' || md5(coalesce(string_agg(h, '' ORDER BY h COLLATE \"C\"), '')) FROM (SELECT $row AS h FROM \"$t\" $where) x;"
  fi
}
