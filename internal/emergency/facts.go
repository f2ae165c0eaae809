package emergency

import (
	"context"
	"sort"
	"time"

	"ciiguard/internal/calendar"
)

// Facts is the emergency fact set, the CEL variable `emergency` of the catalog's
// `subject: system` rules, one value per system (kernel.NewSystemFacts): is the system
// covered by a plan that is current, drilled within the cadence, backed up in China and
// restore-tested within the cadence with its objectives met. A system without any record
// reads the zero value: no plan, never drilled, no backup.
type Facts struct {
	HasPlan           bool      `cel:"has_plan" json:"has_plan" label:"有应急预案覆盖|covered by an emergency plan"`
	PlanRevisionDue   bool      `cel:"plan_revision_due" json:"plan_revision_due" label:"演练发现预案须修订而尚未修订|a drill called for a plan revision not yet made"`
	PlanReviewDue     time.Time `cel:"plan_review_due" json:"plan_review_due" label:"预案复审日期|plan review date"`
	PlanReviewOverdue bool      `cel:"plan_review_overdue" json:"plan_review_overdue" label:"预案已过复审日期|plan review overdue"`
	LastDrill         time.Time `cel:"last_drill" json:"last_drill" label:"最近一次应急演练|last emergency drill"`
	NextDrillDue      time.Time `cel:"next_drill_due" json:"next_drill_due" label:"下次演练期限|next drill due"`
	DrillCurrent      bool      `cel:"drill_current" json:"drill_current" label:"在演练周期内演练过|drilled within the cadence"`
	HasBackup         bool      `cel:"has_backup" json:"has_backup" label:"有灾难备份|has a disaster-recovery backup"`
	BackupAbroad      bool      `cel:"backup_abroad" json:"backup_abroad" label:"备份存放在境外|backup kept outside China"`
	LastBackupTest    time.Time `cel:"last_backup_test" json:"last_backup_test" label:"最近一次备份恢复测试|last backup restore test"`
	NextBackupTestDue time.Time `cel:"next_backup_test_due" json:"next_backup_test_due" label:"下次恢复测试期限|next restore test due"`
	BackupTestCurrent bool      `cel:"backup_test_current" json:"backup_test_current" label:"在测试周期内做过恢复测试|restore-tested within the cadence"`
	BackupTestMet     bool      `cel:"backup_test_met" json:"backup_test_met" label:"最近一次恢复测试达到恢复点和恢复时间目标|last restore test met its RPO and RTO"`
}

// records is everything the facts and pages are computed from.
type records struct {
	settings Settings
	plans    []Plan
	drills   []Drill
	backups  []BackupTest
}

// inForce is the records without the retired plans, which count for nothing.
func (rs *records) inForce() *records {
	out := *rs
	out.plans = nil
	for _, p := range rs.plans {
		if !p.Retired() {
			out.plans = append(out.plans, p)
		}
	}
	return &out
}

// wholeOrg reports whether some record covers the whole organisation (no systems listed):
// then every system of the inventory gets facts.
func (rs *records) wholeOrg() bool {
	for _, p := range rs.plans {
		if len(p.Systems) == 0 {
			return true
		}
	}
	for _, d := range rs.drills {
		if len(d.Systems) == 0 {
			return true
		}
	}
	return false
}

// factDate is a stored date as a fact: midnight UTC, the same calendar day in Beijing, as
// the inventory's dates are (rules.ParseFactTime).
func factDate(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}
	}
	return t
}

// within reports whether today (Beijing) is on or before the day n days after from.
func within(from time.Time, n int64, now time.Time) (due time.Time, ok bool) {
	if from.IsZero() {
		return time.Time{}, false
	}
	due = calendar.AddDays(from, int(n))
	return due, today(now) <= due.In(calendar.Shanghai).Format(time.DateOnly)
}

