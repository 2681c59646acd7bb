# Hand-made records signed as a facility's agent signs them (VerifyRecord refuses anything else):
# SignLines runs inside a sink worker, where the signing master already is.
SIGN_LINES_CP='/opt/connect/lib/*:/opt/connect/plugins/cmw-connect-transforms/*'
sink_worker_of_stack() { echo "cmw-$PULUMI_TEST_STACK-sink-worker-0"; }

# signed_lines [GENERATION]: stdin `key|value` lines (value NULL: a tombstone) → console-producer
# lines `cmw.sig:<signature>TAB key|value`, each signed as the facility its key names.
signed_lines() {
  jq -Rc --argjson g "${1:-1}" 'index("|") as $i | {key: .[:$i], value: (.[$i + 1:] | if . == "NULL" then null else . end), generation: $g}' |
    docker exec -i "$(sink_worker_of_stack)" java -cp "$SIGN_LINES_CP" org.clinicmaster.warehouse.connect.transforms.SignLines |
    jq -r '"\(.header):\(.signature)\t\(.key)|\(.value // "NULL")"'
}

# kafka_produce_lines PROPS TOPIC: produces stdin lines as signed_lines prints them.
kafka_produce_lines() {
  kafka_console_produce "$1" "$2" --property parse.headers=true --property parse.key=true \
    --property 'key.separator=|' --property null.marker=NULL
}

# kafka_produce_signed PROPS TOPIC KEY VALUE [GENERATION]: one record (VALUE NULL: a tombstone), signed.
kafka_produce_signed() { printf '%s|%s\n' "$3" "$4" | signed_lines "${5:-1}" | kafka_produce_lines "$1" "$2"; }
