#!/usr/bin/env bash
# Our postgresql plugin against the platform's real PostgreSQL, as an admin that is not a
# superuser: create, no-op, in-place update, refresh after out-of-band changes, renames, secrets
# (state, errors, logs), provider settings changed in place (admin password rotated on the server,
# sslmode), unsupported property and setting, destroy.
source "$(dirname "$0")/../../../scripts/env.sh" && source "$CMW_ROOT/tests/lib/suite.sh"
platform_up
check "Go unit tests of the plugin and pluginkit" bash -c "cd '$CMW_ROOT/providers/postgresql' && go test ./... && cd ../pluginkit && go test ./..."
psql_admin() { pg_psql "$PG_ADMIN_PASSWORD_FILE" -h "$PG_HOST" -p "$PG_PORT" -U "$PG_ADMIN_USER" -v ON_ERROR_STOP=1 -Atq "$@"; }
# as ROLE PASSWORD SQL: one query as a login role of the test.
as() { PGPASSWORD="$2" psql -h "$PG_HOST" -p "$PG_PORT" -U "$1" -d cmw_t_db -v ON_ERROR_STOP=1 -Atqc "$3"; }
role_oid() { psql_admin -d postgres -c "select oid from pg_roles where rolname = '$1'"; }
db_oid() { psql_admin -d postgres -c "select oid from pg_database where datname = 'cmw_t_db'"; }

# Leftovers of an interrupted run would make every create fail.
psql_admin -d postgres -c "drop database if exists cmw_t_db with (force)" -c "drop database if exists cmw_t_db2 with (force)"
for r in cmw_t_owner cmw_t_reader cmw_t_reader2 cmw_t_clash cmw_t_admin; do psql_admin -d postgres -c "drop role if exists $r"; done
# The stack's admin: may create roles and databases, nothing more (as on a managed server).
admin_password="adm-$RANDOM-$RANDOM-one"
# Statements with a password go on stdin: a psql -c argument is visible in ps.
psql_admin -d postgres <<<"create role cmw_t_admin login createrole createdb password '$admin_password'"
trap_cleanup_admin() { psql_admin -d postgres -c "drop role if exists cmw_t_clash" -c "drop role if exists cmw_t_admin" >/dev/null 2>&1; }

pulumi_stack_init "$CMW_ROOT/tests/providers/postgresql/program"
cmw_on_exit trap_cleanup_admin
role_password="pw-$RANDOM-$RANDOM-secret"
pulumi config set port "$PG_PORT"
pulumi config set user cmw_t_admin
# Secrets reach pulumi on stdin, from files readable by their owner only.
secrets_dir="$PULUMI_TEST_WORK/secrets"; mkdir -p "$secrets_dir"
secret_file "$secrets_dir/admin" "$admin_password"
secret_file "$secrets_dir/role" "$role_password"
pulumi_config_secret password "$secrets_dir/admin"
pulumi_config_secret rolePassword "$secrets_dir/role"
# The platform's TLS: verify-full with its CA (or its explicit plaintext opt-out).
pulumi config set sslmode "$PG_SSLMODE"
[[ -z $CA_FILE ]] || pulumi config set sslrootcert "$CA_FILE"

check "create as a non-superuser admin: database, roles, schema, grant, default privileges" up
check "a second up changes nothing" pulumi up --yes --expect-no-changes --non-interactive
check "the login role can log in with its password" as cmw_t_owner "$role_password" 'select 1'
check "the role password is not in plain text in the state" state_lacks "$role_password"
reader_sees_later_table() {
  as cmw_t_owner "$role_password" 'create table data.later(id int); insert into data.later values (1), (2)' &&
    [[ $(psql_admin -d cmw_t_db -c "set role cmw_t_reader; select count(*) from data.later") == 2 ]]
}
check "default privileges (set by a non-superuser admin): the reader can select a table the owner creates later" reader_sees_later_table
check "the admin holds no membership it borrowed" test "$(psql_admin -d postgres -c "select count(*) from pg_auth_members where member = (select oid from pg_roles where rolname = 'cmw_t_admin')")" == 0

