package main

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"

	"github.com/clinicmaster-warehouse/providers/pluginkit"
	"github.com/pulumi/pulumi-go-provider/infer"
)

// Database is postgresql:index/database:Database.
type Database struct{}

type DatabaseArgs struct {
	Name             string  `pulumi:"name"`
	Owner            *string `pulumi:"owner,optional"`
	Template         *string `pulumi:"template,optional"`
	Encoding         *string `pulumi:"encoding,optional"`
	LcCollate        *string `pulumi:"lcCollate,optional"`
	LcCtype          *string `pulumi:"lcCtype,optional"`
	ConnectionLimit  *int    `pulumi:"connectionLimit,optional"`
	AllowConnections *bool   `pulumi:"allowConnections,optional"`
	IsTemplate       *bool   `pulumi:"isTemplate,optional"`
}

type DatabaseState struct{ DatabaseArgs }

func (d *Database) Annotate(a infer.Annotator) { a.SetToken("index/database", "Database") }

func (*Database) Check(ctx context.Context, req infer.CheckRequest) (infer.CheckResponse[DatabaseArgs], error) {
	return pluginkit.CheckSupported[DatabaseArgs](ctx, "postgresql", "index/database:Database", req.NewInputs)
}

// Template, encoding and locales are fixed at CREATE DATABASE: changing them replaces (as official).
func (*Database) Diff(ctx context.Context, req infer.DiffRequest[DatabaseArgs, DatabaseState]) (infer.DiffResponse, error) {
	inPlace := map[string]bool{"name": true, "owner": true, "connectionLimit": true, "allowConnections": true, "isTemplate": true}
	return pluginkit.ReplaceDiff(pluginkit.ToMap(req.State.DatabaseArgs), pluginkit.ToMap(req.Inputs), inPlace), nil
}

func (*Database) Create(ctx context.Context, req infer.CreateRequest[DatabaseArgs]) (infer.CreateResponse[DatabaseState], error) {
	a := req.Inputs
	if req.DryRun {
		return infer.CreateResponse[DatabaseState]{Output: DatabaseState{a}}, nil
	}
	if err := asOwner(ctx, "", pluginkit.StrOr(a.Owner, ""), stmt{"creating database " + strconv.Quote(a.Name), createDatabaseSQL(a)}); err != nil {
		return infer.CreateResponse[DatabaseState]{}, err
	}
	return infer.CreateResponse[DatabaseState]{ID: a.Name, Output: DatabaseState{a}}, nil
}

// createDatabaseSQL: without a template, template0, as the official provider (template1 may carry
// objects and an encoding the new database must not inherit).
func createDatabaseSQL(a DatabaseArgs) string {
	sql := "CREATE DATABASE " + qi(a.Name)
	if a.Owner != nil {
		sql += " OWNER " + qi(*a.Owner)
	}
	if template := pluginkit.StrOr(a.Template, "template0"); strings.EqualFold(template, "DEFAULT") {
		sql += " TEMPLATE DEFAULT"
	} else {
		sql += " TEMPLATE " + qi(template)
	}
	if a.Encoding != nil {
		sql += " ENCODING " + ql(*a.Encoding)
	}
	if a.LcCollate != nil {
		sql += " LC_COLLATE " + ql(*a.LcCollate)
	}
	if a.LcCtype != nil {
		sql += " LC_CTYPE " + ql(*a.LcCtype)
	}
	sql += " CONNECTION LIMIT " + strconv.Itoa(pluginkit.IntOr(a.ConnectionLimit, -1))
	sql += " ALLOW_CONNECTIONS " + strconv.FormatBool(pluginkit.BoolOr(a.AllowConnections, true))
	sql += " IS_TEMPLATE " + strconv.FormatBool(pluginkit.BoolOr(a.IsTemplate, false))
	return sql
}

// dbName is the name a database has now: the state's (renames update it), the ID for older states.
func dbName(st DatabaseArgs, id string) string { return pluginkit.StrOr(&st.Name, id) }

