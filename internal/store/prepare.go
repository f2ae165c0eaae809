package store

import (
	"database/sql"
	"fmt"
)

// Stmt is a tenant statement prepared once in a transaction and run many times: a batch
// write parses its statement (thousands of parameters) once, not once per batch.
type Stmt struct {
	t    *Tenant
	stmt *sql.Stmt
}

// Prepare prepares a tenant statement, checked like Exec's: $1 is the organisation. Close
// it when done; the transaction's end closes it too.
func (t *Tenant) Prepare(query string) (*Stmt, error) {
	if err := t.check(query); err != nil {
		return nil, err
	}
	st, err := t.tx.tx.PrepareContext(t.tx.ctx, query)
	if err != nil {
		return nil, fmt.Errorf("prepare: %w", err)
	}
	return &Stmt{t: t, stmt: st}, nil
}

// Exec runs the statement; $1 is the organisation and args start at $2.
func (s *Stmt) Exec(args ...any) (sql.Result, error) {
	return s.stmt.ExecContext(s.t.tx.ctx, utcArgs(append([]any{s.t.org}, args...))...)
}

// Close releases the prepared statement.
func (s *Stmt) Close() error { return s.stmt.Close() }
