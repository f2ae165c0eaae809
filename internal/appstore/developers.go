package appstore

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"

	"ciiguard/internal/audit"
	"ciiguard/internal/problem"
	"ciiguard/internal/store"
)

const developerCols = `id, kind, name, uscc, licence_sha256, id_hash, id_masked, phone, phone_verified_at, state, state_reason, evidence_sha256, verified_by, verified_at, created_by, created_at, updated_at`

func scanDeveloper(sc interface{ Scan(...any) error }) (Developer, error) {
	var d Developer
	var pv, va sql.NullTime
	err := sc.Scan(&d.ID, &d.Kind, &d.Name, &d.USCC, &d.LicenceSHA256, &d.idHash, &d.IDMasked, &d.phone, &pv, &d.State, &d.StateReason,
		&d.EvidenceSHA256, &d.VerifiedBy, &va, &d.CreatedBy, &d.CreatedAt, &d.UpdatedAt)
	d.PhoneVerifiedAt, d.VerifiedAt = nullTime(pv), nullTime(va)
	if d.phone != "" {
		d.PhoneMasked = MaskPhone(d.phone)
	}
	return d, err
}

// developerIn reads one developer of t's organisation: store.ErrNotFound for another's.
func developerIn(t *store.Tenant, id int64) (Developer, error) {
	d, err := scanDeveloper(t.QueryRow(`SELECT `+developerCols+` FROM appstore_developers WHERE org_id = $1 AND id = $2`, id))
	if err != nil {
		return d, fmt.Errorf("developer %d: %w", id, err)
	}
	return d, nil
}

