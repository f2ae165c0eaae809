package auth

import (
	"fmt"
	"strconv"
	"time"

	"ciiguard/internal/audit"
	"ciiguard/internal/store"
)

// revokeUserTokens revokes, inside the transaction that changed the user, every live token
// of the user for which keep reports false, with one audit entry per token saying why. A
// token whose role still fits the user's new role may be kept: it grants nothing the user
// lacks, so a role change only removes what the new role no longer allows.
func (s *Service) revokeUserTokens(tx *store.Tx, u User, keep func(Role) bool, why string) error {
	rows, err := tx.Query(`SELECT `+tokenColumns+` FROM api_tokens WHERE user_id = $1 AND revoked_at IS NULL ORDER BY id`, u.ID)
	if err != nil {
		return fmt.Errorf("list the tokens of user %d: %w", u.ID, err)
	}
	var live []Token
	for rows.Next() {
		t, err := scanToken(rows.Scan)
		if err != nil {
			rows.Close()
			return fmt.Errorf("read a token of user %d: %w", u.ID, err)
		}
		live = append(live, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("list the tokens of user %d: %w", u.ID, err)
	}
	now := s.now().UTC().Truncate(time.Microsecond)
	for _, before := range live {
		if keep != nil && keep(before.Role) {
			continue
		}
		after := before
		after.RevokedAt = &now
		if _, err := tx.Exec(`UPDATE api_tokens SET revoked_at = $1 WHERE id = $2`, now, before.ID); err != nil {
			return fmt.Errorf("revoke token %d: %w", before.ID, err)
		}
		if err := audit.Record(tx, before.OrgID, "api_token", strconv.FormatInt(before.ID, 10), audit.Delete, before, after, "revoked: "+why); err != nil {
			return err
		}
	}
	return nil
}
