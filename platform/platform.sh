#!/usr/bin/env bash
# The local platform: a Docker engine, a Kafka 4.1.1 broker (KRaft, SASL/SCRAM-SHA-512, ACLs on),
# a PostgreSQL warehouse server and an SSH daemon playing the "remote facility host". Everything
# listens on loopback only and keeps its state under $CMW_STATE.
#
#   platform.sh start    start what is not running (safe to re-run; data is kept)
#   platform.sh start --brokers 3   the same with a cluster of three Kafka nodes (KAFKA_BROKERS=3)
#   platform.sh stop     stop what this platform started; data is kept
#   platform.sh status   what runs, where, how to connect (exit 1 if something is down)
#   platform.sh env      KEY=VALUE lines for other scripts: eval "$(platform.sh env)"
#   platform.sh purge    stop and delete every bit of state
#
# Ports can be moved with KAFKA_PORT, KAFKA_CONTROLLER_PORT, PG_PORT, SSH_PORT (tests do).
set -euo pipefail
source "$(dirname "$0")/../scripts/env.sh"
source "$CMW_ROOT/toolchain/versions.env"

export KAFKA_PORT="${KAFKA_PORT:-19092}"
export KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-19093}"
export PG_PORT="${PG_PORT:-15432}"
export SSH_PORT="${SSH_PORT:-2222}"

# start --brokers 3: a cluster of three Kafka nodes (a new platform; later starts remember it).
if [[ ${1:-} == start && ${2:-} == --brokers ]]; then export KAFKA_BROKERS="${3:?--brokers takes 1 or 3}"; fi
for part in common tls docker kafka postgres sshd; do source "$CMW_ROOT/platform/lib/$part.sh"; done

# One start, stop or purge at a time on this state: suites that run beside each other share the
# default platform.
platform_lock() {
  mkdir -p "$CMW_STATE"
  dir_lock "$CMW_STATE/platform.lock"
  cmw_on_exit dir_unlock "$CMW_STATE/platform.lock"
}

cmd="${1:-status}"
[[ $cmd == start || $cmd == stop || $cmd == purge ]] && platform_lock
case "$cmd" in
  start)
    mkdir -p "$CMW_STATE/secrets" && chmod 700 "$CMW_STATE/secrets"
    docker_start
    kafka_start
    postgres_start
    sshd_start
    platform_status
    ;;
  stop)
    sshd_stop; postgres_stop; kafka_stop; docker_stop
    ;;
  status) platform_status ;;
  env) platform_env ;;
  purge)
    sshd_stop; postgres_stop; kafka_stop; docker_stop
    sshd_unlink_config
    rm -rf "$CMW_STATE"
    cmw_say "purged $CMW_STATE"
    ;;
  *) cmw_die "unknown command '$cmd': use start, stop, status, env or purge" ;;
esac
