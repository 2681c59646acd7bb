#!/usr/bin/env bash
# Our postgresql plugin against the platform's real PostgreSQL: create, no-op, in-place update,
# replacing update, refresh after out-of-band changes, secrets, unsupported property, destroy.
set -uo pipefail
source "$(dirname "$0")/../../../scripts/env.sh"
source "$CMW_ROOT/tests/lib/tap.sh"
source "$CMW_ROOT/tests/lib/platform.sh"
source "$CMW_ROOT/tests/lib/pulumi.sh"
platform_up
psql_admin() { pg_psql "$PG_ADMIN_PASSWORD_FILE" -h "$PG_HOST" -p "$PG_PORT" -U "$PG_ADMIN_USER" -v ON_ERROR_STOP=1 -Atq "$@"; }

# Leftovers of an interrupted run would make every create fail.
psql_admin -d postgres -c "drop database if exists cmw_t_db with (force)" -c "drop role if exists cmw_t_owner" -c "drop role if exists cmw_t_reader"

pulumi_stack_init "$CMW_ROOT/tests/providers/postgresql/program"
role_password="pw-$RANDOM-$RANDOM-secret"
pulumi config set port "$PG_PORT"
pulumi config set user "$PG_ADMIN_USER"
pulumi_config_secret password "$PG_ADMIN_PASSWORD_FILE"
role_password_file="$PULUMI_TEST_WORK/role-password"
secret_file "$role_password_file" "$role_password"
pulumi_config_secret rolePassword "$role_password_file"
# as_owner DATABASE PSQL_ARGS...: psql as the login role the stack made, with its password.
as_owner() { pg_psql "$role_password_file" -h "$PG_HOST" -p "$PG_PORT" -U cmw_t_owner -d "$@"; }
# admin_value DATABASE SQL: one value, as the platform's admin.
admin_value() { psql_admin -d "$1" -c "$2"; }
# The platform's TLS: verify-full with its CA (or its explicit plaintext opt-out).
pulumi config set sslmode "$PG_SSLMODE"
[[ -z $CA_FILE ]] || pulumi config set sslrootcert "$CA_FILE"

check "create: database, roles, schema, grant, default privileges" up
check "a second up changes nothing" pulumi up --yes --expect-no-changes --non-interactive
check "the login role can log in with its password" as_owner cmw_t_db -Atc 'select 1'
check "the role password is not in plain text in the state" state_lacks "$role_password"
reader_sees_later_table() {
  as_owner cmw_t_db -v ON_ERROR_STOP=1 -qc 'create table data.later(id int); insert into data.later values (1)' &&
    [[ $(admin_value cmw_t_db "set role cmw_t_reader; select count(*) from data.later") == 1 ]]
}
check "default privileges: the reader can select a table the owner creates later" reader_sees_later_table

pulumi config set connectionLimit 7
check "an in-place update is planned as an update" preview_has update
check "in-place update applies (connection limit)" up
check "the change is in the database" test "$(admin_value postgres "select rolconnlimit from pg_roles where rolname='cmw_t_owner'")" = 7

pulumi config set --path 'schemaPrivileges[0]' USAGE
pulumi config set --path 'schemaPrivileges[1]' CREATE
check "a grant change is planned as a replacement" preview_has replace
check "replacing update applies" up
check "the reader now has CREATE on the schema" test "$(admin_value cmw_t_db "select has_schema_privilege('cmw_t_reader','data','CREATE')")" = t

psql_admin -d cmw_t_db -c "revoke create on schema data from cmw_t_reader"
psql_admin -d postgres -c "alter role cmw_t_owner connection limit 2"
check "refresh sees out-of-band changes and the next preview plans to undo them" bash -c 'pulumi refresh --yes --non-interactive >/dev/null && ! pulumi preview --expect-no-changes --non-interactive >/dev/null 2>&1'
check "up restores the declared state" up
check "then nothing to change" no_diff

psql_admin -d postgres -c "drop role cmw_t_reader" 2>/dev/null || psql_admin -d cmw_t_db -c "drop owned by cmw_t_reader" -c "drop role cmw_t_reader"
recreated_after_refresh() {
  pulumi refresh --yes --non-interactive >/dev/null && pulumi up --yes --skip-preview --non-interactive >/dev/null &&
    [[ $(admin_value postgres "select count(*) from pg_roles where rolname='cmw_t_reader'") == 1 ]]
}
check "refresh after an out-of-band deletion, then up re-creates it" recreated_after_refresh

pulumi config set unsupported true
out=$(pulumi preview --non-interactive 2>&1)
check "an unsupported property fails the preview naming it" grep -q 'property "validUntil" of postgresql:index/role:Role is not supported' <<<"$out"
pulumi config rm unsupported

psql_admin -d cmw_t_db -c "drop table data.later"
check "destroy removes it all" pulumi destroy --yes --skip-preview --non-interactive
all_gone() {
  [[ $(admin_value postgres "select count(*) from pg_roles where rolname like 'cmw_t_%'") == 0 &&
    -z $(admin_value postgres "select 1 from pg_database where datname='cmw_t_db'") ]]
}
check "the database and roles are gone" all_gone
tap_summary
