package threat

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"ciiguard/internal/audit"
	"ciiguard/internal/auth"
	"ciiguard/internal/kernel"
	"ciiguard/internal/problem"
	"ciiguard/internal/stix"
	"ciiguard/internal/store"
)

// The collections the threat capability offers a TAXII server (kernel.ThreatCollections):
// an operator's own collections (threat_collections, its private one always), and the
// sightings it shared; a regulator's notifications by sector and the sightings it received.
// Nothing here reads another organisation's rows, except the sightings an operator shared,
// which live in the regulator's tenant and are read by the operator's own id.

// Collection codes that are not in threat_collections.
const (
	codeSightings = "sightings" // sightings shared (operator) or received (regulator)
	sectorPrefix  = "sector:"   // a regulator's own notifications to one sector
)

var _ kernel.ThreatCollections = (*Service)(nil)

// ThreatCollections implements kernel.ThreatCollections.
func (s *Service) ThreatCollections(ctx context.Context) ([]kernel.ThreatCollection, error) {
	org, err := s.orgFor(ctx)
	if err != nil {
		return nil, err
	}
	var out []kernel.ThreatCollection
	switch org.Kind {
	case auth.Operator:
		seen := map[string]bool{}
		err = s.db.ReadTenant(ctx, func(t *store.Tenant) error {
			rows, err := t.Query(`SELECT code, name_zh, name_en FROM threat_collections WHERE org_id = $1 ORDER BY code`)
			if err != nil {
				return fmt.Errorf("list collections: %w", err)
			}
			defer rows.Close()
			for rows.Next() {
				var c kernel.ThreatCollection
				if err := rows.Scan(&c.Code, &c.TitleZH, &c.TitleEN); err != nil {
					return err
				}
				c.Writable = c.Code == "private"
				seen[c.Code] = true
				out = append(out, c)
			}
			return rows.Err()
		})
		if err != nil {
			return nil, err
		}
		if !seen["private"] {
			c, _ := CollectionOf("private")
			out = append(out, kernel.ThreatCollection{Code: c.Code, TitleZH: c.Zh, TitleEN: c.En, Writable: true})
		}
		out = append(out, kernel.ThreatCollection{Code: codeSightings, TitleZH: "本单位已报送的发现（目击）", TitleEN: "Sightings shared with the regulator"})
	case auth.Regulator:
		sectors, err := s.publishedSectors(ctx)
		if err != nil {
			return nil, err
		}
		for _, code := range sectors {
			sc, _ := SectorOf(code)
			out = append(out, kernel.ThreatCollection{Code: sectorPrefix + code,
				TitleZH: "本部门发布的预警通报（" + sc.Zh + "）", TitleEN: "Notifications published (" + sc.En + ")"})
		}
		out = append(out, kernel.ThreatCollection{Code: codeSightings, TitleZH: "运营者报送的发现（目击）", TitleEN: "Sightings shared by operators"})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Code < out[j].Code })
	return out, nil
}

func (s *Service) orgFor(ctx context.Context) (auth.Org, error) {
	id, err := orgOf(ctx)
	if err != nil {
		return auth.Org{}, err
	}
	return s.auth.GetOrg(ctx, id)
}

// publishedSectors lists the sectors the context regulator has published notifications to.
func (s *Service) publishedSectors(ctx context.Context) ([]string, error) {
	set := map[string]bool{}
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		rows, err := t.Query(`SELECT sectors FROM threat_notifications WHERE org_id = $1`)
		if err != nil {
			return fmt.Errorf("list notifications: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var raw string
			if err := rows.Scan(&raw); err != nil {
				return err
			}
			var codes []string
			if err := json.Unmarshal([]byte(raw), &codes); err != nil {
				return fmt.Errorf("sectors of a notification: %w", err)
			}
			for _, c := range codes {
				set[c] = true
			}
		}
		return rows.Err()
	})
	out := make([]string, 0, len(set))
	for c := range set {
		out = append(out, c)
	}
	sort.Strings(out)
	return out, err
}

