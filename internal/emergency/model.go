package emergency

import (
	"strings"
	"time"

	"ciiguard/internal/calendar"
	"ciiguard/internal/kernel"
)

// Settings are an organisation's cadences. No text sets a frequency (the regulatory brief:
// CSL Art. 34(4) and CIIR Art. 15(3) say "regularly"): the defaults — review each plan
// yearly, drill yearly, restore-test backups yearly — are ciiguard's, and the page says so.
type Settings struct {
	ReviewMonths          int64 `json:"review_months"`
	DrillCadenceDays      int64 `json:"drill_cadence_days"`
	BackupTestCadenceDays int64 `json:"backup_test_cadence_days"`
	Default               bool  `json:"default"` // nobody changed them yet
}

// DefaultSettings are ciiguard's defaults (not the law's).
var DefaultSettings = Settings{ReviewMonths: 12, DrillCadenceDays: 365, BackupTestCadenceDays: 365, Default: true}

// Plan is an emergency plan (应急预案): the organisation's or some systems'.
type Plan struct {
	ID         int64   `json:"id"`
	Title      string  `json:"title"`
	Version    string  `json:"version"`
	Systems    []int64 `json:"systems"` // empty: the whole organisation
	Contacts   string  `json:"contacts"`
	ApprovedBy string  `json:"approved_by"`
	ApprovedOn string  `json:"approved_on"` // YYYY-MM-DD; "" for a plan imported without one
	ReviewOn   string  `json:"review_on"`   // next review, YYYY-MM-DD
	Imported   bool    `json:"imported"`    // from the inventory's former checkbox
	// RevisedAfterDrill is the last drill that called for a revision when the plan was
	// last revised: that call and earlier ones are answered.
	RevisedAfterDrill int64     `json:"revised_after_drill,omitempty"`
	CreatedBy         string    `json:"created_by"`
	CreatedAt         time.Time `json:"created_at"`
	// RevisionDrill is the drill whose findings call for a revision not yet made (ERL 2024
	// Art. 28): a drill of this plan marked "revision needed", held on or after the plan's
	// approval. 0 when none.
	RevisionDrill int64 `json:"revision_drill,omitempty"`
	RevisionDue   bool  `json:"revision_due"`
	ReviewOverdue bool  `json:"review_overdue"`
	// RetiredOn is the day the plan went out of force (YYYY-MM-DD), "" while in force; a
	// retired plan is history: it covers nothing and is due for no review or revision.
	RetiredOn    string `json:"retired_on,omitempty"`
	RetiredBy    string `json:"retired_by,omitempty"`
	RetireReason string `json:"retire_reason,omitempty"`
}

// Retired reports whether the plan is out of force.
func (p Plan) Retired() bool { return p.RetiredOn != "" }

// Covers reports whether the plan covers the system.
func (p *Plan) Covers(system int64) bool { return covers(p.Systems, system) }

func covers(systems []int64, id int64) bool {
	if len(systems) == 0 {
		return true
	}
	for _, s := range systems {
		if s == id {
			return true
		}
	}
	return false
}

// Drill is an emergency drill (应急演练) and what it found.
type Drill struct {
	ID             int64     `json:"id"`
	HeldOn         string    `json:"held_on"` // YYYY-MM-DD
	Scenario       string    `json:"scenario"`
	Systems        []int64   `json:"systems"` // empty: the whole organisation
	Participants   string    `json:"participants"`
	Findings       string    `json:"findings"`
	PlanID         int64     `json:"plan_id"` // the plan exercised, 0 for none
	RevisionNeeded bool      `json:"revision_needed"`
	Imported       bool      `json:"imported"`
	CreatedBy      string    `json:"created_by"`
	CreatedAt      time.Time `json:"created_at"`
	// Tasks are the follow-up tasks (the tasks capability), linked "drill:<id>".
	Tasks []kernel.LinkedTask `json:"tasks"`
}

// Link is how the drill's follow-up tasks are linked to it.
func (d *Drill) Link() string { return "drill:" + itoa(d.ID) }

// BackupTest is a backup and recovery test: where the systems' backup is kept, the
// recovery point and time objectives, and what the test achieved.
type BackupTest struct {
	ID             int64     `json:"id"`
	Systems        []int64   `json:"systems"`
	Location       string    `json:"location"`
	InChina        bool      `json:"in_china"`
	TestedOn       string    `json:"tested_on"` // "" for a backup recorded without a test
	RPOTargetMin   int64     `json:"rpo_target_min"`
	RTOTargetMin   int64     `json:"rto_target_min"`
	RPOAchievedMin int64     `json:"rpo_achieved_min"`
	RTOAchievedMin int64     `json:"rto_achieved_min"`
	Notes          string    `json:"notes"`
	Imported       bool      `json:"imported"`
	CreatedBy      string    `json:"created_by"`
	CreatedAt      time.Time `json:"created_at"`
	Result         string    `json:"result"` // met, missed, untested
}

// Backup test results.
const (
	ResultMet      = "met"
	ResultMissed   = "missed"
	ResultUntested = "untested"
)

// result decides a test: untested without a date; met when the restore lost no more data
// than the RPO allows and took no longer than the RTO; otherwise missed.
func (b *BackupTest) result() string {
	switch {
	case b.TestedOn == "":
		return ResultUntested
	case b.RPOAchievedMin <= b.RPOTargetMin && b.RTOAchievedMin <= b.RTOTargetMin:
		return ResultMet
	default:
		return ResultMissed
	}
}

// parseDay reads a Beijing calendar date.
func parseDay(s string) (time.Time, bool) {
	t, err := time.ParseInLocation(time.DateOnly, strings.TrimSpace(s), calendar.Shanghai)
	return t, err == nil
}

// today is now's Beijing date.
func today(now time.Time) string { return now.In(calendar.Shanghai).Format(time.DateOnly) }
