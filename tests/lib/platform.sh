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
