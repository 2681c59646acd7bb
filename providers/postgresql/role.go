package main

import (
	"context"
	"database/sql"
	"errors"
	"sort"
	"strconv"
	"strings"

	"github.com/clinicmaster-warehouse/providers/pluginkit"
	"github.com/pulumi/pulumi-go-provider/infer"
)

// Role is postgresql:index/role:Role.
type Role struct{}

type RoleArgs struct {
	Name                   string   `pulumi:"name"`
	Login                  *bool    `pulumi:"login,optional"`
	Password               *string  `pulumi:"password,optional" provider:"secret"`
	Inherit                *bool    `pulumi:"inherit,optional"`
	Roles                  []string `pulumi:"roles,optional"`
	ConnectionLimit        *int     `pulumi:"connectionLimit,optional"`
	CreateDatabase         *bool    `pulumi:"createDatabase,optional"`
	CreateRole             *bool    `pulumi:"createRole,optional"`
	Superuser              *bool    `pulumi:"superuser,optional"`
	Replication            *bool    `pulumi:"replication,optional"`
	BypassRowLevelSecurity *bool    `pulumi:"bypassRowLevelSecurity,optional"`
}

type RoleState struct{ RoleArgs }

func (r *Role) Annotate(a infer.Annotator) { a.SetToken("index/role", "Role") }

func (*Role) Check(ctx context.Context, req infer.CheckRequest) (infer.CheckResponse[RoleArgs], error) {
	return pluginkit.CheckSupported[RoleArgs](ctx, "postgresql", "index/role:Role", req.NewInputs)
}

// Every Role property changes in place (ALTER ROLE), as in the official provider.
func (*Role) Diff(ctx context.Context, req infer.DiffRequest[RoleArgs, RoleState]) (infer.DiffResponse, error) {
	all := map[string]bool{}
	for k := range pluginkit.PulumiFieldNames(pluginkit.TypeOf[RoleArgs]()) {
		all[k] = true
	}
	return pluginkit.ReplaceDiff(roleMap(req.State.RoleArgs), roleMap(req.Inputs), all), nil
}

func roleMap(a RoleArgs) map[string]any {
	sort.Strings(a.Roles)
	m := pluginkit.ToMap(a)
	// Defaults written out, so "unset" and "set to the default" do not diff.
	m["login"] = pluginkit.BoolOr(a.Login, false)
	m["inherit"] = pluginkit.BoolOr(a.Inherit, true)
	m["connectionLimit"] = pluginkit.IntOr(a.ConnectionLimit, -1)
	for _, k := range []string{"createDatabase", "createRole", "superuser", "replication", "bypassRowLevelSecurity"} {
		if _, ok := m[k]; !ok {
			m[k] = false
		}
	}
	return m
}

// roleOptions is the option list of CREATE ROLE, every attribute written out. The password goes
// in only when asked for: it is sent when the role is created and when it changes, never otherwise.
func roleOptions(a RoleArgs, withPassword bool) string {
	opts := roleAttributes(a)
	if withPassword {
		opts = append(opts, passwordOption(a.Password))
	}
	return strings.Join(opts, " ")
}

// roleAttributes are the role's attributes as CREATE/ALTER ROLE options, in a fixed order.
func roleAttributes(a RoleArgs) []string {
	flag := func(on bool, yes, no string) string {
		if on {
			return yes
		}
		return no
	}
	return []string{
		flag(pluginkit.BoolOr(a.Login, false), "LOGIN", "NOLOGIN"),
		flag(pluginkit.BoolOr(a.Inherit, true), "INHERIT", "NOINHERIT"),
		flag(pluginkit.BoolOr(a.CreateDatabase, false), "CREATEDB", "NOCREATEDB"),
		flag(pluginkit.BoolOr(a.CreateRole, false), "CREATEROLE", "NOCREATEROLE"),
		flag(pluginkit.BoolOr(a.Superuser, false), "SUPERUSER", "NOSUPERUSER"),
		flag(pluginkit.BoolOr(a.Replication, false), "REPLICATION", "NOREPLICATION"),
		flag(pluginkit.BoolOr(a.BypassRowLevelSecurity, false), "BYPASSRLS", "NOBYPASSRLS"),
		"CONNECTION LIMIT " + strconv.Itoa(pluginkit.IntOr(a.ConnectionLimit, -1)),
	}
}

