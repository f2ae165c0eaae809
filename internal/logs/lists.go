package logs

import (
	"context"
	"fmt"

	"ciiguard/internal/store"
)

// HoldsPage returns one page of the context's organisation's legal holds, newest first,
// and the cursor of the next page ("" on the last).
func (m *Module) HoldsPage(ctx context.Context, p store.Page) ([]Hold, string, error) {
	var out []Hold
	err := m.d.DB.ReadTenant(ctx, func(t *store.Tenant) error {
		rows, err := t.Query(`SELECT `+holdColumns+` FROM log_holds WHERE org_id = $1 AND ($2 = 0 OR id < $2) ORDER BY id DESC LIMIT $3`, p.Cursor, p.Rows())
		if err != nil {
			return fmt.Errorf("list legal holds: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			h, err := scanHold(rows.Scan)
			if err != nil {
				return fmt.Errorf("read legal hold: %w", err)
			}
			out = append(out, h)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, "", err
	}
	out, next := store.Cut(p, out, func(h Hold) int64 { return h.ID })
	return out, next, nil
}