// ComputeFacts derives each system's facts at now. all lists the inventory's systems; it
// is needed only when a record covers the whole organisation.
func ComputeFacts(rs *records, all []int64, now time.Time) map[int64]Facts {
	rs = rs.inForce()
	derivePlans(rs.plans, rs.drills, now)
	ids := map[int64]bool{}
	for _, p := range rs.plans {
		for _, id := range p.Systems {
			ids[id] = true
		}
	}
	for _, d := range rs.drills {
		for _, id := range d.Systems {
			ids[id] = true
		}
	}
	for _, b := range rs.backups {
		for _, id := range b.Systems {
			ids[id] = true
		}
	}
	if rs.wholeOrg() {
		for _, id := range all {
			ids[id] = true
		}
	}
	out := make(map[int64]Facts, len(ids))
	for id := range ids {
		out[id] = systemFacts(rs, id, now)
	}
	return out
}

func systemFacts(rs *records, id int64, now time.Time) Facts {
	var f Facts
	for i := range rs.plans {
		p := &rs.plans[i]
		if !p.Covers(id) {
			continue
		}
		f.HasPlan = true
		f.PlanRevisionDue = f.PlanRevisionDue || p.RevisionDue
		f.PlanReviewOverdue = f.PlanReviewOverdue || p.ReviewOverdue
		if r := factDate(p.ReviewOn); !r.IsZero() && (f.PlanReviewDue.IsZero() || r.Before(f.PlanReviewDue)) {
			f.PlanReviewDue = r
		}
	}
	for _, d := range rs.drills {
		if covers(d.Systems, id) {
			if t := factDate(d.HeldOn); t.After(f.LastDrill) {
				f.LastDrill = t
			}
		}
	}
	f.NextDrillDue, f.DrillCurrent = within(f.LastDrill, rs.settings.DrillCadenceDays, now)
	var latest *BackupTest
	for i := range rs.backups {
		b := &rs.backups[i]
		if !covers(b.Systems, id) || len(b.Systems) == 0 {
			continue
		}
		f.HasBackup = true
		if latest == nil || b.TestedOn > latest.TestedOn || (b.TestedOn == latest.TestedOn && b.ID > latest.ID) {
			latest = b
		}
	}
	if latest != nil {
		f.BackupAbroad = !latest.InChina
		if latest.TestedOn != "" {
			f.LastBackupTest = factDate(latest.TestedOn)
			f.BackupTestMet = latest.result() == ResultMet
		}
	}
	f.NextBackupTestDue, f.BackupTestCurrent = within(f.LastBackupTest, rs.settings.BackupTestCadenceDays, now)
	return f
}

// derivePlans marks each plan whose revision a drill called for (ERL 2024 Art. 28) since
// it was last revised, and whose review date has passed.
func derivePlans(plans []Plan, drills []Drill, now time.Time) {
	sorted := append([]Drill(nil), drills...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].HeldOn < sorted[j].HeldOn })
	day := today(now)
	for i := range plans {
		p := &plans[i]
		p.RevisionDue, p.RevisionDrill, p.ReviewOverdue = false, 0, false
		if p.Retired() {
			continue
		}
		for _, d := range sorted {
			if d.PlanID == p.ID && d.RevisionNeeded && d.ID > p.RevisedAfterDrill {
				p.RevisionDue, p.RevisionDrill = true, d.ID
			}
		}
		p.ReviewOverdue = p.ReviewOn != "" && day > p.ReviewOn
	}
}

// Facts reads the context's organisation's facts, one value per system.
func (s *Service) Facts(ctx context.Context) (map[int64]Facts, error) {
	rs, err := s.records(ctx)
	if err != nil {
		return nil, err
	}
	var all []int64
	if rs.wholeOrg() {
		_, systems, err := s.inv.Facts(ctx)
		if err != nil {
			return nil, err
		}
		for _, sys := range systems {
			all = append(all, sys.ID)
		}
	}
	return ComputeFacts(rs, all, s.Now()), nil
}
