package obligations

import (
	"fmt"

	"github.com/cespare/xxhash/v2"

	"ciiguard/internal/rules"
	"ciiguard/internal/store"
)

// Reasons are stored once per organisation and text (finding_reasons), and a finding names
// its reason by id. Measured with 10,000 generated systems: 360,124 findings hold 22,557
// distinct reasons (7 MB of 84 MB), so the text was two thirds of every finding row, and a
// change that rewrites findings on most pages of the table rewrote it all
// (docs/performance.md, "Evaluation at scale").

// reasonID names a reason by its text in both languages: the 64-bit xxHash of both, never
// 0 (which marks a finding that still holds its reason inline). Two texts of one
// organisation with the same id would show one reason for the other; for the tens of
// thousands of reasons of the largest organisation the chance is about 10⁻¹¹.
func reasonID(r rules.Text) uint64 {
	var h xxhash.Digest
	h.Reset()
	_, _ = h.WriteString(r.Zh)
	_, _ = h.Write([]byte{0})
	_, _ = h.WriteString(r.En)
	if id := h.Sum64(); id != 0 {
		return id
	}
	return 1
}

// reasonSet is the ids of an organisation's stored reasons, as the memo keeps them so that
// a write stores only the reasons not stored yet.
type reasonSet map[uint64]struct{}

// storedReason is one reason to store.
type storedReason struct {
	id     uint64
	zh, en string
}

// missing lists fs's reasons that are not in the set, each once.
func (s reasonSet) missing(fs []changed) []storedReason {
	var out []storedReason
	var seen map[uint64]bool
	for _, f := range fs {
		id := f.reason
		if _, ok := s[id]; ok || seen[id] {
			continue
		}
		if seen == nil {
			seen = map[uint64]bool{}
		}
		seen[id] = true
		out = append(out, storedReason{id: id, zh: f.Reason.Zh, en: f.Reason.En})
	}
	return out
}

// add records reasons as stored, once their transaction has committed.
func (s reasonSet) add(rs []storedReason) {
	for _, r := range rs {
		s[r.id] = struct{}{}
	}
}

// unused lists the stored reasons that none of entries names.
func (s reasonSet) unused(entries map[rules.SubjectKey]entry) []uint64 {
	used := make(map[uint64]bool, len(s))
	for _, e := range entries {
		used[e.reason] = true
	}
	var out []uint64
	for id := range s {
		if !used[id] {
			out = append(out, id)
		}
	}
	return out
}

// remove forgets deleted reasons.
func (s reasonSet) remove(ids []uint64) {
	for _, id := range ids {
		delete(s, id)
	}
}

// reasonRows is how many reasons one SQLite statement stores (3 parameters each).
const reasonRows = 200

// writeReasons stores reasons that are not stored yet (another process may have stored
// some meanwhile: a reason already there is left as it is, since its id says its text).
func writeReasons(t *store.Tenant, rs []storedReason) error {
	if len(rs) == 0 {
		return nil
	}
	if t.Tx().Dialect() == store.Postgres {
		ids, zh, en := make([]int64, len(rs)), make([]string, len(rs)), make([]string, len(rs))
		for i, r := range rs {
			ids[i], zh[i], en[i] = int64(r.id), r.zh, r.en
		}
		if _, err := t.Exec(`INSERT INTO finding_reasons (org_id, id, zh, en) SELECT $1, u.* FROM unnest($2::bigint[], $3::text[], $4::text[]) AS u ON CONFLICT DO NOTHING`, ids, zh, en); err != nil {
			return fmt.Errorf("store %d reasons: %w", len(rs), err)
		}
		return nil
	}
	args := make([]any, 0, 3*reasonRows)
	for start := 0; start < len(rs); start += reasonRows {
		end := min(start+reasonRows, len(rs))
		args = args[:0]
		for _, r := range rs[start:end] {
			args = append(args, int64(r.id), r.zh, r.en)
		}
		q := sqliteRowsStatement(`INSERT INTO finding_reasons (org_id, id, zh, en) VALUES `, "($1, ?, ?, ?)", ` ON CONFLICT DO NOTHING`, end-start)
		if _, err := t.Exec(q, args...); err != nil {
			return fmt.Errorf("store reasons %d–%d of %d: %w", start+1, end, len(rs), err)
		}
	}
	return nil
}

// deleteReasons removes reasons no finding names any more.
func deleteReasons(t *store.Tenant, ids []uint64) error {
	st, err := t.Prepare(`DELETE FROM finding_reasons WHERE org_id = $1 AND id = $2`)
	if err != nil {
		return fmt.Errorf("delete unused reasons: %w", err)
	}
	defer st.Close()
	for _, id := range ids {
		if _, err := st.Exec(int64(id)); err != nil {
			return fmt.Errorf("delete unused reason %d: %w", id, err)
		}
	}
	return nil
}

// storedReasons reads the ids of the organisation's stored reasons.
func storedReasons(t *store.Tenant) (reasonSet, error) {
	rows, err := t.Query(`SELECT id FROM finding_reasons WHERE org_id = $1`)
	if err != nil {
		return nil, fmt.Errorf("read stored reasons: %w", err)
	}
	defer rows.Close()
	s := reasonSet{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("read stored reasons: %w", err)
		}
		s[uint64(id)] = struct{}{}
	}
	return s, rows.Err()
}
