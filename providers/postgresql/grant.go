package main

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/clinicmaster-warehouse/providers/pluginkit"
	"github.com/lib/pq"
	p "github.com/pulumi/pulumi-go-provider"
	"github.com/pulumi/pulumi-go-provider/infer"
)

// Grant is postgresql:index/grant:Grant. It owns the role's privileges on the objects: privileges
// not listed are revoked, as the official provider does. A privilege change is an in-place update
// (revoke and grant in one transaction); any other change replaces it.
type Grant struct{}

type GrantArgs struct {
	Database        string   `pulumi:"database"`
	Role            string   `pulumi:"role"`
	ObjectType      string   `pulumi:"objectType"`
	Privileges      []string `pulumi:"privileges"`
	Schema          *string  `pulumi:"schema,optional"`
	Objects         []string `pulumi:"objects,optional"`
	WithGrantOption *bool    `pulumi:"withGrantOption,optional"`
}

type GrantState struct{ GrantArgs }

func (g *Grant) Annotate(a infer.Annotator) { a.SetToken("index/grant", "Grant") }

func (*Grant) Check(ctx context.Context, req infer.CheckRequest) (infer.CheckResponse[GrantArgs], error) {
	resp, err := pluginkit.CheckSupported[GrantArgs](ctx, "postgresql", "index/grant:Grant", req.NewInputs)
	if err != nil || len(resp.Failures) > 0 {
		return resp, err
	}
	a := &resp.Inputs
	switch a.ObjectType {
	case "database":
	case "schema", "table", "sequence":
		if a.ObjectType != "schema" && a.Schema == nil {
			return failure(resp, "schema", "objectType "+a.ObjectType+" needs a schema")
		}
	default:
		return failure(resp, "objectType", fmt.Sprintf("objectType %q is not supported by this build (database, schema, table, sequence)", a.ObjectType))
	}
	if a.Privileges, err = normalizePrivileges(a.ObjectType, a.Privileges); err != nil {
		return failure(resp, "privileges", err.Error())
	}
	sort.Strings(a.Objects)
	return resp, nil
}

func grantID(a GrantArgs) string {
	return strings.Join([]string{a.Role, a.Database, pluginkit.StrOr(a.Schema, ""), a.ObjectType, strings.Join(a.Objects, ",")}, "_")
}

// grantTarget is the GRANT ... ON <target> clause.
func grantTarget(a GrantArgs) string {
	switch a.ObjectType {
	case "database":
		return "DATABASE " + qi(a.Database)
	case "schema":
		return "SCHEMA " + qi(pluginkit.StrOr(a.Schema, a.Database))
	}
	kind := map[string]string{"table": "TABLE", "sequence": "SEQUENCE"}[a.ObjectType]
	if len(a.Objects) == 0 {
		return "ALL " + kind + "S IN SCHEMA " + qi(*a.Schema)
	}
	names := make([]string, len(a.Objects))
	for i, o := range a.Objects {
		names[i] = qi(*a.Schema) + "." + qi(o)
	}
	return kind + " " + strings.Join(names, ", ")
}

func grantWhat(a GrantArgs) string {
	return fmt.Sprintf("setting the privileges of role %q on %s", a.Role, grantTarget(a))
}

// grantStatements revoke everything, then grant the list: run in one transaction, the role never
// lacks a privilege it keeps.
func grantStatements(a GrantArgs) []stmt {
	what := grantWhat(a)
	stmts := []stmt{{what, "REVOKE ALL PRIVILEGES ON " + grantTarget(a) + " FROM " + qi(a.Role)}}
	if len(a.Privileges) > 0 {
		s := "GRANT " + strings.Join(a.Privileges, ", ") + " ON " + grantTarget(a) + " TO " + qi(a.Role)
		if pluginkit.BoolOr(a.WithGrantOption, false) {
			s += " WITH GRANT OPTION"
		}
		stmts = append(stmts, stmt{what, s})
	}
	return stmts
}

// grantOwners: the owners of the objects, whom a non-superuser admin acts as (the official
// provider's getRolesToGrantForSchema: the schema's owner and its tables' owners).
func grantOwners(a GrantArgs) func(*sql.Tx) ([]string, error) {
	return func(tx *sql.Tx) ([]string, error) {
		query := `SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = current_database()`
		var args []any
		if a.ObjectType != "database" {
			query = `SELECT pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = $1
				UNION SELECT pg_get_userbyid(c.relowner) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1`
			args = append(args, pluginkit.StrOr(a.Schema, ""))
		}
		rows, err := tx.Query(query, args...)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		var owners []string
		for rows.Next() {
			var o string
			if err := rows.Scan(&o); err != nil {
				return nil, err
			}
			owners = append(owners, o)
		}
		return owners, rows.Err()
	}
}

