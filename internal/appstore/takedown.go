package appstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"ciiguard/internal/audit"
	"ciiguard/internal/kernel"
	"ciiguard/internal/problem"
	"ciiguard/internal/rules"
	"ciiguard/internal/store"
)

// TakeDown removes an app and every version of it from sale, with the reason, the legal
// basis and the notice sent to the developer (NDSR 2024 Art. 41: warn, refuse, suspend or
// take down).
func (s *Service) TakeDown(ctx context.Context, appID int64, in TakedownInput) (Takedown, error) {
	k := Takedown{AppID: appID, Reason: strings.TrimSpace(in.Reason), LegalBasis: strings.TrimSpace(in.LegalBasis), Notice: strings.TrimSpace(in.Notice), Malicious: in.Malicious}
	if err := validTakedown(k); err != nil {
		return Takedown{}, err
	}
	now := s.now()
	k.TakenBy, k.TakenAt = audit.ActorFrom(ctx).Label, now
	var (
		a     App
		phone string
	)
	err := s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		var err error
		if a, err = appIn(t, appID); err != nil {
			return err
		}
		d, err := developerIn(t, a.DeveloperID)
		if err != nil {
			return err
		}
		phone = d.phone
		if a.State == AppRemoved {
			return problem.Conflictf("app", "is already taken down")
		}
		if _, err := t.Exec(`UPDATE appstore_apps SET state = $3 WHERE org_id = $1 AND id = $2`, appID, AppRemoved); err != nil {
			return fmt.Errorf("take down app %d: %w", appID, err)
		}
		if _, err := t.Exec(`UPDATE appstore_versions SET removed_at = $3 WHERE org_id = $1 AND app_id = $2 AND removed_at IS NULL`, appID, now); err != nil {
			return fmt.Errorf("take down the versions of app %d: %w", appID, err)
		}
		if err := t.QueryRow(`INSERT INTO appstore_takedowns (org_id, app_id, reason, legal_basis, notice, malicious, taken_by, taken_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
			appID, k.Reason, k.LegalBasis, k.Notice, k.Malicious, k.TakenBy, k.TakenAt).Scan(&k.ID); err != nil {
			return fmt.Errorf("record the take-down: %w", err)
		}
		s.announce(t)
		return audit.InTenant(t, "appstore_takedown", fmt.Sprint(k.ID), "create", nil, &k, "")
	})
	if err != nil {
		return k, err
	}
	return s.noticeDeveloper(ctx, k, a, phone)
}

// TakeDownVersion removes one version of an app from sale — an update found
// non-compliant — with the reason, the legal basis and the notice to the developer, while
// the app and its other versions stay on sale (NDSR 2024 Art. 41: terminate distribution).
// When it was the last version on sale the app has nothing on sale until another is
// published or this one reinstated. Another organisation's version is store.ErrNotFound
// before the input is judged.
func (s *Service) TakeDownVersion(ctx context.Context, versionID int64, in TakedownInput) (Takedown, error) {
	k := Takedown{Reason: strings.TrimSpace(in.Reason), LegalBasis: strings.TrimSpace(in.LegalBasis), Notice: strings.TrimSpace(in.Notice), Malicious: in.Malicious}
	now := s.now()
	k.TakenBy, k.TakenAt = audit.ActorFrom(ctx).Label, now
	var (
		a     App
		phone string
	)
	err := s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		v, err := versionIn(t, versionID)
		if err != nil {
			return err
		}
		if err := validTakedown(k); err != nil {
			return err
		}
		if a, err = appIn(t, v.AppID); err != nil {
			return err
		}
		d, err := developerIn(t, a.DeveloperID)
		if err != nil {
			return err
		}
		phone = d.phone
		switch {
		case a.State == AppRemoved:
			return problem.Conflictf("app", "is already taken down as a whole")
		case v.PublishedAt == nil || v.RemovedAt != nil:
			return problem.Conflictf("version", "is not on sale")
		}
		k.AppID, k.VersionID, k.VersionName = a.ID, v.ID, v.VersionName
		if _, err := t.Exec(`UPDATE appstore_versions SET removed_at = $3 WHERE org_id = $1 AND id = $2`, v.ID, now); err != nil {
			return fmt.Errorf("take down version %d: %w", v.ID, err)
		}
		if err := settleAppState(t, a.ID); err != nil {
			return err
		}
		if err := t.QueryRow(`INSERT INTO appstore_takedowns (org_id, app_id, version_id, version_name, reason, legal_basis, notice, malicious, taken_by, taken_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
			k.AppID, k.VersionID, k.VersionName, k.Reason, k.LegalBasis, k.Notice, k.Malicious, k.TakenBy, k.TakenAt).Scan(&k.ID); err != nil {
			return fmt.Errorf("record the take-down: %w", err)
		}
		s.announce(t)
		return audit.InTenant(t, "appstore_takedown", fmt.Sprint(k.ID), "create", nil, &k, "")
	})
	if err != nil {
		return k, err
	}
	return s.noticeDeveloper(ctx, k, a, phone)
}

