package rules

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"ciiguard/internal/calendar"
)

var now = time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)

func day(s string) time.Time {
	t, err := ParseFactTime(s)
	if err != nil {
		panic(err)
	}
	return t
}

func testRules() []Rule {
	return []Rule{
		{ID: "T-LOG", Subject: SubjectOrg, Applies: "org.kind == 'operator'",
			Check: "logs.retention_days >= 180", Penalty: &PenaltyRange{ID: "P1", Min: 100000, Max: 1000000},
			AppliesTo: Text{Zh: "网络运营者", En: "network operators"},
			Requires:  Text{Zh: "网络日志留存不少于180天", En: "network logs kept for at least 180 days"}},
		{ID: "T-RISK", Subject: SubjectOrg, Applies: "org.is_cii_operator",
			Check: "daysSince(org.last_risk_assessment) <= 365",
			Due:   "addDays(org.last_risk_assessment, 365)"},
		{ID: "T-FILE", Subject: SubjectSystem, Applies: "system.mlps_level >= 2",
			Check: "system.filing_number != ''",
			Due:   "addDays(system.graded_on, 30)"},
		{ID: "T-CERT", Subject: SubjectSystem, Applies: "system.mlps_level >= 3 && org.is_cii_operator",
			Check: "isSet(system.filed_on) && system.filed_on <= addWorkingDays(system.graded_on, 10)"},
		{ID: "T-ORGANISE", Subject: SubjectOrg,
			Attestation: &AttestationSpec{ValidityDays: 365, Evidence: Text{Zh: "任命文件", En: "appointment letter"}}},
		{ID: "T-DRILL", Subject: SubjectSystem, Applies: "system.holds_important_data",
			Attestation: &AttestationSpec{ValidityDays: 180, Evidence: Text{Zh: "演练记录", En: "drill record"}}},
	}
}