func passwordOption(pw *string) string {
	if pw == nil {
		return "PASSWORD NULL"
	}
	return "PASSWORD " + ql(*pw)
}

// alteredOptions are the ALTER ROLE options for what changed, and only that, as the official
// provider: an admin that is not a superuser may not even restate NOSUPERUSER or NOREPLICATION.
// A rename sends the password again, as the official provider does: renaming clears an MD5
// password (the name is its salt).
func alteredOptions(old, new RoleArgs) []string {
	var opts []string
	before := roleAttributes(old)
	for i, opt := range roleAttributes(new) {
		if opt != before[i] {
			opts = append(opts, opt)
		}
	}
	if passwordChanged(old.Password, new.Password) || (old.Name != new.Name && new.Password != nil) {
		opts = append(opts, passwordOption(new.Password))
	}
	return opts
}

// passwordChanged: set, unset or a different value.
func passwordChanged(old, new *string) bool {
	if old == nil || new == nil {
		return old != new
	}
	return *old != *new
}

// roleName is the name a role has now: the state's (renames update it), the ID for older states.
func roleName(st RoleArgs, id string) string { return pluginkit.StrOr(&st.Name, id) }

func (*Role) Create(ctx context.Context, req infer.CreateRequest[RoleArgs]) (infer.CreateResponse[RoleState], error) {
	st := RoleState{req.Inputs}
	if req.DryRun {
		return infer.CreateResponse[RoleState]{Output: st}, nil
	}
	name := req.Inputs.Name
	stmts := []stmt{{"creating role " + strconv.Quote(name), "CREATE ROLE " + qi(name) + " " + roleOptions(req.Inputs, true)}}
	for _, r := range req.Inputs.Roles {
		stmts = append(stmts, stmt{"granting role " + strconv.Quote(r) + " to role " + strconv.Quote(name), "GRANT " + qi(r) + " TO " + qi(name)})
	}
	if err := inTx(ctx, "", stmts...); err != nil {
		return infer.CreateResponse[RoleState]{}, err
	}
	return infer.CreateResponse[RoleState]{ID: req.Inputs.Name, Output: st}, nil
}

func (*Role) Update(ctx context.Context, req infer.UpdateRequest[RoleArgs, RoleState]) (infer.UpdateResponse[RoleState], error) {
	st := RoleState{req.Inputs}
	if req.DryRun {
		return infer.UpdateResponse[RoleState]{Output: st}, nil
	}
	var stmts []stmt
	old, name := roleName(req.State.RoleArgs, req.ID), req.Inputs.Name
	if old != name {
		stmts = append(stmts, stmt{"renaming role " + strconv.Quote(old) + " to " + strconv.Quote(name), "ALTER ROLE " + qi(old) + " RENAME TO " + qi(name)})
	}
	if opts := alteredOptions(req.State.RoleArgs, req.Inputs); len(opts) > 0 {
		stmts = append(stmts, stmt{"altering role " + strconv.Quote(name), "ALTER ROLE " + qi(name) + " " + strings.Join(opts, " ")})
	}
	have := map[string]bool{}
	for _, r := range req.State.Roles {
		have[r] = true
	}
	want := map[string]bool{}
	for _, r := range req.Inputs.Roles {
		want[r] = true
		if !have[r] {
			stmts = append(stmts, stmt{"granting role " + strconv.Quote(r) + " to role " + strconv.Quote(name), "GRANT " + qi(r) + " TO " + qi(name)})
		}
	}
	for r := range have {
		if !want[r] {
			stmts = append(stmts, stmt{"revoking role " + strconv.Quote(r) + " from role " + strconv.Quote(name), "REVOKE " + qi(r) + " FROM " + qi(name)})
		}
	}
	if err := inTx(ctx, "", stmts...); err != nil {
		return infer.UpdateResponse[RoleState]{}, err
	}
	return infer.UpdateResponse[RoleState]{Output: st}, nil
}

