package auth

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"ciiguard/internal/audit"
	"ciiguard/internal/store"
)

// maxAuditedAccount bounds the typed account name kept in a failure's audit entry.
const maxAuditedAccount = 254

// recordFailure writes a failed sign-in to the audit trail as a security event and returns
// ErrLoginFailed. A known account's failure belongs to its organisation's trail (entity
// user, its id); an unknown account's to no organisation (org 0), still in the chain. The
// entry names the account as typed and the address, never the password.
func (s *Service) recordFailure(ctx context.Context, u User, known bool, account, remote string) error {
	account = strings.ToValidUTF8(account, "?")
	if len(account) > maxAuditedAccount {
		cut := maxAuditedAccount
		for cut > 0 && !utf8.RuneStart(account[cut]) {
			cut--
		}
		account = account[:cut] + "…"
	}
	org, entity, id := int64(0), "session", ""
	if known {
		org, entity, id = u.OrgID, "user", strconv.FormatInt(u.ID, 10)
	}
	actx := audit.WithActor(ctx, audit.Actor{Label: "unauthenticated from " + remote})
	err := s.db.Write(actx, func(tx *store.Tx) error {
		return audit.Record(tx, org, entity, id, audit.SigninFailed, nil, nil, fmt.Sprintf("account %q from %s", account, remote))
	})
	if err != nil {
		return fmt.Errorf("login: record failed sign-in of %q: %w", account, err)
	}
	return ErrLoginFailed
}
