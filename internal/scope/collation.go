package scope

import (
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
