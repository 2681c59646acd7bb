package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/clinicmaster-warehouse/providers/pluginkit"
	"github.com/lib/pq"
	"github.com/pulumi/pulumi-go-provider/infer"
)

// Config is the provider configuration (official names).
type Config struct {
	Host           *string `pulumi:"host,optional"`
	Port           *int    `pulumi:"port,optional"`
	Username       *string `pulumi:"username,optional"`
	Password       *string `pulumi:"password,optional" provider:"secret"`
	Sslmode        *string `pulumi:"sslmode,optional"`
	Sslrootcert    *string `pulumi:"sslrootcert,optional"`
	Database       *string `pulumi:"database,optional"`
	Superuser      *bool   `pulumi:"superuser,optional"`
	ConnectTimeout *int    `pulumi:"connectTimeout,optional"`
}

var (
	poolMu sync.Mutex
	pools  = map[string]*sql.DB{}
)

// dsn is the connection URL for one database (empty: the provider's default database).
func dsn(cfg Config, database string) (string, string) {
	if database == "" {
		database = pluginkit.StrOr(cfg.Database, "postgres")
	}
	u := url.URL{Scheme: "postgres", Host: pluginkit.StrOr(cfg.Host, "localhost") + ":" + strconv.Itoa(pluginkit.IntOr(cfg.Port, 5432)), Path: "/" + database}
	u.User = url.UserPassword(pluginkit.StrOr(cfg.Username, "postgres"), pluginkit.StrOr(cfg.Password, ""))
	q := url.Values{}
	q.Set("sslmode", pluginkit.StrOr(cfg.Sslmode, "prefer"))
	// The CA that signed the server's certificate (verify-ca, verify-full), a PEM file as in libpq.
	if cfg.Sslrootcert != nil && *cfg.Sslrootcert != "" {
		q.Set("sslrootcert", *cfg.Sslrootcert)
	}
	q.Set("connect_timeout", strconv.Itoa(pluginkit.IntOr(cfg.ConnectTimeout, 180)))
	u.RawQuery = q.Encode()
	return u.String(), u.Host
}

// conn returns a pool to the named database (empty: the provider's default database).
func conn(ctx context.Context, database string) (*sql.DB, error) {
	cfg := infer.GetConfig[Config](ctx)
	url, host := dsn(cfg, database)
	poolMu.Lock()
	defer poolMu.Unlock()
	if db, ok := pools[url]; ok {
		return db, nil
	}
	db, err := sql.Open("postgres", url)
	if err != nil {
		return nil, fmt.Errorf("PostgreSQL database %q at %s: bad connection settings", database, host)
	}
	db.SetMaxOpenConns(4)
	db.SetConnMaxIdleTime(time.Minute)
	if err := db.PingContext(ctx); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("cannot connect to PostgreSQL database %q at %s: %w", database, host, err)
	}
	pools[url] = db
	return db, nil
}

// isSuperuser: the official default is true; false makes the provider borrow owner roles.
func isSuperuser(ctx context.Context) bool {
	return pluginkit.BoolOr(infer.GetConfig[Config](ctx).Superuser, true)
}

// stmt is one SQL statement and what it does, in words. Errors name `what` and carry the
// server's own message, never the statement: a statement may hold a password.
type stmt struct{ what, sql string }

func failed(what string, err error) error { return fmt.Errorf("%s: %w", what, err) }

// exec runs statements one by one outside a transaction (CREATE/DROP DATABASE cannot run in one).
func exec(ctx context.Context, database string, stmts ...stmt) error {
	db, err := conn(ctx, database)
	if err != nil {
		return err
	}
	for _, s := range stmts {
		if _, err := db.ExecContext(ctx, s.sql); err != nil {
			return failed(s.what, err)
		}
	}
	return nil
}

// grantMu and the advisory lock serialize privilege changes: PostgreSQL fails concurrent
// GRANT/REVOKE on one object with "tuple concurrently updated", and the engine runs resources
// in parallel (the official provider serializes them too).
var grantMu sync.Mutex

const grantLockKey = 727271

