package data

import (
	"fmt"
	"sort"
	"time"

	"ciiguard/internal/calendar"
	"ciiguard/internal/rules"
	"ciiguard/internal/web"
)

// Crossing is the day the year's count reached a threshold that changes the route.
type Crossing struct {
	On        string     `json:"on"`
	Route     string     `json:"route"` // the route from that day
	Threshold rules.Text `json:"threshold"`
	// ChangesRoute is false for a CII operator, whose personal-information exports need the
	// assessment whatever the count.
	ChangesRoute bool `json:"changes_route"`
}

// TransferState is where a transfer stands on a day.
type TransferState struct {
	Transfer  Transfer
	PI        bool
	Sensitive bool
	Important bool
	Current   bool // sent in the counting window, or recurring
	// ExemptByClaim: its claimed exemption holds, so its people are not counted.
	ExemptByClaim bool
	Decision      Decision
	AtStart       Decision // the route on its start day
	Covered       bool     // the route's mechanism is in place (or none is needed)
	Mechs         []MechanismState
	PIPIAs        []PIPIA
	PIPIAOK       bool // an impact assessment dated on or before the start
	ConsentOK     bool // separate consent recorded, or not needed
}

// MechanismState is a mechanism with its clock on a day.
type MechanismState struct {
	Mechanism
	Status string // filed, filed_late, filing_due, filing_overdue; valid, expired, not_yet; pending, rejected, approved, extension_due, extension_applied
	// Due is the day the next step is due: a contract's filing, an assessment's extension.
	Due string
	// WindowOpens is the first day of an assessment's extension window (or its reapplication
	// deadline under the 2022 rules); ValidThrough its last valid day.
	WindowOpens, ValidThrough string
	// Provisional: a working-day count ran into a year without an official schedule.
	Provisional bool
	Covers      bool // the mechanism covers its transfer's route on the day
}

// State is the organisation's data picture on a day.
type State struct {
	Day       time.Time
	Version   *RuleVersion
	CII       bool
	HeldPI    int64
	Count     Counts // since the window's start, exempt transfers left out
	Crossings []Crossing
	Transfers []TransferState
	// Retention is every personal-information asset's deletion state.
	Retention []RetentionState
	// Reviews are the clocks of the yearly self-inspection and risk report, by kind.
	Reviews map[string]*ReviewClock
}

// Evaluate works out every transfer's route, mechanisms and clocks on day.
func (s *Service) Evaluate(rs *Records, cii bool, day time.Time) (*State, error) {
	day = chinaDay(day)
	v := s.Rules.At(day)
	st := &State{Day: day, Version: v, CII: cii, Retention: retentionStates(rs, day), Reviews: reviewClocks(rs, day, time.Time{})}
	assets := map[int64]*Asset{}
	for i := range rs.Assets {
		a := &rs.Assets[i]
		assets[a.ID] = a
		if a.PI() && a.People > st.HeldPI {
			st.HeldPI = a.People
		}
	}
	from := v.WindowStart(day).Format(time.DateOnly)
	to := day.Format(time.DateOnly)
	type sent struct {
		on   string
		n, s int64
	}
	var batches []sent
	for _, x := range rs.Transfers {
		ts := TransferState{Transfer: x, Current: x.Frequency != "once"}
		for _, id := range x.Assets {
			if a := assets[id]; a != nil {
				ts.PI, ts.Sensitive, ts.Important = ts.PI || a.PI(), ts.Sensitive || a.Has("sensitive_pi"), ts.Important || a.Important()
			}
		}
		claimed := x.Exemption != "" && s.Rules.Decide(Case{On: day, CII: cii, Exemption: x.Exemption, PI: ts.PI, Sensitive: ts.Sensitive, Important: ts.Important}).Route == RouteExempt
		ts.ExemptByClaim = claimed
		for _, b := range x.Batches {
			if b.SentOn >= from && b.SentOn <= to {
				ts.Current = true
				if !claimed {
					batches = append(batches, sent{b.SentOn, b.People, b.Sensitive})
				}
			}
		}
		st.Transfers = append(st.Transfers, ts)
	}
	sort.SliceStable(batches, func(i, j int) bool { return batches[i].on < batches[j].on })
	level := func(c Counts) string {
		return s.Rules.Decide(Case{On: day, PI: true, Sensitive: c.Sensitive > 0, Count: c}).Route
	}
	prev := level(Counts{})
	for _, b := range batches {
		st.Count.NonSensitive += b.n
		st.Count.Sensitive += b.s
		if now := level(st.Count); now != prev && rank(now) > rank(prev) {
			st.Crossings = append(st.Crossings, Crossing{On: b.on, Route: now, ChangesRoute: !cii, Threshold: thresholdText(v, now, st.Count)})
			prev = now
		}
	}
	for i := range st.Transfers {
		ts := &st.Transfers[i]
		x := ts.Transfer
		ts.Decision = s.Rules.Decide(Case{On: day, CII: cii, HeldPI: st.HeldPI, Exemption: x.Exemption, PI: ts.PI, Sensitive: ts.Sensitive, Important: ts.Important, Count: st.Count})
		start := mustDay(x.StartOn)
		ts.AtStart = s.Rules.Decide(Case{On: start, CII: cii, HeldPI: st.HeldPI, Exemption: x.Exemption, PI: ts.PI, Sensitive: ts.Sensitive, Important: ts.Important,
			Count: countUpTo(st, start, s.Rules.At(start))})
		for _, m := range rs.Mechanisms {
			if m.TransferID != x.ID {
				continue
			}
			ms, err := s.mechanismState(m, day, ts.Decision.Route)
			if err != nil {
				return nil, err
			}
			ts.Mechs = append(ts.Mechs, ms)
			ts.Covered = ts.Covered || ms.Covers
		}
		if ts.Decision.Route == RouteExempt || ts.Decision.Route == RouteNone {
			ts.Covered = true
		}
		ts.PIPIAOK = !ts.PI
		for _, p := range rs.PIPIAs {
			if p.TransferID == x.ID {
				ts.PIPIAs = append(ts.PIPIAs, p)
				ts.PIPIAOK = ts.PIPIAOK || p.AssessedOn <= x.StartOn
			}
		}
		ts.ConsentOK = !ts.PI || !x.ReliesOnConsent || (x.ConsentOn != "" && x.ConsentOn <= x.StartOn)
	}
	return st, nil
}

