package obligations

import (
	"time"

	"ciiguard/internal/catalog"
	"ciiguard/internal/rules"
)

// tally is the summary of a memo's findings, kept up to date from each evaluation's
// difference so that an edit does not walk all of an organisation's findings to recount
// them: the counts by status, and per obligation how many of its findings are open. The
// fine exposure needs no more than that: a clause counts once however many findings fall
// under it (computeExposure), so one open finding per obligation gives the same figures as
// all of them.
type tally struct {
	counts Run               // counts only; the fines are computed by summary
	open   map[string]int    // open findings (gap, overdue) per obligation, drafts' excluded
	rep    map[string]*entry // one open finding of each obligation in open, for its penalty
}

func newTally() *tally {
	return &tally{open: map[string]int{}, rep: map[string]*entry{}}
}

// add counts one finding in (n = 1) or out (n = -1), as summarise would: findings of duties
// written only in a draft that never came into force are counted as recommended, apart.
func (t *tally) add(base *catalog.Catalog, k rules.SubjectKey, e entry, n int) {
	if recommendedOnly(base, k.Obligation) && e.status != rules.StatusNotApplicable && e.status != rules.StatusError {
		t.counts.Recommended += n
		return
	}
	var one Run
	countStatus(&one, e.status)
	t.counts.Met += n * one.Met
	t.counts.Gap += n * one.Gap
	t.counts.Overdue += n * one.Overdue
	t.counts.NotApplicable += n * one.NotApplicable
	t.counts.NeedsAttestation += n * one.NeedsAttestation
	t.counts.Error += n * one.Error
	if e.status != rules.StatusGap && e.status != rules.StatusOverdue {
		return
	}
	t.open[k.Obligation] += n
	switch c := t.open[k.Obligation]; {
	case c <= 0:
		delete(t.open, k.Obligation)
		delete(t.rep, k.Obligation)
	case n > 0 && t.rep[k.Obligation] == nil:
		// Every finding of one obligation has its rule's penalty: any one stands for all.
		e := e
		t.rep[k.Obligation] = &e
	}
}

// summary is the run the tallied findings make at time at.
func (t *tally) summary(base *catalog.Catalog, at time.Time) Run {
	r := t.counts
	open := make([]Finding, 0, len(t.open))
	for ob := range t.open {
		open = append(open, findingOf(rules.SubjectKey{Obligation: ob}, *t.rep[ob], at))
	}
	ex := computeExposure(base, open, at)
	r.FineMin, r.FineMax, r.At = ex.Min, ex.Max, at
	return r
}

// tallyOf brings the last evaluation's tally up to date with the difference d (old nil or
// all: d's entries are every finding) and returns it. It may update old's tally in place:
// the memo is replaced by the one built from d, or dropped when d could not be stored.
func tallyOf(base, cat *catalog.Catalog, d findingsDiff, old *memo, all bool) *tally {
	if old == nil || all || old.tally == nil {
		t := newTally()
		for k, e := range d.entries {
			t.add(base, k, e, 1)
		}
		return t
	}
	t := old.tally
	for k, e := range d.entries {
		if prev, ok := old.entries[k]; ok {
			t.add(base, k, prev, -1)
		}
		t.add(base, k, e, 1)
	}
	for _, k := range d.gone {
		if prev, ok := old.entries[k]; ok {
			t.add(base, k, prev, -1)
		}
	}
	for _, id := range d.goneSystems {
		for _, o := range cat.Obligations {
			k := rules.SubjectKey{Obligation: o.ID, System: id}
			if prev, ok := old.entries[k]; ok {
				t.add(base, k, prev, -1)
			}
		}
	}
	return t
}