func (*Database) Update(ctx context.Context, req infer.UpdateRequest[DatabaseArgs, DatabaseState]) (infer.UpdateResponse[DatabaseState], error) {
	a := req.Inputs
	if req.DryRun {
		return infer.UpdateResponse[DatabaseState]{Output: DatabaseState{a}}, nil
	}
	var stmts []stmt
	old := dbName(req.State.DatabaseArgs, req.ID)
	what := "altering database " + strconv.Quote(a.Name)
	if old != a.Name {
		stmts = append(stmts, stmt{"renaming database " + strconv.Quote(old) + " to " + strconv.Quote(a.Name), "ALTER DATABASE " + qi(old) + " RENAME TO " + qi(a.Name)})
	}
	if a.Owner != nil {
		stmts = append(stmts, stmt{what, "ALTER DATABASE " + qi(a.Name) + " OWNER TO " + qi(*a.Owner)})
	}
	stmts = append(stmts, stmt{what, "ALTER DATABASE " + qi(a.Name) + " WITH CONNECTION LIMIT " + strconv.Itoa(pluginkit.IntOr(a.ConnectionLimit, -1)) +
		" ALLOW_CONNECTIONS " + strconv.FormatBool(pluginkit.BoolOr(a.AllowConnections, true)) +
		" IS_TEMPLATE " + strconv.FormatBool(pluginkit.BoolOr(a.IsTemplate, false))})
	if err := asOwner(ctx, "", pluginkit.StrOr(req.State.Owner, pluginkit.StrOr(a.Owner, "")), stmts...); err != nil {
		return infer.UpdateResponse[DatabaseState]{}, err
	}
	return infer.UpdateResponse[DatabaseState]{Output: DatabaseState{a}}, nil
}

func (*Database) Read(ctx context.Context, req infer.ReadRequest[DatabaseArgs, DatabaseState]) (infer.ReadResponse[DatabaseArgs, DatabaseState], error) {
	db, err := conn(ctx, "")
	if err != nil {
		return infer.ReadResponse[DatabaseArgs, DatabaseState]{}, err
	}
	var owner string
	var limit int
	var allow, isTemplate bool
	name := dbName(req.State.DatabaseArgs, req.ID)
	err = db.QueryRowContext(ctx, `SELECT pg_get_userbyid(datdba), datconnlimit, datallowconn, datistemplate
		FROM pg_database WHERE datname = $1`, name).Scan(&owner, &limit, &allow, &isTemplate)
	if errors.Is(err, sql.ErrNoRows) {
		return infer.ReadResponse[DatabaseArgs, DatabaseState]{}, nil
	}
	if err != nil {
		return infer.ReadResponse[DatabaseArgs, DatabaseState]{}, failed("reading database "+strconv.Quote(name), err)
	}
	a := req.Inputs
	a.Name = name
	if a.Owner != nil {
		a.Owner = &owner
	}
	if a.ConnectionLimit != nil || limit != -1 {
		a.ConnectionLimit = &limit
	}
	if a.AllowConnections != nil || !allow {
		a.AllowConnections = &allow
	}
	if a.IsTemplate != nil || isTemplate {
		a.IsTemplate = &isTemplate
	}
	return infer.ReadResponse[DatabaseArgs, DatabaseState]{ID: req.ID, Inputs: a, State: DatabaseState{a}}, nil
}

func (*Database) Delete(ctx context.Context, req infer.DeleteRequest[DatabaseState]) (infer.DeleteResponse, error) {
	name := dbName(req.State.DatabaseArgs, req.ID)
	return infer.DeleteResponse{}, asOwner(ctx, "", pluginkit.StrOr(req.State.Owner, ""),
		stmt{"dropping database " + strconv.Quote(name), "DROP DATABASE IF EXISTS " + qi(name) + " WITH (FORCE)"})
}

// Schema is postgresql:index/schema:Schema.
type Schema struct{}

type SchemaArgs struct {
	Name        string  `pulumi:"name"`
	Database    *string `pulumi:"database,optional"`
	Owner       *string `pulumi:"owner,optional"`
	IfNotExists *bool   `pulumi:"ifNotExists,optional"`
	DropCascade *bool   `pulumi:"dropCascade,optional"`
}

type SchemaState struct{ SchemaArgs }

func (s *Schema) Annotate(a infer.Annotator) { a.SetToken("index/schema", "Schema") }

func (*Schema) Check(ctx context.Context, req infer.CheckRequest) (infer.CheckResponse[SchemaArgs], error) {
	return pluginkit.CheckSupported[SchemaArgs](ctx, "postgresql", "index/schema:Schema", req.NewInputs)
}

func (*Schema) Diff(ctx context.Context, req infer.DiffRequest[SchemaArgs, SchemaState]) (infer.DiffResponse, error) {
	inPlace := map[string]bool{"name": true, "owner": true, "ifNotExists": true, "dropCascade": true}
	return pluginkit.ReplaceDiff(pluginkit.ToMap(req.State.SchemaArgs), pluginkit.ToMap(req.Inputs), inPlace), nil
}

func schemaID(a SchemaArgs) string { return pluginkit.StrOr(a.Database, "") + "." + a.Name }

