package obligations

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"ciiguard/internal/audit"
	"ciiguard/internal/catalog"
	"ciiguard/internal/problem"
	"ciiguard/internal/store"
)

// AdoptionsPolicyName is the policy file that holds the draft-only duties an organisation
// adopted as its own rules. It is an ordinary policy file (listed at /policies, removable
// there too), written by SetAdoption.
const AdoptionsPolicyName = "采纳的草案义务.yaml"

// adoptedInstrument is the instrument id of that file, and adoptedPrefix starts the id of
// each adopted duty in it: CIIR-ANNUAL-TRAINING-DAYS becomes ADOPTED-CIIR-ANNUAL-TRAINING-DAYS
// (shown as ORG-<org>-ADOPTED-CIIR-ANNUAL-TRAINING-DAYS once loaded).
const (
	adoptedInstrument = "ADOPTED"
	adoptedPrefix     = adoptedInstrument + "-"
)

// AdoptedID is the id, in the organisation's catalog, of its adopted copy of a draft-only
// duty.
func AdoptedID(orgID int64, obligationID string) string {
	return catalog.CustomPrefix(strconv.FormatInt(orgID, 10)) + adoptedPrefix + obligationID
}

// Adoption says whether a draft-only duty is adopted by the organisation and, if so, the id
// of its own copy.
type Adoption struct {
	ObligationID string `json:"obligation_id"`
	Adopted      bool   `json:"adopted"`
	AdoptedID    string `json:"adopted_id,omitempty"`
}

// Adopted lists the draft-only duties the organisation adopted, by their catalog id.
func (s *Service) Adopted(ctx context.Context) ([]string, error) {
	p, err := s.adoptionsFile(ctx)
	if err != nil || p == nil {
		return nil, err
	}
	return p.ids, nil
}

type adoptionsFile struct {
	id  int64
	ids []string
	old Policy
}

// adoptionsFile reads the organisation's adoptions file, nil when it has none.
func (s *Service) adoptionsFile(ctx context.Context) (*adoptionsFile, error) {
	var f *adoptionsFile
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		var p Policy
		var text string
		err := t.QueryRow(`SELECT id, name, sha256, obligations, uploaded_by, uploaded_at, yaml FROM custom_policies WHERE org_id = $1 AND name = $2 ORDER BY id LIMIT 1`, AdoptionsPolicyName).
			Scan(&p.ID, &p.Name, &p.SHA256, &p.Count, &p.UploadedBy, &p.UploadedAt, &text)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("read adoptions: %w", err)
		}
		var doc struct {
			Obligations []struct {
				ID string `yaml:"id"`
			} `yaml:"obligations"`
		}
		if err := yaml.Unmarshal([]byte(text), &doc); err != nil {
			return fmt.Errorf("adoptions file %d: %w", p.ID, err)
		}
		f = &adoptionsFile{id: p.ID, old: p}
		for _, o := range doc.Obligations {
			f.ids = append(f.ids, strings.TrimPrefix(o.ID, adoptedPrefix))
		}
		return nil
	})
	return f, err
}

