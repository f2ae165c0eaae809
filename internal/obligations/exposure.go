package obligations

import (
	"sort"
	"strings"
	"time"

	"ciiguard/internal/catalog"
	"ciiguard/internal/rules"
)

// Exposure is how the fine exposure of a set of findings is built: one row per penalty
// clause that counts, with the findings behind it, and apart the clauses whose fine is a
// multiple of a purchase amount (no RMB figure, so out of the total).
//
// The rules, each from the law of administrative penalties as the texts state it:
//   - a finding about conduct at the time of evaluation is punished under the clause in
//     force then (CSL 2016 Art. 59 became CSL 2025 Art. 61 on 2026-01-01);
//   - a regulator fines the breach of a clause, not each system showing it: a clause counts
//     once however many findings fall under it;
//   - one conduct punished under several instruments (the same duty in the CSL and the
//     CIIR) counts once, under the clause with the higher range; the others are listed;
//   - the range counted is the tier that applies to an open finding (ordered to correct, no
//     harm recorded); the other tiers are listed beside it;
//   - a draft that never came into force fines nobody.
type Exposure struct {
	Min       int64         `json:"min"`
	Max       int64         `json:"max"`
	Rows      []ExposureRow `json:"rows"`
	Multiples []ExposureRow `json:"multiples,omitempty"`
}

// ExposureRow is one penalty clause in the exposure and the findings it rests on.
type ExposureRow struct {
	Penalty  *catalog.Penalty  `json:"penalty"`
	Formerly *catalog.Penalty  `json:"formerly,omitempty"` // the clause the duty names, replaced since
	Tier     catalog.Tier      `json:"tier"`               // the tier counted
	Others   []catalog.Tier    `json:"other_tiers,omitempty"`
	Findings []ExposureFinding `json:"findings"`
	// AlsoUnder lists clauses of other instruments punishing the same conduct with a lower
	// range: shown, not added.
	AlsoUnder []*catalog.Penalty `json:"also_under,omitempty"`
}

// ExposureFinding names one finding behind a row.
type ExposureFinding struct {
	ObligationID string            `json:"obligation_id"`
	SubjectKind  rules.SubjectKind `json:"subject_kind"`
	SubjectID    string            `json:"subject_id"`
}

// conductGroups links duties that are the same conduct under different instruments: two
// duties of different instruments that cite a common article (own article or equivalent).
// It returns each obligation's group representative.
func conductGroups(c *catalog.Catalog) map[string]string {
	parent := map[string]string{}
	find := func(x string) string {
		for parent[x] != x {
			parent[x] = parent[parent[x]]
			x = parent[x]
		}
		return x
	}
	byCite := map[string][]*catalog.Obligation{}
	for _, o := range c.Obligations {
		parent[o.ID] = o.ID
		for _, ct := range o.Citations() {
			inst, ver := o.Instrument, ct.Version
			if i := strings.Index(ver, ":"); i >= 0 {
				inst, ver = ver[:i], ver[i+1:]
			}
			k := inst + ":" + ver + ":" + ct.Article
			byCite[k] = append(byCite[k], o)
		}
	}
	for _, obs := range byCite {
		for _, a := range obs {
			for _, b := range obs {
				if a.Instrument != b.Instrument {
					if ra, rb := find(a.ID), find(b.ID); ra != rb {
						parent[ra] = rb
					}
				}
			}
		}
	}
	out := make(map[string]string, len(parent))
	for id := range parent {
		out[id] = find(id)
	}
	return out
}

// higher reports whether tier a is a higher range than b: a larger maximum, then minimum.
func higher(a, b catalog.Tier) bool {
	if a.Fine.Max != b.Fine.Max {
		return a.Fine.Max > b.Fine.Max
	}
	return a.Fine.Min > b.Fine.Min
}