func developersIn(t *store.Tenant) ([]Developer, error) {
	rows, err := t.Query(`SELECT ` + developerCols + ` FROM appstore_developers WHERE org_id = $1 ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("list developers: %w", err)
	}
	defer rows.Close()
	var out []Developer
	for rows.Next() {
		d, err := scanDeveloper(rows)
		if err != nil {
			return nil, fmt.Errorf("read a developer: %w", err)
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// Developers lists the organisation's developers.
func (s *Service) Developers(ctx context.Context) ([]Developer, error) {
	var out []Developer
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		var err error
		out, err = developersIn(t)
		return err
	})
	return out, err
}

// Developer returns one developer.
func (s *Service) Developer(ctx context.Context, id int64) (Developer, error) {
	var d Developer
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		var err error
		d, err = developerIn(t, id)
		return err
	})
	return d, err
}

// validDeveloper checks in and returns the record it describes (the identity number as
// its hash and masked form).
func (s *Service) validDeveloper(ctx context.Context, in DeveloperInput) (Developer, error) {
	return s.validDeveloperKeeping(ctx, in, false)
}

// validDeveloperKeeping is validDeveloper for a change that keeps an individual's identity
// number on record (keepID: none is sent, the caller keeps the stored hash).
func (s *Service) validDeveloperKeeping(ctx context.Context, in DeveloperInput, keepID bool) (Developer, error) {
	d := Developer{Kind: strings.TrimSpace(in.Kind), Name: strings.TrimSpace(in.Name), USCC: strings.ToUpper(strings.TrimSpace(in.USCC)),
		LicenceSHA256: strings.ToLower(strings.TrimSpace(in.LicenceSHA256)), phone: strings.TrimSpace(in.Phone)}
	v := &problem.Invalid{}
	v.Text("name", d.Name, true, maxName)
	switch d.Kind {
	case DevOrg:
		if d.USCC == "" {
			v.Add("uscc", "is required for an organisation: its unified social credit code")
		} else {
			addUSCC(v, "uscc", d.USCC)
		}
		s.cite(ctx, v, "licence_sha256", d.LicenceSHA256, true)
		if in.ResidentID != "" {
			v.Add("resident_id", "is for an individual developer: an organisation is identified by its unified social credit code")
		}
	case DevPerson:
		id := strings.ToUpper(strings.TrimSpace(in.ResidentID))
		switch err := ValidateResidentID(id, s.Now()); {
		case keepID:
		case id == "":
			v.Add("resident_id", "is required for an individual: the 18-character resident identity number")
		case err != nil:
			v.Add("resident_id", "%s", err.Error())
		default:
			h := sha256.Sum256([]byte(id))
			d.idHash, d.IDMasked = hex.EncodeToString(h[:]), MaskResidentID(id)
		}
		if d.USCC != "" || d.LicenceSHA256 != "" {
			v.Add("uscc", "is for an organisation: an individual is identified by name, identity number and phone")
		}
	default:
		v.Add("kind", "must be organisation or individual")
	}
	if d.phone == "" && d.Kind == DevPerson {
		v.Add("phone", "is required for an individual: a mobile number to send the one-time code to")
	} else if d.phone != "" && !ValidPhone(d.phone) {
		v.Add("phone", "is not a mainland mobile number (11 digits starting with 13 to 19)")
	}
	if d.phone != "" {
		d.PhoneMasked = MaskPhone(d.phone)
	}
	return d, v.Err()
}

// RegisterDeveloper records a developer, pending verification.
func (s *Service) RegisterDeveloper(ctx context.Context, in DeveloperInput) (Developer, error) {
	d, err := s.validDeveloper(ctx, in)
	if err != nil {
		return Developer{}, err
	}
	now := s.now()
	d.State, d.CreatedBy, d.CreatedAt, d.UpdatedAt = StatePending, audit.ActorFrom(ctx).Label, now, now
	err = s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		if _, err := requirePlatform(t); err != nil {
			return err
		}
		if err := notBlacklistedDeveloper(t, d); err != nil {
			return err
		}
		if err := t.QueryRow(`INSERT INTO appstore_developers (org_id, kind, name, uscc, licence_sha256, id_hash, id_masked, phone, state, created_by, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id`, d.Kind, d.Name, d.USCC, d.LicenceSHA256, d.idHash, d.IDMasked, d.phone, d.State, d.CreatedBy, d.CreatedAt, d.UpdatedAt).Scan(&d.ID); err != nil {
			return fmt.Errorf("record the developer: %w", err)
		}
		s.announce(t)
		return audit.InTenant(t, "appstore_developer", fmt.Sprint(d.ID), "create", nil, &d, "")
	})
	return d, err
}

// blacklistedDecision refuses to verify a developer on the blacklist, or to put them back
// to pending: only lifting the entry (appstore.manage) lets them in again, so a reviewer
// cannot undo a blacklisting by deciding on the developer.
func blacklistedDecision(t *store.Tenant, d Developer, state string) error {
	if state != StateVerified && state != StatePending {
		return nil
	}
	return notBlacklistedDeveloper(t, d)
}

// notBlacklistedDeveloper refuses a developer whose code or identity number is on the
// blacklist under any name.
func notBlacklistedDeveloper(t *store.Tenant, d Developer) error {
	for _, key := range []string{d.USCC, d.idHash} {
		if key == "" {
			continue
		}
		if e, ok, err := blacklisted(t, BlackDeveloper, key); err != nil {
			return err
		} else if ok {
			return problem.Conflictf("developer", "is on the blacklist (entry %d: %s): the entry must be lifted first", e.ID, e.Reason)
		}
	}
	return nil
}

// reasonIdentityChanged is the state reason of a developer sent back to pending by a change
// of identity; the developer page shows it in the reader's language.
const reasonIdentityChanged = "identity changed: verify again"

// UpdateDeveloper changes a developer's identity; a field left empty keeps its value (the
// identity number is kept only as a hash, so it is sent again only to change it). Any
// change of name, code, licence, identity number or phone sends a verified developer back
// to pending for re-verification, and a changed phone must be confirmed again. Another
// organisation's developer is store.ErrNotFound before the input is judged.
func (s *Service) UpdateDeveloper(ctx context.Context, id int64, in DeveloperInput) (Developer, error) {
	var after Developer
	err := s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		before, err := developerIn(t, id)
		if err != nil {
			return err
		}
		in.Kind = before.Kind
		keepID := before.Kind == DevPerson && strings.TrimSpace(in.ResidentID) == ""
		for _, f := range []struct {
			in   *string
			keep string
		}{{&in.Name, before.Name}, {&in.USCC, before.USCC}, {&in.LicenceSHA256, before.LicenceSHA256}, {&in.Phone, before.phone}} {
			if strings.TrimSpace(*f.in) == "" {
				*f.in = f.keep
			}
		}
		d, err := s.validDeveloperKeeping(ctx, in, keepID)
		if err != nil {
			return err
		}
		if keepID {
			d.idHash, d.IDMasked = before.idHash, before.IDMasked
		}
		changed := d.Name != before.Name || d.USCC != before.USCC || d.LicenceSHA256 != before.LicenceSHA256 || d.idHash != before.idHash || d.phone != before.phone
		after = before
		after.Name, after.USCC, after.LicenceSHA256, after.idHash, after.IDMasked, after.phone, after.PhoneMasked = d.Name, d.USCC, d.LicenceSHA256, d.idHash, d.IDMasked, d.phone, d.PhoneMasked
		if !changed {
			return nil
		}
		if err := notBlacklistedDeveloper(t, after); err != nil {
			return err
		}
		if d.phone != before.phone {
			after.PhoneVerifiedAt = nil
		}
		if before.State == StateVerified {
			after.State, after.StateReason = StatePending, reasonIdentityChanged
		}
		after.UpdatedAt = s.now()
		if _, err := t.Exec(`UPDATE appstore_developers SET name = $3, uscc = $4, licence_sha256 = $5, id_hash = $6, id_masked = $7, phone = $8, phone_verified_at = $9,
state = $10, state_reason = $11, updated_at = $12 WHERE org_id = $1 AND id = $2`, id, after.Name, after.USCC, after.LicenceSHA256, after.idHash, after.IDMasked, after.phone,
			after.PhoneVerifiedAt, after.State, after.StateReason, after.UpdatedAt); err != nil {
			return fmt.Errorf("change developer %d: %w", id, err)
		}
		s.announce(t)
		return audit.InTenant(t, "appstore_developer", fmt.Sprint(id), "update", &before, &after, after.StateReason)
	})
	return after, err
}

// Decision is a verifier's decision on a developer.
type Decision struct {
	State  string `json:"state"`
	Reason string `json:"reason"`
}

// verificationRecord is what a verification rests on; its JSON is kept in the evidence
// store and its SHA-256 on the developer.
type verificationRecord struct {
	Developer     int64  `json:"developer"`
	Kind          string `json:"kind"`
	Name          string `json:"name"`
	USCC          string `json:"uscc,omitempty"`
	LicenceSHA256 string `json:"licence_sha256,omitempty"`
	IDHash        string `json:"id_number_sha256,omitempty"`
	IDMasked      string `json:"id_number_masked,omitempty"`
	Phone         string `json:"phone_masked,omitempty"`
	PhoneVerified string `json:"phone_verified_at,omitempty"`
	Checks        string `json:"checks"`
	By            string `json:"verified_by"`
	At            string `json:"verified_at"`
}

// Decide sets a developer's state: verified (when every check has passed), rejected or
// suspended (with a reason), or back to pending.
func (s *Service) Decide(ctx context.Context, id int64, dec Decision) (Developer, error) {
	dec.Reason = strings.TrimSpace(dec.Reason)
	v := &problem.Invalid{}
	switch dec.State {
	case StateVerified, StatePending:
	case StateRejected, StateSuspended:
		if dec.Reason == "" {
			v.Add("reason", "is required to reject or suspend a developer")
		}
	default:
		v.Add("state", "must be verified, rejected, suspended or pending")
	}
	v.Text("reason", dec.Reason, false, maxText)
	if err := v.Err(); err != nil {
		return Developer{}, err
	}
	var before Developer
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		var err error
		if before, err = developerIn(t, id); err != nil {
			return err
		}
		return blacklistedDecision(t, before, dec.State)
	})
	if err != nil {
		return Developer{}, err
	}
	after := before
	now := s.now()
	actor := audit.ActorFrom(ctx).Label
	after.State, after.StateReason, after.UpdatedAt = dec.State, dec.Reason, now
	if dec.State == StateVerified {
		if before.Kind == DevPerson && before.PhoneVerifiedAt == nil {
			return Developer{}, problem.Conflictf("phone", "is not confirmed yet: send a one-time code and enter it")
		}
		if before.Kind == DevOrg && before.LicenceSHA256 == "" {
			return Developer{}, problem.Conflictf("licence_sha256", "is missing: an organisation is verified on its business licence")
		}
		rec := verificationRecord{Developer: id, Kind: before.Kind, Name: before.Name, USCC: before.USCC, LicenceSHA256: before.LicenceSHA256,
			IDHash: before.idHash, IDMasked: before.IDMasked, Phone: before.PhoneMasked, By: actor, At: now.Format("2006-01-02T15:04:05Z")}
		if before.PhoneVerifiedAt != nil {
			rec.PhoneVerified = before.PhoneVerifiedAt.Format("2006-01-02T15:04:05Z")
		}
		if before.Kind == DevOrg {
			rec.Checks = "USCC check characters (GB 32100-2015, GB 11714-1997); business licence on file"
		} else {
			rec.Checks = "resident identity number check character and date of birth (GB 11643-1999); phone confirmed by one-time code"
		}
		b, _ := json.MarshalIndent(rec, "", "  ")
		if s.ev == nil {
			return Developer{}, fmt.Errorf("keep the verification record: no evidence store")
		}
		sha, err := s.ev.Store(ctx, fmt.Sprintf("开发者%d身份核验记录（JSON）", id), bytes.NewReader(b))
		if err != nil {
			return Developer{}, fmt.Errorf("keep the verification record: %w", err)
		}
		after.EvidenceSHA256, after.VerifiedBy, after.VerifiedAt = sha, actor, &now
	}
	err = s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		// The verification record was kept between two transactions: a change of identity
		// or a blacklisting in between makes this decision stale.
		cur, err := developerIn(t, id)
		if err != nil {
			return err
		}
		if !cur.UpdatedAt.Equal(before.UpdatedAt) {
			return problem.Conflictf("developer", "was changed while being decided: look at it again")
		}
		if err := blacklistedDecision(t, cur, dec.State); err != nil {
			return err
		}
		if _, err := t.Exec(`UPDATE appstore_developers SET state = $3, state_reason = $4, evidence_sha256 = $5, verified_by = $6, verified_at = $7, updated_at = $8
WHERE org_id = $1 AND id = $2`, id, after.State, after.StateReason, after.EvidenceSHA256, after.VerifiedBy, after.VerifiedAt, after.UpdatedAt); err != nil {
			return fmt.Errorf("decide on developer %d: %w", id, err)
		}
		s.announce(t)
		return audit.InTenant(t, "appstore_developer", fmt.Sprint(id), "decide", &before, &after, dec.State)
	})
	return after, err
}
