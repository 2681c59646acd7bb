#!/usr/bin/env bash
# Our docker plugin against the real engine, reached over ssh:// on loopback: create, no-op,
# in-place update, replacing update, refresh after out-of-band removal, provider settings changed
# in place (sshOpts, host), an unreachable host is an error and not "gone", secrets, unsupported
# property and setting, destroy.
source "$(dirname "$0")/../../../scripts/env.sh" && source "$CMW_ROOT/tests/lib/suite.sh"
platform_up
check "Go unit tests of the plugin" bash -c "cd '$CMW_ROOT/providers/docker' && go test ./..."
bash "$CMW_ROOT/platform/connect-image/build.sh" >/dev/null || cmw_die "base image missing"
d() { docker -H "$SSH_HOST_URL" "$@"; }
d rm -f cmw-t-box >/dev/null 2>&1; d network rm cmw-t-net >/dev/null 2>&1; d volume rm cmw-t-vol >/dev/null 2>&1

pulumi_stack_init "$CMW_ROOT/tests/providers/docker/program"
token="tok-$RANDOM-$RANDOM-secret"
pulumi config set host "$SSH_HOST_URL"
pulumi_config_ssh_opts sshOpts
printf '%s' "$token" | pulumi config set --secret token

check "create: image, network, volume, container over ssh://" up
check "a second up changes nothing" pulumi up --yes --expect-no-changes --non-interactive
check "the container runs with its upload in place" test "$(d exec cmw-t-box cat /etc/cmw/secret.properties)" = "token=$token"
check "the secret is not in plain text in the state" state_lacks "$token"
check "the ssh wrapper's folder is the user's own, mode 700" bash -c "[[ \$(stat -c '%u %a' \"\${XDG_CACHE_HOME:-\$HOME/.cache}/pulumi-docker-provider\") == \"\$(id -u) 700\" ]]"
id_before=$(d inspect -f '{{.Id}}' cmw-t-box)

# Provider settings change in place: new sshOpts replace nothing, the container stays.
n=$(grep -c '' "$SSH_OPTS_FILE")
pulumi config set --path "sshOpts[$n]" -- -o
pulumi config set --path "sshOpts[$((n + 1))]" -- ConnectTimeout=20
preview=$(pulumi preview --non-interactive --json 2>/dev/null)
check "changed sshOpts: the preview replaces nothing" jq -e '(.changeSummary.replace // 0) == 0 and (.changeSummary.update // 0) == 1' <<<"$preview"
check "up applies them" up
check "the same container runs" bash -c "[[ \$(docker -H '$SSH_HOST_URL' inspect -f '{{.Id}} {{.State.Running}}' cmw-t-box) == '$id_before true' ]]"

# An unreachable host is an error, never "the container is gone".
pulumi config set host "ssh://root@127.0.0.1:9"
check "pointing the provider at an unreachable host changes it in place" bash -c "pulumi preview --non-interactive --json 2>/dev/null | jq -e '(.changeSummary.replace // 0) == 0' >/dev/null && pulumi up --yes --skip-preview --non-interactive >/dev/null"
out=$(pulumi refresh --yes --non-interactive 2>&1); rc=$?
check "refresh with the host unreachable fails loudly, naming the connection" bash -c "(( $rc != 0 )) && grep -q 'port 9' <<<\"\$1\"" _ "$out"
check "the container stays in the state" bash -c "pulumi stack export | jq -e '[.deployment.resources[] | select(.type == \"docker:index/container:Container\")] | length == 1' >/dev/null"
pulumi config set host "$SSH_HOST_URL"
check "back on the reachable host: up, refresh clean, the same container" bash -c "pulumi up --yes --skip-preview --non-interactive >/dev/null && pulumi refresh --yes --non-interactive >/dev/null && pulumi preview --expect-no-changes --non-interactive >/dev/null && [[ \$(docker -H '$SSH_HOST_URL' inspect -f '{{.Id}}' cmw-t-box) == '$id_before' ]]"

pulumi config set memory 96
check "a memory change is planned as an in-place update" preview_has update
check "in-place update applies" up
check "same container, new memory limit" bash -c "[[ \$(docker -H '$SSH_HOST_URL' inspect -f '{{.Id}} {{.HostConfig.Memory}}' cmw-t-box) == '$id_before $((96 * 1024 * 1024))' ]]"

pulumi config set mode two
check "an env change is planned as a replacement" preview_has replace
check "replacing update applies" up
check "a new container carries the new env" bash -c "[[ \$(docker -H '$SSH_HOST_URL' inspect -f '{{.Id}}' cmw-t-box) != '$id_before' ]] && docker -H '$SSH_HOST_URL' exec cmw-t-box printenv MODE | grep -qx two"

d rm -f cmw-t-box >/dev/null
check "refresh after an out-of-band removal, then up re-creates it" bash -c "pulumi refresh --yes --non-interactive >/dev/null && pulumi up --yes --skip-preview --non-interactive >/dev/null && docker -H '$SSH_HOST_URL' inspect cmw-t-box >/dev/null"
d stop -t 1 cmw-t-box >/dev/null
check "a stopped container (mustRun) shows as a change after refresh" bash -c 'pulumi refresh --yes --non-interactive >/dev/null && ! pulumi preview --expect-no-changes --non-interactive >/dev/null 2>&1'
check "up brings it back" bash -c "pulumi up --yes --skip-preview --non-interactive >/dev/null && [[ \$(docker -H '$SSH_HOST_URL' inspect -f '{{.State.Running}}' cmw-t-box) == true ]]"
check "then nothing to change" no_diff

check_preview_refuses unsupported 'property "privileged" of docker:index/container:Container is not supported' "an unsupported property fails the preview naming it"
check_preview_refuses unsupportedSetting 'provider setting "registryAuth" is not supported' "an unsupported provider setting fails the preview naming it"

check "destroy removes it all" pulumi destroy --yes --skip-preview --non-interactive
check "container, network and volume are gone; the image is kept (keepLocally)" bash -c "! docker -H '$SSH_HOST_URL' inspect cmw-t-box >/dev/null 2>&1 && ! docker -H '$SSH_HOST_URL' network inspect cmw-t-net >/dev/null 2>&1 && ! docker -H '$SSH_HOST_URL' volume inspect cmw-t-vol >/dev/null 2>&1 && docker -H '$SSH_HOST_URL' image inspect debian:bookworm-slim >/dev/null"
tap_summary