// validTakedown checks a take-down's reason, legal basis and notice.
func validTakedown(k Takedown) error {
	v := &problem.Invalid{}
	v.Text("reason", k.Reason, true, maxText)
	v.Text("legal_basis", k.LegalBasis, true, maxName)
	v.Text("notice", k.Notice, true, maxText)
	return v.Err()
}

// settleAppState sets an app that is not taken down to published while a version of it is
// on sale and to draft when none is.
func settleAppState(t *store.Tenant, appID int64) error {
	var live int
	if err := t.QueryRow(`SELECT COUNT(*) FROM appstore_versions WHERE org_id = $1 AND app_id = $2 AND published_at IS NOT NULL AND removed_at IS NULL`, appID).Scan(&live); err != nil {
		return fmt.Errorf("count published versions: %w", err)
	}
	state := AppDraft
	if live > 0 {
		state = AppPublished
	}
	if _, err := t.Exec(`UPDATE appstore_apps SET state = $3 WHERE org_id = $1 AND id = $2 AND state <> $4`, appID, state, AppRemoved); err != nil {
		return fmt.Errorf("set the app's state: %w", err)
	}
	return nil
}

// noticeDeveloper sends a take-down's notice to the developer's phone as an SMS through
// the kernel's notifier, after the take-down is stored (the app is off sale whether or not
// the message goes), and records how it went: a developer without a phone, or an
// installation without an SMS outbox, is told by the platform itself, and the page says so.
func (s *Service) noticeDeveloper(ctx context.Context, k Takedown, a App, phone string) (Takedown, error) {
	k.NoticeState = NoticeNoPhone
	versionZh, versionEn := "", ""
	if k.VersionID != 0 {
		versionZh, versionEn = "的版本 "+k.VersionName+" ", " version "+k.VersionName
	}
	if phone != "" {
		k.NoticeState = NoticeNoSMS
		if s.notify != nil {
			org, _ := store.OrgFrom(ctx)
			n := kernel.Notice{Kind: "appstore.takedown", Subject: fmt.Sprintf("appstore-takedown:%d", k.ID), Point: "notice",
				Title: rules.Text{Zh: "应用下架通知：" + a.Name, En: "Your app was taken down: " + a.Name},
				Body: rules.Text{
					Zh: fmt.Sprintf("您的应用“%s”（%s）%s已下架。原因：%s。依据：%s。%s", a.Name, a.Package, versionZh, k.Reason, k.LegalBasis, k.Notice),
					En: fmt.Sprintf("Your app %s (%s)%s was taken down. Reason: %s. Legal basis: %s. %s", a.Name, a.Package, versionEn, k.Reason, k.LegalBasis, k.Notice),
				},
				Phones: []string{phone}}
			switch _, err := s.notify.Notify(ctx, org, n); {
			case err == nil:
				k.NoticeState, k.NoticeTo = NoticeSent, MaskPhone(phone)
			case !errors.Is(err, kernel.ErrNoSMS):
				return k, fmt.Errorf("send the take-down notice: %w", err)
			}
		}
	}
	err := s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		_, err := t.Exec(`UPDATE appstore_takedowns SET notice_state = $3, notice_to = $4 WHERE org_id = $1 AND id = $2`, k.ID, k.NoticeState, k.NoticeTo)
		return err
	})
	if err != nil {
		return k, fmt.Errorf("record the take-down notice: %w", err)
	}
	return k, nil
}

