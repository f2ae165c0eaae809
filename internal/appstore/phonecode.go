package appstore

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"

	"ciiguard/internal/audit"
	"ciiguard/internal/kernel"
	"ciiguard/internal/problem"
	"ciiguard/internal/rules"
	"ciiguard/internal/store"
)

// One-time codes that confirm an individual developer's phone.
const (
	// CodeTTL is how long a code is good for.
	CodeTTL = 10 * time.Minute
	// CodeAttempts is how many wrong entries a code survives.
	CodeAttempts = 5
	// codeGap is the least time between two codes for one developer, and codesPerHour
	// the most codes in an hour: a cap on messages sent to someone else's phone.
	codeGap      = time.Minute
	codesPerHour = 5
)

// hashCode is the stored form of a code: a random salt and SHA-256(salt || code). A six-digit
// code has little entropy, so the hash is not what protects it: the expiry and the attempt
// limit are. The hash keeps the code out of backups and database reads.
func hashCode(code string) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("salt: %w", err)
	}
	h := sha256.Sum256(append(salt, code...))
	return hex.EncodeToString(salt) + ":" + hex.EncodeToString(h[:]), nil
}

func codeMatches(stored, code string) bool {
	saltHex, sumHex, ok := strings.Cut(stored, ":")
	salt, err1 := hex.DecodeString(saltHex)
	want, err2 := hex.DecodeString(sumHex)
	if !ok || err1 != nil || err2 != nil {
		return false
	}
	h := sha256.Sum256(append(salt, code...))
	return subtle.ConstantTimeCompare(h[:], want) == 1
}

func newCode() (string, error) {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		return "", fmt.Errorf("one-time code: %w", err)
	}
	return fmt.Sprintf("%06d", n.Int64()), nil
}

