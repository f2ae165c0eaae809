package store

import (
	"context"
	"errors"
	"fmt"
	"regexp"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// ErrNoCopy is CopyFrom's answer outside a PostgreSQL transaction begun by
// WriteTenantBulk: the caller writes its rows with statements instead.
var ErrNoCopy = errors.New("store: COPY is only available in a PostgreSQL bulk transaction")

// identifier is a table or column name CopyFrom accepts: names come from code, never from
// input, and are checked all the same.
var identifier = regexp.MustCompile(`^[a-z_][a-z0-9_]*$`)

// WriteTenantBulk is WriteTenant for a transaction that may also load rows with CopyFrom.
// On PostgreSQL the transaction holds a connection of its own; on SQLite it is an ordinary
// write transaction and CanCopy is false.
func (db *DB) WriteTenantBulk(ctx context.Context, fn func(t *Tenant) error) error {
	return db.runWith(ctx, false, true, func(tx *Tx) error { return tx.inTenant(fn) })
}

// CanCopy reports whether CopyFrom works in this transaction.
func (t *Tenant) CanCopy() bool { return t.tx.conn != nil }

// CopyFrom appends rows to table with PostgreSQL's COPY, inside the transaction: far
// cheaper per row than INSERT for a large set of new rows (docs/performance.md), and it
// cannot update existing ones — a row whose key exists fails the whole transaction. columns
// name each row's values; org_id is not among them: every row gets the tenant's
// organisation, so that, as with Exec's check, the rows can belong to no other.
func (t *Tenant) CopyFrom(table string, columns []string, rows [][]any) (int64, error) {
	if t.tx.conn == nil {
		return 0, ErrNoCopy
	}
	cols := make([]string, 0, len(columns)+1)
	cols = append(cols, "org_id")
	for _, c := range append([]string{table}, columns...) {
		if !identifier.MatchString(c) || c == "org_id" {
			return 0, fmt.Errorf("store: copy into %s: bad name %q", table, c)
		}
	}
	cols = append(cols, columns...)
	row := make([]any, len(cols))
	row[0] = t.org
	i := -1
	src := pgx.CopyFromFunc(func() ([]any, error) {
		i++
		if i == len(rows) {
			return nil, nil
		}
		if len(rows[i]) != len(columns) {
			return nil, fmt.Errorf("row %d has %d values for %d columns", i+1, len(rows[i]), len(columns))
		}
		copy(row[1:], rows[i])
		return row, nil
	})
	var n int64
	err := t.tx.conn.Raw(func(dc any) error {
		c, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("driver connection %T is not pgx's", dc)
		}
		var err error
		n, err = c.Conn().CopyFrom(t.tx.ctx, pgx.Identifier{table}, cols, src)
		return err
	})
	if err != nil {
		return n, fmt.Errorf("copy %d rows into %s: %w", len(rows), table, err)
	}
	return n, nil
}
