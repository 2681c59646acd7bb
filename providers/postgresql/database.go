package main

import (
	"context"
	"database/sql"
	"errors"
	"strconv"

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
	stmt := "CREATE DATABASE " + qi(a.Name)
	if a.Owner != nil {
		stmt += " OWNER " + qi(*a.Owner)
	}
	if a.Template != nil {
		stmt += " TEMPLATE " + qi(*a.Template)
	}
	if a.Encoding != nil {
		stmt += " ENCODING " + ql(*a.Encoding)
	}
	if a.LcCollate != nil {
		stmt += " LC_COLLATE " + ql(*a.LcCollate)
	}
	if a.LcCtype != nil {
		stmt += " LC_CTYPE " + ql(*a.LcCtype)
	}
	stmt += " CONNECTION LIMIT " + strconv.Itoa(pluginkit.IntOr(a.ConnectionLimit, -1))
	stmt += " ALLOW_CONNECTIONS " + strconv.FormatBool(pluginkit.BoolOr(a.AllowConnections, true))
	stmt += " IS_TEMPLATE " + strconv.FormatBool(pluginkit.BoolOr(a.IsTemplate, false))
	if err := exec(ctx, "", stmt); err != nil {
		return infer.CreateResponse[DatabaseState]{}, err
	}
	return infer.CreateResponse[DatabaseState]{ID: a.Name, Output: DatabaseState{a}}, nil
}

func (*Database) Update(ctx context.Context, req infer.UpdateRequest[DatabaseArgs, DatabaseState]) (infer.UpdateResponse[DatabaseState], error) {
	a := req.Inputs
	if req.DryRun {
		return infer.UpdateResponse[DatabaseState]{Output: DatabaseState{a}}, nil
	}
	var stmts []string
	if req.State.Name != a.Name {
		stmts = append(stmts, "ALTER DATABASE "+qi(req.State.Name)+" RENAME TO "+qi(a.Name))
	}
	if a.Owner != nil {
		stmts = append(stmts, "ALTER DATABASE "+qi(a.Name)+" OWNER TO "+qi(*a.Owner))
	}
	stmts = append(stmts, "ALTER DATABASE "+qi(a.Name)+" WITH CONNECTION LIMIT "+strconv.Itoa(pluginkit.IntOr(a.ConnectionLimit, -1))+
		" ALLOW_CONNECTIONS "+strconv.FormatBool(pluginkit.BoolOr(a.AllowConnections, true))+
		" IS_TEMPLATE "+strconv.FormatBool(pluginkit.BoolOr(a.IsTemplate, false)))
	if err := exec(ctx, "", stmts...); err != nil {
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
	err = db.QueryRowContext(ctx, `SELECT pg_get_userbyid(datdba), datconnlimit, datallowconn, datistemplate
		FROM pg_database WHERE datname = $1`, req.ID).Scan(&owner, &limit, &allow, &isTemplate)
	if errors.Is(err, sql.ErrNoRows) {
		return infer.ReadResponse[DatabaseArgs, DatabaseState]{}, nil
	}
	if err != nil {
		return infer.ReadResponse[DatabaseArgs, DatabaseState]{}, err
	}
	a := req.Inputs
	a.Name = req.ID
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
	return infer.DeleteResponse{}, exec(ctx, "", "DROP DATABASE IF EXISTS "+qi(req.ID)+" WITH (FORCE)")
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
	stmt := "CREATE SCHEMA "
	if pluginkit.BoolOr(a.IfNotExists, true) {
		stmt += "IF NOT EXISTS "
	}
	stmt += qi(a.Name)
	stmts := []string{stmt}
	if a.Owner != nil {
		stmts = append(stmts, "ALTER SCHEMA "+qi(a.Name)+" OWNER TO "+qi(*a.Owner))
	}
	if err := exec(ctx, pluginkit.StrOr(a.Database, ""), stmts...); err != nil {
		return infer.CreateResponse[SchemaState]{}, err
	}
	return infer.CreateResponse[SchemaState]{ID: schemaID(a), Output: SchemaState{a}}, nil
}

func (*Schema) Update(ctx context.Context, req infer.UpdateRequest[SchemaArgs, SchemaState]) (infer.UpdateResponse[SchemaState], error) {
	a := req.Inputs
	if req.DryRun {
		return infer.UpdateResponse[SchemaState]{Output: SchemaState{a}}, nil
	}
	var stmts []string
	if req.State.Name != a.Name {
		stmts = append(stmts, "ALTER SCHEMA "+qi(req.State.Name)+" RENAME TO "+qi(a.Name))
	}
	if a.Owner != nil {
		stmts = append(stmts, "ALTER SCHEMA "+qi(a.Name)+" OWNER TO "+qi(*a.Owner))
	}
	if err := exec(ctx, pluginkit.StrOr(a.Database, ""), stmts...); err != nil {
		return infer.UpdateResponse[SchemaState]{}, err
	}
	return infer.UpdateResponse[SchemaState]{Output: SchemaState{a}}, nil
}

func (*Schema) Read(ctx context.Context, req infer.ReadRequest[SchemaArgs, SchemaState]) (infer.ReadResponse[SchemaArgs, SchemaState], error) {
	db, err := conn(ctx, pluginkit.StrOr(req.State.Database, ""))
	if err != nil {
		return infer.ReadResponse[SchemaArgs, SchemaState]{}, err
	}
	var owner string
	err = db.QueryRowContext(ctx, `SELECT pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = $1`, req.State.Name).Scan(&owner)
	if errors.Is(err, sql.ErrNoRows) {
		return infer.ReadResponse[SchemaArgs, SchemaState]{}, nil
	}
	if err != nil {
		return infer.ReadResponse[SchemaArgs, SchemaState]{}, err
	}
	a := req.Inputs
	if a.Owner != nil {
		a.Owner = &owner
	}
	return infer.ReadResponse[SchemaArgs, SchemaState]{ID: req.ID, Inputs: a, State: SchemaState{a}}, nil
}

func (*Schema) Delete(ctx context.Context, req infer.DeleteRequest[SchemaState]) (infer.DeleteResponse, error) {
	stmt := "DROP SCHEMA IF EXISTS " + qi(req.State.Name)
	if pluginkit.BoolOr(req.State.DropCascade, false) {
		stmt += " CASCADE"
	}
	return infer.DeleteResponse{}, exec(ctx, pluginkit.StrOr(req.State.Database, ""), stmt)
}
