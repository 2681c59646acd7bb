# Runs a test Pulumi program on a throwaway file backend. Source after scripts/env.sh.
#   pulumi_stack_init PROGRAM_DIR   cd there, make a backend and a stack t<pid>; all of it removed
#                                   at exit (pulumi_stack_cleanup)
#   PULUMI_TEST_ARGS                extra arguments of the cleanup's pulumi calls (--config-file)
#   pulumi_state_file               the stack's checkpoint, for secret checks (state_lacks)
PULUMI_TEST_ARGS=()
pulumi_stack_init() {
  PULUMI_TEST_WORK=$(mktemp -d)
  PULUMI_TEST_PROGRAM="$1"
  export PULUMI_BACKEND_URL="file://$PULUMI_TEST_WORK/backend" PULUMI_CONFIG_PASSPHRASE="test-passphrase"
  mkdir -p "$PULUMI_TEST_WORK/backend"
  cd "$1" || return 1
  # The suite's pid names the stack, and so every container it makes: cmw-t<pid>-...
  PULUMI_TEST_STACK="t$$"
  pulumi stack init "$PULUMI_TEST_STACK" --non-interactive >/dev/null
  cmw_on_exit pulumi_stack_cleanup
}

# pulumi_stack_cleanup: destroy, then remove by name whatever the destroy could not reach (a host
# a drill cut off), then the stack and its files.
pulumi_stack_cleanup() {
  (cd "$PULUMI_TEST_PROGRAM" && pulumi destroy --yes --skip-preview --non-interactive "${PULUMI_TEST_ARGS[@]}") >/dev/null 2>&1
  remove_containers_of "cmw-$PULUMI_TEST_STACK-"
  (cd "$PULUMI_TEST_PROGRAM" && pulumi stack rm --yes --force "$PULUMI_TEST_STACK") >/dev/null 2>&1
  rm -f "$PULUMI_TEST_PROGRAM/Pulumi.$PULUMI_TEST_STACK.yaml"
  rm -rf "$PULUMI_TEST_WORK"
}

# remove_containers_of PREFIX: every container and network whose name starts with PREFIX, from the
# local engine (the "remote" facility hosts are that engine too, reached over ssh://).
remove_containers_of() {
  local ids
  ids=$(docker ps -aq --filter "name=^$1" 2>/dev/null)
  [[ -z $ids ]] || docker rm -f $ids >/dev/null 2>&1
  ids=$(docker network ls -q --filter "name=^$1" 2>/dev/null)
  [[ -z $ids ]] || docker network rm $ids >/dev/null 2>&1
  true
}

pulumi_state_file() { find "$PULUMI_TEST_WORK/backend" -name "$PULUMI_TEST_STACK.json" | head -n1; }
up()       { pulumi up --yes --skip-preview --non-interactive "$@"; }
no_diff()  { pulumi preview --expect-no-changes --non-interactive "$@"; }
# preview_has KIND: the preview plans at least one operation of that kind (update, replace, create).
preview_has() { pulumi preview --non-interactive --json 2>/dev/null | jq -e --arg op "$1" '.changeSummary[$op] // 0 > 0' >/dev/null; }
# pulumi_password_of RESOURCE_NAME: the `password` output of a resource in the current stack, in
# clear (the test reads what Pulumi keeps as a secret).
pulumi_password_of() {
  pulumi stack export --show-secrets "${@:2}" | jq -r --arg n "$1" '.deployment.resources[] | select(.urn | endswith("::" + $n))
    | .outputs.password | if type == "object" then .plaintext | fromjson else . end'
}
# state_lacks SECRET...: none of the secrets is in the stack's checkpoint in plain text.
state_lacks() { no_secret_in "$@" < "$(pulumi_state_file)"; }

# check_preview_refuses KEY PATTERN DESCRIPTION: with the program's switch KEY on, the preview
# fails with a message matching PATTERN (an unsupported property or provider setting named).
check_preview_refuses() {
  local out
  pulumi config set "$1" true
  out=$(pulumi preview --non-interactive 2>&1)
  check "$3" grep -q "$2" <<<"$out"
  pulumi config rm "$1"
}

# check_secret_not_logged LOG SECRET: the secret is in no line of a failed `up`'s output and its
# -v=9 log (LOG) but the engine's own trace of RPC properties, which prints input values, secrets
# included, whatever a plugin does; nor anywhere in PULUMI_HOME (logs, workspaces).
check_secret_not_logged() {
  local log="$1" secret="$2"
  not_logged() { ! grep -vE '"msg":"(Un)?[Mm]arshaling property for RPC\[' "$log" | grep -qF -- "$secret"; }
  check "its secret is in no line of pulumi's output and -v=9 log but the engine's own RPC property trace" not_logged
  check "nor in PULUMI_HOME (logs, workspaces)" bash -c '! grep -rlF -- "$1" "$PULUMI_HOME"' _ "$secret"
}
