// Package store is ciiguard's records store: one *sql.DB behind a small API that runs the
// same SQL on SQLite (pure Go, the default) and PostgreSQL (pgx), applies versioned
// migrations, runs every user command in one transaction, and enforces tenancy so that a
// query on tenant data cannot forget its organisation.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	_ "modernc.org/sqlite"             // registers the "sqlite" driver (no cgo)
)

// Dialect names the SQL engine behind a DB.
type Dialect string

// The engines ciiguard runs on.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// ErrNotFound is returned when a record does not exist or belongs to another
// organisation; callers answer 404 either way so that existence does not leak.
var ErrNotFound = errors.New("not found")

// DB is the records store.
type DB struct {
	sql     *sql.DB
	dialect Dialect
	dsn     string

	// writer is SQLite's single write lock taken in the process, before BEGIN IMMEDIATE:
	// waiting writers queue on it first come, first served (a channel wakes blocked
	// senders in order), where SQLite's busy handler only polls and lets a writer that
	// commits and begins again (an upload's next chunk) win over one that has waited
	// for seconds. nil on PostgreSQL, which locks rows, not the database.
	writer   chan struct{}
	lockWait time.Duration
}

// DefaultLockWait is how long a command waits for a lock another command holds before it
// gives up with ErrBusy: SQLite's busy_timeout and PostgreSQL's lock_timeout.
const DefaultLockWait = 10 * time.Second

// Options tunes how the store is opened.
type Options struct {
	// LockWait is how long a command waits for a lock held by another before it fails
	// with ErrBusy; zero means DefaultLockWait.
	LockWait time.Duration
}

// Open connects to the store named by dsn: "sqlite:PATH" (the file is created) or a
// "postgres://" / "postgresql://" URL, with the default options.
func Open(ctx context.Context, dsn string) (*DB, error) {
	return OpenWith(ctx, dsn, Options{})
}

// OpenWith is Open with options.
func OpenWith(ctx context.Context, dsn string, o Options) (*DB, error) {
	if o.LockWait <= 0 {
		o.LockWait = DefaultLockWait
	}
	wait := strconv.FormatInt(o.LockWait.Milliseconds(), 10)
	var (
		db      *sql.DB
		dialect Dialect
		err     error
	)
	switch {
	case strings.HasPrefix(dsn, "sqlite:"):
		path := strings.TrimPrefix(dsn, "sqlite:")
		if path == "" {
			return nil, fmt.Errorf("open store: sqlite DSN needs a path, as in sqlite:/var/lib/ciiguard/ciiguard.db")
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
			return nil, fmt.Errorf("open store: create directory for %s: %w", path, err)
		}
		q := url.Values{}
		q.Add("_pragma", "journal_mode(WAL)")
		q.Add("_pragma", "busy_timeout("+wait+")")
		q.Add("_pragma", "foreign_keys(1)")
		q.Add("_pragma", "synchronous(NORMAL)")
		// A multi-row statement inside a transaction keeps a statement journal (to undo
		// only that statement if it fails); past 64 KiB SQLite spills it to a temporary
		// file, and writing the findings of a large organisation paid a tenth of its CPU
		// for those file writes (docs/performance.md). In memory it costs at most what one
		// statement changes.
		q.Add("_pragma", "temp_store(MEMORY)")
		q.Set("_txlock", "immediate")
		q.Set("_time_format", "sqlite")
		db, err = sql.Open("sqlite", "file:"+path+"?"+q.Encode())
		dialect = SQLite
		if err == nil {
			// One writer at a time is SQLite's model; a small pool keeps readers concurrent
			// while BEGIN IMMEDIATE and the busy timeout queue writers instead of failing them.
			db.SetMaxOpenConns(8)
		}
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		// A row lock held by a long command makes the others wait at most LockWait and
		// then fail with lock_not_available (ErrBusy), as SQLite's busy timeout does,
		// instead of queueing for ever; a lock_timeout in the URL wins.
		pdsn := dsn
		if u, perr := url.Parse(dsn); perr == nil && !u.Query().Has("lock_timeout") {
			q := u.Query()
			q.Set("lock_timeout", wait)
			u.RawQuery = q.Encode()
			pdsn = u.String()
		}
		db, err = sql.Open("pgx", pdsn)
		dialect = Postgres
		if err == nil {
			db.SetMaxOpenConns(20)
			db.SetMaxIdleConns(10)
			db.SetConnMaxIdleTime(5 * time.Minute)
		}
	default:
		return nil, fmt.Errorf("open store: unsupported --db %q: use sqlite:PATH or a postgres:// URL", redact(dsn))
	}
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", redact(dsn), err)
	}
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := db.PingContext(pingCtx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open store %s: %w", redact(dsn), err)
	}
	out := &DB{sql: db, dialect: dialect, dsn: dsn, lockWait: o.LockWait}
	if dialect == SQLite {
		out.writer = make(chan struct{}, 1)
	}
	return out, nil
}

// redact hides a password in a DSN so that it never reaches a log or an error message.
func redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil || u.User == nil {
		return dsn
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}

// String describes the store without secrets.
func (db *DB) String() string { return redact(db.dsn) }

// Dialect reports the engine.
func (db *DB) Dialect() Dialect { return db.dialect }