func (*Grant) Create(ctx context.Context, req infer.CreateRequest[GrantArgs]) (infer.CreateResponse[GrantState], error) {
	a := req.Inputs
	if !req.DryRun {
		if err := inGrantTx(ctx, a.Database, grantOwners(a), grantStatements(a)...); err != nil {
			return infer.CreateResponse[GrantState]{}, err
		}
	}
	return infer.CreateResponse[GrantState]{ID: grantID(a), Output: GrantState{a}}, nil
}

func (*Grant) Update(ctx context.Context, req infer.UpdateRequest[GrantArgs, GrantState]) (infer.UpdateResponse[GrantState], error) {
	a := req.Inputs
	if !req.DryRun {
		if err := inGrantTx(ctx, a.Database, grantOwners(a), grantStatements(a)...); err != nil {
			return infer.UpdateResponse[GrantState]{}, err
		}
	}
	return infer.UpdateResponse[GrantState]{Output: GrantState{a}}, nil
}

// Read reports the privileges the role holds on every targeted object (the ones all objects
// share; none at all after a full REVOKE), so an out-of-band GRANT or REVOKE shows as a diff. A
// role, database or schema that no longer exists means the grant is gone.
func (*Grant) Read(ctx context.Context, req infer.ReadRequest[GrantArgs, GrantState]) (infer.ReadResponse[GrantArgs, GrantState], error) {
	a := req.State.GrantArgs
	gone := infer.ReadResponse[GrantArgs, GrantState]{}
	if exists, err := roleExists(ctx, a.Role); err != nil || !exists {
		return gone, err
	}
	db, err := conn(ctx, a.Database)
	if isNotFound(err) {
		return gone, nil
	}
	if err != nil {
		return gone, err
	}
	if a.ObjectType != "database" {
		var n int
		if err := db.QueryRowContext(ctx, `SELECT count(*) FROM pg_namespace WHERE nspname = $1`, pluginkit.StrOr(a.Schema, "")).Scan(&n); err != nil {
			return gone, failed("reading schema "+strconv.Quote(pluginkit.StrOr(a.Schema, "")), err)
		}
		if n == 0 {
			return gone, nil
		}
	}
	var query string
	args := []any{a.Role}
	switch a.ObjectType {
	case "database":
		query = `SELECT d.datname, x.privilege_type FROM pg_database d
			LEFT JOIN LATERAL aclexplode(d.datacl) x ON x.grantee = (SELECT oid FROM pg_roles WHERE rolname = $1)
			WHERE d.datname = $2`
		args = append(args, a.Database)
	case "schema":
		query = `SELECT n.nspname, x.privilege_type FROM pg_namespace n
			LEFT JOIN LATERAL aclexplode(n.nspacl) x ON x.grantee = (SELECT oid FROM pg_roles WHERE rolname = $1)
			WHERE n.nspname = $2`
		args = append(args, pluginkit.StrOr(a.Schema, a.Database))
	default:
		kinds := map[string]string{"table": "{r,p,v,m,f}", "sequence": "{S}"}[a.ObjectType]
		query = `SELECT c.relname, x.privilege_type FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
			LEFT JOIN LATERAL aclexplode(c.relacl) x ON x.grantee = (SELECT oid FROM pg_roles WHERE rolname = $1)
			WHERE n.nspname = $2 AND c.relkind::text = ANY($3::text[]) AND (cardinality($4::text[]) = 0 OR c.relname = ANY($4::text[]))`
		args = append(args, *a.Schema, kinds, pq.Array(a.Objects))
	}
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return gone, failed("reading the privileges of role "+strconv.Quote(a.Role), err)
	}
	defer rows.Close()
	perObject := map[string]map[string]bool{}
	for rows.Next() {
		var obj string
		var priv *string
		if err := rows.Scan(&obj, &priv); err != nil {
			return gone, err
		}
		if perObject[obj] == nil {
			perObject[obj] = map[string]bool{}
		}
		if priv != nil {
			perObject[obj][*priv] = true
		}
	}
	if err := rows.Err(); err != nil {
		return gone, err
	}
	// No table in the schema yet: nothing to compare, the declared list stands.
	if len(perObject) > 0 {
		a.Privileges = common(perObject)
	}
	return infer.ReadResponse[GrantArgs, GrantState]{ID: req.ID, Inputs: a, State: GrantState{a}}, nil
}

