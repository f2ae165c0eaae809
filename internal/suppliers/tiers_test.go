package suppliers

import (
	"testing"
	"time"

	"ciiguard/internal/calendar"
	"ciiguard/internal/rules"
)

// TestTierOf holds TierOf to a hand-written table: which systems a supplier's products are
// used on decides its tier, the most critical use wins, and the reasons name each system
// that put it there.
func TestTierOf(t *testing.T) {
	systems := map[int64]rules.System{
		1: {ID: 1, Name: "调度", CIIStatus: "identified", MLPSLevel: 3},
		2: {ID: 2, Name: "营销", MLPSLevel: 3},
		3: {ID: 3, Name: "办公", MLPSLevel: 2},
		4: {ID: 4, Name: "人事", MLPSLevel: 1, HoldsPersonalInfo: true},
		5: {ID: 5, Name: "展示", MLPSLevel: 1},
		6: {ID: 6, Name: "候选", CIIStatus: "candidate", MLPSLevel: 1},
	}
	p := func(typ string, ids ...int64) Product { return Product{Type: typ, Systems: ids} }
	cases := []struct {
		name    string
		ps      []Product
		tier    string
		reasons []string // system name + code
	}{
		{"no products", nil, "general", nil},
		{"used on no system", []Product{p("software")}, "general", nil},
		{"level 1, no data", []Product{p("software", 5)}, "general", nil},
		{"a candidate is not identified", []Product{p("other", 6)}, "general", nil},
		{"maintenance of a level 1 system reaches its data", []Product{p("maintenance", 5)}, "important", []string{"展示 data_access"}},
		{"personal information", []Product{p("software", 4)}, "important", []string{"人事 data"}},
		{"level 2", []Product{p("software", 3)}, "important", []string{"办公 mlps2"}},
		{"level 3", []Product{p("software", 2)}, "critical", []string{"营销 mlps3"}},
		{"identified CII wins over everything, each system named once", []Product{p("software", 3, 1), p("critical_network_equipment", 1, 2), p("cloud", 5)}, "critical", []string{"调度 cii", "营销 mlps3"}},
		{"unknown system ignored", []Product{p("software", 99)}, "general", nil},
	}
	for _, c := range cases {
		tier, reasons := TierOf(c.ps, systems)
		var got []string
		for _, r := range reasons {
			got = append(got, r.System+" "+r.Code)
		}
		if tier.Code != c.tier || len(got) != len(c.reasons) {
			t.Errorf("%s: %s %v, want %s %v", c.name, tier.Code, got, c.tier, c.reasons)
			continue
		}
		for i := range got {
			if got[i] != c.reasons[i] {
				t.Errorf("%s: reasons %v, want %v", c.name, got, c.reasons)
			}
		}
	}
}

// TestReassessmentDue: a critical supplier last reviewed on 2026-05-31 is due six months
// later, 2026-11-30 (China time), overdue on 2026-12-01 and not on 2026-11-30; a supplier
// never reviewed is due at once.
func TestReassessmentDue(t *testing.T) {
	systems := map[int64]rules.System{1: {ID: 1, Name: "调度", CIIStatus: "identified"}}
	ps := []Product{{Type: "software", Systems: []int64{1}}}
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, calendar.Shanghai) }
	reviews := []PerformanceReview{{ReviewedOn: day(2026, 3, 1)}, {ReviewedOn: day(2026, 5, 31)}}
	st := tierOf(ps, systems, reviews, day(2026, 11, 30).Add(23*time.Hour))
	if !st.Due.Equal(day(2026, 11, 30)) || st.Overdue || st.LastReview == nil || !st.LastReview.Equal(day(2026, 5, 31)) {
		t.Errorf("on 2026-11-30: due %v overdue %v last %v; want 2026-11-30, not overdue, last 2026-05-31", st.Due, st.Overdue, st.LastReview)
	}
	if st := tierOf(ps, systems, reviews, day(2026, 12, 1)); !st.Overdue {
		t.Errorf("on 2026-12-01 not overdue (due %v)", st.Due)
	}
	if st := tierOf(ps, systems, nil, day(2026, 12, 1)); !st.Overdue || st.LastReview != nil || !st.Due.Equal(day(2026, 12, 1)) {
		t.Errorf("never reviewed: %+v, want due at once", st)
	}
}

// TestQuestionnaireFacts: on 2026-12-02 (China time), an accepted questionnaire decided
// within the last year counts as the supplier's performance review and one decided 13
// months ago does not; a finding due yesterday and open is overdue, one due today is not
// yet, a closed one past its day counts for neither.
func TestQuestionnaireFacts(t *testing.T) {
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, calendar.Shanghai) }
	now := time.Date(2026, 12, 2, 10, 0, 0, 0, calendar.Shanghai)
	recent, old := day(2026, 1, 15), day(2025, 11, 1)
	closed := day(2026, 11, 20)
	rec := records{
		sups:  []Supplier{{ID: 1}, {ID: 2}, {ID: 3}},
		prods: []Product{{ID: 10, SupplierID: 1}, {ID: 20, SupplierID: 2}, {ID: 30, SupplierID: 3}},
		agreements: []Agreement{{SupplierID: 1, SignedOn: day(2025, 1, 1), Duties: []string{"incident_reporting"}},
			{SupplierID: 2, SignedOn: day(2025, 1, 1), Duties: []string{"incident_reporting"}},
			{SupplierID: 3, SignedOn: day(2025, 1, 1), Duties: []string{"incident_reporting"}}},
		reviews: []PerformanceReview{{SupplierID: 3, ReviewedOn: day(2026, 6, 1)}},
		questionnaires: []Questionnaire{{SupplierID: 1, State: QAccepted, DecidedAt: &recent},
			{SupplierID: 2, State: QAccepted, DecidedAt: &old}, {SupplierID: 2, State: QAnswered}},
		findings: []Finding{{DueOn: day(2026, 12, 1)}, {DueOn: day(2026, 12, 2)}, {DueOn: day(2026, 10, 1), ClosedAt: &closed}},
	}
	f := ComputeFacts(rec, nil, now)
	if f.Unreviewed != 1 {
		t.Errorf("unreviewed %d, want 1 (supplier 2: its accepted questionnaire is 13 months old, the answered one not reviewed)", f.Unreviewed)
	}
	if f.FindingsOpen != 2 || f.FindingsOverdue != 1 {
		t.Errorf("findings open %d overdue %d, want 2 and 1", f.FindingsOpen, f.FindingsOverdue)
	}
}