// SetAdoption adopts a duty written only in a draft as the organisation's own rule (adopt)
// or takes it back. The adopted copy is a duty of the adoptions policy file: its findings
// count like any other duty's (a gap is a gap), and it never carries a fine, since a draft
// never came into force and an own policy links no penalty of the law. The file is
// rewritten in one transaction and audited as a policy change; with nothing left adopted
// it is removed.
func (s *Service) SetAdoption(ctx context.Context, obligationID string, adopt bool) (Adoption, error) {
	org, err := orgFromCtx(ctx)
	if err != nil {
		return Adoption{}, err
	}
	o, ok := s.base.Obligation(obligationID)
	if !ok {
		return Adoption{}, store.ErrNotFound
	}
	if !s.base.DraftOnly(o) {
		return Adoption{}, problem.Field("obligation_id", "%s is in force; only a duty written only in a draft can be adopted", obligationID)
	}
	cur, err := s.adoptionsFile(ctx)
	if err != nil {
		return Adoption{}, err
	}
	set := map[string]bool{}
	if cur != nil {
		for _, id := range cur.ids {
			set[id] = true
		}
	}
	if set[obligationID] == adopt { // nothing to change
		return s.adoption(org, obligationID, adopt), nil
	}
	if adopt {
		set[obligationID] = true
	} else {
		delete(set, obligationID)
	}
	ids := make([]string, 0, len(set))
	for id := range set {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	var text []byte
	var p Policy
	if len(ids) > 0 {
		if text, err = adoptionsYAML(s.base, ids, s.now()); err != nil {
			return Adoption{}, err
		}
		c, err := catalog.LoadCustom(strings.NewReader(string(text)), strconv.FormatInt(org, 10), s.base.RuleOptions()...)
		if err != nil {
			return Adoption{}, fmt.Errorf("adoptions file does not load: %w", err)
		}
		others, err := s.catalogWithout(ctx, AdoptionsPolicyName)
		if err != nil {
			return Adoption{}, err
		}
		merged, err := catalog.Merge(others, c)
		if err != nil {
			return Adoption{}, fmt.Errorf("merge adoptions: %w", err)
		}
		if err := s.tryPolicy(ctx, merged, c); err != nil {
			return Adoption{}, err
		}
		sum := sha256.Sum256(text)
		p = Policy{Name: AdoptionsPolicyName, SHA256: hex.EncodeToString(sum[:]), Count: len(c.Obligations),
			UploadedBy: audit.ActorFrom(ctx).Label, UploadedAt: s.now().UTC().Truncate(time.Microsecond)}
	}
	err = s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		tx := t.Tx()
		if _, err := t.Exec(`DELETE FROM custom_policies WHERE org_id = $1 AND name = $2`, AdoptionsPolicyName); err != nil {
			return fmt.Errorf("replace adoptions: %w", err)
		}
		var before any
		if cur != nil {
			before = cur.old
		}
		if len(ids) == 0 {
			return audit.Record(tx, org, "policy", strconv.FormatInt(cur.id, 10), audit.Delete, before, nil, AdoptionsPolicyName)
		}
		if err := t.QueryRow(`INSERT INTO custom_policies (org_id, name, sha256, yaml, obligations, uploaded_by, uploaded_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
			p.Name, p.SHA256, string(text), p.Count, p.UploadedBy, p.UploadedAt).Scan(&p.ID); err != nil {
			return fmt.Errorf("store adoptions: %w", err)
		}
		action := audit.Update
		if cur == nil {
			action = audit.Create
		}
		return audit.Record(tx, org, "policy", strconv.FormatInt(p.ID, 10), action, before, p, AdoptionsPolicyName)
	})
	if err != nil {
		return Adoption{}, err
	}
	s.Changed(org, 0)
	return s.adoption(org, obligationID, adopt), nil
}

func (s *Service) adoption(org int64, obligationID string, adopted bool) Adoption {
	a := Adoption{ObligationID: obligationID, Adopted: adopted}
	if adopted {
		a.AdoptedID = AdoptedID(org, obligationID)
	}
	return a
}

// catalogWithout is the organisation's catalog without the policy file named name.
func (s *Service) catalogWithout(ctx context.Context, name string) (*catalog.Catalog, error) {
	org, err := orgFromCtx(ctx)
	if err != nil {
		return nil, err
	}
	var texts []string
	err = s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		rows, err := t.Query(`SELECT yaml FROM custom_policies WHERE org_id = $1 AND name <> $2 ORDER BY id`, name)
		if err != nil {
			return fmt.Errorf("read policies: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var y string
			if err := rows.Scan(&y); err != nil {
				return err
			}
			texts = append(texts, y)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	var extra []*catalog.Catalog
	for i, t := range texts {
		c, err := catalog.LoadCustom(strings.NewReader(t), strconv.FormatInt(org, 10), s.base.RuleOptions()...)
		if err != nil {
			return nil, fmt.Errorf("organisation policy %d no longer loads: %w", i+1, err)
		}
		extra = append(extra, c)
	}
	return catalog.Merge(s.base, extra...)
}

// adoptionsYAML writes the adoptions policy file: each adopted draft duty copied with its
// rule, texts and test cases, citing the draft article it comes from, and without its
// penalty (a draft's never applies).
func adoptionsYAML(base *catalog.Catalog, ids []string, now time.Time) ([]byte, error) {
	type version struct {
		ID      string `yaml:"id"`
		Adopted string `yaml:"adopted"`
	}
	type instrument struct {
		ID       string       `yaml:"id"`
		Kind     string       `yaml:"kind"`
		Title    catalog.Text `yaml:"title"`
		Issuer   catalog.Text `yaml:"issuer"`
		Versions []version    `yaml:"versions"`
	}
	type duty struct {
		ID          string                   `yaml:"id"`
		Version     string                   `yaml:"version"`
		Article     string                   `yaml:"article"`
		Equivalents []catalog.Citation       `yaml:"equivalents"`
		Title       catalog.Text             `yaml:"title"`
		Summary     catalog.Text             `yaml:"summary"`
		Binds       []string                 `yaml:"binds"`
		Capability  string                   `yaml:"capability"`
		Subject     string                   `yaml:"subject"`
		Applies     string                   `yaml:"applies,omitempty"`
		AppliesTo   *catalog.Text            `yaml:"applies_to,omitempty"`
		Check       string                   `yaml:"check,omitempty"`
		Requires    *catalog.Text            `yaml:"requires,omitempty"`
		Attestation *catalog.AttestationSpec `yaml:"attestation,omitempty"`
		Facts       string                   `yaml:"facts,omitempty"`
		Cadence     string                   `yaml:"cadence"`
		Due         string                   `yaml:"due,omitempty"`
		Deadline    *catalog.Text            `yaml:"deadline,omitempty"`
		Tests       []catalog.TestCase       `yaml:"tests,omitempty"`
	}
	doc := struct {
		Instrument  instrument `yaml:"instrument"`
		Obligations []duty     `yaml:"obligations"`
	}{Instrument: instrument{ID: adoptedInstrument, Kind: "policy",
		Title:    catalog.Text{Zh: "本单位采纳的草案义务", En: "Draft duties adopted as our own rules"},
		Issuer:   catalog.Text{Zh: "本单位", En: "our organisation"},
		Versions: []version{{ID: "1", Adopted: now.In(time.FixedZone("CST", 8*3600)).Format(time.DateOnly)}}}}
	for _, id := range ids {
		o, ok := base.Obligation(id)
		if !ok {
			return nil, fmt.Errorf("adopted duty %s is no longer in the catalog", id)
		}
		// The copy is written as the duty's author wrote it: this catalog may have settled it
		// to its check or to its attestation, and the policy's loader settles it again.
		a := o.Authored()
		d := duty{ID: adoptedPrefix + o.ID, Version: "1", Article: o.Article,
			Equivalents: []catalog.Citation{{Version: o.Instrument + ":" + o.Version, Article: o.Article}},
			Title:       o.Title, Summary: o.Summary, Binds: o.Binds, Capability: o.Capability, Subject: o.Subject,
			Applies: o.Applies, AppliesTo: o.AppliesTo, Check: a.Check, Requires: a.Requires, Attestation: a.Attestation,
			Facts: o.Facts, Cadence: o.Cadence, Due: a.Due, Deadline: o.Deadline, Tests: o.Tests}
		doc.Obligations = append(doc.Obligations, d)
	}
	out, err := yaml.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("write adoptions: %w", err)
	}
	return out, nil
}

// adoptionOf says whether the organisation adopted a draft-only duty.
func (s *Service) adoptionOf(ctx context.Context, obligationID string) (*Adoption, error) {
	org, err := orgFromCtx(ctx)
	if err != nil {
		return nil, err
	}
	ids, err := s.Adopted(ctx)
	if err != nil {
		return nil, err
	}
	a := s.adoption(org, obligationID, slices.Contains(ids, obligationID))
	return &a, nil
}
