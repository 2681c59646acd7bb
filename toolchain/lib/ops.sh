# Operations tools (sourced by toolchain.sh): tools/kafka-ops, the Kafka side of `npm run status`
# and `npm run dlq`, built like our plugins from a committed Go module and rebuilt only when its
# sources, go.sum or the Go version change.

# ensure_kafka_ops: sets OPS_HOW and OPS_PATH.
ensure_kafka_ops() {
  local dir="$CMW_ROOT/tools/kafka-ops" bin="$CMW_BIN/cmw-kafka-ops" key
  OPS_PATH="$bin"
  key="$(hash_module "$dir") $(go env GOVERSION)"
  if [ -x "$bin" ] && stamp_matches cmw-kafka-ops "$key"; then
    OPS_HOW="reused"
    return 0
  fi
  cmw_say "building cmw-kafka-ops from tools/kafka-ops"
  (cd "$dir" && go_build "$bin" "-s -w -X main.version=src-${key:0:12}" . -mod=readonly) \
    || cmw_die "building cmw-kafka-ops failed; see $CMW_LOGS/cmw-kafka-ops.log"
  stamp_write cmw-kafka-ops "$key"
  OPS_HOW="built"
}