// ThreatObjects implements kernel.ThreatCollections.
func (s *Service) ThreatObjects(ctx context.Context, code string, from time.Time) ([]kernel.ThreatObject, error) {
	cols, err := s.ThreatCollections(ctx)
	if err != nil {
		return nil, err
	}
	known := false
	for _, c := range cols {
		known = known || c.Code == code
	}
	if !known {
		return nil, store.ErrNotFound
	}
	org, err := s.orgFor(ctx)
	if err != nil {
		return nil, err
	}
	var out []kernel.ThreatObject
	switch {
	case code == codeSightings:
		out, err = s.sightingObjects(ctx, org, from)
	case strings.HasPrefix(code, sectorPrefix):
		out, err = s.notificationObjects(ctx, strings.TrimPrefix(code, sectorPrefix), from)
	default:
		out, err = s.indicatorObjects(ctx, code, from)
	}
	if err != nil {
		return nil, err
	}
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].DateAdded.Equal(out[j].DateAdded) {
			return out[i].DateAdded.Before(out[j].DateAdded)
		}
		if out[i].ID != out[j].ID {
			return out[i].ID < out[j].ID
		}
		return out[i].Version < out[j].Version
	})
	return out, nil
}

var _ kernel.ThreatPager = (*Service)(nil)

// ThreatObjectsPage implements kernel.ThreatPager for the indicator collections (one
// version of each indicator: the organisation holds a STIX id once): keyset pagination on
// (created_at, stix_id) in the store, so a page costs its own rows, not the collection's.
// The notifications' and sightings' collections are not paged here (ok false).
func (s *Service) ThreatObjectsPage(ctx context.Context, code string, from, afterAdded time.Time, afterID string, limit int) ([]kernel.ThreatObject, bool, error) {
	if code == codeSightings || strings.HasPrefix(code, sectorPrefix) {
		return nil, false, nil
	}
	cols, err := s.ThreatCollections(ctx)
	if err != nil {
		return nil, false, err
	}
	known := false
	for _, c := range cols {
		known = known || c.Code == code
	}
	if !known {
		return nil, false, store.ErrNotFound
	}
	// The lower bound is the later of "added after from" (nothing of that instant) and
	// the position (the instant's ids after afterID).
	at, id, whole := afterAdded, afterID, 0
	if !from.IsZero() && !from.Before(afterAdded) {
		at, id, whole = from, "", 1
	}
	if at.IsZero() {
		at = time.Unix(0, 0).UTC()
	}
	out := []kernel.ThreatObject{}
	err = s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		q := `SELECT stix_json, tlp, created_at FROM threat_indicators WHERE org_id = $1 AND collection = $2
AND (created_at > $3 OR (created_at = $3 AND $4 = 0 AND stix_id > $5)) ORDER BY created_at, stix_id LIMIT $6`
		rows, err := t.Query(q, code, at, whole, id, limit)
		if err != nil {
			return fmt.Errorf("page of indicators: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var body, tlp string
			var added time.Time
			if err := rows.Scan(&body, &tlp, &added); err != nil {
				return err
			}
			o, err := objectOf(json.RawMessage(body), added.UTC())
			if err != nil {
				return err
			}
			if o.TLP == "" {
				o.TLP = tlp
			}
			out = append(out, o)
		}
		return rows.Err()
	})
	return out, true, err
}

func (s *Service) indicatorObjects(ctx context.Context, code string, from time.Time) ([]kernel.ThreatObject, error) {
	var out []kernel.ThreatObject
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		rows, err := t.Query(`SELECT stix_json, tlp, created_at FROM threat_indicators WHERE org_id = $1 AND collection = $2 AND created_at >= $3 ORDER BY created_at, id`, code, from)
		if err != nil {
			return fmt.Errorf("list indicators: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var body, tlp string
			var added time.Time
			if err := rows.Scan(&body, &tlp, &added); err != nil {
				return err
			}
			o, err := objectOf(json.RawMessage(body), added)
			if err != nil {
				return err
			}
			if o.TLP == "" {
				o.TLP = tlp
			}
			out = append(out, o)
		}
		return rows.Err()
	})
	return out, err
}

