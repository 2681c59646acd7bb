package main

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/clinicmaster-warehouse/providers/pluginkit"
	"github.com/lib/pq"
	"github.com/pulumi/pulumi-go-provider/infer"
)

// Grant is postgresql:index/grant:Grant. It owns the role's privileges on the objects: privileges
// not listed are revoked, as the official provider does. Every change replaces it.
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
	a.Privileges = normalizePrivileges(a.Privileges)
	sort.Strings(a.Objects)
	return resp, nil
}

func normalizePrivileges(ps []string) []string {
	out := make([]string, 0, len(ps))
	for _, p := range ps {
		p = strings.ToUpper(strings.TrimSpace(p))
		if p == "TEMP" {
			p = "TEMPORARY"
		}
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

func grantID(a GrantArgs) string {
	return strings.Join([]string{a.Role, a.Database, pluginkit.StrOr(a.Schema, ""), a.ObjectType, strings.Join(a.Objects, ",")}, "_")
}

// target is the GRANT ... ON <target> clause.
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

func grantStatements(a GrantArgs) []string {
	stmts := []string{"REVOKE ALL PRIVILEGES ON " + grantTarget(a) + " FROM " + qi(a.Role)}
	if len(a.Privileges) > 0 {
		s := "GRANT " + strings.Join(a.Privileges, ", ") + " ON " + grantTarget(a) + " TO " + qi(a.Role)
		if pluginkit.BoolOr(a.WithGrantOption, false) {
			s += " WITH GRANT OPTION"
		}
		stmts = append(stmts, s)
	}
	return stmts
}

func (*Grant) Create(ctx context.Context, req infer.CreateRequest[GrantArgs]) (infer.CreateResponse[GrantState], error) {
	a := req.Inputs
	if !req.DryRun {
		if err := inGrantTx(ctx, a.Database, grantStatements(a)...); err != nil {
			return infer.CreateResponse[GrantState]{}, err
		}
	}
	return infer.CreateResponse[GrantState]{ID: grantID(a), Output: GrantState{a}}, nil
}

// Read reports the privileges the role holds on every targeted object (the ones all objects share),
// so an out-of-band GRANT or REVOKE shows as a diff.
func (*Grant) Read(ctx context.Context, req infer.ReadRequest[GrantArgs, GrantState]) (infer.ReadResponse[GrantArgs, GrantState], error) {
	a := req.State.GrantArgs
	db, err := conn(ctx, a.Database)
	if err != nil {
		return infer.ReadResponse[GrantArgs, GrantState]{}, err
	}
	var query string
	args := []any{a.Role}
	switch a.ObjectType {
	case "database":
		query = `SELECT d.datname, x.privilege_type FROM pg_database d, aclexplode(d.datacl) x
			WHERE d.datname = $2 AND x.grantee = (SELECT oid FROM pg_roles WHERE rolname = $1)`
		args = append(args, a.Database)
	case "schema":
		query = `SELECT n.nspname, x.privilege_type FROM pg_namespace n, aclexplode(n.nspacl) x
			WHERE n.nspname = $2 AND x.grantee = (SELECT oid FROM pg_roles WHERE rolname = $1)`
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
		return infer.ReadResponse[GrantArgs, GrantState]{}, err
	}
	defer rows.Close()
	perObject := map[string]map[string]bool{}
	for rows.Next() {
		var obj string
		var priv *string
		if err := rows.Scan(&obj, &priv); err != nil {
			return infer.ReadResponse[GrantArgs, GrantState]{}, err
		}
		if perObject[obj] == nil {
			perObject[obj] = map[string]bool{}
		}
		if priv != nil {
			perObject[obj][*priv] = true
		}
	}
	if len(perObject) > 0 {
		a.Privileges = common(perObject)
	}
	return infer.ReadResponse[GrantArgs, GrantState]{ID: req.ID, Inputs: a, State: GrantState{a}}, nil
}

// common: privileges held on every object.
func common(perObject map[string]map[string]bool) []string {
	var out []string
	counts := map[string]int{}
	for _, privs := range perObject {
		for p := range privs {
			counts[p]++
		}
	}
	for p, n := range counts {
		if n == len(perObject) {
			out = append(out, p)
		}
	}
	sort.Strings(out)
	return out
}

func (*Grant) Delete(ctx context.Context, req infer.DeleteRequest[GrantState]) (infer.DeleteResponse, error) {
	a := req.State.GrantArgs
	err := inGrantTx(ctx, a.Database, "REVOKE ALL PRIVILEGES ON "+grantTarget(a)+" FROM "+qi(a.Role))
	if err != nil && strings.Contains(err.Error(), "does not exist") {
		err = nil // the object or role is already gone
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
	resp.Inputs.Privileges = normalizePrivileges(resp.Inputs.Privileges)
	return resp, nil
}

func defaultClause(a DefaultPrivilegesArgs) string {
	s := "ALTER DEFAULT PRIVILEGES FOR ROLE " + qi(a.Owner)
	if a.Schema != nil && *a.Schema != "" {
		s += " IN SCHEMA " + qi(*a.Schema)
	}
	return s
}

func (*DefaultPrivileges) Create(ctx context.Context, req infer.CreateRequest[DefaultPrivilegesArgs]) (infer.CreateResponse[DefaultPrivilegesState], error) {
	a := req.Inputs
	kw := defaultObjectTypes[a.ObjectType].keyword
	id := strings.Join([]string{a.Role, a.Database, pluginkit.StrOr(a.Schema, ""), a.Owner, a.ObjectType}, "_")
	if !req.DryRun {
		stmts := []string{defaultClause(a) + " REVOKE ALL ON " + kw + " FROM " + qi(a.Role)}
		if len(a.Privileges) > 0 {
			g := defaultClause(a) + " GRANT " + strings.Join(a.Privileges, ", ") + " ON " + kw + " TO " + qi(a.Role)
			if pluginkit.BoolOr(a.WithGrantOption, false) {
				g += " WITH GRANT OPTION"
			}
			stmts = append(stmts, g)
		}
		if err := inGrantTx(ctx, a.Database, stmts...); err != nil {
			return infer.CreateResponse[DefaultPrivilegesState]{}, err
		}
	}
	return infer.CreateResponse[DefaultPrivilegesState]{ID: id, Output: DefaultPrivilegesState{a}}, nil
}

func (*DefaultPrivileges) Read(ctx context.Context, req infer.ReadRequest[DefaultPrivilegesArgs, DefaultPrivilegesState]) (infer.ReadResponse[DefaultPrivilegesArgs, DefaultPrivilegesState], error) {
	a := req.State.DefaultPrivilegesArgs
	db, err := conn(ctx, a.Database)
	if err != nil {
		return infer.ReadResponse[DefaultPrivilegesArgs, DefaultPrivilegesState]{}, err
	}
	rows, err := db.QueryContext(ctx, `SELECT x.privilege_type FROM pg_default_acl d, aclexplode(d.defaclacl) x
		WHERE d.defaclrole = (SELECT oid FROM pg_roles WHERE rolname = $1)
		  AND d.defaclobjtype = $2
		  AND d.defaclnamespace = COALESCE((SELECT oid FROM pg_namespace WHERE nspname = NULLIF($3, '')), 0)
		  AND x.grantee = (SELECT oid FROM pg_roles WHERE rolname = $4)`,
		a.Owner, defaultObjectTypes[a.ObjectType].code, pluginkit.StrOr(a.Schema, ""), a.Role)
	if err != nil {
		return infer.ReadResponse[DefaultPrivilegesArgs, DefaultPrivilegesState]{}, err
	}
	defer rows.Close()
	a.Privileges = []string{}
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			return infer.ReadResponse[DefaultPrivilegesArgs, DefaultPrivilegesState]{}, err
		}
		a.Privileges = append(a.Privileges, p)
	}
	sort.Strings(a.Privileges)
	return infer.ReadResponse[DefaultPrivilegesArgs, DefaultPrivilegesState]{ID: req.ID, Inputs: a, State: DefaultPrivilegesState{a}}, nil
}

func (*DefaultPrivileges) Delete(ctx context.Context, req infer.DeleteRequest[DefaultPrivilegesState]) (infer.DeleteResponse, error) {
	a := req.State.DefaultPrivilegesArgs
	kw := defaultObjectTypes[a.ObjectType].keyword
	err := inGrantTx(ctx, a.Database, defaultClause(a)+" REVOKE ALL ON "+kw+" FROM "+qi(a.Role))
	if err != nil && strings.Contains(err.Error(), "does not exist") {
		err = nil
	}
	return infer.DeleteResponse{}, err
}

func failure[I any](resp infer.CheckResponse[I], property, reason string) (infer.CheckResponse[I], error) {
	resp.Failures = append(resp.Failures, pluginkit.Failure(property, reason))
	return resp, nil
}

// Grant and DefaultPrivileges own one (role, object) pair: a replacement created before the old
// one is deleted would have its privileges revoked by that delete, so they go first.
func (*Grant) Diff(ctx context.Context, req infer.DiffRequest[GrantArgs, GrantState]) (infer.DiffResponse, error) {
	d := pluginkit.ReplaceDiff(pluginkit.ToMap(req.State.GrantArgs), pluginkit.ToMap(req.Inputs), nil)
	d.DeleteBeforeReplace = d.HasChanges
	return d, nil
}

func (*DefaultPrivileges) Diff(ctx context.Context, req infer.DiffRequest[DefaultPrivilegesArgs, DefaultPrivilegesState]) (infer.DiffResponse, error) {
	d := pluginkit.ReplaceDiff(pluginkit.ToMap(req.State.DefaultPrivilegesArgs), pluginkit.ToMap(req.Inputs), nil)
	d.DeleteBeforeReplace = d.HasChanges
	return d, nil
}
