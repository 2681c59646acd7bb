#!/usr/bin/env bash
# Our command plugin: local commands (create, update with the previous output, replace by
# trigger, delete), remote commands over the platform's loopback sshd (environment never on the
# command line), secrets (state, errors, logs), an unsupported property.
source "$(dirname "$0")/../../../scripts/env.sh" && source "$CMW_ROOT/tests/lib/suite.sh"
platform_up
check "Go unit tests of the plugin" bash -c "cd '$CMW_ROOT/providers/command' && go test ./..."

workdir=$(mktemp -d)
pulumi_stack_init "$CMW_ROOT/tests/providers/command/program"
token="tok-$RANDOM-$RANDOM-secret"
pulumi config set dir "$workdir"
pulumi config set sshPort "${SSH_HOST_URL##*:}"
printf '%s' "$token" | pulumi config set --secret token
pulumi_config_secret privateKey "$CMW_STATE/ssh/id_ed25519"

check "create runs the local and the remote command" up
check "local stdout is the create output" bash -c '[[ $(pulumi stack output localStdout) == "created 1" && $(cat '"$workdir"'/marker) == "created 1" ]]'
check "the remote command ran over SSH with its environment quoted safely" bash -c "pulumi stack output remoteStdout | grep -qF 'it'\"'\"'s \"quoted\" & fine from '"
check "a remote command's secret environment arrives, and is not on its command line" bash -c "out=\$(pulumi stack output remoteSecretStdout) && [[ \$out == *'|${#token}' && \$out != *'$token'* ]]"
check "a second up changes nothing" pulumi up --yes --expect-no-changes --non-interactive
check "secrets (env, private key) are not in plain text in the state" state_lacks "$token" 'OPENSSH PRIVATE KEY'

pulumi config set version 2
check "an environment change with an update command is an in-place update" preview_has update
check "update runs with the previous output" bash -c 'pulumi up --yes --skip-preview --non-interactive >/dev/null && [[ $(cat '"$workdir"'/marker) == "updated 2 (was: created 1)" ]]'

pulumi config set trigger b
check "a trigger change is a replacement" preview_has replace
# Create before delete, as the official provider: the new resource's create runs, then the old delete.
check "the replacement runs create again" bash -c 'pulumi up --yes --skip-preview --non-interactive >/dev/null && [[ $(pulumi stack output localStdout) == "created 2" ]]'

pulumi config set failRemote true
log="$PULUMI_TEST_WORK/fails.log"
pulumi up --yes --skip-preview --non-interactive --logtostderr -v=9 >"$log" 2>&1; rc=$?
check "a failing remote command fails the update with its stderr" bash -c "(( $rc != 0 )) && grep -q 'about to fail' '$log'"
check_secret_not_logged "$log" "$token"
pulumi config rm failRemote

check_preview_refuses unsupported 'property "logging" of command:local:Command is not supported' "an unsupported property fails the preview naming it"

check "destroy runs the delete command" bash -c 'pulumi destroy --yes --skip-preview --non-interactive >/dev/null && [[ ! -e '"$workdir"'/marker ]]'
rm -rf "$workdir"
tap_summary
