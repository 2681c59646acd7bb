# The project's one shell library, sourced by scripts/env.sh (so every script and suite has it) and
# copied into the Connect image for its properties writer. Defines functions only: sourcing it
# does nothing else, and it needs no variable until a function is called.
#   talking      cmw_say, cmw_die, cmw_now, cmw_elapsed
#   cleanup      cmw_on_exit: every registered cleanup runs at exit (last registered first),
#                also after INT or TERM
#   files        props_escape, props_line, jaas_login: Java .properties and JAAS values that any
#                character survives; secret_file: a secret into a file readable by its owner only
#   Kafka        kafka_java and the client helpers (needs KAFKA_LIB and KAFKA_BOOTSTRAP)
#   PostgreSQL   pg_psql, pg_admin (needs PG_HOST, PG_PORT, PG_ADMIN_USER, PG_ADMIN_PASSWORD_FILE)
#   Pulumi       pulumi_config_secret, pulumi_config_ssh_opts
# No secret goes on a command line (other users see those in ps): passwords reach these functions
# as arguments of the function (the shell itself) or as files, and leave them in files, on stdin
# or in the environment of the one process that needs them.

# --- talking ---------------------------------------------------------------------------------------
# A progress line on stderr: scripts talk to people while they work.
cmw_say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
cmw_die() { printf 'error: %s\n' "$*" >&2; exit 1; }
cmw_now() { date +%s.%N; }
# cmw_elapsed START: "12.3s" since START (from cmw_now).
cmw_elapsed() { awk -v s="$1" -v e="$(cmw_now)" 'BEGIN { printf "%.1fs", e - s }'; }

# --- cleanup ---------------------------------------------------------------------------------------
# cmw_on_exit COMMAND [ARGS...]: runs the command when the shell exits. A plain `trap ... EXIT`
# replaces the one before it; this keeps them all, and a failing one does not skip the others.
CMW_EXIT_HOOKS=()
cmw_on_exit() {
  CMW_EXIT_HOOKS+=("$(printf '%q ' "$@")")
  trap cmw_run_exit_hooks EXIT
  # Without these an interrupted run would skip the EXIT trap's cleanups.
  trap 'exit 130' INT
  trap 'exit 143' TERM
}
cmw_run_exit_hooks() {
  local i
  for ((i = ${#CMW_EXIT_HOOKS[@]} - 1; i >= 0; i--)); do eval "${CMW_EXIT_HOOKS[i]}" || true; done
  CMW_EXIT_HOOKS=()
}

# --- files -----------------------------------------------------------------------------------------
# props_escape VALUE: VALUE as java.util.Properties reads it back exactly, from a byte stream
# (ISO-8859-1: Kafka's worker and client configs) or a UTF-8 reader (FileConfigProvider) alike:
# backslash, separators, comment marks, line breaks and a leading space escaped, and every
# character outside printable ASCII as \uXXXX.
props_escape() {
  local LC_ALL=C.UTF-8
  local v="$1" out="" c n i
  for ((i = 0; i < ${#v}; i++)); do
    c="${v:i:1}"
    case "$c" in
      '\') out+='\\' ;;
      $'\n') out+='\n' ;;
      $'\r') out+='\r' ;;
      $'\t') out+='\t' ;;
      $'\f') out+='\f' ;;
      '=' | ':' | '#' | '!') out+="\\$c" ;;
      ' ') if ((i == 0)); then out+='\ '; else out+=' '; fi ;;
      *)
        printf -v n '%d' "'$c"
        if ((n > 0xFFFF)); then # outside the BMP: a UTF-16 surrogate pair, as Java strings hold it
          n=$((n - 0x10000))
          printf -v c '\\u%04x\\u%04x' $((0xD800 + (n >> 10))) $((0xDC00 + (n & 0x3FF)))
        elif ((n < 32 || n > 126)); then
          printf -v c '\\u%04x' "$n"
        fi
        out+="$c" ;;
    esac
  done
  printf '%s' "$out"
}

# props_line KEY VALUE: one "key=value" line; keys are ours, so a key that needs escaping is a bug.
props_line() {
  [[ $1 =~ ^[A-Za-z0-9._-]+$ ]] || cmw_die "properties key '$1' has characters a key may not have"
  printf '%s=%s\n' "$1" "$(props_escape "$2")"
}

