package obligations

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"ciiguard/internal/calendar"
	"ciiguard/internal/rules"
	"ciiguard/internal/store"
)

// findingColumns are the columns written per finding after org_id, which every statement
// binds to $1 (the tenancy rule). The reason is stored apart, once per text
// (finding_reasons, reasons.go): the finding names it by reason_id and leaves reason_zh and
// reason_en empty (they hold the reasons of findings stored before, until rewritten).
const findingColumns = `obligation_id, subject_kind, subject_id, status, reason_zh, reason_en, reason_id, due, penalty_id, fine_min, fine_max, evidence, attested_by, evaluated_at, fp, provisional`

const perFinding = 14 // values bound per finding: findingColumns but the two empty reason texts

// onConflict replaces a stored finding with the same key.
const onConflict = ` ON CONFLICT (org_id, obligation_id, subject_kind, subject_id) DO UPDATE SET status = excluded.status, reason_zh = excluded.reason_zh, reason_en = excluded.reason_en,
	reason_id = excluded.reason_id, due = excluded.due, penalty_id = excluded.penalty_id, fine_min = excluded.fine_min, fine_max = excluded.fine_max, evidence = excluded.evidence,
	attested_by = excluded.attested_by, evaluated_at = excluded.evaluated_at, fp = excluded.fp, provisional = excluded.provisional`

// Batch sizes, measured (docs/performance.md, "Evaluation at scale"):
//   - sqliteRows findings per SQLite statement (1,401 parameters, within SQLite's 32,766).
//     The statement names the organisation $1 and every other parameter "?": SQLite looks
//     a named parameter ("$2", "?2") up by a linear search of the names before it, at
//     parse and again at every bind, so 500 rows of "$N" parameters took 1.4 s per
//     statement where the same rows with "?" take 15 ms. The statement is prepared once
//     per transaction, and parsing costs in proportion to its length: 500-row statements
//     spent 8 % of a from-scratch write's CPU being parsed, 100-row ones a fifth of that.
//   - pgRows findings per PostgreSQL statement: one INSERT … SELECT FROM unnest of one array
//     per column, so the statement has 15 parameters whatever the batch size.
//   - txRows findings per transaction: a from-scratch write of 360,000 findings is many
//     short transactions, so that SQLite's single writer is never held for long and other
//     organisations' writes (which queue first come, first served) wait for one batch at
//     most, not for the whole evaluation.
const (
	sqliteRows = 100
	pgRows     = 5000
)

var txRows = 2000 // a variable so that tests can make batches of a few findings

// sqliteRowsStatement builds a SQLite statement of n rows of the form row after head, then
// tail: "INSERT … VALUES " row, row, … tail.
func sqliteRowsStatement(head, row, tail string, n int) string {
	var b strings.Builder
	b.Grow(len(head) + n*(len(row)+2) + len(tail))
	b.WriteString(head)
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(row)
	}
	b.WriteString(tail)
	return b.String()
}

// sqliteUpsert builds SQLite's statement that writes n findings.
func sqliteUpsert(n int) string {
	return sqliteRowsStatement(`INSERT INTO findings (org_id, `+findingColumns+`) VALUES `, "($1, ?, ?, ?, ?, '', ''"+strings.Repeat(", ?", perFinding-4)+")", onConflict, n)
}

// pgUpsert is PostgreSQL's statement that writes any number of findings, one array per
// column; every row's org_id is $1.
const pgUpsert = `INSERT INTO findings (org_id, ` + findingColumns + `)
	SELECT $1, u.o, u.k, u.s, u.st, '', '', u.r, u.due, u.pen, u.fmin, u.fmax, u.ev, u.by, u.at, u.fp, u.prov
	FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::timestamptz[], $8::text[],
		$9::bigint[], $10::bigint[], $11::text[], $12::text[], $13::timestamptz[], $14::bigint[], $15::boolean[]) AS u(o, k, s, st, r, due, pen, fmin, fmax, ev, by, at, fp, prov)` + onConflict

// row is one finding's stored values in findingColumns' order, but for the reason texts,
// which are stored apart under reason.
type row struct {
	obligation, kind, subject, status string
	reason                            int64
	due                               *time.Time
	penalty                           string
	fineMin, fineMax                  int64
	evidence, by                      string
	at                                time.Time
	fp                                int64
	provisional                       bool
}