// notificationObjects are the objects of every bundle the context regulator published to
// sector, each added when its notification was published.
func (s *Service) notificationObjects(ctx context.Context, sector string, from time.Time) ([]kernel.ThreatObject, error) {
	var out []kernel.ThreatObject
	seen := map[string]bool{} // the identity and marking recur in every bundle
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		rows, err := t.Query(`SELECT sectors, tlp, bundle, published_at FROM threat_notifications WHERE org_id = $1 AND published_at >= $2 ORDER BY published_at, id`, from)
		if err != nil {
			return fmt.Errorf("list notifications: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var sectors, tlp, bundle string
			var at time.Time
			if err := rows.Scan(&sectors, &tlp, &bundle, &at); err != nil {
				return err
			}
			var codes []string
			if err := json.Unmarshal([]byte(sectors), &codes); err != nil {
				return fmt.Errorf("sectors of a notification: %w", err)
			}
			if !contains(codes, sector) {
				continue
			}
			objs, err := bundleObjects(bundle, at, tlp)
			if err != nil {
				return err
			}
			for _, o := range objs {
				if k := o.ID + "|" + o.Version; !seen[k] {
					seen[k] = true
					out = append(out, o)
				}
			}
		}
		return rows.Err()
	})
	return out, err
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// sightingObjects are the objects of the sightings an operator shared (kept in the
// regulator's tenant under the operator's id) or a regulator received.
func (s *Service) sightingObjects(ctx context.Context, org auth.Org, from time.Time) ([]kernel.ThreatObject, error) {
	var out []kernel.ThreatObject
	query := `SELECT sighting, shared_at FROM threat_sightings WHERE org_id = $1 AND shared_at >= $2 ORDER BY shared_at, id`
	if org.Kind == auth.Operator {
		query = `SELECT sighting, shared_at FROM threat_sightings WHERE operator_id = $1 AND shared_at >= $2 ORDER BY shared_at, id`
	}
	seen := map[string]bool{}
	err := s.db.Read(ctx, func(tx *store.Tx) error {
		rows, err := tx.Query(query, org.ID, from)
		if err != nil {
			return fmt.Errorf("list sightings: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var bundle string
			var at time.Time
			if err := rows.Scan(&bundle, &at); err != nil {
				return err
			}
			objs, err := bundleObjects(bundle, at, "")
			if err != nil {
				return err
			}
			for _, o := range objs {
				if k := o.ID + "|" + o.Version; !seen[k] {
					seen[k] = true
					out = append(out, o)
				}
			}
		}
		return rows.Err()
	})
	return out, err
}

// bundleObjects splits a stored bundle into objects added at at; tlp marks those that carry
// no marking of their own (a notification's level).
func bundleObjects(bundle string, at time.Time, tlp string) ([]kernel.ThreatObject, error) {
	var b struct {
		Objects []json.RawMessage `json:"objects"`
	}
	if err := json.Unmarshal([]byte(bundle), &b); err != nil {
		return nil, fmt.Errorf("a stored bundle: %w", err)
	}
	out := make([]kernel.ThreatObject, 0, len(b.Objects))
	for _, raw := range b.Objects {
		o, err := objectOf(raw, at)
		if err != nil {
			return nil, err
		}
		if o.TLP == "" {
			o.TLP = tlp
		}
		out = append(out, o)
	}
	return out, nil
}

// objectOf reads what a TAXII server needs of a stored STIX object.
func objectOf(raw json.RawMessage, added time.Time) (kernel.ThreatObject, error) {
	var head struct {
		Type        string   `json:"type"`
		ID          string   `json:"id"`
		SpecVersion string   `json:"spec_version"`
		Created     string   `json:"created"`
		Modified    string   `json:"modified"`
		Markings    []string `json:"object_marking_refs"`
	}
	if err := json.Unmarshal(raw, &head); err != nil {
		return kernel.ThreatObject{}, fmt.Errorf("a stored STIX object: %w", err)
	}
	o := kernel.ThreatObject{ID: head.ID, Type: head.Type, Version: head.Modified, SpecVersion: head.SpecVersion,
		DateAdded: added.UTC(), JSON: compact(raw)}
	if o.Version == "" {
		o.Version = head.Created
	}
	if o.SpecVersion == "" {
		o.SpecVersion = stix.SpecVersion
	}
	if level, ok := stix.Strictest(head.Markings); ok {
		o.TLP = level.Value()
	}
	return o, nil
}

func compact(raw json.RawMessage) json.RawMessage {
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		return raw
	}
	return b.Bytes()
}