// Reinstate puts a taken-down app back, with a reason: its versions that were published
// before the take-down are on sale again.
func (s *Service) Reinstate(ctx context.Context, takedownID int64, reason string) (Takedown, error) {
	reason = strings.TrimSpace(reason)
	v := &problem.Invalid{}
	v.Text("reason", reason, true, maxText)
	if err := v.Err(); err != nil {
		return Takedown{}, err
	}
	var k Takedown
	err := s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		var err error
		if k, err = takedownIn(t, takedownID); err != nil {
			return err
		}
		if k.ReinstatedBy != "" {
			return problem.Conflictf("takedown", "is already reinstated")
		}
		before := k
		now := s.now()
		k.ReinstatedBy, k.ReinstatedAt, k.ReinstateReason = audit.ActorFrom(ctx).Label, &now, reason
		if _, err := t.Exec(`UPDATE appstore_takedowns SET reinstated_by = $3, reinstated_at = $4, reinstate_reason = $5 WHERE org_id = $1 AND id = $2`, takedownID, k.ReinstatedBy, now, reason); err != nil {
			return fmt.Errorf("reinstate: %w", err)
		}
		if k.VersionID != 0 {
			// One version back on sale; the app's state follows, unless the whole app is
			// taken down meanwhile (its reinstatement then brings this version back too).
			if _, err := t.Exec(`UPDATE appstore_versions SET removed_at = NULL WHERE org_id = $1 AND id = $2 AND removed_at = $3`, k.VersionID, k.TakenAt); err != nil {
				return fmt.Errorf("reinstate the version: %w", err)
			}
		} else {
			// The versions the app's take-down removed, not those taken down on their own.
			if _, err := t.Exec(`UPDATE appstore_versions SET removed_at = NULL WHERE org_id = $1 AND app_id = $2 AND removed_at = $3
AND id NOT IN (SELECT version_id FROM appstore_takedowns WHERE org_id = $1 AND app_id = $2 AND version_id <> 0 AND reinstated_by = '')`, k.AppID, k.TakenAt); err != nil {
				return fmt.Errorf("reinstate the versions: %w", err)
			}
			if _, err := t.Exec(`UPDATE appstore_apps SET state = $3 WHERE org_id = $1 AND id = $2`, k.AppID, AppDraft); err != nil {
				return fmt.Errorf("reinstate the app: %w", err)
			}
		}
		if err := settleAppState(t, k.AppID); err != nil {
			return err
		}
		s.announce(t)
		return audit.InTenant(t, "appstore_takedown", fmt.Sprint(k.ID), "reinstate", &before, &k, reason)
	})
	return k, err
}

