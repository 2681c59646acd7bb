package main

import (
	"context"
	"database/sql"
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

// conn returns a pool to the named database (empty: the provider's default database).
func conn(ctx context.Context, database string) (*sql.DB, error) {
	cfg := infer.GetConfig[Config](ctx)
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
	dsn := u.String()
	poolMu.Lock()
	defer poolMu.Unlock()
	if db, ok := pools[dsn]; ok {
		return db, nil
	}
	db, err := sql.Open("postgres", dsn)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(4)
	db.SetConnMaxIdleTime(time.Minute)
	if err := db.PingContext(ctx); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("cannot connect to PostgreSQL database %q at %s: %w", database, u.Host, err)
	}
	pools[dsn] = db
	return db, nil
}

func exec(ctx context.Context, database string, stmts ...string) error {
	db, err := conn(ctx, database)
	if err != nil {
		return err
	}
	for _, s := range stmts {
		if _, err := db.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("%s: %w", s, err)
		}
	}
	return nil
}

// grantMu and the advisory lock serialize privilege changes: PostgreSQL fails concurrent
// GRANT/REVOKE on one object with "tuple concurrently updated", and the engine runs resources
// in parallel (the official provider serializes them too).
var grantMu sync.Mutex

const grantLockKey = 727271

// inGrantTx runs privilege statements in one transaction, one at a time across the provider.
func inGrantTx(ctx context.Context, database string, stmts ...string) error {
	grantMu.Lock()
	defer grantMu.Unlock()
	return inTx(ctx, database, append([]string{fmt.Sprintf("SELECT pg_advisory_xact_lock(%d)", grantLockKey)}, stmts...)...)
}

// inTx runs statements in one transaction (grants: revoke-then-grant must be atomic).
func inTx(ctx context.Context, database string, stmts ...string) error {
	db, err := conn(ctx, database)
	if err != nil {
		return err
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	for _, s := range stmts {
		if _, err := tx.ExecContext(ctx, s); err != nil {
			_ = tx.Rollback()
			return fmt.Errorf("%s: %w", s, err)
		}
	}
	return tx.Commit()
}

func qi(s string) string { return pq.QuoteIdentifier(s) }
func ql(s string) string { return pq.QuoteLiteral(s) }
