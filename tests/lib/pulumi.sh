# Runs a test Pulumi program on a throwaway file backend. Source after scripts/env.sh.
#   pulumi_stack_init PROGRAM_DIR   cd there, make a backend and a stack; removed at exit
#   STATE_FILE                      the stack's checkpoint, for secret checks
pulumi_stack_init() {
  PULUMI_TEST_WORK=$(mktemp -d)
  export PULUMI_BACKEND_URL="file://$PULUMI_TEST_WORK/backend" PULUMI_CONFIG_PASSPHRASE="test-passphrase"
  mkdir -p "$PULUMI_TEST_WORK/backend"
  cd "$1" || return 1
  PULUMI_TEST_STACK="t$$"
  pulumi stack init "$PULUMI_TEST_STACK" --non-interactive >/dev/null
  trap 'pulumi destroy --yes --skip-preview --non-interactive >/dev/null 2>&1; pulumi stack rm --yes --force "$PULUMI_TEST_STACK" >/dev/null 2>&1; rm -rf "$PULUMI_TEST_WORK"' EXIT
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
