package main

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/lib/pq"
	p "github.com/pulumi/pulumi-go-provider"
)

func TestNormalizePrivileges(t *testing.T) {
	cases := []struct {
		objectType string
		in, want   []string
	}{
		{"schema", []string{"usage", " Create "}, []string{"CREATE", "USAGE"}},
		{"database", []string{"temp", "CONNECT", "connect"}, []string{"CONNECT", "TEMPORARY"}},
		{"table", []string{"ALL"}, []string{"DELETE", "INSERT", "REFERENCES", "SELECT", "TRIGGER", "TRUNCATE", "UPDATE"}},
		{"sequence", []string{"all privileges"}, []string{"SELECT", "UPDATE", "USAGE"}},
		{"table", nil, []string{}},
	}
	for _, c := range cases {
		got, err := normalizePrivileges(c.objectType, c.in)
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s %v: got %v, %v; want %v", c.objectType, c.in, got, err, c.want)
		}
	}
}

func TestNormalizePrivilegesRefusesWhatPostgreSQLWouldNot(t *testing.T) {
	for _, c := range []struct {
		objectType string
		in         []string
		named      string
	}{
		{"table", []string{"SELECT; DROP TABLE x"}, `"SELECT; DROP TABLE x"`},
		{"schema", []string{"SELECT"}, `"SELECT"`}, // a table privilege, not a schema one
		{"database", []string{"USAGE"}, `"USAGE"`},
		{"table", []string{"SELEKT"}, `"SELEKT"`},
		{"table", []string{"SELECT,INSERT"}, `"SELECT,INSERT"`},
	} {
		_, err := normalizePrivileges(c.objectType, c.in)
		if err == nil || !strings.Contains(err.Error(), c.named) || !strings.Contains(err.Error(), c.objectType) {
			t.Errorf("%s %v: want an error naming %s and the object type, got %v", c.objectType, c.in, c.named, err)
		}
	}
}

func TestPrivilegeDiff(t *testing.T) {
	base := func() map[string]any {
		return map[string]any{"database": "db", "role": "r", "objectType": "schema", "privileges": []string{"USAGE"}}
	}
	changed := base()
	changed["privileges"] = []string{"CREATE", "USAGE"}
	d := privilegeDiff(base(), changed)
	if !d.HasChanges || d.DeleteBeforeReplace || d.DetailedDiff["privileges"].Kind != p.Update {
		t.Errorf("a privilege change must be an in-place update: %+v", d)
	}
	moved := base()
	moved["role"] = "other"
	d = privilegeDiff(base(), moved)
	if d.DetailedDiff["role"].Kind != p.UpdateReplace || !d.DeleteBeforeReplace {
		t.Errorf("a role change replaces, delete first: %+v", d)
	}
	// A full REVOKE found by refresh is an empty list, and must diff against the declared one.
	revoked := privilegeMap(map[string]any{"database": "db", "role": "r", "objectType": "schema"})
	if d := privilegeDiff(revoked, base()); !d.HasChanges || d.DetailedDiff["privileges"].Kind != p.Update {
		t.Errorf("a full revoke must show: %+v", d)
	}
	if d := privilegeDiff(base(), base()); d.HasChanges {
		t.Errorf("no change must not diff: %+v", d)
	}
}

func TestGrantStatementsQuoteNames(t *testing.T) {
	schema := `we"ird`
	a := GrantArgs{Database: "db", Role: `ro"le`, ObjectType: "table", Schema: &schema, Objects: []string{"t"}, Privileges: []string{"INSERT", "SELECT"}}
	got := grantStatements(a)
	want := []string{
		`REVOKE ALL PRIVILEGES ON TABLE "we""ird"."t" FROM "ro""le"`,
		`GRANT INSERT, SELECT ON TABLE "we""ird"."t" TO "ro""le"`,
	}
	if len(got) != 2 || got[0].sql != want[0] || got[1].sql != want[1] {
		t.Errorf("got %+v", got)
	}
	for _, s := range got {
		if !strings.Contains(s.what, `role "ro\"le"`) {
			t.Errorf("what does not name the role: %q", s.what)
		}
	}
	all := GrantArgs{Database: "d b", Role: "r", ObjectType: "database"}
	if got := grantStatements(all); len(got) != 1 || got[0].sql != `REVOKE ALL PRIVILEGES ON DATABASE "d b" FROM "r"` {
		t.Errorf("an empty list only revokes: %+v", got)
	}
}

