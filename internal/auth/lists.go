package auth

import (
	"context"
	"fmt"
	"sort"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"

	"ciiguard/internal/store"
)

// ActiveUsers lists the context's organisation's users who are not disabled, in the order a
// Chinese reader looks for names (pinyin), for the pickers that choose an owner or a
// reviewer. It reads every page, so no user is missing from a large organisation's picker.
func (s *Service) ActiveUsers(ctx context.Context) ([]User, error) {
	var out []User
	p := store.Page{Limit: 500}
	for {
		page, next, err := s.ListUsersPage(ctx, p)
		if err != nil {
			return nil, err
		}
		for _, u := range page {
			if !u.Disabled {
				out = append(out, u)
			}
		}
		if next == "" {
			break
		}
		if _, err := fmt.Sscan(next, &p.Cursor); err != nil {
			return nil, fmt.Errorf("users page cursor %q: %w", next, err)
		}
	}
	c := collate.New(language.SimplifiedChinese)
	sort.SliceStable(out, func(i, j int) bool { return c.CompareString(out[i].Name, out[j].Name) < 0 })
	return out, nil
}

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