// countUpTo counts the people sent up to and including day in v's window, leaving out the
// transfers exempt by claim (as judged in st).
func countUpTo(st *State, day time.Time, v *RuleVersion) Counts {
	from, to := v.WindowStart(day).Format(time.DateOnly), day.Format(time.DateOnly)
	var c Counts
	for _, ts := range st.Transfers {
		if ts.ExemptByClaim {
			continue
		}
		for _, b := range ts.Transfer.Batches {
			if b.SentOn >= from && b.SentOn <= to {
				c.NonSensitive += b.People
				c.Sensitive += b.Sensitive
			}
		}
	}
	return c
}

func rank(route string) int {
	switch route {
	case RouteContract:
		return 1
	case RouteAssessment:
		return 2
	}
	return 0
}

// thresholdText names the threshold reached for route.
func thresholdText(v *RuleVersion, route string, c Counts) rules.Text {
	t := v.Contract
	zh, en := "标准合同或认证门槛", "the standard contract or certification threshold"
	if route == RouteAssessment {
		t, zh, en = v.Assessment, "安全评估门槛", "the security assessment threshold"
	}
	// Counts as a reader writes them: 1,050,120; thresholds as CBDF 2024 Art. 7 writes
	// them in Chinese (100万人, 1万人).
	z := func(n int64) string { return web.FormatNum(web.LangZH, n) }
	e := func(n int64) string { return web.FormatNum(web.LangEN, n) }
	return rules.Text{
		Zh: fmt.Sprintf("累计%s人个人信息（不含敏感）、%s人敏感个人信息，达到%s（%s人或敏感%s人）", z(c.NonSensitive), z(c.Sensitive), zh, z(t.NonSensitive), z(t.Sensitive)),
		En: fmt.Sprintf("%s people's non-sensitive and %s people's sensitive personal information reach %s (%s, or %s sensitive)", e(c.NonSensitive), e(c.Sensitive), en, e(t.NonSensitive), e(t.Sensitive)),
	}
}

// ContractFilingDue is the last day to file a standard contract that takes effect on
// effective: within 10 working days of its taking effect (REGULATORY-BRIEF, Data export; the
// day it takes effect is not counted), on cal. Provisional when a year has no schedule.
func ContractFilingDue(cal *calendar.Calendar, effective time.Time) (time.Time, bool, error) {
	due, err := cal.AddWorkingDays(effective, 10)
	if err != nil {
		return time.Time{}, false, fmt.Errorf("standard contract filing clock: %w", err)
	}
	return due, len(cal.MissingYears(effective, due)) > 0, nil
}

