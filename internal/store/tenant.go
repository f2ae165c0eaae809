package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
)

type orgKey struct{}

// WithOrg returns a context whose tenant queries are confined to organisation orgID. The
// auth middleware sets it from the signed-in principal; only code that has authorised a
// cross-organisation read (a regulator's inspection) sets another one.
func WithOrg(ctx context.Context, orgID int64) context.Context {
	return context.WithValue(ctx, orgKey{}, orgID)
}

// OrgFrom returns the organisation a context is confined to.
func OrgFrom(ctx context.Context) (int64, bool) {
	id, ok := ctx.Value(orgKey{}).(int64)
	return id, ok && id > 0
}

// ErrNoTenant is returned when tenant data is touched without an organisation in the
// context: a programming error that must fail closed, never read everything.
var ErrNoTenant = errors.New("store: tenant query without an organisation in the context")

// tenantClause is what every tenant statement must contain: the organisation is always
// the first parameter and the statement must filter or set org_id with it. An INSERT sets it
// in its VALUES, or (PostgreSQL's batch form) selects $1 as the org_id of every row unnested
// from array parameters, so the rows can come from nowhere else.
var tenantClause = regexp.MustCompile(`(?i)\borg_id\s*=\s*\$1\b|\(\s*org_id\b[^)]*\)\s*VALUES\s*\(\s*\$1\b|\(\s*org_id\b[^)]*\)\s*SELECT\s+\$1\s*(::\s*bigint\s*)?,[^;]*?\bFROM\s+unnest\s*\(\s*\$2\b`)

// Tenant gives tenant-scoped access within the transaction: every statement gets the
// context's organisation as $1 and must use it on org_id, so a capability cannot forget
// tenancy or pick another organisation's rows.
func (tx *Tx) Tenant() (*Tenant, error) {
	org, ok := OrgFrom(tx.ctx)
	if !ok {
		return nil, ErrNoTenant
	}
	return &Tenant{tx: tx, org: org}, nil
}

// Tenant is a transaction confined to one organisation.
type Tenant struct {
	tx  *Tx
	org int64
}

// OrgID is the organisation the statements are confined to.
func (t *Tenant) OrgID() int64 { return t.org }

// Tx is the underlying transaction (for the audit trail and after-commit hooks).
func (t *Tenant) Tx() *Tx { return t.tx }

func (t *Tenant) check(query string) error {
	if !checkedStatements.ok(query) {
		return fmt.Errorf("store: tenant statement does not bind org_id to $1: %.80q", query)
	}
	return nil
}

// Exec runs a statement; $1 is the organisation and args start at $2.
func (t *Tenant) Exec(query string, args ...any) (sql.Result, error) {
	if err := t.check(query); err != nil {
		return nil, err
	}
	return t.tx.tx.ExecContext(t.tx.ctx, query, utcArgs(append([]any{t.org}, args...))...)
}

// Query runs a query; $1 is the organisation and args start at $2.
func (t *Tenant) Query(query string, args ...any) (*sql.Rows, error) {
	if err := t.check(query); err != nil {
		return nil, err
	}
	return t.tx.tx.QueryContext(t.tx.ctx, query, utcArgs(append([]any{t.org}, args...))...)
}

// QueryRow runs a one-row query; $1 is the organisation and args start at $2. Scanning
// no row gives ErrNotFound.
func (t *Tenant) QueryRow(query string, args ...any) *Row {
	if err := t.check(query); err != nil {
		return &Row{err: err}
	}
	return &Row{row: t.tx.tx.QueryRowContext(t.tx.ctx, query, utcArgs(append([]any{t.org}, args...))...)}
}

// Row is one result row whose Scan reports a missing row as ErrNotFound.
type Row struct {
	row *sql.Row
	err error
}

// Scan copies the row's columns into dest.
func (r *Row) Scan(dest ...any) error {
	if r.err != nil {
		return r.err
	}
	err := r.row.Scan(dest...)
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	return err
}

// Found turns sql.ErrNoRows into ErrNotFound for callers of the untenanted methods.
func Found(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	return err
}

// ReadTenant runs fn in a read-only transaction confined to the context's organisation.
func (db *DB) ReadTenant(ctx context.Context, fn func(t *Tenant) error) error {
	return db.Read(ctx, func(tx *Tx) error { return tx.inTenant(fn) })
}

// WriteTenant runs fn in one read-write transaction confined to the context's
// organisation; fn reaches the audit trail and after-commit hooks through t.Tx().
func (db *DB) WriteTenant(ctx context.Context, fn func(t *Tenant) error) error {
	return db.Write(ctx, func(tx *Tx) error { return tx.inTenant(fn) })
}

func (tx *Tx) inTenant(fn func(t *Tenant) error) error {
	t, err := tx.Tenant()
	if err != nil {
		return err
	}
	return fn(t)
}