// SQL exposes the pool for health checks and metrics; capability code uses Read and Write.
func (db *DB) SQL() *sql.DB { return db.sql }

// Close closes the pool.
func (db *DB) Close() error { return db.sql.Close() }

// Write runs fn in one read-write transaction: committed when fn returns nil, rolled back
// otherwise, so that a command that fails midway leaves nothing half-written.
func (db *DB) Write(ctx context.Context, fn func(tx *Tx) error) error {
	return db.run(ctx, false, fn)
}

// Read runs fn in a read-only transaction, which gives it one consistent snapshot.
func (db *DB) Read(ctx context.Context, fn func(tx *Tx) error) error {
	return db.run(ctx, true, fn)
}

// run runs fn in a transaction; an engine's lock error anywhere in it (begin, a statement,
// commit) comes back marked ErrBusy.
func (db *DB) run(ctx context.Context, readOnly bool, fn func(tx *Tx) error) error {
	return db.runWith(ctx, readOnly, false, fn)
}

// runWith is run; bulk gives the transaction a connection of its own that CopyFrom can
// reach (PostgreSQL only).
func (db *DB) runWith(ctx context.Context, readOnly, bulk bool, fn func(tx *Tx) error) error {
	release := func() {}
	if !readOnly && db.writer != nil {
		timer := time.NewTimer(db.lockWait)
		select {
		case db.writer <- struct{}{}:
			timer.Stop()
		case <-timer.C:
			return fmt.Errorf("%w: no turn to write within %v", ErrBusy, db.lockWait)
		case <-ctx.Done():
			timer.Stop()
			return fmt.Errorf("wait to write: %w", ctx.Err())
		}
		held := true
		release = func() {
			if held {
				held = false
				<-db.writer
			}
		}
		defer release() // also when fn panics
	}
	hooks, err := db.runTx(ctx, readOnly, bulk, fn)
	release()
	if err != nil {
		return classify(err)
	}
	// After-commit hooks run once the write lock is free: they may write themselves.
	for _, f := range hooks {
		f()
	}
	return nil
}

// runTx runs fn in one transaction and returns its after-commit hooks, not yet run.
func (db *DB) runTx(ctx context.Context, readOnly, bulk bool, fn func(tx *Tx) error) (hooks []func(), err error) {
	// A read-only transaction begins DEFERRED on SQLite, so that in WAL mode it reads its
	// snapshot beside the writer instead of queueing for the write lock (which BEGIN
	// IMMEDIATE, used for writes, takes at once).
	opts := &sql.TxOptions{ReadOnly: readOnly}
	var (
		stx  *sql.Tx
		conn *sql.Conn
	)
	if bulk && db.dialect == Postgres {
		// The transaction runs on a connection held for it, so that CopyFrom reaches the
		// driver's connection and its COPY runs inside the transaction.
		if conn, err = db.sql.Conn(ctx); err != nil {
			return nil, fmt.Errorf("begin transaction: %w", err)
		}
		defer conn.Close()
		stx, err = conn.BeginTx(ctx, opts)
	} else {
		stx, err = db.sql.BeginTx(ctx, opts)
	}
	if err != nil {
		return nil, fmt.Errorf("begin transaction: %w", err)
	}
	tx := &Tx{tx: stx, db: db, ctx: ctx, conn: conn}
	defer func() {
		if p := recover(); p != nil {
			_ = stx.Rollback()
			panic(p)
		}
	}()
	if err := fn(tx); err != nil {
		if rbErr := stx.Rollback(); rbErr != nil && !errors.Is(rbErr, sql.ErrTxDone) {
			return nil, errors.Join(err, fmt.Errorf("roll back: %w", rbErr))
		}
		return nil, err
	}
	if err := stx.Commit(); err != nil {
		return nil, fmt.Errorf("commit: %w", err)
	}
	return tx.afterCommit, nil
}

// Tx is one transaction. Its untenanted methods are for global tables (organisations,
// users, sessions, the audit chain); tenant tables are reached through Org.
type Tx struct {
	tx          *sql.Tx
	db          *DB
	ctx         context.Context
	afterCommit []func()
	conn        *sql.Conn // the transaction's connection, for CopyFrom (bulk transactions only)
}

// Dialect reports the engine of the transaction.
func (tx *Tx) Dialect() Dialect { return tx.db.dialect }

// Context is the context the transaction was started with.
func (tx *Tx) Context() context.Context { return tx.ctx }

// AfterCommit registers f to run once the transaction has committed (for example to
// re-evaluate rules on fresh data); it never runs when the transaction rolls back.
func (tx *Tx) AfterCommit(f func()) { tx.afterCommit = append(tx.afterCommit, f) }

// Exec runs a statement on a global table.
func (tx *Tx) Exec(query string, args ...any) (sql.Result, error) {
	return tx.tx.ExecContext(tx.ctx, query, utcArgs(args)...)
}

// Query runs a query on global tables.
func (tx *Tx) Query(query string, args ...any) (*sql.Rows, error) {
	return tx.tx.QueryContext(tx.ctx, query, utcArgs(args)...)
}

// QueryRow runs a one-row query on global tables.
func (tx *Tx) QueryRow(query string, args ...any) *sql.Row {
	return tx.tx.QueryRowContext(tx.ctx, query, utcArgs(args)...)
}
