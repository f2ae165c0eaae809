package frameworks

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"

	"ciiguard/internal/catalog"
	"ciiguard/internal/store"
)

// A framework's controls are stored under a key of their own (frameworks.controls_key), so
// that an upload writes its controls in many short transactions under a fresh key that
// nothing reads yet, and then makes them the framework's in one short transaction that
// only changes the key; the old key's controls are removed afterwards, again in short
// transactions. No transaction of an upload writes more than chunkRows controls, so one
// organisation's upload never holds the store's writer (SQLite has one) for long.
const chunkRows = 250

// newControlsKey returns a key for a new set of controls of framework id. It holds '~',
// which no framework id may, so it can never be a framework's id or be guessed.
func newControlsKey(id string) (string, error) {
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("controls key: %w", err)
	}
	return id + "~" + hex.EncodeToString(b), nil
}

// stageControls writes cs under key in transactions of chunkRows controls.
func (s *Service) stageControls(ctx context.Context, key string, cs []catalog.FrameworkControl) error {
	for start := 0; start < len(cs); start += chunkRows {
		chunk := cs[start:min(start+chunkRows, len(cs))]
		if err := s.db.WriteTenant(ctx, func(t *store.Tenant) error {
			return insertControls(t, key, start, chunk)
		}); err != nil {
			return err
		}
	}
	return nil
}

// dropControls removes the controls stored under key, chunkRows at a time. It is called
// once nothing refers to key any more, so a failure leaves rows no one reads; it is
// reported for the log and does not undo the change it follows.
//
// Each chunk is the next chunkRows positions from the lowest one left, read and removed
// through the (org_id, framework_id, seq) index. A subquery picking "the first chunkRows
// by seq" instead let PostgreSQL's cached plan for a table it had no statistics of yet
// rescan the key's controls for every row: removing 20,000 controls took a minute.
func (s *Service) dropControls(ctx context.Context, key string) error {
	for {
		done := false
		if err := s.db.WriteTenant(ctx, func(t *store.Tenant) error {
			var lo sql.NullInt64
			if err := t.QueryRow(`SELECT MIN(seq) FROM framework_controls WHERE org_id = $1 AND framework_id = $2`, key).Scan(&lo); err != nil {
				return fmt.Errorf("drop controls %s: %w", key, err)
			}
			if !lo.Valid {
				done = true
				return nil
			}
			if _, err := t.Exec(`DELETE FROM framework_controls WHERE org_id = $1 AND framework_id = $2 AND seq >= $3 AND seq < $4`,
				key, lo.Int64, lo.Int64+chunkRows); err != nil {
				return fmt.Errorf("drop controls %s: %w", key, err)
			}
			return nil
		}); err != nil {
			return err
		}
		if done {
			return nil
		}
	}
}
