package data

import (
	"testing"

	"ciiguard/internal/calendar"
)

// TestContractFilingClock: a standard contract is filed within 10 working days of taking
// effect (REGULATORY-BRIEF, Data export). The expected days are counted by hand on the State
// Council's schedules (国办发明电〔2024〕12号 for 2025; the notice of 2025-11-04 for 2026):
//
//	2025-09-26 (Fri): 09-28 Sun make-up 1, 09-29 2, 09-30 3, 10-01..10-08 holiday, 10-09 4,
//	  10-10 5, 10-11 Sat make-up 6, 10-13 7, 10-14 8, 10-15 9, 10-16 10 → 2025-10-16
//	2026-02-10 (Tue): 02-11 1, 02-12 2, 02-13 3, 02-14 Sat make-up 4, 02-15..02-23 holiday,
//	  02-24 5, 02-25 6, 02-26 7, 02-27 8, 02-28 Sat make-up 9, 03-02 Mon 10 → 2026-03-02
//	2026-06-05 (Fri): 06-08..06-12 1-5, 06-15..06-18 6-9, 06-19..06-21 Dragon Boat,
//	  06-22 10 → 2026-06-22
func TestContractFilingClock(t *testing.T) {
	for _, tc := range []struct{ effective, due string }{
		{"2025-09-26", "2025-10-16"},
		{"2026-02-10", "2026-03-02"},
		{"2026-06-05", "2026-06-22"},
	} {
		due, prov, err := ContractFilingDue(calendar.Official(), day(tc.effective))
		if err != nil || prov || due.Format("2006-01-02") != tc.due {
			t.Errorf("effective %s: due %s (provisional %v, %v), want %s", tc.effective, due.Format("2006-01-02"), prov, err, tc.due)
		}
	}
}

// TestAssessmentExtensionClock: an approval issued 2024-01-01 under the 2022 Measures lasts 2
// years (through 2025-12-31); one issued 2024-04-01 under CBDF 2024 Art. 9 lasts 3 years
// (through 2027-03-31). The extension window (2024: within the 60 working days before
// expiry; 2022: reapply at least 60 working days before) is counted by hand for a 3-year
// approval issued 2024-01-01, valid through 2026-12-31: counting back, December gives 22
// working days (12-01..12-30), November 21 (11-02..11-30), then October 30, 29, 28, 27, 26,
// 23, 22, 21, 20, 19, 16, 15, 14, 13, 12, 10 (the Saturday make-up day) and 9 → the window
// opens 2026-10-09 (weekends only would say 2026-10-08: the holiday schedule matters).
func TestAssessmentExtensionClock(t *testing.T) {
	v2024 := Rules.At(day("2024-06-01"))
	through, opens, prov, err := AssessmentValidity(calendar.Official(), v2024, day("2024-01-01"))
	if err != nil || prov || through.Format("2006-01-02") != "2026-12-31" || opens.Format("2006-01-02") != "2026-10-09" {
		t.Errorf("result 2024-01-01 under the 2024 rules: valid through %s, window opens %s (%v %v), want 2026-12-31 and 2026-10-09",
			through.Format("2006-01-02"), opens.Format("2006-01-02"), prov, err)
	}
	for _, tc := range []struct{ result, through, version string }{
		{"2024-01-01", "2025-12-31", "2022"},
		{"2024-04-01", "2027-03-31", "2024"},
	} {
		v := Rules.At(day(tc.result))
		got, _, _, err := AssessmentValidity(calendar.Official(), v, day(tc.result))
		if err != nil || v.ID != tc.version || got.Format("2006-01-02") != tc.through {
			t.Errorf("result %s: %s rules, valid through %s (%v), want %s rules through %s", tc.result, v.ID, got.Format("2006-01-02"), err, tc.version, tc.through)
		}
	}
}