func (*Role) Read(ctx context.Context, req infer.ReadRequest[RoleArgs, RoleState]) (infer.ReadResponse[RoleArgs, RoleState], error) {
	db, err := conn(ctx, "")
	if err != nil {
		return infer.ReadResponse[RoleArgs, RoleState]{}, err
	}
	a := req.State.RoleArgs
	name := roleName(a, req.ID)
	var login, inherit, createdb, createrole, super, repl, bypass bool
	var limit int
	err = db.QueryRowContext(ctx, `SELECT rolcanlogin, rolinherit, rolcreatedb, rolcreaterole, rolsuper, rolreplication,
		rolbypassrls, rolconnlimit FROM pg_roles WHERE rolname = $1`, name).
		Scan(&login, &inherit, &createdb, &createrole, &super, &repl, &bypass, &limit)
	if errors.Is(err, sql.ErrNoRows) {
		return infer.ReadResponse[RoleArgs, RoleState]{}, nil // dropped out of band
	}
	if err != nil {
		return infer.ReadResponse[RoleArgs, RoleState]{}, failed("reading role "+strconv.Quote(name), err)
	}
	a.Name = name
	a.Login, a.Inherit, a.CreateDatabase, a.CreateRole = &login, &inherit, &createdb, &createrole
	a.Superuser, a.Replication, a.BypassRowLevelSecurity, a.ConnectionLimit = &super, &repl, &bypass, &limit
	rows, err := db.QueryContext(ctx, `SELECT g.rolname FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid
		JOIN pg_roles r ON r.oid = m.member WHERE r.rolname = $1 ORDER BY 1`, name)
	if err != nil {
		return infer.ReadResponse[RoleArgs, RoleState]{}, failed("reading the memberships of role "+strconv.Quote(name), err)
	}
	defer rows.Close()
	a.Roles = nil
	for rows.Next() {
		var g string
		if err := rows.Scan(&g); err != nil {
			return infer.ReadResponse[RoleArgs, RoleState]{}, err
		}
		a.Roles = append(a.Roles, g)
	}
	// Keep the declared shape: only fields that were set are reported back.
	in := keepSet(req.Inputs, a)
	return infer.ReadResponse[RoleArgs, RoleState]{ID: req.ID, Inputs: in, State: RoleState{in}}, nil
}

// keepSet returns read values for the fields set in declared (the password cannot be read back).
func keepSet(declared, read RoleArgs) RoleArgs {
	out := declared
	out.Name = read.Name
	pick := func(d **bool, r *bool, def bool) {
		if *d != nil || (r != nil && *r != def) {
			*d = r
		}
	}
	pick(&out.Login, read.Login, false)
	pick(&out.Inherit, read.Inherit, true)
	pick(&out.CreateDatabase, read.CreateDatabase, false)
	pick(&out.CreateRole, read.CreateRole, false)
	pick(&out.Superuser, read.Superuser, false)
	pick(&out.Replication, read.Replication, false)
	pick(&out.BypassRowLevelSecurity, read.BypassRowLevelSecurity, false)
	if out.ConnectionLimit != nil || *read.ConnectionLimit != -1 {
		out.ConnectionLimit = read.ConnectionLimit
	}
	if len(out.Roles) > 0 || len(read.Roles) > 0 {
		out.Roles = read.Roles
	}
	return out
}

func (*Role) Delete(ctx context.Context, req infer.DeleteRequest[RoleState]) (infer.DeleteResponse, error) {
	// Objects the role still owns or privileges it holds would block DROP ROLE: only its grants
	// are dropped here; owned tables make the delete fail with PostgreSQL's own message.
	name := roleName(req.State.RoleArgs, req.ID)
	err := exec(ctx, "", stmt{"dropping role " + strconv.Quote(name), "DROP ROLE IF EXISTS " + qi(name)})
	return infer.DeleteResponse{}, err
}
