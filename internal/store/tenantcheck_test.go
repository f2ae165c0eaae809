package store

import (
	"strconv"
	"testing"
)

// TestStatementCheckRemembersBothVerdicts: a statement's verdict is the same the first time,
// when it is matched, and every later time, when it comes from the cache — a refused statement
// stays refused. Past the bound, statements are still checked.
func TestStatementCheckRemembersBothVerdicts(t *testing.T) {
	cases := []struct {
		query string
		ok    bool
	}{ // by hand, from the rule "org_id is bound to $1"
		{`SELECT name FROM widgets WHERE org_id = $1 AND id = $2`, true},
		{`INSERT INTO findings (org_id, obligation_id) VALUES ($1, $2), ($1, $3)`, true},
		{`SELECT name FROM widgets WHERE id = $1`, false},
		{`SELECT name FROM widgets WHERE org_id = $2`, false},
		{`DELETE FROM widgets WHERE org_id = $10`, false},
		{`INSERT INTO findings (org_id, obligation_id) SELECT $1, u.o FROM unnest($2::text[]) AS u(o)`, true},
		{`INSERT INTO findings (org_id, obligation_id) SELECT $1::bigint, u.o FROM unnest($2::text[]) AS u(o) ON CONFLICT DO NOTHING`, true},
		{`INSERT INTO findings (org_id, obligation_id) SELECT $2, u.o FROM unnest($3::text[]) AS u(o)`, false},
		{`INSERT INTO findings (org_id, obligation_id) SELECT $1, obligation_id FROM findings`, false},
		{`INSERT INTO findings (org_id, obligation_id) SELECT org_id, o FROM findings, unnest($2::text[]) AS u(o)`, false},
	}
	c := &statementCheck{verdict: map[string]bool{}}
	for round := 0; round < 3; round++ {
		for _, tc := range cases {
			if got := c.ok(tc.query); got != tc.ok {
				t.Errorf("round %d: %q → %v, want %v", round, tc.query, got, tc.ok)
			}
		}
	}
	if len(c.verdict) != len(cases) {
		t.Fatalf("%d verdicts remembered, want %d", len(c.verdict), len(cases))
	}
	for i := 0; i < maxCheckedStatements+10; i++ {
		c.ok(`SELECT 1 FROM widgets WHERE org_id = $1 AND id = ` + strconv.Itoa(i))
	}
	if len(c.verdict) > maxCheckedStatements {
		t.Fatalf("%d verdicts remembered, bound %d", len(c.verdict), maxCheckedStatements)
	}
	if c.ok(`SELECT name FROM widgets WHERE id = 99999`) {
		t.Fatal("a statement past the bound was not checked")
	}
}

// BenchmarkStatementCheck compares matching the tenancy expression on every execution (as
// before) with the remembered verdict, for the statement that writes findings.
func BenchmarkStatementCheck(b *testing.B) {
	const q = `INSERT INTO findings (org_id, obligation_id, subject_kind, subject_id, status, reason_zh, reason_en, due, penalty_id, fine_min, fine_max, evidence, attested_by, evaluated_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`
	b.Run("match", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			tenantClause.MatchString(q)
		}
	})
	b.Run("remembered", func(b *testing.B) {
		c := &statementCheck{verdict: map[string]bool{}}
		for i := 0; i < b.N; i++ {
			c.ok(q)
		}
	})
}