# Provider settings change in place: the admin password rotated on the server, sslmode flipped.
# Nothing is replaced, and the owner's table keeps its rows.
oids_before="$(role_oid cmw_t_owner) $(role_oid cmw_t_reader) $(db_oid)"
admin_password2="adm-$RANDOM-$RANDOM-two"
psql_admin -d postgres <<<"alter role cmw_t_admin password '$admin_password2'"
secret_file "$secrets_dir/admin" "$admin_password2"
pulumi_config_secret password "$secrets_dir/admin"
# TLS stays (the server takes nothing else); only the client's checking changes.
pulumi config set sslmode prefer
preview=$(pulumi preview --non-interactive --json 2>/dev/null)
check "a new admin password and sslmode: the preview replaces nothing" jq -e '(.changeSummary.replace // 0) == 0 and (.changeSummary.update // 0) >= 1' <<<"$preview"
check "up applies them" up
check "same roles and database (oids), the owner's rows still there" test "$(role_oid cmw_t_owner) $(role_oid cmw_t_reader) $(db_oid) $(as cmw_t_owner "$role_password" 'select count(*) from data.later')" == "$oids_before 2"
check "then nothing to change, and refresh is clean" bash -c 'pulumi refresh --yes --non-interactive >/dev/null && pulumi preview --expect-no-changes --non-interactive >/dev/null'

pulumi config set connectionLimit 7
check "an in-place update is planned as an update" preview_has update
check "in-place update applies (connection limit)" up
check "the change is in the database" bash -c "[[ \$(PGPASSWORD=\$(cat $PG_ADMIN_PASSWORD_FILE) psql -h $PG_HOST -p $PG_PORT -U $PG_ADMIN_USER -d postgres -Atc \"select rolconnlimit from pg_roles where rolname='cmw_t_owner'\") == 7 ]]"

pulumi config set --path 'schemaPrivileges[0]' USAGE
pulumi config set --path 'schemaPrivileges[1]' CREATE
preview=$(pulumi preview --non-interactive --json 2>/dev/null)
check "a privilege change is planned as an in-place update" jq -e '(.changeSummary.replace // 0) == 0 and (.changeSummary.update // 0) == 1' <<<"$preview"
check "it applies" up
check "the reader now has CREATE on the schema" bash -c "[[ \$(PGPASSWORD=\$(cat $PG_ADMIN_PASSWORD_FILE) psql -h $PG_HOST -p $PG_PORT -U $PG_ADMIN_USER -d cmw_t_db -qAtc \"select has_schema_privilege('cmw_t_reader','data','CREATE')\") == t ]]"

psql_admin -d cmw_t_db -c "revoke create on schema data from cmw_t_reader"
psql_admin -d postgres -c "alter role cmw_t_owner connection limit 2"
check "refresh sees out-of-band changes and the next preview plans to undo them" bash -c 'pulumi refresh --yes --non-interactive >/dev/null && ! pulumi preview --expect-no-changes --non-interactive >/dev/null 2>&1'
check "up restores the declared state" up
check "then nothing to change" no_diff
psql_admin -d cmw_t_db -c "revoke all on schema data from cmw_t_reader"
check "refresh sees a full REVOKE" bash -c 'pulumi refresh --yes --non-interactive >/dev/null && ! pulumi preview --expect-no-changes --non-interactive >/dev/null 2>&1'
check "up grants again" bash -c "pulumi up --yes --skip-preview --non-interactive >/dev/null && [[ \$(PGPASSWORD=\$(cat $PG_ADMIN_PASSWORD_FILE) psql -h $PG_HOST -p $PG_PORT -U $PG_ADMIN_USER -d cmw_t_db -qAtc \"select has_schema_privilege('cmw_t_reader','data','USAGE')\") == t ]]"

psql_admin -d postgres -c "drop role cmw_t_reader" 2>/dev/null || psql_admin -d cmw_t_db -c "drop owned by cmw_t_reader" -c "drop role cmw_t_reader"
check "refresh after an out-of-band deletion, then up re-creates it" bash -c 'pulumi refresh --yes --non-interactive >/dev/null && pulumi up --yes --skip-preview --non-interactive >/dev/null && [[ $(PGPASSWORD=$(cat '"$PG_ADMIN_PASSWORD_FILE"') psql -h '"$PG_HOST"' -p '"$PG_PORT"' -U '"$PG_ADMIN_USER"' -d postgres -Atc "select count(*) from pg_roles where rolname='"'"'cmw_t_reader'"'"'") == 1 ]]'

