package auth

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"ciiguard/internal/audit"
	"ciiguard/internal/problem"
	"ciiguard/internal/store"
)

// tokenPrefix marks ciiguard API tokens so that secret scanners can recognise leaked ones.
const tokenPrefix = "cgt_"

// Token is an API token's record; the secret itself is shown once and stored hashed.
type Token struct {
	ID         int64      `json:"id"`
	OrgID      int64      `json:"org_id"`
	UserID     int64      `json:"user_id"`
	Name       string     `json:"name"`
	Role       Role       `json:"role"`
	Prefix     string     `json:"prefix"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
	RevokedAt  *time.Time `json:"revoked_at,omitempty"`
}

// CreateToken issues a token for the principal's user, scoped to role, which must be a
// role of the same organisation kind and no more powerful than the user's own: a token can
// only narrow what its user may do.
func (s *Service) CreateToken(ctx context.Context, p Principal, name string, role Role) (string, Token, error) {
	if role == "" {
		role = p.Role
	}
	v := &problem.Invalid{}
	if err := ValidRole(p.Org.Kind, role); err != nil {
		v.Add("role", "%s", err.Error())
	}
	return s.createToken(ctx, p, name, role, v)
}

// CreateTokenOnly issues a token of a token-only role (such as LogSender) for the
// principal's user. Capabilities call it for the machine credentials they bind to their
// own records; the tokens page and API never offer these roles.
func (s *Service) CreateTokenOnly(ctx context.Context, p Principal, name string, role Role) (string, Token, error) {
	v := &problem.Invalid{}
	if !slices.Contains(tokenOnlyRoles[p.Org.Kind], role) {
		v.Add("role", "%s is not a token-only role of a %s organisation", role, p.Org.Kind)
	}
	return s.createToken(ctx, p, name, role, v)
}

func (s *Service) createToken(ctx context.Context, p Principal, name string, role Role, v *problem.Invalid) (string, Token, error) {
	roleOK := len(v.Fields) == 0
	name = strings.TrimSpace(name)
	v.Text("name", name, true, 100)
	if roleOK && !Narrower(role, p.Role) {
		v.Add("role", "a token cannot hold permissions its user (%s) does not have", p.Role)
	}
	if err := v.Err(); err != nil {
		return "", Token{}, err
	}
	secret, err := randomToken(32)
	if err != nil {
		return "", Token{}, err
	}
	plain := tokenPrefix + secret
	t := Token{OrgID: p.Org.ID, UserID: p.User.ID, Name: name, Role: role, Prefix: plain[:len(tokenPrefix)+6], CreatedAt: s.now().UTC().Truncate(time.Microsecond)}
	err = s.db.WriteTenant(ctx, func(ten *store.Tenant) error {
		tx := ten.Tx()
		if err := ten.QueryRow(`INSERT INTO api_tokens (org_id, user_id, name, role, prefix, token_hash, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
			t.UserID, t.Name, string(t.Role), t.Prefix, hashToken(plain), t.CreatedAt).Scan(&t.ID); err != nil {
			return fmt.Errorf("insert token: %w", err)
		}
		return audit.Record(tx, t.OrgID, "api_token", strconv.FormatInt(t.ID, 10), audit.Create, nil, t, "")
	})
	if err != nil {
		return "", Token{}, err
	}
	return plain, t, nil
}

// Narrower reports whether every permission of role a is also held by role b.
func Narrower(a, b Role) bool {
	for p := range Table() {
		if Allowed(a, p) && !Allowed(b, p) {
			return false
		}
	}
	return true
}

const tokenColumns = `id, org_id, user_id, name, role, prefix, created_at, last_used_at, revoked_at`

func scanToken(scan func(...any) error) (Token, error) {
	var t Token
	var role string
	err := scan(&t.ID, &t.OrgID, &t.UserID, &t.Name, &role, &t.Prefix, &t.CreatedAt, &t.LastUsedAt, &t.RevokedAt)
	t.Role = Role(role)
	return t, err
}

// RevokeToken revokes a token of the context's organisation.
func (s *Service) RevokeToken(ctx context.Context, id int64) (Token, error) {
	var after Token
	err := s.db.WriteTenant(ctx, func(ten *store.Tenant) error {
		tx := ten.Tx()
		before, err := scanToken(ten.QueryRow(`SELECT `+tokenColumns+` FROM api_tokens WHERE org_id = $1 AND id = $2`, id).Scan)
		if err != nil {
			return err
		}
		after = before
		if before.RevokedAt == nil {
			now := s.now().UTC().Truncate(time.Microsecond)
			after.RevokedAt = &now
			if _, err := ten.Exec(`UPDATE api_tokens SET revoked_at = $2 WHERE org_id = $1 AND id = $3`, now, id); err != nil {
				return fmt.Errorf("revoke token: %w", err)
			}
		}
		return audit.Record(tx, after.OrgID, "api_token", strconv.FormatInt(id, 10), audit.Delete, before, after, "revoked")
	})
	return after, err
}

// TokenRefused is the answer to a token that exists but may not be used: revoked, or
// granting more than its owner's current role. Its reason is safe to show the caller (who
// holds the secret) and says what to do.
type TokenRefused struct{ Reason string }

func (e *TokenRefused) Error() string { return e.Reason }

// TokenPrincipal resolves a bearer token to its principal. An unknown token or a disabled
// user's token is store.ErrNotFound; a revoked token, or one whose role grants anything
// its owner's current role does not, is *TokenRefused. The owner's role is read at every
// use, so a token never outlives a demotion, whatever path changed the role.
func (s *Service) TokenPrincipal(ctx context.Context, bearer string) (Principal, error) {
	if !strings.HasPrefix(bearer, tokenPrefix) || len(bearer) > 200 {
		return Principal{}, store.ErrNotFound
	}
	var p Principal
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		t, err := scanToken(tx.QueryRow(`SELECT `+tokenColumns+` FROM api_tokens WHERE token_hash = $1`, hashToken(bearer)).Scan)
		if err != nil {
			return store.Found(err)
		}
		if err := s.fillPrincipal(tx, &p, t.UserID); err != nil {
			return err
		}
		if t.RevokedAt != nil {
			return &TokenRefused{Reason: "this API token was revoked on " + t.RevokedAt.UTC().Format(time.RFC3339) + "; ask an administrator for a new one"}
		}
		if err := tokenFits(t.Role, p.User.Role, p.Org.Kind); err != nil {
			return err
		}
		p.Role, p.TokenID = t.Role, t.ID
		// Last use to the minute is enough to spot stale tokens without a write per request.
		now := s.now().UTC().Truncate(time.Minute)
		if t.LastUsedAt == nil || t.LastUsedAt.Before(now) {
			_, err = tx.Exec(`UPDATE api_tokens SET last_used_at = $1 WHERE id = $2`, now, t.ID)
		}
		return err
	})
	return p, err
}

// tokenFits checks, at use, that a token of role tok may act for an owner whose role is
// now owner in an organisation of kind k: the token's role must belong to that kind and
// grant nothing the owner's role does not.
func tokenFits(tok, owner Role, k OrgKind) error {
	if !TokenRoleOf(k, tok) || !Narrower(tok, owner) {
		return &TokenRefused{Reason: fmt.Sprintf("this API token's role (%s) grants more than its owner's current role (%s), so it is refused; ask an administrator for a new token", tok, owner)}
	}
	return nil
}
