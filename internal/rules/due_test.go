package rules

import (
	"context"
	"strings"
	"testing"
	"time"

	"ciiguard/internal/calendar"
)

// beijing builds an instant on the Beijing wall clock, whatever the server's zone.
func beijing(s string) time.Time {
	t, err := time.Parse("2006-01-02 15:04 -0700", s+" +0800")
	if err != nil {
		panic(err)
	}
	return t
}

// TestDeadlineIsABeijingDate pins the reading of a deadline counted in days: it is a date in
// China Standard Time and ends at 24:00 Beijing time on that date. MLPS07 Art. 15 (公通字〔2007〕
// 43号《信息安全等级保护管理办法》第十五条): "已运营（运行）的第二级以上信息系统，应当在安全
// 保护等级确定后30日内 … 到所在地设区的市级以上公安机关办理备案手续" — a system graded on
// 2026-11-01 may still be filed on 2026-12-01, all day long in Beijing. The server runs in UTC,
// where 23:59 in Beijing is 15:59 the same day and 00:01 is 16:01 the day before.
func TestDeadlineIsABeijingDate(t *testing.T) {
	old := time.Local
	time.Local = time.UTC
	defer func() { time.Local = old }()
	e, err := NewEngine([]Rule{
		{ID: "T-FILE", Subject: SubjectSystem, Applies: "system.mlps_level >= 2",
			Check: "system.filing_number != ''", Due: "addDays(system.graded_on, 30)"},
		// An annual duty read with daysSince: a year is counted on Beijing dates too.
		{ID: "T-YEAR", Subject: SubjectOrg, Check: "daysSince(org.last_risk_assessment) <= 365",
			Due: "addDays(org.last_risk_assessment, 365)"},
		// An hour clock (IRM 2025 Art. 4: CII operators report within 1 hour) is an instant.
		{ID: "T-HOUR", Subject: SubjectOrg, Check: "false", Due: "addHours(org.last_pi_self_inspection, 1)"},
	})
	if err != nil {
		t.Fatal(err)
	}
	graded := &System{ID: 1, MLPSLevel: 3, GradedOn: day("2026-11-01")}
	cases := []struct {
		name, id string
		org      Org
		sys      *System
		now      time.Time
		want     Status
		reason   string
		zh       string
	}{
		{"filing, last minute of the due date", "T-FILE", Org{}, graded, beijing("2026-12-01 23:59"), StatusGap,
			"due 2026-12-01 (today)", "期限 2026-12-01（今天到期）"},
		{"filing, first minute of the due date", "T-FILE", Org{}, graded, beijing("2026-12-01 00:01"), StatusGap,
			"due 2026-12-01 (today)", "今天到期"},
		{"filing, day before", "T-FILE", Org{}, graded, beijing("2026-11-30 12:00"), StatusGap, "due 2026-12-01", "期限 2026-12-01"},
		{"filing, first minute after", "T-FILE", Org{}, graded, beijing("2026-12-02 00:01"), StatusOverdue,
			"Overdue since 2026-12-01", "已逾期（期限 2026-12-01）"},
		{"year, last minute of the anniversary", "T-YEAR", Org{LastRiskAssessment: day("2025-12-01")}, nil, beijing("2026-12-01 23:59"), StatusMet, "", ""},
		{"year, first minute after", "T-YEAR", Org{LastRiskAssessment: day("2025-12-01")}, nil, beijing("2026-12-02 00:01"), StatusOverdue,
			"Overdue since 2026-12-01", ""},
		{"hour clock, in time", "T-HOUR", Org{LastPISelfInspection: beijing("2026-12-01 10:00")}, nil, beijing("2026-12-01 10:59"), StatusGap, "", ""},
		{"hour clock, a minute late", "T-HOUR", Org{LastPISelfInspection: beijing("2026-12-01 10:00")}, nil, beijing("2026-12-01 11:01"), StatusOverdue, "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fd, err := e.EvaluateRule(context.Background(), c.id, Facts{Org: c.org, Now: c.now}, c.sys)
			if err != nil {
				t.Fatal(err)
			}
			if fd.Status != c.want {
				t.Fatalf("at %s UTC: status %s, want %s (%s)", c.now.UTC().Format(time.DateTime), fd.Status, c.want, fd.Reason.En)
			}
			if !strings.Contains(fd.Reason.En, c.reason) || !strings.Contains(fd.Reason.Zh, c.zh) {
				t.Errorf("reason %q / %q lacks %q / %q", fd.Reason.En, fd.Reason.Zh, c.reason, c.zh)
			}
		})
	}
}

// TestWorkingDayClockIntoUnknownYearIsProvisional: MLPS07 Art. 17 has the public security
// bureau issue the filing certificate "within 10 working days" (收到备案材料之日起的10个工作日内).
// Filed on Sunday 2026-12-20, the clock ends in 2027, a year without a loaded State Council
// schedule: the finding is evaluated (never refused), its due date counted on weekends only
// (Friday 1 January), marked provisional with a warning in both languages; once 2027 is
// loaded with New Year's Day off, the due date is Monday 4 January and nothing is provisional.
func TestWorkingDayClockIntoUnknownYearIsProvisional(t *testing.T) {
	cal, err := calendar.New(calendar.WithWeekendsOnlyFallback())
	if err != nil {
		t.Fatal(err)
	}
	e, err := NewEngine([]Rule{{ID: "T-CERTIFY", Subject: SubjectSystem, Check: "false", Due: "addWorkingDays(system.filed_on, 10)"}}, WithCalendar(cal))
	if err != nil {
		t.Fatal(err)
	}
	sys := &System{ID: 1, FiledOn: day("2026-12-20")}
	fd, err := e.EvaluateRule(context.Background(), "T-CERTIFY", Facts{Now: beijing("2026-12-21 10:00")}, sys)
	if err != nil {
		t.Fatalf("refused: %v", err)
	}
	if !fd.Provisional || fd.Due == nil || dateOf(*fd.Due) != "2027-01-01" ||
		!strings.Contains(fd.Reason.En, "provisional deadline") || !strings.Contains(fd.Reason.En, "2027") ||
		!strings.Contains(fd.Reason.Zh, "暂定期限") {
		t.Fatalf("provisional %v due %v reason %q / %q", fd.Provisional, fd.Due, fd.Reason.En, fd.Reason.Zh)
	}
	s, err := calendar.ParseSchedules([]byte("years:\n  2027:\n    holidays: [{name: 元旦, from: 2027-01-01, to: 2027-01-01}]\n"))
	if err != nil {
		t.Fatal(err)
	}
	if err := cal.Load(s[0]); err != nil {
		t.Fatal(err)
	}
	fd, _ = e.EvaluateRule(context.Background(), "T-CERTIFY", Facts{Now: beijing("2026-12-21 10:00")}, sys)
	if fd.Provisional || fd.Due == nil || dateOf(*fd.Due) != "2027-01-04" || strings.Contains(fd.Reason.En, "provisional") {
		t.Fatalf("after loading 2027: provisional %v due %v reason %q", fd.Provisional, fd.Due, fd.Reason.En)
	}
}
