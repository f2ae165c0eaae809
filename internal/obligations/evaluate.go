package obligations

import (
	"context"
	"fmt"
	"time"

	"ciiguard/internal/catalog"
	"ciiguard/internal/rules"
	"ciiguard/internal/store"
)

// evaluateOrg brings the context's organisation's findings up to date with its records. It
// runs on the organisation's worker, never two at a time for one organisation. With a memo
// of the last evaluation it evaluates only what changed since (rules.Engine.EvaluateChanges),
// reading only the changed systems when the changes named them all, and writes only the
// findings that differ; the first evaluation in this process, or j.force, evaluates
// everything (the first one compares with the fingerprints stored with the findings, so a
// restart rewrites nothing that did not change). The difference is stored in short
// transactions (storeDiff); the summary is updated from the difference, not recounted.
func (s *Service) evaluateOrg(ctx context.Context, orgID int64, j job) (Stats, error) {
	var st Stats
	t0 := time.Now()
	ms := func(from time.Time) float64 { return float64(time.Since(from).Microseconds()) / 1000 }
	cat, err := s.Catalog(ctx)
	if err != nil {
		return st, err
	}
	old := s.memoOf(orgID)
	f, read, err := s.loadFacts(ctx, old, j.systems)
	if err != nil {
		return st, err
	}
	f.Now = f.Now.Truncate(time.Microsecond)
	e := cat.Engine()
	ch, full := old.change(cat, &f, j.systems)
	st.Full = full || j.force
	st.SystemsRead = read
	st.LoadMS = ms(t0)
	t1 := time.Now()
	var fs []rules.Finding
	if st.Full {
		fs, err = e.EvaluateAll(ctx, f)
	} else {
		fs, err = e.EvaluateChanges(ctx, f, ch)
	}
	// A rule that fails on its own has an error finding saying so; the rest are stored. Only
	// an evaluation that was interrupted as a whole is not.
	if _, rest := rules.RuleFailures(err); rest != nil {
		return st, fmt.Errorf("evaluate: %w", rest)
	}
	st.Evaluated, st.EvalMS = len(fs), ms(t1)
	t2 := time.Now()
	cmp := old
	if cmp == nil {
		// The first evaluation in this process compares with the records.
		if cmp, err = storedMemo(ctx, s.db); err != nil {
			return st, err
		}
	}
	st.StoredMS = ms(t2)
	t3 := time.Now()
	known := cmp.reasons
	if known == nil {
		known = reasonSet{}
	}
	d := diff(cmp, fs, &f, st.Full)
	tl := tallyOf(s.base, cat, d, old, st.Full)
	run := tl.summary(s.base, f.Now)
	st.Written, st.Removed, st.DiffMS = len(d.write), len(d.gone)+len(d.goneSystems), ms(t3)
	st.Bulk = d.fresh && len(d.write) > 0 && s.db.Dialect() == store.Postgres
	t4 := time.Now()
	st.Transactions, err = s.storeDiff(ctx, d, known, run, f.Now)
	if err != nil {
		// Some batches may be stored: the memo no longer says what the records hold, so the
		// next evaluation compares with the records again.
		s.swapMemo(orgID, func(*memo) *memo { return nil })
		return st, err
	}
	st.WriteMS = ms(t4)
	s.swapMemo(orgID, func(old *memo) *memo {
		m := d.next(old, cat, &f, run, st.Full)
		m.tally, m.reasons = tl, known
		return m
	})
	st.TotalMS = ms(t0)
	return st, nil
}

// findingsDiff is what an evaluation changes in the stored findings.
type findingsDiff struct {
	write       []changed          // new or different findings
	gone        []rules.SubjectKey // findings whose obligation no longer applies to the subject
	goneSystems []int64            // systems removed from the inventory
	entries     map[rules.SubjectKey]entry
	// fresh says the organisation had no stored finding to compare with: every finding in
	// write is new, and may be appended without replacing anything (the bulk path).
	fresh bool
	// all says the evaluation covered everything: once stored, entries are every stored
	// finding.
	all bool
}

// changed is a finding to store with its fingerprint and reason id, hashed once by the diff
// rather than again by each step that stores it: hashing a finding's reasons three times
// cost a tenth of a first evaluation's CPU (10,000 systems, docs/performance.md).
type changed struct {
	*rules.Finding
	sum, reason uint64
}

// diff compares an evaluation's findings with the memo's. all says fs covers every
// obligation and subject, so that a memo entry it lacks is gone.
func diff(old *memo, fs []rules.Finding, f *rules.Facts, all bool) findingsDiff {
	d := findingsDiff{fresh: old == nil || (len(old.entries) == 0 && len(old.systems) == 0), all: all}
	d.entries = make(map[rules.SubjectKey]entry, len(fs))
	for i := range fs {
		k := fs[i].Key()
		e := entryOf(&fs[i])
		d.entries[k] = e
		if old == nil {
			d.write = append(d.write, changed{&fs[i], e.sum, e.reason})
			continue
		}
		if prev, ok := old.entries[k]; !ok || prev.sum != e.sum {
			d.write = append(d.write, changed{&fs[i], e.sum, e.reason})
		}
	}
	if old == nil {
		return d
	}
	present := make(map[int64]bool, len(f.Systems))
	for _, sys := range f.Systems {
		present[sys.ID] = true
	}
	for id := range old.systems {
		if !present[id] {
			d.goneSystems = append(d.goneSystems, id)
		}
	}
	if all {
		for k := range old.entries {
			if _, ok := d.entries[k]; !ok && (k.System == 0 || present[k.System]) {
				d.gone = append(d.gone, k)
			}
		}
	}
	return d
}

// next builds the memo the evaluation leaves: the facts it read and the merged entries (for
// an evaluation of everything, its own). The old memo is reused in place when there is one
// (its entries map is large), so next must only be called once the diff is stored; the caller holds no reader off the old memo,
// because the memo is swapped under the service's lock.
func (d findingsDiff) next(old *memo, cat *catalog.Catalog, f *rules.Facts, run Run, all bool) *memo {
	m := &memo{entries: d.entries}
	if old != nil && !all {
		m.entries = old.entries
		for k, e := range d.entries {
			m.entries[k] = e
		}
		for _, k := range d.gone {
			delete(m.entries, k)
		}
		if len(d.goneSystems) > 0 {
			gone := map[int64]bool{}
			for _, id := range d.goneSystems {
				gone[id] = true
			}
			for k := range m.entries {
				if gone[k.System] {
					delete(m.entries, k)
				}
			}
		}
	}
	m.cat = cat
	m.day = cstDay(f.Now)
	m.at = f.Now
	m.org = f.Org
	m.sets = map[string]any{}
	for k, v := range f.Extra {
		m.sets[k] = v
	}
	m.sysSets = f.SystemExtra
	m.systems = make(map[int64]rules.System, len(f.Systems))
	for _, sys := range f.Systems {
		m.systems[sys.ID] = sys
	}
	m.atts = attestationsSum(f.Attestations)
	m.run = run
	return m
}
