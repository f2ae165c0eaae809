package obligations

import (
	"testing"
	"time"

	"ciiguard/internal/catalog"
	"ciiguard/internal/rules"
)

func bj(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, time.FixedZone("CST", 8*3600))
	if err != nil {
		panic(err)
	}
	return t
}

func fd(ob string, kind rules.SubjectKind, subj string, st rules.Status) Finding {
	return Finding{Finding: rules.Finding{ObligationID: ob, SubjectKind: kind, SubjectID: subj, Status: st}}
}

// TestExposureIsBuiltFromTheText computes the fine exposure of hand-written sets of open
// findings and checks each total against the amounts the articles state (quoted below),
// not against the catalog's YAML.
func TestExposureIsBuiltFromTheText(t *testing.T) {
	c, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	sys := rules.SubjectSystem
	org := rules.SubjectOrg
	plans := []Finding{ // CSL 2016 Art. 25 / 2025 Art. 27 on five systems, and an MLPS filing (Art. 21 / 23)
		fd("CSL-INCIDENT-RESPONSE-PLAN", sys, "14", rules.StatusGap), fd("CSL-INCIDENT-RESPONSE-PLAN", sys, "21", rules.StatusGap),
		fd("CSL-INCIDENT-RESPONSE-PLAN", sys, "22", rules.StatusGap), fd("CSL-INCIDENT-RESPONSE-PLAN", sys, "24", rules.StatusGap),
		fd("MLPS07-FILING-30-DAYS", sys, "26", rules.StatusOverdue), fd("CSL-LOG-RETENTION", org, "1", rules.StatusMet),
	}
	annual := []Finding{ // the same conduct under the CSL (Art. 38 / 40) and the CIIR (Art. 17)
		fd("CSL-CII-ANNUAL-ASSESSMENT", org, "1", rules.StatusOverdue), fd("CIIR-ANNUAL-RISK-ASSESSMENT", org, "1", rules.StatusOverdue),
	}
	cases := []struct {
		name     string
		fs       []Finding
		at       time.Time
		min, max int64
		rows     []string // penalty ids of the rows, sorted
		multiple []string
	}{
		// CSL 2025 Art. 61(1), in force 2026-01-01: "责令改正，给予警告，可以处一万元以上五万元以下罚款" —
		// one clause, counted once for all five findings.
		{"operator duties, 2025 text", plans, bj("2026-12-01 09:00"), 10000, 50000, []string{"CSL-2025-61-1"}, nil},
		// CSL 2016 Art. 59(1): "责令改正，给予警告；拒不改正或者导致危害网络安全等后果的，处一万元以上十万元以下罚款"
		// — before 2026 an open finding risks an order and a warning; the fine is the next tier.
		{"operator duties, 2016 text", plans, bj("2025-12-01 09:00"), 0, 0, []string{"CSL-2016-59-1"}, nil},
		// CSL 2025 Art. 61(2): "可以处五万元以上十万元以下罚款"; CIIR 2021 Art. 39: "责令改正，给予警告；拒不改正
		// ……处10万元以上100万元以下罚款". One conduct, counted once at the higher range (the CSL's 50,000–100,000),
		// not 50,000–100,000 plus CIIR's.
		{"same conduct under CSL and CIIR", annual, bj("2026-12-01 09:00"), 50000, 100000, []string{"CSL-2025-61-2"}, nil},
		// Both together: 61(1) and 61(2) are two clauses, both count.
		{"two clauses", append(append([]Finding{}, plans...), annual...), bj("2026-12-01 09:00"), 60000, 150000, []string{"CSL-2025-61-1", "CSL-2025-61-2"}, nil},
		// The 2017 CIIR draft never came into force: its Art. 34 duty fines nobody.
		{"draft only", []Finding{fd("CIIR-DOMESTIC-MAINTENANCE", sys, "3", rules.StatusGap)}, bj("2026-12-01 09:00"), 0, 0, nil, nil},
		// CSL 2016 Art. 65 / 2025 Art. 67: "处采购金额一倍以上十倍以下罚款" — listed, not in the total.
		{"purchase multiple", []Finding{fd("CSL-CII-PROCUREMENT-REVIEW", org, "1", rules.StatusGap)}, bj("2026-12-01 09:00"), 0, 0, nil, []string{"CSL-2016-65"}},
		// CSL 2025 Art. 74: a state organ's network — "责令改正；对直接负责的主管人员……依法给予处分": no fine.
		{"state organ", []Finding{fd("IRM-CENTRAL-ORGAN-2-HOUR-REPORT", org, "1", rules.StatusOverdue)}, bj("2026-12-01 09:00"), 0, 0, []string{"CSL-2025-74"}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := computeExposure(c, tc.fs, tc.at)
			if e.Min != tc.min || e.Max != tc.max {
				t.Errorf("exposure %d–%d, want %d–%d", e.Min, e.Max, tc.min, tc.max)
			}
			var rows, mult []string
			for _, r := range e.Rows {
				rows = append(rows, r.Penalty.ID)
			}
			for _, r := range e.Multiples {
				mult = append(mult, r.Penalty.ID)
			}
			if !same(rows, tc.rows) || !same(mult, tc.multiple) {
				t.Errorf("rows %v multiples %v, want %v %v", rows, mult, tc.rows, tc.multiple)
			}
		})
	}
	// The row says where its total comes from: the findings behind it, the clause it replaced,
	// the clause of the other instrument not added, and the tiers not counted.
	e := computeExposure(c, append(append([]Finding{}, plans...), annual...), bj("2026-12-01 09:00"))
	r := e.Rows[0]
	if len(r.Findings) != 5 || r.Formerly == nil || r.Formerly.ID != "CSL-2016-59-1" || len(r.Others) != 3 {
		t.Errorf("61(1) row: %d findings, formerly %v, %d other tiers", len(r.Findings), r.Formerly, len(r.Others))
	}
	if r2 := e.Rows[1]; len(r2.AlsoUnder) != 1 || r2.AlsoUnder[0].ID != "CIIR-2021-39" || len(r2.Findings) != 2 {
		t.Errorf("61(2) row: also under %v, %d findings", r2.AlsoUnder, len(r2.Findings))
	}
	// The draft-only gap is counted as recommended, not as a gap.
	s := summarise(c, []Finding{fd("CIIR-DOMESTIC-MAINTENANCE", sys, "3", rules.StatusGap), fd("CSL-INCIDENT-RESPONSE-PLAN", sys, "3", rules.StatusGap)})
	if s.Gap != 1 || s.Recommended != 1 {
		t.Errorf("summary gap %d recommended %d, want 1 and 1", s.Gap, s.Recommended)
	}
}

func same(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