func TestRolePasswordOnlyWhenChanged(t *testing.T) {
	pw, pw2 := "s3cret'pw", "other"
	a := RoleArgs{Name: "r", Login: ptr(true), Password: &pw}
	if got := roleOptions(a, true); !strings.HasSuffix(got, `PASSWORD 's3cret''pw'`) || !strings.HasPrefix(got, "LOGIN ") {
		t.Errorf("create: %s", got)
	}
	if got := roleOptions(a, false); strings.Contains(got, "PASSWORD") {
		t.Errorf("an update without a password change must not send one: %s", got)
	}
	if got := roleOptions(RoleArgs{Name: "r"}, true); !strings.HasSuffix(got, "PASSWORD NULL") {
		t.Errorf("unset password: %s", got)
	}
	for _, c := range []struct {
		old, new *string
		want     bool
	}{{&pw, &pw, false}, {nil, nil, false}, {&pw, &pw2, true}, {nil, &pw, true}, {&pw, nil, true}} {
		if got := passwordChanged(c.old, c.new); got != c.want {
			t.Errorf("passwordChanged(%v, %v) = %v", c.old, c.new, got)
		}
	}
}

func TestNamesFromState(t *testing.T) {
	if got := roleName(RoleArgs{Name: "renamed"}, "original"); got != "renamed" {
		t.Errorf("role: %s", got)
	}
	if got := roleName(RoleArgs{}, "original"); got != "original" {
		t.Errorf("role without a name in state: %s", got)
	}
	if got := dbName(DatabaseArgs{Name: "renamed"}, "original"); got != "renamed" {
		t.Errorf("database: %s", got)
	}
}

func TestCreateDatabaseFromTemplate0(t *testing.T) {
	owner := "o"
	got := createDatabaseSQL(DatabaseArgs{Name: "w", Owner: &owner})
	if got != `CREATE DATABASE "w" OWNER "o" TEMPLATE "template0" CONNECTION LIMIT -1 ALLOW_CONNECTIONS true IS_TEMPLATE false` {
		t.Errorf("%s", got)
	}
	def, t1 := "default", "template1"
	if got := createDatabaseSQL(DatabaseArgs{Name: "w", Template: &def}); !strings.Contains(got, " TEMPLATE DEFAULT ") {
		t.Errorf("%s", got)
	}
	if got := createDatabaseSQL(DatabaseArgs{Name: "w", Template: &t1}); !strings.Contains(got, ` TEMPLATE "template1" `) {
		t.Errorf("%s", got)
	}
}

func TestNotFoundIsPostgreSQLsOwn(t *testing.T) {
	for code, want := range map[pq.ErrorCode]bool{"42704": true, "3D000": true, "3F000": true, "42P01": true, "42501": false, "28P01": false, "08006": false} {
		err := failed("doing x", &pq.Error{Code: code, Message: "m"})
		if got := isNotFound(err); got != want {
			t.Errorf("code %s: %v", code, got)
		}
	}
	for _, err := range []error{nil, errors.New(`role "x" does not exist`), fmt.Errorf("dial tcp: connection refused")} {
		if isNotFound(err) {
			t.Errorf("%v must not mean gone", err)
		}
	}
}

func TestErrorsNameTheObjectNotTheStatement(t *testing.T) {
	pw := "pw-known-secret"
	a := RoleArgs{Name: "sink", Login: ptr(true), Password: &pw}
	s := stmt{"creating role \"sink\"", "CREATE ROLE " + qi(a.Name) + " " + roleOptions(a, true)}
	err := failed(s.what, &pq.Error{Code: "42710", Message: `role "sink" already exists`})
	if strings.Contains(err.Error(), pw) || !strings.HasPrefix(err.Error(), `creating role "sink": pq: role "sink" already exists`) {
		t.Errorf("%v", err)
	}
}

func ptr[T any](v T) *T { return &v }

func TestAlterOnlyWhatChanged(t *testing.T) {
	pw, pw2 := "one", "two"
	old := RoleArgs{Name: "r", Login: ptr(true), Password: &pw, ConnectionLimit: ptr(5)}
	same := old
	if got := alteredOptions(old, same); len(got) != 0 {
		t.Errorf("nothing changed, nothing to alter: %v", got)
	}
	limit := old
	limit.ConnectionLimit = ptr(7)
	if got := alteredOptions(old, limit); !reflect.DeepEqual(got, []string{"CONNECTION LIMIT 7"}) {
		t.Errorf("%v", got)
	}
	renamed := old
	renamed.Name = "r2"
	if got := alteredOptions(old, renamed); !reflect.DeepEqual(got, []string{"PASSWORD 'one'"}) {
		t.Errorf("a rename sends the password again (MD5 salts with the name): %v", got)
	}
	rotated := old
	rotated.Password = &pw2
	if got := alteredOptions(old, rotated); !reflect.DeepEqual(got, []string{"PASSWORD 'two'"}) {
		t.Errorf("%v", got)
	}
}
