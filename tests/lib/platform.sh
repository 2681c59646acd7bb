# The local platform, for the bash suites. Source after scripts/env.sh.

# platform_up: starts the platform (a no-op when it runs) and loads its connection settings
# (KAFKA_BOOTSTRAP, PG_PORT, SSH_HOST_URL, ...; see `platform.sh env`).
platform_up() {
  bash "$CMW_ROOT/platform/platform.sh" start >/dev/null || cmw_die "platform did not start"
  eval "$(bash "$CMW_ROOT/platform/platform.sh" env)"
  # psql to the warehouse verifies the platform's certificate (libpq ignores sslmode on the
  # sources' Unix sockets).
  if [[ $PLATFORM_TLS == on ]]; then export PGSSLMODE=verify-full PGSSLROOTCERT="$CA_FILE"; else export PGSSLMODE=disable; fi
}

# private_platform_up NAME: a platform of the suite's own (KAFKA_PORT, KAFKA_CONTROLLER_PORT,
# PG_PORT, SSH_PORT set by the suite) in /var/tmp/cmw-NAME-test-<pid>.XXXXXX, purged at exit.
# scripts/test.sh finds what a suite left behind by that pid.
private_platform_up() {
  export CMW_STATE KAFKA_PORT KAFKA_CONTROLLER_PORT PG_PORT SSH_PORT
  CMW_STATE=$(mktemp -d "/var/tmp/cmw-$1-test-$$.XXXXXX") && rmdir "$CMW_STATE" || cmw_die "no state directory in /var/tmp"
  cmw_on_exit private_platform_purge
  platform_up
}
private_platform_purge() { bash "$CMW_ROOT/platform/platform.sh" purge >/dev/null 2>&1; }
