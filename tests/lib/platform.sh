# The local platform, for the bash suites. Source after scripts/env.sh.

# platform_up: starts the platform (a no-op when it runs) and loads its connection settings
# (KAFKA_BOOTSTRAP, PG_PORT, SSH_HOST_URL, ...; see `platform.sh env`).
platform_up() {
  bash "$CMW_ROOT/platform/platform.sh" start >/dev/null || cmw_die "platform did not start"
  eval "$(bash "$CMW_ROOT/platform/platform.sh" env)"
}

# pulumi_config_ssh_opts KEY [PULUMI ARGS...]: the platform's ssh arguments as the list config KEY
# of the current stack (for a Docker provider's sshOpts); `--` keeps "-i" and "-o" from being
# read as flags.
pulumi_config_ssh_opts() {
  local i=0 opt
  while IFS= read -r opt; do
    pulumi config set "${@:2}" --path "$1[$i]" -- "$opt"
    i=$((i + 1))
  done < "$SSH_OPTS_FILE"
}