// AssessmentValidity returns an approved assessment's last valid day (its result day plus
// the version's validity, less a day) and the day its extension window opens (or, under the
// 2022 rules, its reapplication is due): ExtensionWorkingDays working days before it.
func AssessmentValidity(cal *calendar.Calendar, v *RuleVersion, result time.Time) (through, opens time.Time, provisional bool, err error) {
	through = result.AddDate(v.AssessmentValidityYears, 0, -1)
	opens, err = cal.AddWorkingDays(through, -v.ExtensionWorkingDays)
	if err != nil {
		return through, opens, false, fmt.Errorf("assessment extension clock: %w", err)
	}
	return through, opens, len(cal.MissingYears(opens, through)) > 0, nil
}

// mechanismState works out m's clock and whether it covers route on day.
func (s *Service) mechanismState(m Mechanism, day time.Time, route string) (MechanismState, error) {
	ms := MechanismState{Mechanism: m}
	switch m.Kind {
	case KindContract:
		due, prov, err := ContractFilingDue(s.Cal, mustDay(m.EffectiveOn))
		if err != nil {
			return ms, err
		}
		ms.Due, ms.Provisional = due.Format(time.DateOnly), prov
		switch {
		case m.FiledOn != "" && m.FiledOn <= ms.Due:
			ms.Status = "filed"
		case m.FiledOn != "":
			ms.Status = "filed_late"
		case day.After(due):
			ms.Status = "filing_overdue"
		default:
			ms.Status = "filing_due"
		}
		ms.Covers = m.FiledOn != "" && route == RouteContract
	case KindCertification:
		switch {
		case day.Before(mustDay(m.IssuedOn)):
			ms.Status = "not_yet"
		case day.After(mustDay(m.ExpiresOn)):
			ms.Status = "expired"
		default:
			ms.Status = "valid"
		}
		ms.ValidThrough = m.ExpiresOn
		ms.Covers = ms.Status == "valid" && route == RouteContract
	case KindAssessment:
		ms.Status = m.Result
		if m.Result != "approved" {
			break
		}
		result := mustDay(m.ResultOn)
		through, opens, prov, err := AssessmentValidity(s.Cal, s.Rules.At(result), result)
		if err != nil {
			return ms, err
		}
		ms.ValidThrough, ms.WindowOpens, ms.Provisional = through.Format(time.DateOnly), opens.Format(time.DateOnly), prov
		ms.Due = ms.ValidThrough
		if s.Rules.At(result).Extension == "reapply_before" {
			ms.Due = ms.WindowOpens
		}
		switch {
		case day.After(through):
			ms.Status = "expired"
		case m.ExtensionAppliedOn != "":
			ms.Status = "extension_applied"
		case !day.Before(opens):
			ms.Status = "extension_due"
		}
		ms.Covers = ms.Status != "expired" && (route == RouteAssessment || route == RouteContract)
	}
	return ms, nil
}

