package obligations

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"ciiguard/internal/calendar"
	"ciiguard/internal/rules"
	"ciiguard/internal/store"
)

// findingColumns are the columns written per finding after org_id, which every statement
// binds to $1 (the tenancy rule).
const findingColumns = `obligation_id, subject_kind, subject_id, status, reason_zh, reason_en, due, penalty_id, fine_min, fine_max, evidence, attested_by, evaluated_at`

const perFinding = 13 // len(findingColumns)

// batchRows is how many findings one statement writes: 500 rows are 6,501 parameters,
// within both engines' limits (SQLite 32,766, PostgreSQL 65,535), and large enough that the
// per-statement cost disappears (single-row statements were 60% of a full evaluation).
const batchRows = 500

// upsertSQL builds the statement that writes n findings, replacing a stored finding with the
// same key. The statement text depends only on n, so the tenancy check and the drivers'
// statement caches see at most two texts per evaluation.
func upsertSQL(n int) string {
	var b strings.Builder
	b.WriteString(`INSERT INTO findings (org_id, ` + findingColumns + `) VALUES `)
	p := 2
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("($1")
		for j := 0; j < perFinding; j++ {
			b.WriteString(", $")
			b.WriteString(strconv.Itoa(p))
			p++
		}
		b.WriteString(")")
	}
	b.WriteString(` ON CONFLICT (org_id, obligation_id, subject_kind, subject_id) DO UPDATE SET status = excluded.status, reason_zh = excluded.reason_zh, reason_en = excluded.reason_en,
	due = excluded.due, penalty_id = excluded.penalty_id, fine_min = excluded.fine_min, fine_max = excluded.fine_max, evidence = excluded.evidence,
	attested_by = excluded.attested_by, evaluated_at = excluded.evaluated_at`)
	return b.String()
}

// writeFindings writes fs in batches of batchRows rows.
func writeFindings(t *store.Tenant, fs []*rules.Finding, at time.Time) error {
	args := make([]any, 0, batchRows*perFinding)
	for start := 0; start < len(fs); start += batchRows {
		end := min(start+batchRows, len(fs))
		args = args[:0]
		for _, f := range fs[start:end] {
			var fmin, fmax int64
			pen := ""
			if f.Penalty != nil {
				fmin, fmax, pen = f.Penalty.Min, f.Penalty.Max, f.Penalty.ID
			}
			args = append(args, f.ObligationID, string(f.SubjectKind), f.SubjectID, string(f.Status), f.Reason.Zh, f.Reason.En, f.Due, pen, fmin, fmax,
				strings.Join(f.Evidence, ","), f.AttestedBy, at)
		}
		if _, err := t.Exec(upsertSQL(end-start), args...); err != nil {
			return fmt.Errorf("store findings %d–%d of %d: %w", start+1, end, len(fs), err)
		}
	}
	return nil
}

// deleteFindings removes stored findings: all of the removed systems', and single ones
// whose obligation left the catalog.
func deleteFindings(t *store.Tenant, systems []int64, keys []rules.SubjectKey) error {
	for _, id := range systems {
		if _, err := t.Exec(`DELETE FROM findings WHERE org_id = $1 AND subject_kind = 'system' AND subject_id = $2`, strconv.FormatInt(id, 10)); err != nil {
			return fmt.Errorf("delete findings of removed system %d: %w", id, err)
		}
	}
	for _, k := range keys {
		var err error
		if k.System == 0 {
			_, err = t.Exec(`DELETE FROM findings WHERE org_id = $1 AND obligation_id = $2 AND subject_kind = 'org'`, k.Obligation)
		} else {
			_, err = t.Exec(`DELETE FROM findings WHERE org_id = $1 AND obligation_id = $2 AND subject_kind = 'system' AND subject_id = $3`, k.Obligation, strconv.FormatInt(k.System, 10))
		}
		if err != nil {
			return fmt.Errorf("delete finding %s/%d: %w", k.Obligation, k.System, err)
		}
	}
	return nil
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