func rowOf(f changed, at time.Time) row {
	r := row{obligation: f.ObligationID, kind: string(f.SubjectKind), subject: f.SubjectID, status: string(f.Status), reason: int64(f.reason),
		due: f.Due, evidence: strings.Join(f.Evidence, ","), by: f.AttestedBy, at: at, fp: int64(f.sum), provisional: f.Provisional}
	if f.Penalty != nil {
		r.penalty, r.fineMin, r.fineMax = f.Penalty.ID, f.Penalty.Min, f.Penalty.Max
	}
	return r
}

// writeFindings writes fs in the transaction, in batches of the engine's form.
func writeFindings(t *store.Tenant, fs []changed, at time.Time) error {
	if t.Tx().Dialect() == store.Postgres {
		return writeFindingsPG(t, fs, at)
	}
	return writeFindingsSQLite(t, fs, at)
}

func writeFindingsSQLite(t *store.Tenant, fs []changed, at time.Time) error {
	var (
		stmt *store.Stmt
		size int
	)
	defer func() {
		if stmt != nil {
			stmt.Close()
		}
	}()
	args := make([]any, 0, sqliteRows*perFinding)
	for start := 0; start < len(fs); start += sqliteRows {
		end := min(start+sqliteRows, len(fs))
		if end-start != size {
			if stmt != nil {
				stmt.Close()
			}
			var err error
			if stmt, err = t.Prepare(sqliteUpsert(end - start)); err != nil {
				return fmt.Errorf("prepare to store %d findings: %w", end-start, err)
			}
			size = end - start
		}
		args = args[:0]
		for _, f := range fs[start:end] {
			r := rowOf(f, at)
			args = append(args, r.obligation, r.kind, r.subject, r.status, r.reason, r.due, r.penalty, r.fineMin, r.fineMax, r.evidence, r.by, r.at, r.fp, r.provisional)
		}
		if _, err := stmt.Exec(args...); err != nil {
			return fmt.Errorf("store findings %d–%d of %d: %w", start+1, end, len(fs), err)
		}
	}
	return nil
}

func writeFindingsPG(t *store.Tenant, fs []changed, at time.Time) error {
	for start := 0; start < len(fs); start += pgRows {
		end := min(start+pgRows, len(fs))
		n := end - start
		var (
			obl, kind, subj, status, pen, ev, by = make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
			due, ats                             = make([]*time.Time, n), make([]time.Time, n)
			reason, fmin, fmax, fps              = make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n)
			prov                                 = make([]bool, n)
		)
		for i, f := range fs[start:end] {
			r := rowOf(f, at)
			obl[i], kind[i], subj[i], status[i], reason[i], due[i], pen[i] = r.obligation, r.kind, r.subject, r.status, r.reason, r.due, r.penalty
			fmin[i], fmax[i], ev[i], by[i], ats[i], fps[i], prov[i] = r.fineMin, r.fineMax, r.evidence, r.by, r.at, r.fp, r.provisional
		}
		if _, err := t.Exec(pgUpsert, obl, kind, subj, status, reason, due, pen, fmin, fmax, ev, by, ats, fps, prov); err != nil {
			return fmt.Errorf("store findings %d–%d of %d: %w", start+1, end, len(fs), err)
		}
	}
	return nil
}

// copyColumns are findingColumns as CopyFrom takes them.
var copyColumns = strings.Split(strings.ReplaceAll(findingColumns, " ", ""), ",")

// copyFindings appends fs with PostgreSQL's COPY: for an organisation that has no stored
// finding, where nothing needs replacing. Measured on the shared machine (60,000 rows of
// a finding's size in transactions of 2,000, two rounds at load average 10): 3.5–4.9 s
// against 7.1–7.3 s for the INSERT … ON CONFLICT of writeFindingsPG.
func copyFindings(t *store.Tenant, fs []changed, at time.Time) error {
	rows := make([][]any, len(fs))
	for i, f := range fs {
		r := rowOf(f, at)
		rows[i] = []any{r.obligation, r.kind, r.subject, r.status, "", "", r.reason, r.due, r.penalty, r.fineMin, r.fineMax, r.evidence, r.by, r.at, r.fp, r.provisional}
	}
	if _, err := t.CopyFrom("findings", copyColumns, rows); err != nil {
		return fmt.Errorf("store %d new findings: %w", len(fs), err)
	}
	return nil
}