func roleExists(ctx context.Context, role string) (bool, error) {
	db, err := conn(ctx, "")
	if err != nil {
		return false, err
	}
	var n int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM pg_roles WHERE rolname = $1`, role).Scan(&n); err != nil {
		return false, failed("reading role "+strconv.Quote(role), err)
	}
	return n > 0, nil
}

func (*Grant) Delete(ctx context.Context, req infer.DeleteRequest[GrantState]) (infer.DeleteResponse, error) {
	a := req.State.GrantArgs
	err := inGrantTx(ctx, a.Database, grantOwners(a), stmt{grantWhat(a), "REVOKE ALL PRIVILEGES ON " + grantTarget(a) + " FROM " + qi(a.Role)})
	if isNotFound(err) {
		err = nil // the database, schema, object or role is already gone, and the privileges with it
	}
	return infer.DeleteResponse{}, err
}

// DefaultPrivileges is postgresql:index/defaultPrivileges:DefaultPrivileges: privileges the role
// gets on objects the owner creates later.
type DefaultPrivileges struct{}

type DefaultPrivilegesArgs struct {
	Database        string   `pulumi:"database"`
	Owner           string   `pulumi:"owner"`
	Role            string   `pulumi:"role"`
	ObjectType      string   `pulumi:"objectType"`
	Privileges      []string `pulumi:"privileges"`
	Schema          *string  `pulumi:"schema,optional"`
	WithGrantOption *bool    `pulumi:"withGrantOption,optional"`
}

type DefaultPrivilegesState struct{ DefaultPrivilegesArgs }

func (d *DefaultPrivileges) Annotate(a infer.Annotator) {
	a.SetToken("index/defaultPrivileges", "DefaultPrivileges")
}

var defaultObjectTypes = map[string]struct{ keyword, code string }{
	"table": {"TABLES", "r"}, "sequence": {"SEQUENCES", "S"}, "function": {"FUNCTIONS", "f"},
	"type": {"TYPES", "T"}, "schema": {"SCHEMAS", "n"},
}

func (*DefaultPrivileges) Check(ctx context.Context, req infer.CheckRequest) (infer.CheckResponse[DefaultPrivilegesArgs], error) {
	resp, err := pluginkit.CheckSupported[DefaultPrivilegesArgs](ctx, "postgresql", "index/defaultPrivileges:DefaultPrivileges", req.NewInputs)
	if err != nil || len(resp.Failures) > 0 {
		return resp, err
	}
	if _, ok := defaultObjectTypes[resp.Inputs.ObjectType]; !ok {
		return failure(resp, "objectType", fmt.Sprintf("objectType %q: use table, sequence, function, type or schema", resp.Inputs.ObjectType))
	}
	if resp.Inputs.Privileges, err = normalizePrivileges(resp.Inputs.ObjectType, resp.Inputs.Privileges); err != nil {
		return failure(resp, "privileges", err.Error())
	}
	return resp, nil
}

func defaultClause(a DefaultPrivilegesArgs) string {
	s := "ALTER DEFAULT PRIVILEGES FOR ROLE " + qi(a.Owner)
	if a.Schema != nil && *a.Schema != "" {
		s += " IN SCHEMA " + qi(*a.Schema)
	}
	return s
}

func defaultWhat(a DefaultPrivilegesArgs) string {
	return fmt.Sprintf("setting the default privileges of role %q on %ss of role %q", a.Role, a.ObjectType, a.Owner)
}

func defaultStatements(a DefaultPrivilegesArgs) []stmt {
	kw, what := defaultObjectTypes[a.ObjectType].keyword, defaultWhat(a)
	stmts := []stmt{{what, defaultClause(a) + " REVOKE ALL ON " + kw + " FROM " + qi(a.Role)}}
	if len(a.Privileges) > 0 {
		g := defaultClause(a) + " GRANT " + strings.Join(a.Privileges, ", ") + " ON " + kw + " TO " + qi(a.Role)
		if pluginkit.BoolOr(a.WithGrantOption, false) {
			g += " WITH GRANT OPTION"
		}
		stmts = append(stmts, stmt{what, g})
	}
	return stmts
}

func (*DefaultPrivileges) Create(ctx context.Context, req infer.CreateRequest[DefaultPrivilegesArgs]) (infer.CreateResponse[DefaultPrivilegesState], error) {
	a := req.Inputs
	id := strings.Join([]string{a.Role, a.Database, pluginkit.StrOr(a.Schema, ""), a.Owner, a.ObjectType}, "_")
	if !req.DryRun {
		if err := inGrantTx(ctx, a.Database, fixedOwners(a.Owner), defaultStatements(a)...); err != nil {
			return infer.CreateResponse[DefaultPrivilegesState]{}, err
		}
	}
	return infer.CreateResponse[DefaultPrivilegesState]{ID: id, Output: DefaultPrivilegesState{a}}, nil
}

func (*DefaultPrivileges) Update(ctx context.Context, req infer.UpdateRequest[DefaultPrivilegesArgs, DefaultPrivilegesState]) (infer.UpdateResponse[DefaultPrivilegesState], error) {
	a := req.Inputs
	if !req.DryRun {
		if err := inGrantTx(ctx, a.Database, fixedOwners(a.Owner), defaultStatements(a)...); err != nil {
			return infer.UpdateResponse[DefaultPrivilegesState]{}, err
		}
	}
	return infer.UpdateResponse[DefaultPrivilegesState]{Output: DefaultPrivilegesState{a}}, nil
}

func (*DefaultPrivileges) Read(ctx context.Context, req infer.ReadRequest[DefaultPrivilegesArgs, DefaultPrivilegesState]) (infer.ReadResponse[DefaultPrivilegesArgs, DefaultPrivilegesState], error) {
	a := req.State.DefaultPrivilegesArgs
	gone := infer.ReadResponse[DefaultPrivilegesArgs, DefaultPrivilegesState]{}
	for _, r := range []string{a.Owner, a.Role} {
		if exists, err := roleExists(ctx, r); err != nil || !exists {
			return gone, err
		}
	}
	db, err := conn(ctx, a.Database)
	if isNotFound(err) {
		return gone, nil
	}
	if err != nil {
		return gone, err
	}
	rows, err := db.QueryContext(ctx, `SELECT x.privilege_type FROM pg_default_acl d, aclexplode(d.defaclacl) x
		WHERE d.defaclrole = (SELECT oid FROM pg_roles WHERE rolname = $1)
		  AND d.defaclobjtype = $2
		  AND d.defaclnamespace = COALESCE((SELECT oid FROM pg_namespace WHERE nspname = NULLIF($3, '')), 0)
		  AND x.grantee = (SELECT oid FROM pg_roles WHERE rolname = $4)`,
		a.Owner, defaultObjectTypes[a.ObjectType].code, pluginkit.StrOr(a.Schema, ""), a.Role)
	if err != nil {
		return gone, failed("reading "+strings.TrimPrefix(defaultWhat(a), "setting "), err)
	}
	defer rows.Close()
	a.Privileges = []string{}
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			return gone, err
		}
		a.Privileges = append(a.Privileges, p)
	}
	sort.Strings(a.Privileges)
	return infer.ReadResponse[DefaultPrivilegesArgs, DefaultPrivilegesState]{ID: req.ID, Inputs: a, State: DefaultPrivilegesState{a}}, rows.Err()
}

func (*DefaultPrivileges) Delete(ctx context.Context, req infer.DeleteRequest[DefaultPrivilegesState]) (infer.DeleteResponse, error) {
	a := req.State.DefaultPrivilegesArgs
	kw := defaultObjectTypes[a.ObjectType].keyword
	err := inGrantTx(ctx, a.Database, fixedOwners(a.Owner), stmt{defaultWhat(a), defaultClause(a) + " REVOKE ALL ON " + kw + " FROM " + qi(a.Role)})
	if isNotFound(err) {
		err = nil
	}
	return infer.DeleteResponse{}, err
}

func failure[I any](resp infer.CheckResponse[I], property, reason string) (infer.CheckResponse[I], error) {
	resp.Failures = append(resp.Failures, pluginkit.Failure(property, reason))
	return resp, nil
}

// privilegeDiff: privileges change in place (one transaction), anything else replaces, as the
// official Grant (only role, database, schema, objectType, objects and withGrantOption are ForceNew).
// A replacement goes delete-first: both would own the same (role, object) pair, and the old one's
// delete would revoke what its successor granted.
func privilegeDiff(olds, news map[string]any) infer.DiffResponse {
	d := pluginkit.ReplaceDiff(olds, news, map[string]bool{"privileges": true})
	for _, pd := range d.DetailedDiff {
		if pd.Kind == p.UpdateReplace {
			d.DeleteBeforeReplace = true
		}
	}
	return d
}

func (*Grant) Diff(ctx context.Context, req infer.DiffRequest[GrantArgs, GrantState]) (infer.DiffResponse, error) {
	return privilegeDiff(privilegeMap(pluginkit.ToMap(req.State.GrantArgs)), privilegeMap(pluginkit.ToMap(req.Inputs))), nil
}

func (*DefaultPrivileges) Diff(ctx context.Context, req infer.DiffRequest[DefaultPrivilegesArgs, DefaultPrivilegesState]) (infer.DiffResponse, error) {
	return privilegeDiff(privilegeMap(pluginkit.ToMap(req.State.DefaultPrivilegesArgs)), privilegeMap(pluginkit.ToMap(req.Inputs))), nil
}

// privilegeMap: an empty privilege list is a value of its own (a full REVOKE found by refresh must
// diff against a declared list), not an absent property.
func privilegeMap(m map[string]any) map[string]any {
	if _, ok := m["privileges"]; !ok {
		m["privileges"] = []string{}
	}
	return m
}