// computeExposure builds the exposure of the open findings (gap or overdue) at time at.
// Findings of duties the catalog does not know (an organisation's own policies evaluated
// with another catalog) keep the range stored with them, one count per penalty id.
func computeExposure(c *catalog.Catalog, fs []Finding, at time.Time) Exposure {
	groups := conductGroups(c)
	type cand struct {
		p, formerly *catalog.Penalty
		f           Finding
	}
	byGroup := map[string][]cand{}
	var groupOrder []string
	var e Exposure
	foreign := map[string]bool{}
	for _, f := range fs {
		if f.Status != rules.StatusGap && f.Status != rules.StatusOverdue {
			continue
		}
		o, ok := c.Obligation(f.ObligationID)
		if !ok {
			if f.Penalty != nil && f.Penalty.ID != "" && f.Penalty.MultipleOf == "" && !foreign[f.Penalty.ID] {
				foreign[f.Penalty.ID] = true
				e.Min += f.Penalty.Min
				e.Max += f.Penalty.Max
			}
			continue
		}
		if o.Penalty == "" || c.DraftOnly(o) {
			continue
		}
		p, was := c.PenaltyAt(o.Penalty, at)
		if p == nil {
			continue
		}
		g := groups[o.ID]
		if _, seen := byGroup[g]; !seen {
			groupOrder = append(groupOrder, g)
		}
		byGroup[g] = append(byGroup[g], cand{p, was, f})
	}
	rows := map[string]*ExposureRow{}
	var rowOrder []string
	add := func(p, was *catalog.Penalty, fs []Finding, also []*catalog.Penalty) {
		r, ok := rows[p.ID]
		if !ok {
			t := p.Tier(catalog.Circumstances{})
			r = &ExposureRow{Penalty: p, Formerly: was, Tier: t}
			for _, x := range p.AllTiers() {
				if x.When != t.When {
					r.Others = append(r.Others, x)
				}
			}
			rows[p.ID] = r
			rowOrder = append(rowOrder, p.ID)
		}
		for _, f := range fs {
			r.Findings = append(r.Findings, ExposureFinding{ObligationID: f.ObligationID, SubjectKind: f.SubjectKind, SubjectID: f.SubjectID})
		}
		for _, a := range also {
			if a.ID != p.ID && !containsPenalty(r.AlsoUnder, a.ID) {
				r.AlsoUnder = append(r.AlsoUnder, a)
			}
		}
	}
	for _, g := range groupOrder {
		cs := byGroup[g]
		var best *cand
		var all []*catalog.Penalty
		var money []Finding
		for i := range cs {
			x := &cs[i]
			if x.p.MultipleOf != "" {
				add(x.p, x.formerly, []Finding{x.f}, nil)
				continue
			}
			all = append(all, x.p)
			money = append(money, x.f)
			if best == nil || higher(x.p.Tier(catalog.Circumstances{}), best.p.Tier(catalog.Circumstances{})) {
				best = x
			}
		}
		if best != nil {
			add(best.p, best.formerly, money, all)
		}
	}
	for _, id := range rowOrder {
		r := rows[id]
		sort.Slice(r.Findings, func(i, j int) bool {
			a, b := r.Findings[i], r.Findings[j]
			if a.ObligationID != b.ObligationID {
				return a.ObligationID < b.ObligationID
			}
			return a.SubjectID < b.SubjectID
		})
		if r.Penalty.MultipleOf != "" {
			e.Multiples = append(e.Multiples, *r)
			continue
		}
		e.Min += r.Tier.Fine.Min
		e.Max += r.Tier.Fine.Max
		e.Rows = append(e.Rows, *r)
	}
	sort.Slice(e.Rows, func(i, j int) bool { return e.Rows[i].Penalty.ID < e.Rows[j].Penalty.ID })
	sort.Slice(e.Multiples, func(i, j int) bool { return e.Multiples[i].Penalty.ID < e.Multiples[j].Penalty.ID })
	return e
}

func containsPenalty(ps []*catalog.Penalty, id string) bool {
	for _, p := range ps {
		if p.ID == id {
			return true
		}
	}
	return false
}

// evaluatedAt is when a set of findings was evaluated: the latest evaluation time among
// them, or now when they carry none.
func evaluatedAt(fs []Finding) time.Time {
	var at time.Time
	for _, f := range fs {
		if f.EvaluatedAt.After(at) {
			at = f.EvaluatedAt
		}
	}
	if at.IsZero() {
		return time.Now()
	}
	return at
}

// recommendedOnly reports whether a finding is of a duty written only in a draft that never
// came into force: shown as recommended, kept out of the counts and the exposure.
func recommendedOnly(c *catalog.Catalog, id string) bool {
	o, ok := c.Obligation(id)
	return ok && c.DraftOnly(o)
}

// resolvePenalty replaces a finding's stored penalty with the clause in force when it was
// evaluated, at the tier an open finding is exposed to; a duty of the catalog without a
// penalty in force (none, or only a draft's) shows none. Findings of an organisation's own
// policies keep what was stored.
func resolvePenalty(c *catalog.Catalog, f *Finding) {
	o, ok := c.Obligation(f.ObligationID)
	if !ok {
		return
	}
	p, _ := c.PenaltyAt(o.Penalty, f.EvaluatedAt)
	if p == nil || c.DraftOnly(o) {
		f.Penalty = nil
		return
	}
	t := p.Tier(catalog.Circumstances{})
	pr := &rules.PenaltyRange{ID: p.ID, Min: t.Fine.Min, Max: t.Fine.Max, MultipleOf: p.MultipleOf}
	if t.Persons != nil {
		pr.PersonsMin, pr.PersonsMax = t.Persons.Min, t.Persons.Max
	}
	f.Penalty = pr
}
