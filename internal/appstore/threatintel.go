package appstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/google/uuid"

	"ciiguard/internal/audit"
	"ciiguard/internal/problem"
	"ciiguard/internal/stix"
	"ciiguard/internal/store"
)

// The threat capability's collections, read and written through kernel contracts (a
// capability imports no other): the operator's copy of the MIIT 2014 task-3 mobile-internet
// malware database is checked on every upload and again before publication, and a
// take-down of a malicious app is shared with the regulator as STIX indicators.

// MobileMalwareCollection is the code of the threat capability's collection that holds the
// MIIT 2014 task-3 mobile-internet malware database (移动互联网恶意程序库).
const MobileMalwareCollection = "miit_mobile"

// ThreatMatch is an indicator of the mobile-malware collection that a package matches.
type ThreatMatch struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// threatProbe is what a package is known by to the mobile-malware collection: its package
// name (software:name), the SHA-256 of the package and of its code files
// (file:hashes.'SHA-256') and its signing certificate's fingerprints
// (x509-certificate:hashes.'SHA-256' and 'MD5').
type threatProbe struct {
	Package, CertSHA256, CertMD5 string
	Hashes                       []string
}

// observed is the probe as the STIX engine's observation.
func (p threatProbe) observed(now time.Time) *stix.Observed {
	obs := &stix.Observed{Time: now}
	for _, h := range p.Hashes {
		if h != "" {
			obs.Add("file:hashes.SHA-256", strings.ToLower(h))
		}
	}
	if p.Package != "" {
		obs.Add("software:name", p.Package)
	}
	if p.CertSHA256 != "" {
		obs.Add("x509-certificate:hashes.SHA-256", strings.ToLower(p.CertSHA256))
	}
	if p.CertMD5 != "" {
		obs.Add("x509-certificate:hashes.MD5", strings.ToLower(p.CertMD5))
	}
	return obs
}

// liveThreats is the mobile-malware collection's live indicators, indexed once to be
// matched against many packages.
type liveThreats struct {
	now  time.Time
	idx  *stix.Index
	meta []ThreatMatch
}

// mobileThreats reads the context organisation's mobile-malware collection. Without the
// threat capability, or before the organisation has the collection, it is empty. Revoked
// indicators, those past valid_until and patterns of another language are skipped.
func (s *Service) mobileThreats(ctx context.Context) (*liveThreats, error) {
	lt := &liveThreats{now: s.now(), idx: stix.NewIndex()}
	if s.threat == nil {
		return lt, nil
	}
	objs, err := s.threat.ThreatObjects(ctx, MobileMalwareCollection, time.Time{})
	if errors.Is(err, store.ErrNotFound) {
		return lt, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read the mobile-malware collection: %w", err)
	}
	for _, o := range objs {
		if o.Type != "indicator" {
			continue
		}
		var ind struct {
			Name        string `json:"name"`
			Pattern     string `json:"pattern"`
			PatternType string `json:"pattern_type"`
			Revoked     bool   `json:"revoked"`
			ValidUntil  string `json:"valid_until"`
		}
		if err := json.Unmarshal(o.JSON, &ind); err != nil || ind.Revoked || ind.PatternType != "stix" {
			continue
		}
		if ind.ValidUntil != "" {
			if until, err := time.Parse(time.RFC3339Nano, ind.ValidUntil); err == nil && !lt.now.Before(until) {
				continue
			}
		}
		p, err := stix.ParsePattern(ind.Pattern)
		if err != nil {
			continue // the threat capability checked it on import; a bad one matches nothing
		}
		lt.idx.Add(p)
		lt.meta = append(lt.meta, ThreatMatch{ID: o.ID, Name: ind.Name})
	}
	return lt, nil
}