# jaas_login MODULE [KEY VALUE]...: a JAAS entry, "MODULE required k="v";", values quoted as
# Kafka's JAAS parser (a StreamTokenizer) reads them: backslash, quote and line breaks escaped.
jaas_login() {
  local out="$1 required" v
  shift
  while (($# >= 2)); do
    v="${2//\\/\\\\}"; v="${v//\"/\\\"}"; v="${v//$'\n'/\\n}"; v="${v//$'\r'/\\r}"
    out+=" $1=\"$v\""
    shift 2
  done
  printf '%s;' "$out"
}

# secret_file PATH VALUE: writes VALUE (no newline) to PATH, readable by its owner only.
secret_file() { (umask 077; printf '%s' "$2" > "$1"); }

# --- Kafka -----------------------------------------------------------------------------------------
# kafka_java MAIN_CLASS ARGS...: one Kafka CLI tool from the platform's jars, small heap, bounded in time.
kafka_java() { timeout 120 java -Xmx256m -XX:TieredStopAtLevel=1 -cp "$KAFKA_LIB/*" "$@"; }

# kafka_client_properties USER PASSWORD: SASL/SCRAM-SHA-512 client settings on stdout, over TLS
# trusting the platform's CA (CA_FILE, from `platform.sh env`) unless PLATFORM_TLS=off.
kafka_client_properties() {
  if [[ ${PLATFORM_TLS:-on} == off ]]; then
    props_line security.protocol SASL_PLAINTEXT
  else
    props_line security.protocol SASL_SSL
    props_line ssl.truststore.type PEM
    props_line ssl.truststore.location "${CA_FILE:?kafka_client_properties: CA_FILE is not set (platform.sh env)}"
  fi
  props_line sasl.mechanism SCRAM-SHA-512
  props_line sasl.jaas.config "$(jaas_login org.apache.kafka.common.security.scram.ScramLoginModule username "$1" password "$2")"
}

# kafka_topics PROPS ARGS...: TopicCommand as the client in PROPS.
kafka_topics() {
  local props="$1"; shift
  kafka_java org.apache.kafka.tools.TopicCommand --bootstrap-server "$KAFKA_BOOTSTRAP" --command-config "$props" "$@"
}

# kafka_topic_exists PROPS TOPIC
kafka_topic_exists() { kafka_topics "$1" --list | grep -qxF "$2"; }

# kafka_topic_depth PROPS TOPIC: records in the topic (sum of end offsets over partitions).
kafka_topic_depth() {
  kafka_java org.apache.kafka.tools.GetOffsetShell --bootstrap-server "$KAFKA_BOOTSTRAP" \
    --command-config "$1" --topic "$2" 2>/dev/null | awk -F: '{s += $3} END {print s + 0}'
}

# kafka_scram_user ADMIN_PROPS add|delete USER [PASSWORD]: the password goes through a file
# (ConfigCommand --add-config-file), never on ConfigCommand's command line.
kafka_scram_user() {
  local props="$1" op="$2" user="$3" change rc
  if [[ $op == delete ]]; then
    change=(--delete-config SCRAM-SHA-512)
  else
    local file; file=$(mktemp)
    # In a file the credential has no brackets (--add-config strips them; the file is read as is).
    props_line SCRAM-SHA-512 "iterations=8192,password=$4" > "$file"
    change=(--add-config-file "$file")
  fi
  kafka_java kafka.admin.ConfigCommand --bootstrap-server "$KAFKA_BOOTSTRAP" --command-config "$props" \
    --alter "${change[@]}" --entity-type users --entity-name "$user"
  rc=$?
  [[ $op == delete ]] || rm -f "$file"
  return $rc
}

# kafka_console_produce PROPS TOPIC [ARGS...] < records: fails when the broker refuses (auth,
# ACL) or a send fails (the console producer logs those and may still exit 0).
kafka_console_produce() {
  local props="$1" topic="$2" out rc; shift 2
  out=$(kafka_java org.apache.kafka.tools.ConsoleProducer --bootstrap-server "$KAFKA_BOOTSTRAP" \
    --producer.config "$props" --topic "$topic" --producer-property acks=all \
    --producer-property max.block.ms=15000 "$@" 2>&1)
  rc=$?
  printf '%s\n' "$out"
  ((rc == 0)) && ! grep -qE 'Exception|ERROR' <<<"$out"
}

# kafka_produce PROPS TOPIC MESSAGE: one unkeyed record.
kafka_produce() {
  printf '%s\n' "$3" | kafka_console_produce "$1" "$2" \
    --producer-property delivery.timeout.ms=20000 --producer-property request.timeout.ms=10000
}

# kafka_produce_keyed PROPS TOPIC KEY VALUE: one keyed record; VALUE "NULL" sends a tombstone.
kafka_produce_keyed() {
  printf '%s|%s\n' "$3" "$4" | kafka_console_produce "$1" "$2" \
    --property parse.key=true --property 'key.separator=|' --property null.marker=NULL
}

# kafka_consume_one PROPS TOPIC GROUP: reads at most one record from the start; fails when the
# broker refuses (topic or group authorization) or nothing can be read.
kafka_consume_one() {
  local out rc
  out=$(kafka_java org.apache.kafka.tools.consumer.ConsoleConsumer --bootstrap-server "$KAFKA_BOOTSTRAP" \
    --consumer.config "$1" --topic "$2" --group "$3" --from-beginning --max-messages 1 --timeout-ms 15000 2>&1)
  rc=$?
  printf '%s\n' "$out"
  ((rc == 0)) && ! grep -qE 'AuthorizationException|ERROR' <<<"$out"
}

# --- PostgreSQL ------------------------------------------------------------------------------------
# pg_psql PASSWORD_FILE PSQL_ARGS...: psql with the password read from a file into psql's own
# environment (PGPASSWORD), never into an argument.
pg_psql() {
  local file="$1"; shift
  PGPASSWORD="$(<"$file")" psql "$@"
}

# pg_admin DATABASE SQL: one statement as the platform's PostgreSQL admin; unaligned, tuples only,
# stops at the first error.
pg_admin() {
  pg_psql "$PG_ADMIN_PASSWORD_FILE" -h "$PG_HOST" -p "$PG_PORT" -U "$PG_ADMIN_USER" -d "$1" \
    -v ON_ERROR_STOP=1 -qAtc "$2"
}

# --- Pulumi ----------------------------------------------------------------------------------------
# pulumi_config_secret KEY FILE [PULUMI ARGS...]: a secret config value from a file, through
# stdin (pulumi reads the value there when the command line has none).
pulumi_config_secret() { pulumi config set --secret "${@:3}" -- "$1" < "$2"; }

# pulumi_config_ssh_opts KEY [PULUMI ARGS...]: the local platform's ssh arguments (SSH_OPTS_FILE,
# from `platform.sh env`) as the list config KEY of the current stack (for a Docker provider's
# sshOpts); `--` keeps "-i" and "-o" from being read as flags.
pulumi_config_ssh_opts() {
  local i=0 opt
  while IFS= read -r opt; do
    pulumi config set "${@:2}" --path "$1[$i]" -- "$opt"
    i=$((i + 1))
  done < "$SSH_OPTS_FILE"
}
