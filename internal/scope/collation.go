package scope

import (
	"context"
	"fmt"
	"sync"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"

	"ciiguard/internal/store"
)

// collator orders names by pinyin (CLDR's default Chinese collation), Latin letters
// among them case-insensitively; a Collator is not safe for concurrent use.
var collator = struct {
	sync.Mutex
	c   *collate.Collator
	buf collate.Buffer
}{c: collate.New(language.Chinese, collate.IgnoreCase)}

// sortKey is the stored collation key of a name.
func sortKey(name string) []byte {
	collator.Lock()
	defer collator.Unlock()
	k := collator.c.KeyFromString(&collator.buf, name)
	out := append([]byte(nil), k...)
	collator.buf.Reset()
	return out
}

func setSortKey(t *store.Tenant, id int64, name string) error {
	if _, err := t.Exec(`UPDATE scope_systems SET sort_key = $3 WHERE org_id = $1 AND id = $2`, id, sortKey(name)); err != nil {
		return fmt.Errorf("set sort key of system %d: %w", id, err)
	}
	return nil
}

// BackfillSortKeys gives every system stored before sort keys existed its key. It runs
// at start-up, across organisations, and does nothing once every row has one.
func (s *Service) BackfillSortKeys(ctx context.Context) error {
	return s.db.Write(ctx, func(tx *store.Tx) error {
		rows, err := tx.Query(`SELECT id, name FROM scope_systems WHERE sort_key IS NULL`)
		if err != nil {
			return fmt.Errorf("read systems without a sort key: %w", err)
		}
		type row struct {
			id   int64
			name string
		}
		var todo []row
		for rows.Next() {
			var r row
			if err := rows.Scan(&r.id, &r.name); err != nil {
				rows.Close()
				return fmt.Errorf("read systems without a sort key: %w", err)
			}
			todo = append(todo, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("read systems without a sort key: %w", err)
		}
		for _, r := range todo {
			if _, err := tx.Exec(`UPDATE scope_systems SET sort_key = $1 WHERE id = $2`, sortKey(r.name), r.id); err != nil {
				return fmt.Errorf("set sort key of system %d: %w", r.id, err)
			}
		}
		return nil
	})
}