// Facts is the data fact set, the CEL variable `data` of the catalog's rules: counts of the
// organisation's data records and of what they lack on the day judged (China time).
type Facts struct {
	Assets          int64 `cel:"assets" json:"assets" label:"数据资产数|data assets"`
	PIAssets        int64 `cel:"pi_assets" json:"pi_assets" label:"含个人信息的数据资产数|data assets with personal information"`
	ImportantAssets int64 `cel:"important_assets" json:"important_assets" label:"经告知或公布的重要数据资产数|data assets notified or published as important"`
	CoreAssets      int64 `cel:"core_assets" json:"core_assets" label:"核心数据资产数|core data assets"`
	// Held from the assets (see Held): what the profile took typed in.
	PISubjects                int64     `cel:"pi_subjects" json:"pi_subjects" label:"个人信息主体人数（按数据资产中最多的一项）|people whose personal information is held (the largest asset)"`
	SensitivePISubjects       int64     `cel:"sensitive_pi_subjects" json:"sensitive_pi_subjects" label:"敏感个人信息主体人数（按数据资产中最多的一项）|people whose sensitive personal information is held (the largest asset)"`
	HoldsImportantData        bool      `cel:"holds_important_data" json:"holds_important_data" label:"数据资产中有重要数据或核心数据|an asset is important or core data"`
	HoldsCoreData             bool      `cel:"holds_core_data" json:"holds_core_data" label:"数据资产中有核心数据|an asset is core data"`
	Transfers                 int64     `cel:"transfers" json:"transfers" label:"当前数据出境活动数|current transfers abroad"`
	TransfersExempt           int64     `cel:"transfers_exempt" json:"transfers_exempt" label:"免予申报的出境活动数|exempt transfers"`
	ExportPISubjects          int64     `cel:"export_pi_subjects" json:"export_pi_subjects" label:"当年累计出境个人信息人数（不含敏感，不含免予申报）|people whose non-sensitive personal information went abroad this year (exempt transfers left out)"`
	ExportSensitivePISubjects int64     `cel:"export_sensitive_pi_subjects" json:"export_sensitive_pi_subjects" label:"当年累计出境敏感个人信息人数（不含免予申报）|people whose sensitive personal information went abroad this year (exempt transfers left out)"`
	AssessmentRequired        int64     `cel:"assessment_required" json:"assessment_required" label:"须经安全评估的出境活动数|transfers that need a security assessment"`
	AssessmentUncovered       int64     `cel:"assessment_uncovered" json:"assessment_uncovered" label:"须经安全评估但无有效评估结果的出境活动数|transfers needing an assessment without a valid approval"`
	ImportantUncovered        int64     `cel:"important_uncovered" json:"important_uncovered" label:"重要数据出境无有效评估结果的活动数|important-data transfers without a valid assessment"`
	ContractRequired          int64     `cel:"contract_required" json:"contract_required" label:"须订立标准合同或认证的出境活动数|transfers that need a standard contract or certification"`
	ContractUncovered         int64     `cel:"contract_uncovered" json:"contract_uncovered" label:"无已备案标准合同或有效认证的出境活动数|transfers without a filed standard contract or valid certification"`
	ContractsFilingOverdue    int64     `cel:"contracts_filing_overdue" json:"contracts_filing_overdue" label:"逾期未备案的标准合同数|standard contracts not filed in time"`
	AssessmentsExtensionDue   int64     `cel:"assessments_extension_due" json:"assessments_extension_due" label:"进入延期申请期但未申请的评估结果数|assessments in their extension window without an application"`
	AssessmentsExpired        int64     `cel:"assessments_expired" json:"assessments_expired" label:"已过期的评估结果数（仍在出境）|expired assessments of current transfers"`
	PIPIAMissing              int64     `cel:"pipia_missing" json:"pipia_missing" label:"出境前未做个人信息保护影响评估的活动数|transfers without an impact assessment before they began"`
	ConsentMissing            int64     `cel:"consent_missing" json:"consent_missing" label:"未取得单独同意的出境活动数|transfers without the separate consent they rely on"`
	DeclaredInUse             bool      `cel:"declared_in_use" json:"declared_in_use" label:"仍在使用迁移的填报人数|the profile's carried-over numbers still count"`
	AssessmentThresholdOn     time.Time `cel:"assessment_threshold_crossed_on" json:"assessment_threshold_crossed_on" label:"当年达到安全评估门槛日期|day this year the assessment threshold was reached"`
	ContractThresholdOn       time.Time `cel:"contract_threshold_crossed_on" json:"contract_threshold_crossed_on" label:"当年达到标准合同门槛日期|day this year the standard contract threshold was reached"`
	// The personal-information lifecycle: deletion at the end of retention.
	Deletions                   int64     `cel:"deletions" json:"deletions" label:"已登记的个人信息删除记录数|deletions of personal information recorded"`
	PIAssetsWithoutRetentionEnd int64     `cel:"pi_assets_without_retention_end" json:"pi_assets_without_retention_end" label:"未填写保存期限届满日的个人信息资产数|personal-information assets without a retention end day"`
	RetentionOverdue            int64     `cel:"retention_overdue" json:"retention_overdue" label:"保存期限已届满但未登记删除的个人信息资产数|personal-information assets past their retention with no deletion recorded"`
	RetentionOverdueSince       time.Time `cel:"retention_overdue_since" json:"retention_overdue_since" label:"最早届满而未删除的保存期限届满日|earliest retention end with no deletion recorded"`
	// The yearly self-inspection (PI13 Art. 16) and risk report (NDSR 2024 Art. 33).
	LastPISelfInspection    time.Time `cel:"last_pi_self_inspection" json:"last_pi_self_inspection" label:"最近一次个人信息保护自查完成日|last personal-information self-inspection done"`
	PISelfInspectionDue     time.Time `cel:"pi_self_inspection_due" json:"pi_self_inspection_due" label:"下次个人信息保护自查截止日|next personal-information self-inspection due"`
	PISelfInspectionOverdue bool      `cel:"pi_self_inspection_overdue" json:"pi_self_inspection_overdue" label:"个人信息保护自查已逾期|the personal-information self-inspection is overdue"`
	LastRiskReport          time.Time `cel:"last_risk_report" json:"last_risk_report" label:"最近一次报送数据风险评估报告日|last data-risk assessment report submitted"`
	RiskReportDue           time.Time `cel:"risk_report_due" json:"risk_report_due" label:"下次数据风险评估报告截止日|next data-risk assessment report due"`
	RiskReportOverdue       bool      `cel:"risk_report_overdue" json:"risk_report_overdue" label:"数据风险评估报告已逾期|the data-risk assessment report is overdue"`
	// Leaks of personal information and whether each opened its incident.
	PILeaks                int64 `cel:"pi_leaks" json:"pi_leaks" label:"已登记的个人信息泄露数|personal-information leaks recorded"`
	PILeaksWithoutIncident int64 `cel:"pi_leaks_without_incident" json:"pi_leaks_without_incident" label:"未创建对应事件的个人信息泄露数|personal-information leaks with no incident opened"`
}