// AddThreatObjects implements kernel.ThreatCollections: indicators posted to the operator's
// writable collection are read as an imported STIX bundle's are and added with their
// retro-hunt queued.
func (s *Service) AddThreatObjects(ctx context.Context, code string, objects []json.RawMessage) ([]kernel.ThreatAdded, error) {
	cols, err := s.ThreatCollections(ctx)
	if err != nil {
		return nil, err
	}
	var col *kernel.ThreatCollection
	for i := range cols {
		if cols[i].Code == code {
			col = &cols[i]
		}
	}
	if col == nil {
		return nil, store.ErrNotFound
	}
	if !col.Writable {
		return nil, problem.Field("collection", "%s is read-only", code)
	}
	now := s.now()
	out := make([]kernel.ThreatAdded, len(objects))
	var items []Item
	index := map[int]int{} // item line (1-based object number) → position in objects
	for i, raw := range objects {
		o, err := objectOf(raw, now)
		out[i] = kernel.ThreatAdded{ID: o.ID, Version: o.Version}
		if err != nil {
			out[i].Message = "not a JSON object"
			continue
		}
		if o.Type != "indicator" {
			out[i].Message = "this collection keeps indicators only, not " + o.Type
			continue
		}
		// One object at a time through the bundle reader, so every check of an import
		// applies and each failure names its own object.
		bundle := `{"type":"bundle","id":"bundle--00000000-0000-4000-8000-000000000000","objects":[` + string(raw) + `]}`
		p, err := ParseFeed(FormatSTIX, strings.NewReader(bundle), now)
		if err != nil {
			out[i].Message = err.Error()
			continue
		}
		if len(p.Items) != 1 {
			msg := "refused"
			if len(p.Problems) > 0 {
				msg = p.Problems[0].Reason
			}
			out[i].Message = msg
			continue
		}
		it := p.Items[0]
		it.Line = i + 1
		index[it.Line] = i
		items = append(items, it)
	}
	if len(items) > 0 {
		var addedIDs []int64
		err = s.db.WriteTenant(ctx, func(t *store.Tenant) error {
			ids, err := insertIndicators(t.Tx(), t.OrgID(), code, items, "", "taxii", nil, now)
			if err != nil {
				return err
			}
			addedIDs = ids
			if len(ids) > 0 {
				if err := queueHunt(t.Tx(), t.OrgID(), "taxii", ids, now); err != nil {
					return err
				}
			}
			s.announce(t)
			return audit.InTenant(t, "threat_collection", code, "taxii_add", nil, nil,
				fmt.Sprintf("%d of %d indicators posted over TAXII added to %s", len(ids), len(items), code))
		})
		if err != nil {
			return nil, err
		}
		for _, it := range items {
			out[index[it.Line]].OK = true
		}
		if len(addedIDs) > 0 && s.hunter != nil {
			s.hunter.kick()
		}
	}
	return out, nil
}

// HeldTLP gives, for each of ids the context organisation holds as an indicator, the TLP
// level it holds it under (as marked when it was received or imported). The TAXII sharing
// group asks before an operator passes an object on, so that an indicator received as
// TLP:RED by name is not re-posted to the group under a laxer marking.
func (s *Service) HeldTLP(ctx context.Context, ids []string) (map[string]string, error) {
	out := map[string]string{}
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		for _, id := range ids {
			var tlp string
			err := t.QueryRow(`SELECT tlp FROM threat_indicators WHERE org_id = $1 AND stix_id = $2`, id).Scan(&tlp)
			switch {
			case err == nil:
				out[id] = tlp
			case !errors.Is(store.Found(err), store.ErrNotFound):
				return fmt.Errorf("the marking of %s: %w", id, err)
			}
		}
		return nil
	})
	return out, err
}