func newTestEngine(t testing.TB, opts ...Option) *Engine {
	t.Helper()
	e, err := NewEngine(testRules(), append([]Option{WithFacts(testLogsSet)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func TestEvaluateRule(t *testing.T) {
	e := newTestEngine(t)
	cases := []struct {
		name, id string
		org      Org
		sys      *System
		now      time.Time
		want     Status
		due      string
		reason   string // substring of the English reason
		zh       string // substring of the Chinese reason
	}{
		{"log met", "T-LOG", Org{Kind: "operator"}, nil, now, StatusMet, "",
			"Met: network logs kept for at least 180 days (log retention in days = 180)", "已满足：网络日志留存不少于180天（日志留存天数 = 180）"},
		{"log gap", "T-LOG", Org{Kind: "operator"}, nil, now, StatusGap, "",
			"Not met: required: network logs kept for at least 180 days (log retention in days = 90)", "未满足：要求网络日志留存不少于180天（日志留存天数 = 90）"},
		{"log n/a", "T-LOG", Org{Kind: "regulator"}, nil, now, StatusNotApplicable, "",
			"Does not apply: this duty binds network operators (organisation kind = regulator)", "不适用：本义务约束网络运营者（组织类型 = 监管部门）"},
		// Without plain-words texts the reasons fall back to the expressions.
		{"risk met", "T-RISK", Org{IsCIIOperator: true, LastRiskAssessment: day("2025-07-01")}, nil, now, StatusMet, "2026-07-01",
			"Met: daysSince(org.last_risk_assessment) <= 365 holds", "已满足：daysSince(org.last_risk_assessment) <= 365"},
		{"risk overdue", "T-RISK", Org{IsCIIOperator: true, LastRiskAssessment: day("2025-01-01")}, nil, now, StatusOverdue, "2026-01-01", "Overdue since 2026-01-01", "已逾期（期限 2026-01-01）"},
		{"risk never", "T-RISK", Org{IsCIIOperator: true}, nil, now, StatusOverdue, "",
			"is false (last security test and risk assessment = not recorded)", "不成立（最近一次检测评估 = 未记录）"},
		{"file gap in time", "T-FILE", Org{}, &System{ID: 7, MLPSLevel: 2, GradedOn: day("2026-05-20")}, now, StatusGap, "2026-06-19", "due 2026-06-19", "期限 2026-06-19"},
		{"file overdue", "T-FILE", Org{}, &System{ID: 7, MLPSLevel: 3, GradedOn: day("2026-03-01")}, now, StatusOverdue, "2026-03-31", "filing number = empty", "备案编号 = 空"},
		{"file met", "T-FILE", Org{}, &System{ID: 7, MLPSLevel: 3, FilingNumber: "11010099999-00001"}, now, StatusMet, "", `filing number = "11010099999-00001"`, "备案编号 = “11010099999-00001”"},
		{"file n/a", "T-FILE", Org{}, &System{ID: 7, MLPSLevel: 1}, now, StatusNotApplicable, "", "Does not apply: system.mlps_level >= 2 is false (MLPS level = 1)", "不适用：适用条件 system.mlps_level >= 2 不成立（等级保护级别 = 1）"},
		// Graded Friday 2025-09-26; 10 working days: 28(Sun make-up),29,30,9,10,11(Sat make-up),13,14,15,16.
		{"cert in time", "T-CERT", Org{IsCIIOperator: true}, &System{MLPSLevel: 3, GradedOn: day("2025-09-26"), FiledOn: day("2025-10-16")}, now, StatusMet, "", "", ""},
		{"cert late", "T-CERT", Org{IsCIIOperator: true}, &System{MLPSLevel: 3, GradedOn: day("2025-09-26"), FiledOn: day("2025-10-17")}, now, StatusGap, "", "", ""},
		{"attest none", "T-ORGANISE", Org{}, nil, now, StatusNeedsAttestation, "", "appointment letter", "任命文件"},
	}
	logs := map[string]testLogs{"log met": {RetentionDays: 180}, "log gap": {RetentionDays: 90}}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fd, err := e.EvaluateRule(context.Background(), c.id, withLogs(Facts{Org: c.org, Now: c.now}, logs[c.name]), c.sys)
			if err != nil {
				t.Fatal(err)
			}
			if fd.Status != c.want {
				t.Fatalf("status %s, want %s (%s)", fd.Status, c.want, fd.Reason.En)
			}
			if c.due != "" && (fd.Due == nil || dateOf(*fd.Due) != c.due) {
				t.Errorf("due %v, want %s", fd.Due, c.due)
			}
			if !strings.Contains(fd.Reason.En, c.reason) {
				t.Errorf("reason %q lacks %q", fd.Reason.En, c.reason)
			}
			if fd.Reason.Zh == "" || !strings.Contains(fd.Reason.Zh, c.zh) {
				t.Errorf("Chinese reason %q lacks %q", fd.Reason.Zh, c.zh)
			}
		})
	}
}

func TestAttestations(t *testing.T) {
	e := newTestEngine(t)
	att := func(from, until string) Attestation {
		a := Attestation{ObligationID: "T-ORGANISE", SubjectKind: SubjectOrg, ValidFrom: day(from),
			EvidenceSHA256s: []string{"bb", "aa"}, By: "wang"}
		if until != "" {
			a.ValidUntil = day(until)
		}
		return a
	}
	cases := []struct {
		name   string
		atts   []Attestation
		want   Status
		reason string
	}{
		{"valid by validity days", []Attestation{att("2025-12-01", "")}, StatusMet, "valid until 2026-12-01"},
		{"valid explicit", []Attestation{att("2026-01-01", "2026-06-30")}, StatusMet, "wang"},
		{"expired", []Attestation{att("2025-01-01", "")}, StatusGap, "attestation expired on 2026-01-01"},
		{"expired and valid", []Attestation{att("2025-01-01", ""), att("2026-02-01", "")}, StatusMet, ""},
		{"future only", []Attestation{att("2026-07-01", "")}, StatusNeedsAttestation, ""},
		{"other duty", []Attestation{{ObligationID: "T-X", SubjectKind: SubjectOrg, ValidFrom: day("2026-01-01")}}, StatusNeedsAttestation, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fd, err := e.EvaluateRule(context.Background(), "T-ORGANISE", Facts{Now: now, Attestations: c.atts}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if fd.Status != c.want || !strings.Contains(fd.Reason.En, c.reason) {
				t.Fatalf("got %s %q, want %s %q", fd.Status, fd.Reason.En, c.want, c.reason)
			}
			if fd.Status == StatusMet && !reflect.DeepEqual(fd.Evidence, []string{"aa", "bb"}) {
				t.Errorf("evidence %v", fd.Evidence)
			}
		})
	}
	// System attestations match on the system id.
	sysAtt := Attestation{ObligationID: "T-DRILL", SubjectKind: SubjectSystem, SubjectID: "5", ValidFrom: day("2026-03-01")}
	f := Facts{Now: now, Attestations: []Attestation{sysAtt}}
	for id, want := range map[int64]Status{5: StatusMet, 6: StatusNeedsAttestation} {
		fd, err := e.EvaluateRule(context.Background(), "T-DRILL", f, &System{ID: id, HoldsImportantData: true})
		if err != nil || fd.Status != want {
			t.Errorf("system %d: %s %v, want %s", id, fd.Status, err, want)
		}
	}
}

func TestCompileErrors(t *testing.T) {
	cases := []struct {
		name  string
		rule  Rule
		field string
		msg   string
	}{
		{"not bool", Rule{ID: "X-1", Check: "org.pi_subjects"}, "check", "want bool"},
		{"due not timestamp", Rule{ID: "X-2", Check: "true", Due: "org.pi_subjects"}, "due", "want timestamp"},
		{"unknown field", Rule{ID: "X-3", Check: "org.pi_subject > 1"}, "check", "pi_subject"},
		{"system in org rule", Rule{ID: "X-4", Check: "system.mlps_level > 1"}, "check", "system"},
		{"syntax", Rule{ID: "X-5", Applies: "org.kind ==", Check: "true"}, "applies", "Syntax"},
		{"both", Rule{ID: "X-6", Check: "true", Attestation: &AttestationSpec{}}, "check", "exactly one"},
		{"neither", Rule{ID: "X-7"}, "check", "exactly one"},
		{"subject", Rule{ID: "X-8", Subject: "person", Check: "true"}, "subject", "unknown subject"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := NewEngine([]Rule{c.rule})
			var ce *CompileError
			if !errors.As(err, &ce) {
				t.Fatalf("want CompileError, got %v", err)
			}
			if ce.RuleID != c.rule.ID || ce.Field != c.field || !strings.Contains(err.Error(), c.msg) {
				t.Errorf("got %v (field %s)", err, ce.Field)
			}
		})
	}
	if _, err := NewEngine([]Rule{{ID: "D", Check: "true"}, {ID: "D", Check: "true"}}); err == nil {
		t.Error("duplicate id accepted")
	}
}

