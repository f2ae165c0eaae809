package obligations

import (
	"hash/fnv"
	"io"
	"reflect"
	"strconv"
	"time"

	"github.com/cespare/xxhash/v2"

	"ciiguard/internal/calendar"
	"ciiguard/internal/catalog"
	"ciiguard/internal/rules"
)

// memo is what the last evaluation of an organisation left in memory: the facts it read and,
// per finding, a fingerprint of what was stored. The next change is compared with it to
// evaluate only what the change can affect and to write only the findings that differ.
type memo struct {
	cat  *catalog.Catalog // the catalog in force (a policy change makes a new one)
	day  string           // China Standard Time date of the evaluation: rules read `now`
	at   time.Time
	org  rules.Org
	sets map[string]any // registered fact sets' values
	// sysSets are the per-system fact sets' values, by set and system id.
	sysSets map[string]map[int64]any
	systems map[int64]rules.System
	atts    uint64 // fingerprint of the attestations on file
	entries map[rules.SubjectKey]entry
	reasons reasonSet // the ids of the stored reasons
	tally   *tally    // the counts of entries, kept up to date by each difference
	run     Run       // the summary of entries
}

// entry is one stored finding as the memo keeps it: enough to tell whether a new finding
// differs and to compute the summary and the dashboard without reading the findings back.
type entry struct {
	sum     uint64 // fingerprint of everything stored for the finding
	reason  uint64 // the id of its reason (reasonID); 0 in entries read back from the records
	status  rules.Status
	due     time.Time
	penalty *rules.PenaltyRange
}

// fingerprint hashes every stored field of a finding. It is stored with the finding
// (findings.fp), so it must be the same in every process: xxHash64, which hashes the
// reasons' hundreds of bytes without allocating (FNV-1a through io.WriteString took
// 14 % of a full evaluation's CPU, docs/performance.md).
func fingerprint(f *rules.Finding) uint64 {
	var h xxhash.Digest
	h.Reset()
	var num [20]byte
	w := func(s string) {
		_, _ = h.WriteString(s)
		_, _ = h.Write([]byte{0})
	}
	n := func(v int64) {
		_, _ = h.Write(strconv.AppendInt(num[:0], v, 10))
		_, _ = h.Write([]byte{0})
	}
	w(string(f.Status))
	w(f.Reason.Zh)
	w(f.Reason.En)
	if f.Due != nil {
		n(f.Due.UnixMicro())
	}
	if f.Penalty != nil {
		w(f.Penalty.ID)
		n(f.Penalty.Min)
		n(f.Penalty.Max)
	}
	for _, e := range f.Evidence {
		w(e)
	}
	w(f.AttestedBy)
	if f.Provisional {
		w("provisional") // only provisional findings hash differently from before the column
	}
	return h.Sum64()
}

func entryOf(f *rules.Finding) entry {
	e := entry{sum: fingerprint(f), reason: reasonID(f.Reason), status: f.Status, penalty: f.Penalty}
	if f.Due != nil {
		e.due = *f.Due
	}
	return e
}

// attestationsSum fingerprints the attestations on file.
func attestationsSum(as []rules.Attestation) uint64 {
	h := fnv.New64a()
	for _, a := range as {
		for _, s := range append([]string{a.ObligationID, string(a.SubjectKind), a.SubjectID, a.ValidFrom.String(), a.ValidUntil.String(), a.By}, a.EvidenceSHA256s...) {
			_, _ = io.WriteString(h, s)
			_, _ = h.Write([]byte{0})
		}
		_, _ = h.Write([]byte{1})
	}
	return h.Sum64()
}

// cstDay is the China Standard Time date of t: findings that count days from `now` can
// change when it changes, so a new day re-evaluates everything.
func cstDay(t time.Time) string { return t.In(calendar.Shanghai).Format(time.DateOnly) }

// change works out what differs between the memo's facts and f, as the rules engine needs
// to know it. full is true when everything must be evaluated (no memo yet, another catalog,
// a new day). only, when not nil, names the systems that alone can differ (the others were
// taken from the memo): only they are compared.
func (m *memo) change(cat *catalog.Catalog, f *rules.Facts, only []int64) (ch rules.Change, full bool) {
	if m == nil || m.cat != cat || m.day != cstDay(f.Now) {
		return rules.Change{}, true
	}
	ch.Org = rules.ChangedOrgFields(m.org, f.Org)
	ch.Sets = map[string]bool{}
	for name, v := range f.Extra {
		if !reflect.DeepEqual(m.sets[name], v) {
			ch.Sets[name] = true
		}
	}
	for name := range m.sets {
		if _, ok := f.Extra[name]; !ok {
			ch.Sets[name] = true
		}
	}
	ch.Systems = map[int64]bool{}
	var named map[int64]bool
	if only != nil {
		named = make(map[int64]bool, len(only))
		for _, id := range only {
			named[id] = true
		}
	}
	for _, s := range f.Systems {
		if named != nil && !named[s.ID] {
			continue
		}
		if old, ok := m.systems[s.ID]; !ok || !reflect.DeepEqual(old, s) {
			ch.Systems[s.ID] = true
		}
	}
	// A system whose value of a per-system fact set changed is re-evaluated like a system
	// whose own facts changed, whether or not the change named it.
	for id := range changedSystemSets(m.sysSets, f.SystemExtra) {
		ch.Systems[id] = true
	}
	ch.Attestations = m.atts != attestationsSum(f.Attestations)
	return ch, false
}

// findingOf rebuilds a finding, without its reason, from a memo entry.
func findingOf(k rules.SubjectKey, e entry, at time.Time) Finding {
	f := Finding{Finding: rules.Finding{ObligationID: k.Obligation, SubjectKind: rules.SubjectOrg, Status: e.status, Penalty: e.penalty}, EvaluatedAt: at}
	if k.System != 0 {
		f.SubjectKind, f.SubjectID = rules.SubjectSystem, strconv.FormatInt(k.System, 10)
	}
	if !e.due.IsZero() {
		d := e.due
		f.Due = &d
	}
	return f
}

// findings lists the memo's entries as findings without reasons, for the dashboard.
func (m *memo) findings(orgID string) []Finding {
	out := make([]Finding, 0, len(m.entries))
	for k, e := range m.entries {
		f := findingOf(k, e, m.at)
		if k.System == 0 {
			f.SubjectID = orgID
		}
		out = append(out, f)
	}
	return out
}

// changedSystemSets lists the systems whose value of some per-system fact set differs
// between a and b (a system present in only one of them counts as changed).
func changedSystemSets(a, b map[string]map[int64]any) map[int64]bool {
	out := map[int64]bool{}
	diff := func(x, y map[string]map[int64]any) {
		for name, byID := range x {
			for id, v := range byID {
				if w, ok := y[name][id]; !ok || !reflect.DeepEqual(v, w) {
					out[id] = true
				}
			}
		}
	}
	diff(a, b)
	diff(b, a)
	return out
}
