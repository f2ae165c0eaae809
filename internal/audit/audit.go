// Package audit keeps ciiguard's append-only audit trail: every create, update and delete,
// and every read of an operator's records by a regulator, becomes an entry chained to the
// one before it by SHA-256, so that an edit or deletion behind the program's back breaks the
// chain at that entry and `ciiguard audit verify` names it.
package audit

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"ciiguard/internal/store"
)

// Actions recorded in the trail.
const (
	Create = "create"
	Update = "update"
	Delete = "delete"
	Read   = "read"
	Login  = "login"
	// SigninFailed is a security event: a sign-in refused for a wrong password, an
	// unknown account or a disabled user. Its detail names the account and address.
	SigninFailed = "signin_failed"
)

// Security events: attempts the program refused, recorded so that an organisation's
// auditors (and, through the anchored chain, an inspector) see who tried what. Their
// entries carry no record digests; Detail says what was asked.
const (
	// SenderRefused is a syslog sender address or network refused because it overlaps
	// another organisation's.
	SenderRefused = "sender_refused"
	// WriteRefused is a write request (any method but GET, HEAD, OPTIONS) answered 403 or
	// 404: a role that may not, or a record of another organisation.
	WriteRefused = "write_refused"
)

// Actor is who did something: set on the request context by the auth middleware, or by the
// CLI for commands run on the server.
type Actor struct {
	UserID int64
	OrgID  int64
	Label  string // e.g. "alice@grid.example (admin)" or "cli"
}

type actorKey struct{}