// deleteFindings removes stored findings: all of the removed systems', and single ones
// whose obligation no longer applies (or left the catalog).
func deleteFindings(t *store.Tenant, systems []int64, keys []rules.SubjectKey) error {
	if len(systems) > 0 {
		st, err := t.Prepare(`DELETE FROM findings WHERE org_id = $1 AND subject_kind = 'system' AND subject_id = $2`)
		if err != nil {
			return fmt.Errorf("delete findings of removed systems: %w", err)
		}
		defer st.Close()
		for _, id := range systems {
			if _, err := st.Exec(strconv.FormatInt(id, 10)); err != nil {
				return fmt.Errorf("delete findings of removed system %d: %w", id, err)
			}
		}
	}
	if len(keys) == 0 {
		return nil
	}
	org, err := t.Prepare(`DELETE FROM findings WHERE org_id = $1 AND obligation_id = $2 AND subject_kind = 'org'`)
	if err != nil {
		return fmt.Errorf("delete findings: %w", err)
	}
	defer org.Close()
	sys, err := t.Prepare(`DELETE FROM findings WHERE org_id = $1 AND obligation_id = $2 AND subject_kind = 'system' AND subject_id = $3`)
	if err != nil {
		return fmt.Errorf("delete findings: %w", err)
	}
	defer sys.Close()
	for _, k := range keys {
		if k.System == 0 {
			_, err = org.Exec(k.Obligation)
		} else {
			_, err = sys.Exec(k.Obligation, strconv.FormatInt(k.System, 10))
		}
		if err != nil {
			return fmt.Errorf("delete finding %s/%d: %w", k.Obligation, k.System, err)
		}
	}
	return nil
}

// storeDiff stores d in short transactions of at most txRows changed findings each, so that
// a large difference (the first evaluation of a large organisation) never holds the store's
// writer for long: other writes take their turn between batches. The day's run is written
// last. Between batches a reader sees some findings already new and others not yet; the
// evaluation state says an evaluation is running meanwhile. It returns the number of
// transactions.
func (s *Service) storeDiff(ctx context.Context, d findingsDiff, known reasonSet, run Run, at time.Time) (int, error) {
	txs := 0
	for start := 0; start < len(d.goneSystems); start += txRows {
		end := min(start+txRows, len(d.goneSystems))
		if err := s.db.WriteTenant(ctx, func(t *store.Tenant) error { return deleteFindings(t, d.goneSystems[start:end], nil) }); err != nil {
			return txs, err
		}
		txs++
	}
	for start := 0; start < len(d.gone); start += txRows {
		end := min(start+txRows, len(d.gone))
		if err := s.db.WriteTenant(ctx, func(t *store.Tenant) error { return deleteFindings(t, nil, d.gone[start:end]) }); err != nil {
			return txs, err
		}
		txs++
	}
	// The last batch goes with the run, so that a small difference (one edit) is one
	// transaction. An organisation with no stored finding gets its findings by COPY where
	// the engine has it (the bulk path); they are all new, so nothing needs replacing.
	write := s.db.WriteTenant
	if d.fresh {
		write = s.db.WriteTenantBulk
	}
	if s.db.Dialect() == store.SQLite {
		// Only SQLite: on PostgreSQL, findings loaded in key order put a duty's findings
		// on the same heap pages, so a change of a few duties rewrote whole pages, too
		// many for the free room of findingsFillFactor (no HOT update): a profile change
		// generated 38.5 MiB of WAL against 21.2 MiB in the engine's order.
		sortByKey(d.write)
	}
	for start := 0; ; start += txRows {
		end := min(start+txRows, len(d.write))
		last := end == len(d.write)
		added := known.missing(d.write[start:end])
		err := write(ctx, func(t *store.Tenant) error {
			if err := writeReasons(t, added); err != nil {
				return err
			}
			var err error
			if d.fresh && t.CanCopy() && end > start {
				err = copyFindings(t, d.write[start:end], at)
			} else {
				err = writeFindings(t, d.write[start:end], at)
			}
			if err != nil {
				return err
			}
			if last {
				return writeRun(t, run)
			}
			return nil
		})
		if err != nil {
			return txs, err
		}
		known.add(added)
		txs++
		if last {
			break
		}
	}
	// After an evaluation of everything the entries are every stored finding: a reason
	// none of them names any more is deleted.
	if d.all {
		if unused := known.unused(d.entries); len(unused) > 0 {
			if err := s.db.WriteTenant(ctx, func(t *store.Tenant) error { return deleteReasons(t, unused) }); err != nil {
				return txs, err
			}
			known.remove(unused)
			txs++
		}
	}
	return txs, nil
}

