package auth

import (
	"context"
	"fmt"

	"ciiguard/internal/store"
)

// ListUsersPage returns one page of the context's organisation's users in the order they
// were added, and the cursor of the next page ("" on the last).
func (s *Service) ListUsersPage(ctx context.Context, p store.Page) ([]User, string, error) {
	var out []User
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		rows, err := t.Query(`SELECT `+userColumns+` FROM users WHERE org_id = $1 AND id > $2 ORDER BY id LIMIT $3`, p.Cursor, p.Rows())
		if err != nil {
			return fmt.Errorf("list users: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			u, err := scanUser(rows.Scan)
			if err != nil {
				return err
			}
			out = append(out, u)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, "", err
	}
	out, next := store.Cut(p, out, func(u User) int64 { return u.ID })
	return out, next, nil
}

// ListTokensPage returns one page of the context's organisation's API tokens, newest
// first, and the cursor of the next page ("" on the last).
func (s *Service) ListTokensPage(ctx context.Context, p store.Page) ([]Token, string, error) {
	var out []Token
	err := s.db.ReadTenant(ctx, func(ten *store.Tenant) error {
		rows, err := ten.Query(`SELECT `+tokenColumns+` FROM api_tokens WHERE org_id = $1 AND ($2 = 0 OR id < $2) ORDER BY id DESC LIMIT $3`, p.Cursor, p.Rows())
		if err != nil {
			return fmt.Errorf("list tokens: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			t, err := scanToken(rows.Scan)
			if err != nil {
				return err
			}
			out = append(out, t)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, "", err
	}
	out, next := store.Cut(p, out, func(t Token) int64 { return t.ID })
	return out, next, nil
}
