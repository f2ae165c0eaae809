package emergency

import (
	"testing"
	"time"
)

func d(s string) time.Time { return factDate(s) }

// TestComputeFacts derives each system's facts from a hand-made set of records at a fixed
// moment (2026-06-01 10:00 Beijing time), against values worked out by hand: the cadences
// count Beijing calendar days and the due day itself is still within; a whole-organisation
// plan covers every system of the inventory; a drill calls for its plan's revision until
// the plan is revised after it; the latest backup test decides location and result.
func TestComputeFacts(t *testing.T) {
	now := time.Date(2026, 6, 1, 2, 0, 0, 0, time.UTC) // 10:00 in Beijing
	rs := &records{
		settings: Settings{ReviewMonths: 12, DrillCadenceDays: 365, BackupTestCadenceDays: 180},
		plans: []Plan{
			{ID: 1, Systems: []int64{1, 2}, ApprovedOn: "2025-07-01", ReviewOn: "2026-07-01"},
			{ID: 2, Systems: []int64{}, ApprovedOn: "2025-01-01", ReviewOn: "2026-05-31"}, // whole organisation, review passed yesterday
			{ID: 3, Systems: []int64{3}, ApprovedOn: "2026-01-01", ReviewOn: "2027-01-01", RevisedAfterDrill: 12},
		},
		drills: []Drill{
			{ID: 10, HeldOn: "2025-06-01", Systems: []int64{1}, PlanID: 1},                       // 365 days ago: due today
			{ID: 11, HeldOn: "2025-05-31", Systems: []int64{2}, PlanID: 1, RevisionNeeded: true}, // 366 days ago; calls for plan 1's revision
			{ID: 12, HeldOn: "2025-12-01", Systems: []int64{3}, PlanID: 3, RevisionNeeded: true}, // answered by plan 3's revision
		},
		backups: []BackupTest{
			{ID: 20, Systems: []int64{1}, InChina: true, TestedOn: "2025-12-03", RPOTargetMin: 15, RTOTargetMin: 60, RPOAchievedMin: 15, RTOAchievedMin: 60}, // day 180
			{ID: 21, Systems: []int64{2}, InChina: true, TestedOn: "2026-05-01", RPOTargetMin: 15, RTOTargetMin: 60, RPOAchievedMin: 5, RTOAchievedMin: 61},  // RTO missed
			{ID: 22, Systems: []int64{3}, InChina: false, TestedOn: "2026-04-01", RPOTargetMin: 15, RTOTargetMin: 60, RPOAchievedMin: 5, RTOAchievedMin: 30},
			{ID: 23, Systems: []int64{3}, InChina: true, TestedOn: "2026-05-01", RPOTargetMin: 15, RTOTargetMin: 60, RPOAchievedMin: 5, RTOAchievedMin: 30}, // later, in China
			{ID: 24, Systems: []int64{4}, InChina: true}, // imported, never tested
		},
	}
	got := ComputeFacts(rs, []int64{1, 2, 3, 4, 5}, now)
	want := map[int64]Facts{
		1: {HasPlan: true, PlanRevisionDue: true, PlanReviewDue: d("2026-05-31"), PlanReviewOverdue: true, LastDrill: d("2025-06-01"), NextDrillDue: d("2026-06-01"), DrillCurrent: true,
			HasBackup: true, LastBackupTest: d("2025-12-03"), NextBackupTestDue: d("2026-06-01"), BackupTestCurrent: true, BackupTestMet: true},
		2: {HasPlan: true, PlanRevisionDue: true, PlanReviewDue: d("2026-05-31"), PlanReviewOverdue: true, LastDrill: d("2025-05-31"), NextDrillDue: d("2026-05-31"),
			HasBackup: true, LastBackupTest: d("2026-05-01"), NextBackupTestDue: d("2026-10-28"), BackupTestCurrent: true},
		3: {HasPlan: true, PlanReviewDue: d("2026-05-31"), PlanReviewOverdue: true, LastDrill: d("2025-12-01"), NextDrillDue: d("2026-12-01"), DrillCurrent: true,
			HasBackup: true, LastBackupTest: d("2026-05-01"), NextBackupTestDue: d("2026-10-28"), BackupTestCurrent: true, BackupTestMet: true},
		4: {HasPlan: true, PlanReviewDue: d("2026-05-31"), PlanReviewOverdue: true, HasBackup: true},
		5: {HasPlan: true, PlanReviewDue: d("2026-05-31"), PlanReviewOverdue: true},
	}
	if len(got) != len(want) {
		t.Fatalf("facts for %d systems, want %d: %+v", len(got), len(want), got)
	}
	for id, w := range want {
		g := got[id]
		// time.Time compares by instant here: AddDays returns Beijing-located times.
		same := g.HasPlan == w.HasPlan && g.PlanRevisionDue == w.PlanRevisionDue && g.PlanReviewDue.Equal(w.PlanReviewDue) && g.PlanReviewOverdue == w.PlanReviewOverdue &&
			g.LastDrill.Equal(w.LastDrill) && g.NextDrillDue.Equal(w.NextDrillDue) && g.DrillCurrent == w.DrillCurrent &&
			g.HasBackup == w.HasBackup && g.BackupAbroad == w.BackupAbroad && g.LastBackupTest.Equal(w.LastBackupTest) && g.NextBackupTestDue.Equal(w.NextBackupTestDue) &&
			g.BackupTestCurrent == w.BackupTestCurrent && g.BackupTestMet == w.BackupTestMet
		if !same {
			t.Errorf("system %d:\n got %+v\nwant %+v", id, g, w)
		}
	}
	// The earlier backup of system 3 was abroad: with it the latest, the system fails.
	rs.backups = rs.backups[:3]
	if f := ComputeFacts(rs, nil, now)[3]; !f.BackupAbroad || !f.BackupTestMet {
		t.Errorf("system 3 with its test abroad the latest: %+v", f)
	}
}