func (*Schema) Create(ctx context.Context, req infer.CreateRequest[SchemaArgs]) (infer.CreateResponse[SchemaState], error) {
	a := req.Inputs
	if req.DryRun {
		return infer.CreateResponse[SchemaState]{Output: SchemaState{a}}, nil
	}
	create := "CREATE SCHEMA "
	if pluginkit.BoolOr(a.IfNotExists, true) {
		create += "IF NOT EXISTS "
	}
	what := "creating schema " + strconv.Quote(a.Name)
	stmts := []stmt{{what, create + qi(a.Name)}}
	if a.Owner != nil {
		stmts = append(stmts, stmt{what, "ALTER SCHEMA " + qi(a.Name) + " OWNER TO " + qi(*a.Owner)})
	}
	if err := inTxAs(ctx, pluginkit.StrOr(a.Database, ""), schemaOwners(a), stmts...); err != nil {
		return infer.CreateResponse[SchemaState]{}, err
	}
	return infer.CreateResponse[SchemaState]{ID: schemaID(a), Output: SchemaState{a}}, nil
}

func (*Schema) Update(ctx context.Context, req infer.UpdateRequest[SchemaArgs, SchemaState]) (infer.UpdateResponse[SchemaState], error) {
	a := req.Inputs
	if req.DryRun {
		return infer.UpdateResponse[SchemaState]{Output: SchemaState{a}}, nil
	}
	var stmts []stmt
	if req.State.Name != a.Name {
		stmts = append(stmts, stmt{"renaming schema " + strconv.Quote(req.State.Name) + " to " + strconv.Quote(a.Name), "ALTER SCHEMA " + qi(req.State.Name) + " RENAME TO " + qi(a.Name)})
	}
	if a.Owner != nil {
		stmts = append(stmts, stmt{"altering schema " + strconv.Quote(a.Name), "ALTER SCHEMA " + qi(a.Name) + " OWNER TO " + qi(*a.Owner)})
	}
	if err := inTxAs(ctx, pluginkit.StrOr(a.Database, ""), schemaOwners(a, req.State.SchemaArgs), stmts...); err != nil {
		return infer.UpdateResponse[SchemaState]{}, err
	}
	return infer.UpdateResponse[SchemaState]{Output: SchemaState{a}}, nil
}

func (*Schema) Read(ctx context.Context, req infer.ReadRequest[SchemaArgs, SchemaState]) (infer.ReadResponse[SchemaArgs, SchemaState], error) {
	db, err := conn(ctx, pluginkit.StrOr(req.State.Database, ""))
	if isNotFound(err) {
		return infer.ReadResponse[SchemaArgs, SchemaState]{}, nil // its database is gone
	}
	if err != nil {
		return infer.ReadResponse[SchemaArgs, SchemaState]{}, err
	}
	var owner string
	err = db.QueryRowContext(ctx, `SELECT pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = $1`, req.State.Name).Scan(&owner)
	if errors.Is(err, sql.ErrNoRows) {
		return infer.ReadResponse[SchemaArgs, SchemaState]{}, nil
	}
	if err != nil {
		return infer.ReadResponse[SchemaArgs, SchemaState]{}, failed("reading schema "+strconv.Quote(req.State.Name), err)
	}
	a := req.Inputs
	if a.Owner != nil {
		a.Owner = &owner
	}
	return infer.ReadResponse[SchemaArgs, SchemaState]{ID: req.ID, Inputs: a, State: SchemaState{a}}, nil
}

func (*Schema) Delete(ctx context.Context, req infer.DeleteRequest[SchemaState]) (infer.DeleteResponse, error) {
	drop := "DROP SCHEMA IF EXISTS " + qi(req.State.Name)
	if pluginkit.BoolOr(req.State.DropCascade, false) {
		drop += " CASCADE"
	}
	err := inTxAs(ctx, pluginkit.StrOr(req.State.Database, ""), schemaOwners(req.State.SchemaArgs),
		stmt{"dropping schema " + strconv.Quote(req.State.Name), drop})
	if isNotFound(err) {
		err = nil // its database is gone, and the schema with it
	}
	return infer.DeleteResponse{}, err
}

// schemaOwners: a schema is created in, given to and dropped by its owners (and the database's,
// for CREATE on it) when the admin is not a superuser.
func schemaOwners(args ...SchemaArgs) func(*sql.Tx) ([]string, error) {
	return func(tx *sql.Tx) ([]string, error) {
		var owners []string
		var dbOwner string
		if err := tx.QueryRow(`SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = current_database()`).Scan(&dbOwner); err != nil {
			return nil, err
		}
		owners = append(owners, dbOwner)
		for _, a := range args {
			if a.Owner != nil {
				owners = append(owners, *a.Owner)
			}
		}
		return owners, nil
	}
}
