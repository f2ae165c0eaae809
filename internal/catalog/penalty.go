package catalog

import (
	"fmt"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"ciiguard/internal/calendar"
)

// Tier is one fine range of a penalty clause and the circumstance it is for. Chinese penalty
// clauses are graded: a first order to correct (often with a warning only, sometimes with a
// "may fine" range), a higher range when the order is refused or harm results, and higher
// ones again for serious or especially serious consequences.
type Tier struct {
	When    string `yaml:"when" json:"when"` // one of TierWhenValues
	Fine    Range  `yaml:"fine" json:"fine"`
	Persons *Range `yaml:"persons" json:"persons,omitempty"` // directly responsible persons
}

// TierWhenValues are the circumstances a tier is for, in rising order of gravity.
//   - order: the authority orders correction (责令改正), with a warning and whatever fine the
//     clause allows at that stage (often none);
//   - refused_or_harm: correction refused (拒不改正) or harm to network security resulted;
//   - serious, especially_serious: the graded consequences of, e.g., CSL 2025 Art. 61(3);
//   - core_data: breach of the national core-data regime (DSL Art. 45(2)).
var TierWhenValues = []string{"order", "refused_or_harm", "serious", "especially_serious", "core_data"}

// Circumstances are what selects a penalty's tier for a finding. The zero value is a breach
// found and not yet ordered corrected, with no harm recorded — what ciiguard knows of an open
// finding — so it selects the order tier.
type Circumstances struct {
	RefusedOrHarm bool   // an order to correct was not followed, or harm resulted
	Severity      string // "", serious, especially_serious or core_data
}

// AllTiers lists the penalty's tiers; a penalty written with a single fine has one, "order".
func (p *Penalty) AllTiers() []Tier {
	if len(p.Tiers) > 0 {
		return p.Tiers
	}
	return []Tier{{When: "order", Fine: p.Fine, Persons: p.Persons}}
}

// Tier returns the tier for the circumstances: the severity's tier if the clause has one,
// else the refused-or-harm tier when that applies (or a severity was given), else the order
// tier; a clause without the wanted tier falls back to the nearest milder one.
func (p *Penalty) Tier(c Circumstances) Tier {
	tiers := p.AllTiers()
	want := []string{"order"}
	if c.RefusedOrHarm || c.Severity != "" {
		want = append([]string{"refused_or_harm"}, want...)
	}
	if c.Severity != "" {
		want = append([]string{c.Severity}, want...)
	}
	for _, w := range want {
		for _, t := range tiers {
			if t.When == w {
				return t
			}
		}
	}
	return tiers[0]
}

// HasFine reports whether any tier of the penalty carries a fine.
func (p *Penalty) HasFine() bool {
	for _, t := range p.AllTiers() {
		if t.Fine.Max > 0 {
			return true
		}
	}
	return false
}

// Citation is where the penalty is written.
func (p *Penalty) Citation() Citation { return Citation{Version: p.Version, Article: p.Article} }

// VersionOf returns an instrument's version by id.
func (c *Catalog) VersionOf(instrument, version string) (Version, bool) {
	in, ok := c.instruments[instrument]
	if !ok {
		return Version{}, false
	}
	for _, v := range in.Versions {
		if v.ID == version {
			return v, true
		}
	}
	return Version{}, false
}

// inForceOn reports whether a version is in force (not a draft, in force by at's Beijing
// date). A version without an in-force date counts from its adoption.
func inForceOn(v Version, at time.Time) bool {
	if v.Draft {
		return false
	}
	d := v.InForce
	if d == "" {
		d = v.Adopted
	}
	return d != "" && at.In(calendar.Shanghai).Format(time.DateOnly) >= d
}

// PenaltyAt returns the penalty that applies at time at to a breach the catalog links to
// penalty id: id itself, or the clause that replaced it once the replacing version came into
// force (following superseded_by). formerly is id's penalty when it was replaced, nil
// otherwise. A draft's penalty never applies: PenaltyAt returns nil for it.
func (c *Catalog) PenaltyAt(id string, at time.Time) (p, formerly *Penalty) {
	orig, ok := c.penalties[id]
	if !ok || orig.Draft {
		return nil, nil
	}
	p = orig
	for i := 0; i < 8 && p.SupersededBy != ""; i++ { // bounded: the loader refuses cycles
		next, ok := c.penalties[p.SupersededBy]
		if !ok {
			break
		}
		v, ok := c.VersionOf(next.Instrument, next.Version)
		if !ok || !inForceOn(v, at) {
			break
		}
		p = next
	}
	if p != orig {
		formerly = orig
	}
	return p, formerly
}

