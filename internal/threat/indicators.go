package threat

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"ciiguard/internal/stix"
	"ciiguard/internal/store"
)

// ensureCollection records collection code for org once. The statements name the
// organisation explicitly: a notification writes into every recipient's records in the
// regulator's transaction.
func ensureCollection(tx *store.Tx, org int64, code string, now time.Time) error {
	c, ok := CollectionOf(code)
	if !ok {
		return fmt.Errorf("collection %q is not known", code)
	}
	var n int
	if err := tx.QueryRow(`SELECT COUNT(*) FROM threat_collections WHERE org_id = $1 AND code = $2`, org, code).Scan(&n); err != nil {
		return fmt.Errorf("read collections: %w", err)
	}
	if n > 0 {
		return nil
	}
	if _, err := tx.Exec(`INSERT INTO threat_collections (org_id, code, name_zh, name_en, created_at) VALUES ($1, $2, $3, $4, $5)`,
		org, code, c.Zh, c.En, now); err != nil {
		return fmt.Errorf("record collection: %w", err)
	}
	return nil
}

// stixOf is the indicator an item stands for: the bundle's own object, or one made here
// for a line of a CSV or a list (created now, valid from now, marked with tlp).
func stixOf(it Item, tlp string, now time.Time) (stixID, body string, from time.Time, err error) {
	if it.STIX != "" {
		var head struct {
			ID string `json:"id"`
		}
		if err := json.Unmarshal([]byte(it.STIX), &head); err != nil {
			return "", "", time.Time{}, fmt.Errorf("line %d: %w", it.Line, err)
		}
		from = now
		if it.ValidFrom != nil {
			from = *it.ValidFrom
		}
		return head.ID, it.STIX, from, nil
	}
	ts := stix.At(now)
	ind := &stix.Indicator{Common: stix.NewCommon("indicator", "", ts), Name: it.Value, Pattern: it.Pattern, PatternType: "stix",
		PatternVersion: "2.1", ValidFrom: ts, IndicatorTypes: []string{"malicious-activity"}}
	ind.Confidence = it.Confidence
	if it.ValidUntil != nil {
		ind.ValidUntil = stix.At(*it.ValidUntil)
	}
	if level, err := stix.ParseTLP(tlp); err == nil {
		ind.ObjectMarkingRefs = []string{level.MarkingID()}
	}
	b, err := json.Marshal(ind)
	if err != nil {
		return "", "", time.Time{}, fmt.Errorf("line %d: %w", it.Line, err)
	}
	return ind.ID, string(b), now, nil
}

// insertIndicators adds items to org's collection and returns the ids of those added; an
// indicator the organisation already holds (the same STIX id) is skipped.
func insertIndicators(tx *store.Tx, org int64, collection string, items []Item, tlp, source string, inboxID *int64, now time.Time) ([]int64, error) {
	if err := ensureCollection(tx, org, collection, now); err != nil {
		return nil, err
	}
	var ids []int64
	for _, it := range items {
		sid, body, from, err := stixOf(it, tlp, now)
		if err != nil {
			return nil, err
		}
		var n int
		if err := tx.QueryRow(`SELECT COUNT(*) FROM threat_indicators WHERE org_id = $1 AND stix_id = $2`, org, sid).Scan(&n); err != nil {
			return nil, fmt.Errorf("read indicators: %w", err)
		}
		if n > 0 {
			continue
		}
		var id int64
		if err := tx.QueryRow(`INSERT INTO threat_indicators (org_id, collection, stix_id, stix_json, pattern, kind, value, name, confidence, tlp, valid_from, valid_until, source, inbox_id, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id`,
			org, collection, sid, body, it.Pattern, it.Kind, it.Value, it.Value, it.Confidence, tlp, from, it.ValidUntil, source, inboxID, now).Scan(&id); err != nil {
			return nil, fmt.Errorf("add indicator of line %d: %w", it.Line, err)
		}
		ids = append(ids, id)
	}
	return ids, nil
}

const indicatorCols = `id, collection, stix_id, pattern, kind, value, confidence, tlp, valid_from, valid_until, source, created_at`

func scanIndicator(sc interface{ Scan(...any) error }, now time.Time) (Indicator, error) {
	var in Indicator
	var conf sql.NullInt64
	var until sql.NullTime
	if err := sc.Scan(&in.ID, &in.Collection, &in.STIXID, &in.Pattern, &in.Kind, &in.Value, &conf, &in.TLP, &in.ValidFrom, &until, &in.Source, &in.CreatedAt); err != nil {
		return in, err
	}
	if conf.Valid {
		c := int(conf.Int64)
		in.Confidence = &c
	}
	if until.Valid {
		u := until.Time.UTC()
		in.ValidUntil = &u
	}
	in.ValidFrom, in.CreatedAt = in.ValidFrom.UTC(), in.CreatedAt.UTC()
	in.Active = in.ValidUntil == nil || in.ValidUntil.After(now)
	return in, nil
}

// Indicators lists the context's organisation's indicators, newest first, at most limit;
// source, when given, keeps those of one notification or import ("inbox:3").
func (s *Service) Indicators(ctx context.Context, source string, limit int) ([]Indicator, error) {
	now := s.now()
	out := []Indicator{}
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		rows, err := t.Query(`SELECT `+indicatorCols+` FROM threat_indicators WHERE org_id = $1 AND ($2 = '' OR source = $2) ORDER BY id DESC LIMIT $3`, source, limit)
		if err != nil {
			return fmt.Errorf("list indicators: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			in, err := scanIndicator(rows, now)
			if err != nil {
				return err
			}
			out = append(out, in)
		}
		return rows.Err()
	})
	return out, err
}

// indicator reads one of t's organisation's indicators.
func indicator(t *store.Tenant, id int64, now time.Time) (Indicator, error) {
	return scanIndicator(t.QueryRow(`SELECT `+indicatorCols+` FROM threat_indicators WHERE org_id = $1 AND id = $2`, id), now)
}