func TestCostLimit(t *testing.T) {
	e, err := NewEngine([]Rule{{ID: "HEAVY",
		Check: "[1,2,3,4,5,6,7,8,9,10].all(a, [1,2,3,4,5,6,7,8,9,10].all(b, [1,2,3,4,5,6,7,8,9,10].all(c, [1,2,3,4,5,6,7,8,9,10].all(d, a+b+c+d > 0))))"}},
		WithCostLimit(1000))
	if err != nil {
		t.Fatal(err)
	}
	fd, err := e.EvaluateRule(context.Background(), "HEAVY", Facts{Now: now}, nil)
	var ee *EvalError
	if !errors.As(err, &ee) || !ee.CostExceeded() || ee.RuleID != "HEAVY" || fd.Status != StatusError ||
		fd.Reason.En != "could not evaluate check: the expression exceeds the evaluation cost limit (1000); simplify the rule" ||
		fd.Reason.Zh != "无法计算 check：表达式超出计算成本上限（1000），请简化该规则" {
		t.Fatalf("cost limit not enforced: %v %+v", err, fd)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	e2, _ := NewEngine([]Rule{{ID: "LOOP", Check: "[1,2,3].all(a, [1,2,3].all(b, a+b > 0))"}})
	if _, err := e2.EvaluateAll(ctx, Facts{Now: now}); err == nil {
		t.Error("cancelled context not honoured")
	}
}

// TestUnscheduledYear: the default calendar counts a year without a State Council schedule
// on weekends only (the finding is provisional, never refused); an engine given a strict
// calendar still refuses it.
func TestUnscheduledYear(t *testing.T) {
	rs := []Rule{{ID: "W", Check: "now < addWorkingDays(org.last_risk_assessment, 5)"}}
	e, err := NewEngine(rs)
	if err != nil {
		t.Fatal(err)
	}
	f := Facts{Now: now, Org: Org{LastRiskAssessment: day("2031-01-06")}}
	if fd, err := e.EvaluateRule(context.Background(), "W", f, nil); err != nil || fd.Status != StatusMet {
		t.Errorf("default calendar: %v %+v", err, fd)
	}
	strict, err := calendar.New()
	if err != nil {
		t.Fatal(err)
	}
	e, err = NewEngine(rs, WithCalendar(strict))
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.EvaluateRule(context.Background(), "W", f, nil)
	if err == nil || !strings.Contains(err.Error(), "no official schedule for 2031") {
		t.Errorf("strict calendar: want schedule error, got %v", err)
	}
}

func TestHelpers(t *testing.T) {
	cases := []struct {
		expr string
		org  Org
		want bool
	}{
		{"isSet(org.last_risk_assessment)", Org{LastRiskAssessment: day("2026-01-01")}, true},
		{"!isSet(org.last_risk_assessment)", Org{}, true},
		{"daysSince(org.last_risk_assessment) == 151", Org{LastRiskAssessment: day("2026-01-01")}, true},
		{"daysSince(org.last_risk_assessment) > 100000", Org{}, true},
		{"addMonths(org.last_risk_assessment, 1) == timestamp('2026-02-28T00:00:00Z')", Org{LastRiskAssessment: day("2026-01-31")}, true},
		{"!isSet(addDays(org.last_risk_assessment, 30))", Org{}, true},
		{"addWorkingDays(org.last_risk_assessment, 1) == timestamp('2025-10-09T00:00:00Z')", Org{LastRiskAssessment: day("2025-09-30")}, true},
		{"'finance' in org.sectors", Org{Sectors: []string{"energy", "finance"}}, true},
		{"addHours(org.last_risk_assessment, 4) == timestamp('2026-01-01T04:00:00Z')", Org{LastRiskAssessment: day("2026-01-01")}, true},
	}
	for _, c := range cases {
		t.Run(c.expr, func(t *testing.T) {
			e, err := NewEngine([]Rule{{ID: "H", Check: c.expr}})
			if err != nil {
				t.Fatal(err)
			}
			fd, err := e.EvaluateRule(context.Background(), "H", Facts{Now: now, Org: c.org}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if (fd.Status == StatusMet) != c.want {
				t.Errorf("%s: %s", fd.Status, fd.Reason.En)
			}
		})
	}
}

type peopleFacts struct {
	TrainedRatio float64 `cel:"trained_ratio"`
	Managers     int64   `cel:"managers"`
}

func TestExtraFacts(t *testing.T) {
	set := FactSet{Name: "people", Type: reflect.TypeOf(peopleFacts{})}
	e, err := NewEngine([]Rule{{ID: "P", Check: "people.trained_ratio >= 0.9 && people.managers > 0"}}, WithFacts(set))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		v    any
		want Status
	}{
		{peopleFacts{TrainedRatio: 0.95, Managers: 1}, StatusMet},
		{&peopleFacts{TrainedRatio: 0.5, Managers: 1}, StatusGap},
		{nil, StatusGap},
	} {
		f := Facts{Now: now, Extra: map[string]any{}}
		if c.v != nil {
			f.Extra["people"] = c.v
		}
		fd, err := e.EvaluateRule(context.Background(), "P", f, nil)
		if err != nil || fd.Status != c.want {
			t.Errorf("%v: %s %v", c.v, fd.Status, err)
		}
	}
	var n yaml.Node
	if err := yaml.Unmarshal([]byte("people: {trained_ratio: 0.95, managers: 2}\norg: {kind: operator}\n"), &n); err != nil {
		t.Fatal(err)
	}
	cf, err := DecodeCaseFacts(n.Content[0], e.FactSets())
	if err != nil {
		t.Fatal(err)
	}
	fd, err := e.EvaluateRule(context.Background(), "P", cf.Facts(), nil)
	if err != nil || fd.Status != StatusMet {
		t.Errorf("decoded case: %s %v", fd.Status, err)
	}
	if err := RegisterFacts(FactSet{Name: "org", Type: reflect.TypeOf(peopleFacts{})}); err == nil {
		t.Error("reserved name accepted")
	}
}

func TestDecodeCaseFacts(t *testing.T) {
	cases := []struct {
		src, err string
	}{
		{"org: {kind: operator, pi_subjects: 180, sectors: [finance], last_risk_assessment: 2026-01-31}\nsystem: {id: 3, mlps_level: 3, graded_on: '2026-01-02T10:00:00+08:00'}\nnow: 2026-07-01", ""},
		{"org: {pi_subject: 1}", `line 1: org has no field "pi_subject"`},
		{"org: {pi_subjects: many}", "want a int64"},
		{"org: {last_risk_assessment: yesterday}", "want a date"},
		{"people: {}", `unknown variable "people"`},
		{"org: [1]", "must be a mapping"},
	}
	for _, c := range cases {
		var n yaml.Node
		if err := yaml.Unmarshal([]byte(c.src), &n); err != nil {
			t.Fatal(err)
		}
		cf, err := DecodeCaseFacts(n.Content[0], nil)
		if c.err == "" {
			if err != nil {
				t.Errorf("%s: %v", c.src, err)
				continue
			}
			if cf.Org.PISubjects != 180 || cf.System == nil || cf.System.MLPSLevel != 3 ||
				!cf.Now.Equal(day("2026-07-01")) || cf.Org.LastRiskAssessment.IsZero() {
				t.Errorf("decoded %+v", cf)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), c.err) {
			t.Errorf("%s: got %v, want %q", c.src, err, c.err)
		}
	}
}

func TestEvaluateAllOrderAndIncremental(t *testing.T) {
	e := newTestEngine(t)
	f := withLogs(Facts{OrgID: "acme", Now: now, Org: Org{Kind: "operator", IsCIIOperator: true},
		Systems: []System{
			{ID: 9, MLPSLevel: 3, GradedOn: day("2026-03-01")},
			{ID: 2, MLPSLevel: 2, FilingNumber: "x"},
		}}, testLogs{RetentionDays: 200})
	all, err := e.EvaluateAll(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, fd := range all {
		keys = append(keys, string(fd.SubjectKind)+":"+fd.SubjectID+":"+fd.ObligationID)
	}
	want := "org:acme:T-LOG org:acme:T-ORGANISE org:acme:T-RISK system:2:T-CERT system:2:T-DRILL system:2:T-FILE system:9:T-CERT system:9:T-DRILL system:9:T-FILE"
	if got := strings.Join(keys, " "); got != want {
		t.Fatalf("order:\n got %s\nwant %s", got, want)
	}
	// Change one system; merged into the previous findings, what EvaluateChanges gives must
	// match a full re-evaluation, and it evaluates only the organisation and that system.
	cur := all
	f.Systems[0].FilingNumber = "filed"
	cur = applyChange(t, e, f, cur, Change{Systems: map[int64]bool{9: true}}, 3+3)
	// Change an org field read by a system rule: 3 org rules + T-CERT on 2 systems.
	old := f.Org
	f.Org.IsCIIOperator = false
	cur = applyChange(t, e, f, cur, Change{Org: ChangedOrgFields(old, f.Org)}, 3+2)
	// Nothing changed: only the organisation's rules.
	cur = applyChange(t, e, f, cur, Change{Org: ChangedOrgFields(f.Org, f.Org)}, 3)
	// Attestations: the attestation duties of every subject.
	f.Attestations = []Attestation{{ObligationID: "T-ORGANISE", SubjectKind: SubjectOrg, ValidFrom: day("2026-05-01")}}
	cur = applyChange(t, e, f, cur, Change{Attestations: true}, 3+2) // 3 org rules + T-DRILL on 2 systems
	if cur[1].ObligationID != "T-ORGANISE" || cur[1].Status != StatusMet {
		t.Errorf("attestation update: %+v", cur[1])
	}
}

// applyChange merges EvaluateChanges' findings into cur by key, checks the result against a
// full evaluation of f, and that want findings were computed.
func applyChange(t *testing.T, e *Engine, f Facts, cur []Finding, ch Change, want int) []Finding {
	t.Helper()
	got, err := e.EvaluateChanges(context.Background(), f, ch)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != want {
		t.Errorf("%+v: %d findings computed, want %d", ch, len(got), want)
	}
	byKey := map[SubjectKey]Finding{}
	for _, fd := range got {
		byKey[fd.Key()] = fd
	}
	merged := make([]Finding, len(cur))
	for i, fd := range cur {
		if n, ok := byKey[fd.Key()]; ok {
			fd = n
		}
		merged[i] = fd
	}
	full, _ := e.EvaluateAll(context.Background(), f)
	if !reflect.DeepEqual(merged, full) {
		t.Fatalf("%+v: incremental differs from a full evaluation", ch)
	}
	return merged
}

func FuzzDecodeCaseFacts(f *testing.F) {
	f.Add("org: {kind: operator, pi_subjects: 180}\nsystem: {mlps_level: 3}\n")
	f.Add("org: {sectors: [a, b], last_risk_assessment: 2026-01-01}\nnow: 2026-02-02T00:00:00Z")
	f.Add("system: {id: -1, graded_on: ~}")
	f.Fuzz(func(t *testing.T, src string) {
		var n yaml.Node
		if yaml.Unmarshal([]byte(src), &n) != nil || len(n.Content) == 0 {
			return
		}
		_, _ = DecodeCaseFacts(n.Content[0], nil) // must not panic
	})
}

// TestConcurrentEvaluation runs one engine from several goroutines; run with -race.
func TestConcurrentEvaluation(t *testing.T) {
	e := newTestEngine(t)
	f := Facts{Now: now, Org: Org{Kind: "operator", IsCIIOperator: true},
		Systems: []System{{ID: 1, MLPSLevel: 3}, {ID: 2, MLPSLevel: 2, FilingNumber: "x"}}}
	want, err := e.EvaluateAll(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan []Finding)
	for range 8 {
		go func() {
			got, _ := e.EvaluateAll(context.Background(), f)
			done <- got
		}()
	}
	for range 8 {
		if got := <-done; !reflect.DeepEqual(got, want) {
			t.Fatal("concurrent evaluation differs")
		}
	}
}

// TestOneBadRuleLeavesTheRest: a rule that fails at run time for one system yields an error
// finding for that rule and system only; every other rule and subject is evaluated, and the
// returned error lists only that rule's failure (issue 8.5).
func TestOneBadRuleLeavesTheRest(t *testing.T) {
	e, err := NewEngine([]Rule{
		{ID: "A-DIV", Subject: SubjectSystem, Check: "10 / (system.mlps_level - 2) >= 0"},
		{ID: "B-OK", Subject: SubjectSystem, Check: "system.mlps_level >= 2"},
		{ID: "C-ORG", Check: "org.pi_subjects >= 180"},
	})
	if err != nil {
		t.Fatal(err)
	}
	fs, err := e.EvaluateAll(context.Background(), Facts{OrgID: "1", Now: now, Org: Org{PISubjects: 200},
		Systems: []System{{ID: 1, MLPSLevel: 3}, {ID: 2, MLPSLevel: 2}, {ID: 3, MLPSLevel: 1}}})
	failed, rest := RuleFailures(err)
	if rest != nil || len(failed) != 1 || failed[0].RuleID != "A-DIV" || failed[0].SubjectID != "2" {
		t.Fatalf("failures %v, rest %v; want only A-DIV on system 2", failed, rest)
	}
	want := map[string]Status{ // hand-computed
		"C-ORG/1": StatusMet,
		"A-DIV/1": StatusMet, "B-OK/1": StatusMet,
		"A-DIV/2": StatusError, "B-OK/2": StatusMet,
		"A-DIV/3": StatusGap, "B-OK/3": StatusGap,
	}
	if len(fs) != len(want) {
		t.Fatalf("%d findings, want %d", len(fs), len(want))
	}
	for _, f := range fs {
		if w := want[f.ObligationID+"/"+f.SubjectID]; f.Status != w {
			t.Errorf("%s/%s: %s, want %s (%s)", f.ObligationID, f.SubjectID, f.Status, w, f.Reason.En)
		}
	}
	// A cancelled evaluation is not a rule's own failure.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = e.EvaluateAll(ctx, Facts{Now: now})
	if _, rest := RuleFailures(err); rest == nil {
		t.Fatal("a cancelled evaluation passed as rule failures")
	}
}