# Renames, as the official provider: in place, and refresh and destroy follow the new name.
reader_oid=$(role_oid cmw_t_reader)
pulumi config set readerName cmw_t_reader2
check "renaming a role is an in-place update of the role" bash -c "pulumi preview --non-interactive --json 2>/dev/null | jq -e '[.steps[] | select(.urn | endswith(\"::reader\")) | .op] == [\"update\"]'"
check "up renames it" up
check "the same role has the new name" test "$(role_oid cmw_t_reader2)" == "$reader_oid"
check "refresh reads the renamed role: nothing to change" bash -c 'pulumi refresh --yes --non-interactive >/dev/null && pulumi preview --expect-no-changes --non-interactive >/dev/null'
db_oid_before=$(db_oid)
pulumi config set dbName cmw_t_db2
check "renaming the database is an in-place update of it" bash -c "pulumi preview --non-interactive --json 2>/dev/null | jq -e '[.steps[] | select(.urn | endswith(\"::db\")) | .op] == [\"update\"]'"
check "up renames it" up
check "the same database has the new name, the owner's rows in it" test "$(psql_admin -d postgres -c "select oid from pg_database where datname = 'cmw_t_db2'") $(PGPASSWORD="$role_password" psql -h "$PG_HOST" -p "$PG_PORT" -U cmw_t_owner -d cmw_t_db2 -Atqc 'select count(*) from data.later')" == "$db_oid_before 2"
check "refresh reads the renamed database: nothing to change" bash -c 'pulumi refresh --yes --non-interactive >/dev/null && pulumi preview --expect-no-changes --non-interactive >/dev/null'

# No secret in errors or logs: a CREATE ROLE that fails while carrying a known password.
clash_password="clash-$RANDOM-$RANDOM-secret"
psql_admin -d postgres -c "create role cmw_t_clash"
secret_file "$secrets_dir/clash" "$clash_password"
pulumi_config_secret clashPassword "$secrets_dir/clash"
log="$PULUMI_TEST_WORK/clash.log"
pulumi up --yes --skip-preview --non-interactive --logtostderr -v=9 >"$log" 2>&1; rc=$?
check "a CREATE ROLE that fails names the role and the server's error" bash -c "(( $rc != 0 )) && grep -qF 'creating role \"cmw_t_clash\"' '$log' && grep -q 'already exists' '$log'"
check_secret_not_logged "$log" "$clash_password"
# Nor the statement that carried it (the plugin's binary in PULUMI_HOME holds the words, of course).
statement_not_logged() { ! grep -vE '"msg":"(Un)?[Mm]arshaling property for RPC\[' "$log" | grep -qF 'CREATE ROLE'; }
check "nor is the statement that carried it" statement_not_logged
pulumi config rm clashPassword
psql_admin -d postgres -c "drop role cmw_t_clash"

check_preview_refuses unsupported 'property "validUntil" of postgresql:index/role:Role is not supported' "an unsupported property fails the preview naming it"
pulumi config set --path 'schemaPrivileges[1]' 'CREATE; DROP TABLE x'
out=$(pulumi preview --non-interactive 2>&1)
check "a privilege list holding ';' fails the preview naming it" grep -qF 'privilege "CREATE; DROP TABLE x" is not one of CREATE, USAGE on a schema' <<<"$out"
pulumi config set --path 'schemaPrivileges[1]' SELECT
out=$(pulumi preview --non-interactive 2>&1)
check "a privilege the object type does not have fails the preview naming it" grep -qF 'privilege "SELECT" is not one of CREATE, USAGE on a schema' <<<"$out"
pulumi config set --path 'schemaPrivileges[1]' CREATE
check_preview_refuses unsupportedSetting 'provider setting "clientcert" is not supported' "an unsupported provider setting fails the preview naming it"

psql_admin -d cmw_t_db2 -c "drop table data.later"
check "destroy removes it all" pulumi destroy --yes --skip-preview --non-interactive
check "the database and roles (renamed ones too) are gone" bash -c "[[ \$(PGPASSWORD=\$(cat $PG_ADMIN_PASSWORD_FILE) psql -h $PG_HOST -p $PG_PORT -U $PG_ADMIN_USER -d postgres -Atc \"select count(*) from pg_roles where rolname like 'cmw_t_%' and rolname <> 'cmw_t_admin'\") == 0 && -z \$(PGPASSWORD=\$(cat $PG_ADMIN_PASSWORD_FILE) psql -h $PG_HOST -p $PG_PORT -U $PG_ADMIN_USER -d postgres -Atc \"select 1 from pg_database where datname in ('cmw_t_db', 'cmw_t_db2')\") ]]"
tap_summary