// storedMemo reads what the records hold of the organisation's findings (key and
// fingerprint, not the reasons): a process's first evaluation compares with it, so that it
// writes only the findings that differ from the records and removes those that no longer
// apply. Its entries carry only the fingerprint: it is only ever compared with a full
// evaluation.
func storedMemo(ctx context.Context, db *store.DB) (*memo, error) {
	m := &memo{entries: map[rules.SubjectKey]entry{}, systems: map[int64]rules.System{}}
	err := db.ReadTenant(ctx, func(t *store.Tenant) error {
		var err error
		if m.reasons, err = storedReasons(t); err != nil {
			return err
		}
		rows, err := t.Query(`SELECT obligation_id, subject_kind, subject_id, fp FROM findings WHERE org_id = $1`)
		if err != nil {
			return fmt.Errorf("read stored findings: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var (
				k          rules.SubjectKey
				kind, subj string
				fp         int64
			)
			if err := rows.Scan(&k.Obligation, &kind, &subj, &fp); err != nil {
				return fmt.Errorf("read stored findings: %w", err)
			}
			if kind == string(rules.SubjectSystem) {
				if k.System, err = strconv.ParseInt(subj, 10, 64); err != nil {
					return fmt.Errorf("stored finding %s of system %q: %w", k.Obligation, subj, err)
				}
				m.systems[k.System] = rules.System{}
			}
			m.entries[k] = entry{sum: uint64(fp)}
		}
		return rows.Err()
	})
	return m, err
}

// writeRun keeps the trend at one point a day (China Standard Time), the day's last run:
// earlier runs of the same day (every edit re-evaluates) are replaced, so the table grows by
// a row a day at most.
func writeRun(t *store.Tenant, run Run) error {
	y, mo, d := run.At.In(calendar.Shanghai).Date()
	day := time.Date(y, mo, d, 0, 0, 0, 0, calendar.Shanghai)
	if _, err := t.Exec(`DELETE FROM finding_runs WHERE org_id = $1 AND at >= $2 AND at < $3`, day, day.Add(24*time.Hour)); err != nil {
		return fmt.Errorf("replace today's run: %w", err)
	}
	if _, err := t.Exec(`INSERT INTO finding_runs (org_id, at, met, gap, overdue, not_applicable, needs_attestation, fine_min, fine_max) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		run.At, run.Met, run.Gap, run.Overdue, run.NotApplicable, run.NeedsAttestation, run.FineMin, run.FineMax); err != nil {
		return fmt.Errorf("store run: %w", err)
	}
	return nil
}

// sortByKey orders findings as the findings table's primary key does (obligation, subject
// kind, subject id, compared as text): the engine gives them by subject, and written in
// that order each transaction touched index pages all over the table and, once the table
// was laid out by subject, most of its pages for a change of a few duties. In the key's
// order a first evaluation appends to the index and the table alike, and rewriting a few
// duties' findings touches only those duties' pages.
func sortByKey(fs []changed) {
	slices.SortFunc(fs, func(a, b changed) int {
		if c := cmp.Compare(a.ObligationID, b.ObligationID); c != 0 {
			return c
		}
		if c := cmp.Compare(a.SubjectKind, b.SubjectKind); c != 0 {
			return c
		}
		return cmp.Compare(a.SubjectID, b.SubjectID)
	})
}