// SendPhoneCode makes a one-time code for an individual developer's phone, keeps its hash
// with an expiry, and sends it to that phone number as an SMS through the kernel's
// notifier (kernel.Notice.Phones; the notify capability hands it to the SMS outbox the
// operator's gateway sends from, and to nobody else). The staff member asking does not
// see the code: the developer reads it out.
func (s *Service) SendPhoneCode(ctx context.Context, id int64) (time.Time, error) {
	if s.notify == nil {
		return time.Time{}, fmt.Errorf("send a one-time code: no notifier installed")
	}
	code, err := newCode()
	if err != nil {
		return time.Time{}, err
	}
	stored, err := hashCode(code)
	if err != nil {
		return time.Time{}, err
	}
	now := s.now()
	expires := now.Add(CodeTTL)
	var d Developer
	var codeID int64
	err = s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		if d, err = developerIn(t, id); err != nil {
			return err
		}
		if d.phone == "" {
			return problem.Conflictf("phone", "is not recorded: give the developer's mobile number first")
		}
		// The newest code is read by ORDER BY, not MAX(): SQLite's MAX of a timestamp
		// column is untyped text, which does not scan into a time.
		var last time.Time
		var n int
		if err := t.QueryRow(`SELECT COUNT(*) FROM appstore_phone_codes WHERE org_id = $1 AND developer_id = $2 AND created_at > $3`,
			id, now.Add(-time.Hour)).Scan(&n); err != nil {
			return fmt.Errorf("count recent codes: %w", err)
		}
		if n > 0 {
			if err := t.QueryRow(`SELECT created_at FROM appstore_phone_codes WHERE org_id = $1 AND developer_id = $2 ORDER BY created_at DESC LIMIT 1`, id).Scan(&last); err != nil {
				return fmt.Errorf("read the last code: %w", err)
			}
		}
		if n >= codesPerHour || (n > 0 && now.Sub(last) < codeGap) {
			return &problem.TooMany{Reason: "too many codes for this developer: wait a minute (at most 5 an hour)", RetryAfter: 60}
		}
		if err := t.QueryRow(`INSERT INTO appstore_phone_codes (org_id, developer_id, phone, code_hash, expires_at, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
			id, d.phone, stored, expires, now).Scan(&codeID); err != nil {
			return fmt.Errorf("keep the code: %w", err)
		}
		return audit.InTenant(t, "appstore_developer", fmt.Sprint(id), "send_code", nil, nil, "one-time code sent to "+d.PhoneMasked)
	})
	if err != nil {
		return time.Time{}, err
	}
	org, _ := store.OrgFrom(ctx)
	n := kernel.Notice{Kind: "appstore.phone_code", Subject: fmt.Sprintf("appstore-developer:%d", id), Point: fmt.Sprintf("code-%d", codeID),
		Title: rules.Text{Zh: "开发者手机验证码", En: "Developer phone verification code"},
		Body: rules.Text{Zh: fmt.Sprintf("您的验证码：%s，%d分钟内有效。如非本人操作请忽略。", code, int(CodeTTL.Minutes())),
			En: fmt.Sprintf("Your code: %s, valid for %d minutes. Ignore this if you did not ask for it.", code, int(CodeTTL.Minutes()))},
		Phones: []string{d.phone}}
	if _, err := s.notify.Notify(ctx, org, n); err != nil {
		if errors.Is(err, kernel.ErrNoSMS) {
			return time.Time{}, problem.Conflictf("phone", "cannot be reached: the installation's SMS outbox is off (--notify-sms-outbox)")
		}
		return time.Time{}, fmt.Errorf("send the one-time code: %w", err)
	}
	return expires, nil
}

// ConfirmPhone checks a code against the developer's latest unused one: wrong codes count
// against its attempts, an expired or exhausted code is refused whatever is entered.
func (s *Service) ConfirmPhone(ctx context.Context, id int64, code string) (Developer, error) {
	code = strings.TrimSpace(code)
	if len(code) != 6 || strings.Trim(code, "0123456789") != "" {
		return Developer{}, problem.Field("code", "must be the six digits sent")
	}
	now := s.now()
	var d Developer
	var wrong error
	err := s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		var err error
		if d, err = developerIn(t, id); err != nil {
			return err
		}
		var cid int64
		var phone, stored string
		var expires time.Time
		var attempts int
		err = t.QueryRow(`SELECT id, phone, code_hash, expires_at, attempts FROM appstore_phone_codes WHERE org_id = $1 AND developer_id = $2 AND used_at IS NULL ORDER BY id DESC LIMIT 1`, id).
			Scan(&cid, &phone, &stored, &expires, &attempts)
		switch {
		case err == store.ErrNotFound:
			wrong = problem.Field("code", "no code was sent, or it was used: send a new one")
			return nil
		case err != nil:
			return fmt.Errorf("read the code: %w", err)
		case phone != d.phone:
			wrong = problem.Field("code", "was sent to another number: send a new one")
			return nil
		case now.After(expires):
			wrong = problem.Field("code", "has expired: send a new one")
			return nil
		case attempts >= CodeAttempts:
			wrong = problem.Field("code", "was entered wrongly too often: send a new one")
			return nil
		}
		if !codeMatches(stored, code) {
			if _, err := t.Exec(`UPDATE appstore_phone_codes SET attempts = attempts + 1 WHERE org_id = $1 AND id = $2`, cid); err != nil {
				return fmt.Errorf("count the attempt: %w", err)
			}
			wrong = problem.Field("code", "is wrong (%d attempts left)", CodeAttempts-attempts-1)
			return nil
		}
		if _, err := t.Exec(`UPDATE appstore_phone_codes SET used_at = $3 WHERE org_id = $1 AND id = $2`, cid, now); err != nil {
			return fmt.Errorf("use the code: %w", err)
		}
		before := d
		d.PhoneVerifiedAt = &now
		if _, err := t.Exec(`UPDATE appstore_developers SET phone_verified_at = $3, updated_at = $3 WHERE org_id = $1 AND id = $2`, id, now); err != nil {
			return fmt.Errorf("confirm the phone: %w", err)
		}
		s.announce(t)
		return audit.InTenant(t, "appstore_developer", fmt.Sprint(id), "confirm_phone", &before, &d, "")
	})
	if err == nil && wrong != nil {
		err = wrong
	}
	return d, err
}