// ComputeFacts counts the fact set from a state.
func ComputeFacts(rs *Records, st *State) Facts {
	var f Facts
	for i := range rs.Assets {
		a := &rs.Assets[i]
		f.Assets++
		f.PIAssets += b2i(a.PI())
		f.ImportantAssets += b2i(a.Has("important"))
		f.CoreAssets += b2i(a.Has("core"))
	}
	h := HeldFrom(rs.Assets)
	f.PISubjects, f.SensitivePISubjects, f.HoldsImportantData, f.HoldsCoreData = h.PISubjects, h.SensitivePISubjects, h.ImportantData, h.CoreData
	f.ExportPISubjects, f.ExportSensitivePISubjects = st.Count.NonSensitive, st.Count.Sensitive
	for _, c := range st.Crossings {
		on := mustDay(c.On)
		switch c.Route {
		case RouteAssessment:
			f.AssessmentThresholdOn = on
		case RouteContract:
			f.ContractThresholdOn = on
		}
	}
	for _, ts := range st.Transfers {
		if !ts.Current {
			continue
		}
		f.Transfers++
		switch ts.Decision.Route {
		case RouteExempt:
			f.TransfersExempt++
		case RouteAssessment:
			f.AssessmentRequired++
			f.AssessmentUncovered += b2i(!ts.Covered)
			f.ImportantUncovered += b2i(!ts.Covered && ts.Important)
		case RouteContract:
			f.ContractRequired++
			f.ContractUncovered += b2i(!ts.Covered)
		}
		for _, m := range ts.Mechs {
			f.ContractsFilingOverdue += b2i(m.Status == "filing_overdue")
			f.AssessmentsExtensionDue += b2i(m.Status == "extension_due")
			f.AssessmentsExpired += b2i(m.Status == "expired" && m.Kind == KindAssessment)
		}
		f.PIPIAMissing += b2i(!ts.PIPIAOK)
		f.ConsentMissing += b2i(!ts.ConsentOK)
	}
	if d := rs.Declaration; d.InUse() {
		f.DeclaredInUse = true
	}
	if c := st.Reviews[KindSelfInspection]; c != nil {
		f.LastPISelfInspection, f.PISelfInspectionDue, f.PISelfInspectionOverdue = mustDay(c.Last), mustDay(c.Due), c.Overdue
	}
	if c := st.Reviews[KindRiskReport]; c != nil {
		f.LastRiskReport, f.RiskReportDue, f.RiskReportOverdue = mustDay(c.Last), mustDay(c.Due), c.Overdue
	}
	f.Deletions = int64(len(rs.Deletions))
	for _, l := range rs.Leaks {
		f.PILeaks++
		f.PILeaksWithoutIncident += b2i(l.IncidentID == 0)
	}
	for _, r := range st.Retention {
		switch r.Status {
		case "no_end":
			f.PIAssetsWithoutRetentionEnd++
		case "overdue":
			f.RetentionOverdue++
			if end := mustDay(r.Asset.RetentionEndsOn); f.RetentionOverdueSince.IsZero() || end.Before(f.RetentionOverdueSince) {
				f.RetentionOverdueSince = end
			}
		}
	}
	return f
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}