// AddToBlacklist keeps a developer (by id: their code or identity-number hash is listed,
// and they are suspended), a signing certificate (SHA-256 fingerprint) or a package name
// out of the store.
func (s *Service) AddToBlacklist(ctx context.Context, kind, value, reason string) (BlacklistEntry, error) {
	e := BlacklistEntry{Kind: kind, Value: strings.TrimSpace(value), Reason: strings.TrimSpace(reason)}
	v := &problem.Invalid{}
	v.Text("reason", e.Reason, true, maxText)
	switch kind {
	case BlackCertificate:
		e.Value = strings.ToLower(strings.ReplaceAll(e.Value, ":", ""))
		if !shaRE.MatchString(e.Value) {
			v.Add("value", "is not a SHA-256 certificate fingerprint (64 hexadecimal characters)")
		}
	case BlackPackage:
		if !validPackageName(e.Value) {
			v.Add("value", "is not an Android package name")
		}
	case BlackDeveloper:
	default:
		v.Add("kind", "must be developer, certificate or package")
	}
	if err := v.Err(); err != nil {
		return BlacklistEntry{}, err
	}
	e.AddedBy, e.AddedAt = audit.ActorFrom(ctx).Label, s.now()
	err := s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		if kind == BlackDeveloper {
			var id int64
			if _, err := fmt.Sscan(e.Value, &id); err != nil {
				return problem.Field("value", "is not a developer id")
			}
			d, err := developerIn(t, id)
			if err != nil {
				return err
			}
			e.Value = d.USCC + d.idHash // exactly one is set
			if _, err := t.Exec(`UPDATE appstore_developers SET state = $3, state_reason = $4, updated_at = $5 WHERE org_id = $1 AND id = $2`, id, StateSuspended, e.Reason, e.AddedAt); err != nil {
				return fmt.Errorf("suspend developer %d: %w", id, err)
			}
		}
		if err := t.QueryRow(`INSERT INTO appstore_blacklist (org_id, kind, value, reason, added_by, added_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
			e.Kind, e.Value, e.Reason, e.AddedBy, e.AddedAt).Scan(&e.ID); err != nil {
			return fmt.Errorf("record the blacklist entry: %w", err)
		}
		s.announce(t)
		return audit.InTenant(t, "appstore_blacklist", fmt.Sprint(e.ID), "create", nil, &e, "")
	})
	return e, err
}

// LiftFromBlacklist ends a blacklist entry with a reason, audited with the entry before: it
// stays as history, and the developer, certificate or package may come back. A developer
// who was suspended by the entry goes back to pending: their identity is verified again
// before they publish (re-verification on change).
func (s *Service) LiftFromBlacklist(ctx context.Context, id int64, reason string) (BlacklistEntry, error) {
	reason = strings.TrimSpace(reason)
	var e BlacklistEntry
	err := s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		var lifted sql.NullTime
		if err := t.QueryRow(`SELECT id, kind, value, reason, added_by, added_at, lifted_by, lifted_at, lift_reason FROM appstore_blacklist WHERE org_id = $1 AND id = $2`, id).
			Scan(&e.ID, &e.Kind, &e.Value, &e.Reason, &e.AddedBy, &e.AddedAt, &e.LiftedBy, &lifted, &e.LiftReason); err != nil {
			return fmt.Errorf("blacklist entry %d: %w", id, err) // another organisation's: 404 before the input is judged
		}
		v := &problem.Invalid{}
		v.Text("reason", reason, true, maxText)
		if err := v.Err(); err != nil {
			return err
		}
		if lifted.Valid {
			return problem.Conflictf("blacklist", "the entry was lifted already")
		}
		before := e
		now := s.now()
		e.LiftedBy, e.LiftedAt, e.LiftReason = audit.ActorFrom(ctx).Label, &now, reason
		if _, err := t.Exec(`UPDATE appstore_blacklist SET lifted_by = $3, lifted_at = $4, lift_reason = $5 WHERE org_id = $1 AND id = $2`, id, e.LiftedBy, now, reason); err != nil {
			return fmt.Errorf("lift blacklist entry %d: %w", id, err)
		}
		if e.Kind == BlackDeveloper {
			if _, err := t.Exec(`UPDATE appstore_developers SET state = $3, state_reason = $4, updated_at = $5 WHERE org_id = $1 AND (uscc = $2 OR id_hash = $2) AND state = $6`,
				e.Value, StatePending, reason, now, StateSuspended); err != nil {
				return fmt.Errorf("return the developer to pending: %w", err)
			}
		}
		s.announce(t)
		return audit.InTenant(t, "appstore_blacklist", fmt.Sprint(id), "lift", &before, &e, reason)
	})
	return e, err
}

// TakedownByID returns one take-down; another organisation's is store.ErrNotFound.
func (s *Service) TakedownByID(ctx context.Context, id int64) (Takedown, error) {
	var k Takedown
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		if err := t.QueryRow(`SELECT id, app_id FROM appstore_takedowns WHERE org_id = $1 AND id = $2`, id).Scan(&k.ID, &k.AppID); err != nil {
			return fmt.Errorf("take-down %d: %w", id, err)
		}
		return nil
	})
	return k, err
}
