package review

import (
	"testing"

	"ciiguard/internal/calendar"
)

// TestComputeFacts counts a hand-made set of records: what each count should be is worked
// out case by case in the comments.
func TestComputeFacts(t *testing.T) {
	full := Materials{Declaration: true, ImpactAnalysis: true, PurchaseDocs: true}
	cases := []Case{
		{ID: 1, Kind: KindProcurement, State: Cleared, Materials: full},
		{ID: 2, Kind: KindProcurement, State: Initial, Since: date("2026-09-21"), Materials: full},                           // due 2026-11-09: overdue on 2026-11-10
		{ID: 3, Kind: KindProcurement, State: Submitted, Since: date("2026-11-02"), Materials: Materials{Declaration: true}}, // incomplete, running
		{ID: 4, Kind: KindProcurement, State: Revoked, Materials: full},
		{ID: 5, Kind: KindListing, State: Opinions, Since: date("2026-11-05"), Materials: Materials{Declaration: true, ImpactAnalysis: true, ListingDocs: true}},
		{ID: 6, Kind: KindProcurement, State: Preparing},
	}
	ps := []Procurement{
		{Required: true, CaseID: 1, Status: StatusApproved},                 // cleared and approved: fine
		{Required: true, CaseID: 2, Status: StatusPending},                  // awaiting
		{Required: true, CaseID: 3, Status: StatusApproved, Imported: true}, // approved under review: approved_unreviewed
		{Required: true, CaseID: 4, Status: StatusApproved},                 // clearance revoked, still in use: in_use_failed
		{Required: true, CaseID: 6, Status: StatusPending},                  // awaiting
		{Required: false, Status: StatusApproved},                           // needs no review
	}
	f, err := ComputeFacts(calendar.Official(), ps, cases, date("2026-11-10"))
	if err != nil {
		t.Fatal(err)
	}
	want := Facts{AwaitingReview: 2, ApprovedUnreviewed: 1, InUseFailed: 1, SubmittedIncomplete: 1, ListingFiled: true, ClocksRunning: 3, ClocksOverdue: 1}
	if f != want {
		t.Errorf("facts\n got %+v\nwant %+v", f, want)
	}
}