// match returns the indicators p satisfies, by id.
func (lt *liveThreats) match(p threatProbe) []ThreatMatch {
	if len(lt.meta) == 0 {
		return nil
	}
	seen := map[string]bool{}
	var out []ThreatMatch
	lt.idx.Match(p.observed(lt.now), func(i int) {
		if !seen[lt.meta[i].ID] {
			seen[lt.meta[i].ID] = true
			out = append(out, lt.meta[i])
		}
	})
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// threatMatches returns the live indicators of the context organisation's mobile-malware
// collection that a package known by p satisfies, by id.
func (s *Service) threatMatches(ctx context.Context, p threatProbe) ([]ThreatMatch, error) {
	lt, err := s.mobileThreats(ctx)
	if err != nil {
		return nil, err
	}
	return lt.match(p), nil
}

// packageHashes are the SHA-256 hashes a package is known by: the package's own and its
// code files', sorted.
func packageHashes(apk string, files map[string]string) []string {
	out := []string{apk}
	for _, h := range files {
		out = append(out, h)
	}
	sort.Strings(out[1:])
	return out
}

// threatFinding is the automated review's finding for matches of the mobile-malware
// collection.
func threatFinding(ms []ThreatMatch) Finding {
	return Finding{Code: "threat_mobile_malware",
		Zh: "命中威胁情报“移动互联网恶意程序库”：" + threatNames(ms),
		En: "matches the threat information's mobile-malware database: " + threatNames(ms)}
}

// threatNames lists matched indicators by name and id.
func threatNames(ms []ThreatMatch) string {
	names := make([]string, len(ms))
	for i, m := range ms {
		names[i] = m.ID
		if m.Name != "" {
			names[i] = m.Name + " (" + m.ID + ")"
		}
	}
	return strings.Join(names, "; ")
}

// ShareTakedown shares a take-down of a malicious app with the regulator the operator
// named (kernel.ThreatSharing): one STIX 2.1 indicator for each SHA-256 the app's versions
// are known by (package and code files), created by the platform's identity, marked
// TLP:AMBER, carrying the take-down's reason and legal basis. Ids are derived from the
// take-down and the hash, so the objects are the same if the share is asked again. A
// take-down not marked malicious, or shared already, is refused (409); another
// organisation's take-down is store.ErrNotFound.
func (s *Service) ShareTakedown(ctx context.Context, id int64) (Takedown, error) {
	var (
		k        Takedown
		a        App
		versions []Version
		org      int64
		orgName  string
	)
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		var err error
		if k, err = takedownIn(t, id); err != nil {
			return err
		}
		if a, err = appIn(t, k.AppID); err != nil {
			return err
		}
		if versions, err = versionsIn(t, k.AppID); err != nil {
			return err
		}
		if k.VersionID != 0 {
			// One version taken down: only its package and code are shared.
			versions = slices.DeleteFunc(versions, func(v Version) bool { return v.ID != k.VersionID })
		}
		org = t.OrgID()
		if p, err := platformIn(t); err != nil {
			return err
		} else if p != nil {
			orgName = p.Name
		}
		return nil
	})
	if err != nil {
		return Takedown{}, err
	}
	switch {
	case !k.Malicious:
		return Takedown{}, problem.Conflictf("takedown", "is not marked malicious: only a malicious app's take-down is shared as indicators")
	case k.SharedAt != nil:
		return Takedown{}, problem.Conflictf("takedown", "was already shared with %s", k.SharedTo)
	case s.share == nil:
		return Takedown{}, problem.Field("regulator", "cannot be reached: this installation has no TAXII capability to share through")
	}
	objs, err := takedownIndicators(org, orgName, k, a, versions)
	if err != nil {
		return Takedown{}, err
	}
	if len(objs) < 2 {
		return Takedown{}, problem.Conflictf("takedown", "has no package hashes to share: no version of the app was uploaded")
	}
	reg, added, err := s.share.ShareWithRegulator(ctx, objs)
	if err != nil {
		return Takedown{}, err
	}
	n := 0
	for _, r := range added {
		if !r.OK {
			return Takedown{}, fmt.Errorf("share take-down %d: object %s refused: %s", id, r.ID, r.Message)
		}
		if strings.HasPrefix(r.ID, "indicator--") {
			n++
		}
	}
	now := s.now()
	err = s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		before := k
		k.SharedAt, k.SharedBy, k.SharedTo, k.SharedIndicators = &now, audit.ActorFrom(ctx).Label, reg.NameZH, n
		res, err := t.Exec(`UPDATE appstore_takedowns SET shared_at = $3, shared_by = $4, shared_to = $5, shared_indicators = $6 WHERE org_id = $1 AND id = $2 AND shared_at IS NULL`,
			id, now, k.SharedBy, k.SharedTo, n)
		if err != nil {
			return fmt.Errorf("record the share: %w", err)
		}
		if c, _ := res.RowsAffected(); c != 1 {
			return problem.Conflictf("takedown", "was already shared")
		}
		return audit.InTenant(t, "appstore_takedown", fmt.Sprint(id), "share", &before, &k,
			fmt.Sprintf("%d indicators to the sharing group of %s", n, reg.NameEN))
	})
	return k, err
}

// stixNamespace derives the ids of the objects a take-down shares.
var stixNamespace = uuid.MustParse("6f1c1d3e-8a52-4c1b-9d0e-1a2b3c4d5e6f")

func derivedID(typ string, parts ...any) string {
	return typ + "--" + uuid.NewSHA1(stixNamespace, []byte(fmt.Sprint(parts...))).String()
}

// takedownIndicators are the STIX objects a take-down shares: the platform's identity and
// one indicator for each hash.
func takedownIndicators(org int64, orgName string, k Takedown, a App, versions []Version) ([]json.RawMessage, error) {
	at := stix.At(k.TakenAt)
	if orgName == "" {
		orgName = fmt.Sprintf("app store %d", org)
	}
	id := &stix.Identity{Common: stix.NewCommon("identity", "", at), Name: orgName, IdentityClass: "organization"}
	id.ID = derivedID("identity", "appstore-platform:", org)
	out := []json.RawMessage{}
	add := func(o stix.Object) error {
		if err := stix.Validate(o); err != nil {
			return fmt.Errorf("the shared %s: %w", o.ObjectType(), err)
		}
		b, err := json.Marshal(o)
		if err != nil {
			return err
		}
		out = append(out, b)
		return nil
	}
	if err := add(id); err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for _, v := range versions {
		for _, h := range packageHashes(v.APKSHA256, v.Files) {
			if !shaRE.MatchString(h) || seen[h] {
				continue
			}
			seen[h] = true
			ind := &stix.Indicator{Common: stix.NewCommon("indicator", id.ID, at),
				Name:           fmt.Sprintf("恶意应用 %s（%s %s）/ Malicious app %s (%s %s)", a.Name, a.Package, v.VersionName, a.Name, a.Package, v.VersionName),
				Description:    fmt.Sprintf("应用市场下架（原因：%s；依据：%s）/ Taken down by the app store (reason: %s; legal basis: %s)", k.Reason, k.LegalBasis, k.Reason, k.LegalBasis),
				IndicatorTypes: []string{"malicious-activity"},
				Pattern:        fmt.Sprintf("[file:hashes.'SHA-256' = '%s']", h),
				PatternType:    "stix",
				ValidFrom:      at,
			}
			ind.ID = derivedID("indicator", "appstore-takedown:", org, ":", k.ID, ":", h)
			ind.ObjectMarkingRefs = []string{stix.TLPAmber.MarkingID()}
			if err := add(ind); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}
