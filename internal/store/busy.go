package store

import (
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
)

// ErrBusy is returned when a command could not get the locks it needs in time because
// other commands hold them: SQLite's single writer stayed taken past the busy timeout, or
// PostgreSQL gave up waiting for a row lock, or chose this transaction as the loser of a
// serialisation conflict or a deadlock. Nothing was written; the web layer answers 503
// with Retry-After, since the same request succeeds once the other command is done.
var ErrBusy = errors.New("the records store is busy with other changes; retry shortly")

// SQLite result codes (the primary code is the low byte of an extended code).
const (
	sqliteBusy   = 5
	sqliteLocked = 6
)

// PostgreSQL SQLSTATEs that mean "try again": serialization_failure, deadlock_detected,
// lock_not_available (lock_timeout) and too_many_connections.
var pgRetryable = map[string]bool{"40001": true, "40P01": true, "55P03": true, "53300": true}

// ErrInvalidText is returned when PostgreSQL refuses a text value: a NUL character or
// bytes that are not UTF-8 (SQLSTATE 22021), or a value longer than its column (22001).
// Every capability validates text at the edge (problem.Invalid.Text), the same on both
// engines; this is the net below that, so that a value a validator missed is a 400 and
// not a 500. Nothing was written.
var ErrInvalidText = errors.New("a text value holds a NUL character, is not valid UTF-8 or is too long")

// pgInvalidText lists the SQLSTATEs that ErrInvalidText stands for.
var pgInvalidText = map[string]bool{"22021": true, "22001": true, "22P05": true}

// busy reports whether err is an engine's "locked, try again" error.
func busy(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) {
		c := se.Code() & 0xff
		return c == sqliteBusy || c == sqliteLocked
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pgRetryable[pe.Code]
	}
	return false
}

// classify marks an engine's lock error with ErrBusy and its refusal of a text value with
// ErrInvalidText, keeping the engine's error for the log; other errors pass unchanged.
func classify(err error) error {
	if err == nil || errors.Is(err, ErrBusy) || errors.Is(err, ErrInvalidText) {
		return err
	}
	if busy(err) {
		return fmt.Errorf("%w: %w", ErrBusy, err)
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pgInvalidText[pe.Code] {
		return fmt.Errorf("%w: %w", ErrInvalidText, err)
	}
	return err
}