// CitationAt returns the article a finding about conduct at time at cites: the duty's own
// article, or its equivalent in a later version of the same instrument once that version is
// in force (CSL 2016 Art. 21(3) is cited as CSL 2025 Art. 23(3) from 2026-01-01). formerly is
// the replaced citation, nil when the own article still applies.
func (c *Catalog) CitationAt(o *Obligation, at time.Time) (cur Citation, formerly *Citation) {
	own := Citation{Version: o.Version, Article: o.Article}
	cur = own
	curV, _ := c.VersionOf(o.Instrument, o.Version)
	for _, eq := range o.Equivalents {
		if strings.Contains(eq.Version, ":") {
			continue
		}
		v, ok := c.VersionOf(o.Instrument, eq.Version)
		if !ok || !inForceOn(v, at) || !laterThan(v, curV) {
			continue
		}
		cur, curV = eq, v
	}
	if cur != own {
		return cur, &own
	}
	return cur, nil
}

func laterThan(a, b Version) bool {
	da, db := a.InForce, b.InForce
	if da == "" {
		da = a.Adopted
	}
	if db == "" {
		db = b.Adopted
	}
	return da > db
}

// DraftOnly reports whether a duty is written only in drafts that never came into force:
// its own version and every equivalent of its own instrument are drafts, and it has no
// equivalent in another instrument's final text. Such a duty is a recommendation, not law.
func (c *Catalog) DraftOnly(o *Obligation) bool {
	for _, ct := range o.Citations() {
		inst, ver := o.Instrument, ct.Version
		if i := strings.Index(ver, ":"); i >= 0 {
			inst, ver = ver[:i], ver[i+1:]
		}
		v, ok := c.VersionOf(inst, ver)
		if !ok {
			if inst != o.Instrument {
				return false // an instrument the catalog does not carry yet: assume law
			}
			continue
		}
		if !v.Draft {
			return false
		}
	}
	return true
}

// validatePenaltyTiers checks a penalty's tiers and, when it has them, fills Fine and Persons
// with the order tier, the one an open finding is exposed to.
func (v *validator) penaltyTiers(n *yaml.Node, f string, p *Penalty) {
	if len(p.Tiers) == 0 {
		return
	}
	if child(n, "fine") != nil || child(n, "persons") != nil {
		v.add(n, f, "give either fine (and persons) or tiers, not both")
	}
	tn := child(n, "tiers")
	seen := map[string]bool{}
	last := -1
	for i, t := range p.Tiers {
		tf := fmt.Sprintf("%s.tiers[%d]", f, i)
		tnode := item(tn, i)
		v.enum(child(tnode, "when"), tf+".when", t.When, TierWhenValues)
		if seen[t.When] {
			v.add(tnode, tf+".when", "duplicate tier %q", t.When)
		}
		seen[t.When] = true
		if k := indexOf(TierWhenValues, t.When); k >= 0 {
			if k < last {
				v.add(tnode, tf+".when", "tiers must be listed from the mildest (order) up")
			}
			last = k
		}
		if t.Fine.Min < 0 || t.Fine.Max < t.Fine.Min {
			v.add(child(tnode, "fine"), tf+".fine", "want 0 <= min <= max, got %d..%d", t.Fine.Min, t.Fine.Max)
		}
		if t.Persons != nil && (t.Persons.Min < 0 || t.Persons.Max < t.Persons.Min) {
			v.add(child(tnode, "persons"), tf+".persons", "want 0 <= min <= max, got %d..%d", t.Persons.Min, t.Persons.Max)
		}
	}
	def := p.Tier(Circumstances{})
	p.Fine, p.Persons = def.Fine, def.Persons
}

func indexOf(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return -1
}