// inGrantTx runs privilege statements in one transaction, one at a time across the provider,
// as a member of owners (see borrowOwners).
func inGrantTx(ctx context.Context, database string, owners func(*sql.Tx) ([]string, error), stmts ...stmt) error {
	grantMu.Lock()
	defer grantMu.Unlock()
	return inTxAs(ctx, database, owners, append([]stmt{{"waiting for the privileges lock", fmt.Sprintf("SELECT pg_advisory_xact_lock(%d)", grantLockKey)}}, stmts...)...)
}

// inTx runs statements in one transaction (grants: revoke-then-grant must be atomic).
func inTx(ctx context.Context, database string, stmts ...stmt) error {
	return inTxAs(ctx, database, nil, stmts...)
}

// inTxAs runs statements in one transaction; when the admin is not a superuser, it is made a
// member of the owners it is not yet a member of for the transaction only, as the official
// provider does (withRolesGranted): only an owner may grant on or set defaults for its objects.
func inTxAs(ctx context.Context, database string, owners func(*sql.Tx) ([]string, error), stmts ...stmt) error {
	db, err := conn(ctx, database)
	if err != nil {
		return err
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return failed("starting a transaction", err)
	}
	defer func() { _ = tx.Rollback() }()
	var borrowed []string
	if owners != nil && !isSuperuser(ctx) {
		names, err := owners(tx)
		if err != nil {
			return failed("finding the owners to act as", err)
		}
		if borrowed, err = borrowRoles(ctx, tx, names); err != nil {
			return err
		}
	}
	for _, s := range stmts {
		if _, err := tx.ExecContext(ctx, s.sql); err != nil {
			return failed(s.what, err)
		}
	}
	for _, r := range borrowed {
		if _, err := tx.ExecContext(ctx, "REVOKE "+qi(r)+" FROM CURRENT_USER"); err != nil {
			return failed("giving back the membership of role "+strconv.Quote(r), err)
		}
	}
	if err := tx.Commit(); err != nil {
		return failed("committing", err)
	}
	return nil
}

// querier is a *sql.DB or a *sql.Tx.
type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// borrowRoles grants the current user each role it is not a member of, and returns those.
func borrowRoles(ctx context.Context, q querier, roles []string) ([]string, error) {
	var borrowed []string
	for _, r := range roles {
		var member bool
		if err := q.QueryRowContext(ctx, "SELECT pg_has_role(CURRENT_USER, $1, 'MEMBER')", r).Scan(&member); err != nil {
			return borrowed, failed("checking the membership of role "+strconv.Quote(r), err)
		}
		if member {
			continue
		}
		if _, err := q.ExecContext(ctx, "GRANT "+qi(r)+" TO CURRENT_USER"); err != nil {
			return borrowed, failed("acting as owner role "+strconv.Quote(r)+" (the admin is not a superuser)", err)
		}
		borrowed = append(borrowed, r)
	}
	return borrowed, nil
}

// asOwner runs statements outside a transaction as a member of owner (see inTxAs), giving the
// membership back afterwards.
func asOwner(ctx context.Context, database, owner string, stmts ...stmt) error {
	if owner == "" || isSuperuser(ctx) {
		return exec(ctx, database, stmts...)
	}
	db, err := conn(ctx, "")
	if err != nil {
		return err
	}
	borrowed, err := borrowRoles(ctx, db, []string{owner})
	defer func() {
		for _, r := range borrowed {
			_, _ = db.ExecContext(context.WithoutCancel(ctx), "REVOKE "+qi(r)+" FROM CURRENT_USER")
		}
	}()
	if err != nil {
		return err
	}
	return exec(ctx, database, stmts...)
}

func fixedOwners(names ...string) func(*sql.Tx) ([]string, error) {
	return func(*sql.Tx) ([]string, error) { return names, nil }
}

// notFoundCodes are PostgreSQL's own "does not exist" conditions: undefined_object (roles),
// invalid_catalog_name (databases), invalid_schema_name, undefined_table. Only these mean gone.
var notFoundCodes = map[pq.ErrorCode]bool{"42704": true, "3D000": true, "3F000": true, "42P01": true}

func isNotFound(err error) bool {
	var pqErr *pq.Error
	return errors.As(err, &pqErr) && notFoundCodes[pqErr.Code]
}

func qi(s string) string { return pq.QuoteIdentifier(s) }
func ql(s string) string { return pq.QuoteLiteral(s) }