// WithActor attaches the acting user to ctx.
func WithActor(ctx context.Context, a Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorFrom returns the acting user, or a "system" actor for background work.
func ActorFrom(ctx context.Context) Actor {
	if a, ok := ctx.Value(actorKey{}).(Actor); ok {
		return a
	}
	return Actor{Label: "system"}
}

// Entry is one line of the trail.
type Entry struct {
	Seq          int64     `json:"seq"`
	At           time.Time `json:"at"`
	OrgID        int64     `json:"org_id"`
	ActorUserID  int64     `json:"actor_user_id"`
	Actor        string    `json:"actor"`
	Entity       string    `json:"entity"`
	EntityID     string    `json:"entity_id"`
	Action       string    `json:"action"`
	BeforeSHA256 string    `json:"before_sha256"`
	AfterSHA256  string    `json:"after_sha256"`
	Detail       string    `json:"detail"`
	PrevHash     string    `json:"prev_hash"`
	Hash         string    `json:"hash"`
}

// Digest is the SHA-256 of a record's canonical JSON, or "" for no record (before a create,
// after a delete). A nil pointer, map or slice is no record too, so a caller can pass its
// "before" pointer as it is.
func Digest(record any) string {
	if isNil(record) {
		return ""
	}
	b, err := json.Marshal(record)
	if err != nil {
		// A record that cannot be encoded still gets a distinct, stable mark rather than
		// silently matching "no record".
		b = []byte(fmt.Sprintf("unencodable %T: %v", record, err))
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// chainHash is the hash of an entry: every field in a fixed order, length-prefixed so that
// no two different entries encode alike, then the previous entry's hash.
func chainHash(e *Entry) string {
	var buf bytes.Buffer
	for _, f := range []string{
		strconv.FormatInt(e.Seq, 10), e.At.UTC().Format(time.RFC3339Nano), strconv.FormatInt(e.OrgID, 10),
		strconv.FormatInt(e.ActorUserID, 10), e.Actor, e.Entity, e.EntityID, e.Action,
		e.BeforeSHA256, e.AfterSHA256, e.Detail, e.PrevHash,
	} {
		buf.WriteString(strconv.Itoa(len(f)))
		buf.WriteByte(':')
		buf.WriteString(f)
	}
	sum := sha256.Sum256(buf.Bytes())
	return hex.EncodeToString(sum[:])
}

// Record appends an entry in the caller's transaction, so the entry exists exactly when the
// change it describes does. orgID is the organisation whose record changed (or was read).
// before and after are the record's values (nil where there is none).
func Record(tx *store.Tx, orgID int64, entity, entityID, action string, before, after any, detail string) error {
	a := ActorFrom(tx.Context())
	e := Entry{
		At: time.Now().UTC().Truncate(time.Microsecond), OrgID: orgID, ActorUserID: a.UserID, Actor: a.Label,
		Entity: entity, EntityID: entityID, Action: action,
		BeforeSHA256: Digest(before), AfterSHA256: Digest(after), Detail: detail,
	}
	// Taking the head row first serialises concurrent writers (a row lock on PostgreSQL,
	// the single writer on SQLite), so the chain never forks.
	if err := tx.QueryRow(`UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash`).Scan(&e.Seq, &e.PrevHash); err != nil {
		return fmt.Errorf("audit: advance head: %w", err)
	}
	e.Hash = chainHash(&e)
	if _, err := tx.Exec(`INSERT INTO audit_log (seq, at, org_id, actor_user_id, actor, entity, entity_id, action, before_sha256, after_sha256, detail, prev_hash, hash)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
		e.Seq, e.At, e.OrgID, e.ActorUserID, e.Actor, e.Entity, e.EntityID, e.Action, e.BeforeSHA256, e.AfterSHA256, e.Detail, e.PrevHash, e.Hash); err != nil {
		return fmt.Errorf("audit: append entry: %w", err)
	}
	if _, err := tx.Exec(`UPDATE audit_head SET hash = $1 WHERE id = 1`, e.Hash); err != nil {
		return fmt.Errorf("audit: move head: %w", err)
	}
	return nil
}

const entryColumns = `seq, at, org_id, actor_user_id, actor, entity, entity_id, action, before_sha256, after_sha256, detail, prev_hash, hash`

func scanEntry(scan func(...any) error) (Entry, error) {
	var e Entry
	err := scan(&e.Seq, &e.At, &e.OrgID, &e.ActorUserID, &e.Actor, &e.Entity, &e.EntityID, &e.Action, &e.BeforeSHA256, &e.AfterSHA256, &e.Detail, &e.PrevHash, &e.Hash)
	e.At = e.At.UTC()
	return e, err
}

// List returns an organisation's newest entries first, at most limit, before seq beforeSeq
// (0 for the newest).
func List(t *store.Tenant, beforeSeq int64, limit int) ([]Entry, error) {
	if beforeSeq <= 0 {
		beforeSeq = 1 << 62
	}
	rows, err := t.Query(`SELECT `+entryColumns+` FROM audit_log WHERE org_id = $1 AND seq < $2 ORDER BY seq DESC LIMIT $3`, beforeSeq, limit)
	if err != nil {
		return nil, fmt.Errorf("audit: list: %w", err)
	}
	defer rows.Close()
	var out []Entry
	for rows.Next() {
		e, err := scanEntry(rows.Scan)
		if err != nil {
			return nil, fmt.Errorf("audit: list: %w", err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// Break describes the first place the chain does not hold.
type Break struct {
	Seq    int64
	Reason string
}

func (b *Break) Error() string {
	return fmt.Sprintf("audit chain broken at entry %d: %s", b.Seq, b.Reason)
}

// Verify walks the whole chain in order and returns the number of entries checked and, if
// the chain does not hold, a *Break naming the first entry that differs.
func Verify(ctx context.Context, db *store.DB) (int64, error) {
	return verify(ctx, db, nil)
}

// verify walks the chain; each entry that holds is passed to check (when not nil), whose
// error stops the walk.
func verify(ctx context.Context, db *store.DB, check func(*Entry) error) (int64, error) {
	var checked int64
	err := db.Read(ctx, func(tx *store.Tx) error {
		rows, err := tx.Query(`SELECT ` + entryColumns + ` FROM audit_log ORDER BY seq`)
		if err != nil {
			return fmt.Errorf("audit verify: %w", err)
		}
		defer rows.Close()
		prev, want := "", int64(1)
		for rows.Next() {
			e, err := scanEntry(rows.Scan)
			if err != nil {
				return fmt.Errorf("audit verify: read entry after %d: %w", want-1, err)
			}
			switch {
			case e.Seq != want:
				return &Break{Seq: want, Reason: fmt.Sprintf("entry missing (next present is %d)", e.Seq)}
			case e.PrevHash != prev:
				return &Break{Seq: e.Seq, Reason: "previous-hash link does not match the entry before it"}
			case chainHash(&e) != e.Hash:
				return &Break{Seq: e.Seq, Reason: "entry content does not match its hash (edited)"}
			}
			if check != nil {
				if err := check(&e); err != nil {
					return err
				}
			}
			prev, want = e.Hash, want+1
			checked++
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("audit verify: %w", err)
		}
		var headSeq int64
		var headHash string
		if err := tx.QueryRow(`SELECT seq, hash FROM audit_head WHERE id = 1`).Scan(&headSeq, &headHash); err != nil {
			return fmt.Errorf("audit verify: read head: %w", err)
		}
		if headSeq != checked || headHash != prev {
			return &Break{Seq: checked + 1, Reason: fmt.Sprintf("head says %d entries, trail holds %d (entries removed from the end)", headSeq, checked)}
		}
		return nil
	})
	return checked, err
}
