package scope

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"ciiguard/internal/audit"
	"ciiguard/internal/auth"
	"ciiguard/internal/problem"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
)

func mustTime(s string) time.Time {
	t, err := time.Parse(DateLayout, s)
	if err != nil {
		panic(err)
	}
	return t
}

// testNow is the fixed "today" of the service tests.
var testNow = mustTime("2026-06-01").Add(10 * time.Hour)

type fixture struct {
	db       *store.DB
	svc      *Service
	migs     []store.Migration
	op, peer int64 // two operator organisations
	ctx      context.Context
	peerCtx  context.Context
}

func newFixture(t *testing.T, d store.Dialect) *fixture {
	t.Helper()
	migs := append(append(append([]store.Migration{}, auth.Migrations...), audit.Migrations...), Migrations...)
	db := storetest.Open(t, d, migs)
	a := auth.NewService(db)
	ctx := audit.WithActor(context.Background(), audit.Actor{Label: "test"})
	op, err := a.CreateOrg(ctx, auth.Org{Kind: auth.Operator, NameZH: "示例电网有限公司", NameEN: "Example Grid Co., Ltd."})
	if err != nil {
		t.Fatal(err)
	}
	peer, err := a.CreateOrg(ctx, auth.Org{Kind: auth.Operator, NameZH: "另一家公司", NameEN: "Other Co."})
	if err != nil {
		t.Fatal(err)
	}
	svc := NewService(db)
	svc.SetClock(func() time.Time { return testNow })
	return &fixture{db: db, svc: svc, migs: migs, op: op.ID, peer: peer.ID, ctx: store.WithOrg(ctx, op.ID), peerCtx: store.WithOrg(ctx, peer.ID)}
}

func auditCount(t *testing.T, f *fixture, entity, action string) int {
	t.Helper()
	var n int
	err := f.db.Read(context.Background(), func(tx *store.Tx) error {
		return tx.QueryRow(`SELECT COUNT(*) FROM audit_log WHERE entity = $1 AND action = $2`, entity, action).Scan(&n)
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestSystemsCRUDAndTenancy(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		f := newFixture(t, d)
		in := SystemInput{Name: "调度自动化系统", NameEN: "Dispatch automation", Owner: "调度控制中心", ResponsiblePerson: "孙志刚", Sector: "energy",
			MLPSLevel: 4, GradedOn: "2024-01-10", FilingNumber: "11010813001-24001", FiledOn: "2024-02-01", LastMLPSTest: "2026-01-05",
			HoldsImportantData: true}
		sys, err := f.svc.CreateSystem(f.ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		if sys.ID == 0 || sys.SystemInput != func() SystemInput { x := in; x.CIIStatus = CIINone; return x }() {
			t.Fatalf("stored %+v", sys)
		}
		if _, err := f.svc.CreateSystem(f.ctx, in); err == nil {
			t.Fatal("a second system with the same name was accepted")
		} else if c, ok := problem.As[*problem.Conflict](err); !ok || c.Field != "name" {
			t.Fatalf("duplicate name: %v, want a conflict on name", err)
		}
		// The same name in another organisation is fine, and each sees only its own.
		if _, err := f.svc.CreateSystem(f.peerCtx, SystemInput{Name: in.Name, Sector: "finance"}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.System(f.peerCtx, sys.ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("another organisation read the system: %v", err)
		}
		if _, err := f.svc.UpdateSystem(f.peerCtx, sys.ID, func(s *SystemInput) error { s.Owner = "x"; return nil }); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("another organisation updated the system: %v", err)
		}
		if err := f.svc.DeleteSystem(f.peerCtx, sys.ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("another organisation deleted the system: %v", err)
		}
		if _, err := f.svc.System(context.Background(), sys.ID); !errors.Is(err, store.ErrNoTenant) {
			t.Fatalf("no organisation in the context: %v, want ErrNoTenant", err)
		}
		up, err := f.svc.UpdateSystem(f.ctx, sys.ID, func(s *SystemInput) error { s.MLPSLevel = 7; return nil })
		if len(fieldsOf(err)) == 0 || fieldsOf(err)["mlps_level"] == "" {
			t.Fatalf("level 7 update: %v %+v", err, up)
		}
		up, err = f.svc.UpdateSystem(f.ctx, sys.ID, func(s *SystemInput) error { s.Owner = "信息通信分公司"; return nil })
		if err != nil || up.Owner != "信息通信分公司" || up.FilingNumber != in.FilingNumber {
			t.Fatalf("update: %v %+v", err, up)
		}
		if err := f.svc.DeleteSystem(f.ctx, sys.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.System(f.ctx, sys.ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("deleted system still there: %v", err)
		}
		for _, a := range []string{audit.Create, audit.Update, audit.Delete} {
			if auditCount(t, f, "scope_system", a) == 0 {
				t.Errorf("no %s of scope_system in the audit trail", a)
			}
		}
		if n, err := audit.Verify(context.Background(), f.db); err != nil || n == 0 {
			t.Fatalf("audit chain: %d %v", n, err)
		}
	})
}

func TestListFilters(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		f := newFixture(t, d)
		if err := SeedDemo(f.ctx, f.svc, f.op, testNow); err != nil {
			t.Fatal(err)
		}
		cases := []struct {
			name   string
			filter Filter
			want   int
		}{
			{"all", Filter{MLPS: AnyLevel}, len(demoSystems)},
			{"level 4", Filter{MLPS: 4}, 2},
			{"not graded", Filter{MLPS: 0}, 1},
			{"identified", Filter{MLPS: AnyLevel, CII: CIIIdentified}, 3},
			{"candidates", Filter{MLPS: AnyLevel, CII: CIICandidate}, 2},
			{"sector energy", Filter{MLPS: AnyLevel, Sector: "energy"}, len(demoSystems)},
			{"sector finance", Filter{MLPS: AnyLevel, Sector: "finance"}, 0},
			{"search Chinese name and owner", Filter{MLPS: AnyLevel, Q: "调度"}, 5},
			{"search English name, any case", Filter{MLPS: AnyLevel, Q: "scada"}, 1},
			{"search responsible person", Filter{MLPS: AnyLevel, Q: "马丽"}, 3},
			{"search is literal", Filter{MLPS: AnyLevel, Q: "%"}, 0},
			{"level 3 and search", Filter{MLPS: 3, Q: "周海涛"}, 3},
		}
		for _, c := range cases {
			p, err := f.svc.Systems(f.ctx, c.filter)
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			if p.Total != c.want {
				t.Errorf("%s: %d systems, want %d", c.name, p.Total, c.want)
			}
		}
		p, err := f.svc.Systems(f.ctx, Filter{MLPS: AnyLevel, Page: 2, PerPage: 15})
		if err != nil || len(p.Systems) != 15 || p.Pages != 3 || p.Systems[0].MLPSLevel < p.Systems[14].MLPSLevel {
			t.Fatalf("page 2: %v, %d systems, %d pages", err, len(p.Systems), p.Pages)
		}
		if _, err := f.svc.Systems(f.ctx, Filter{MLPS: 9}); fieldsOf(err)["mlps_level"] == "" {
			t.Fatalf("level 9 filter: %v", err)
		}
		other, err := f.svc.Systems(f.peerCtx, Filter{MLPS: AnyLevel})
		if err != nil || other.Total != 0 {
			t.Fatalf("another organisation sees %d systems: %v", other.Total, err)
		}
	})
}

// TestSystemsSortByPinyin lists Chinese names in the order a reader looks them up (安 an,
// 北 bei, 成 cheng), which is not their byte order (北, 安, 成), after Latin names as CLDR's
// Chinese collation has it; a renamed system moves, and a system stored before sort keys
// existed gets its key at start-up.
func TestSystemsSortByPinyin(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		f := newFixture(t, d)
		ids := map[string]int64{}
		for _, n := range []string{"北京调度系统", "成都备份中心", "安全监测平台", "Zabbix 监控", "mail gateway"} {
			sys, err := f.svc.CreateSystem(f.ctx, SystemInput{Name: n, Sector: "energy", MLPSLevel: 2, GradedOn: "2025-01-01"})
			if err != nil {
				t.Fatal(err)
			}
			ids[n] = sys.ID
		}
		names := func() string {
			t.Helper()
			all, err := f.svc.AllSystems(f.ctx)
			if err != nil {
				t.Fatal(err)
			}
			p, err := f.svc.Systems(f.ctx, Filter{MLPS: AnyLevel})
			if err != nil {
				t.Fatal(err)
			}
			var a, b []string
			for i := range all {
				a, b = append(a, all[i].Name), append(b, p.Systems[i].Name)
			}
			if strings.Join(a, "|") != strings.Join(b, "|") {
				t.Errorf("the list page and AllSystems disagree: %v / %v", b, a)
			}
			return strings.Join(a, "|")
		}
		if got, want := names(), "mail gateway|Zabbix 监控|安全监测平台|北京调度系统|成都备份中心"; got != want {
			t.Errorf("order %s, want %s", got, want)
		}
		if _, err := f.svc.UpdateSystem(f.ctx, ids["成都备份中心"], func(in *SystemInput) error { in.Name = "阿里云备份"; return nil }); err != nil {
			t.Fatal(err)
		}
		if got, want := names(), "mail gateway|Zabbix 监控|阿里云备份|安全监测平台|北京调度系统"; got != want {
			t.Errorf("after renaming: %s, want %s", got, want)
		}
		// A system stored before sort keys existed, on an installation that has not run
		// step 3 yet: migrating gives it its key.
		if err := f.db.Write(context.Background(), func(tx *store.Tx) error {
			if _, err := tx.Exec(`UPDATE scope_systems SET sort_key = NULL WHERE id = $1`, ids["北京调度系统"]); err != nil {
				return err
			}
			_, err := tx.Exec(`DELETE FROM schema_migrations WHERE module = 'scope' AND version = 3`)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		applied, err := f.db.Migrate(f.migs)
		if err != nil || len(applied) != 1 {
			t.Fatalf("migrate applied %v, %v; want the backfill step", applied, err)
		}
		if got, want := names(), "mail gateway|Zabbix 监控|阿里云备份|安全监测平台|北京调度系统"; got != want {
			t.Errorf("after the backfill: %s, want %s", got, want)
		}
	})
}

func TestProfileAndFacts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		f := newFixture(t, d)
		p, err := f.svc.Profile(f.ctx)
		if err != nil || p.NameZH != "示例电网有限公司" || !p.UpdatedAt.IsZero() {
			t.Fatalf("empty profile: %v %+v", err, p)
		}
		if _, err := f.svc.SaveProfile(f.ctx, ProfileInput{USCC: "91110000MA00000012", Sectors: []string{"energy"}}); fieldsOf(err)["uscc"] == "" {
			t.Fatalf("bad credit code accepted: %v", err)
		}
		var changes []int64
		f.svc.OnChange(func(ctx context.Context, orgID, systemID int64) { changes = append(changes, orgID, systemID) })
		if err := SeedDemo(f.ctx, f.svc, f.op, testNow); err != nil {
			t.Fatal(err)
		}
		if len(changes) == 0 || changes[0] != f.op {
			t.Fatalf("change hook calls %v", changes)
		}
		var uscc string
		if err := f.db.Read(context.Background(), func(tx *store.Tx) error {
			return tx.QueryRow(`SELECT uscc FROM orgs WHERE id = $1`, f.op).Scan(&uscc)
		}); err != nil || uscc != DemoUSCC {
			t.Fatalf("organisation credit code %q (%v), want %s", uscc, err, DemoUSCC)
		}
		if n := auditCount(t, f, "org", audit.Update); n != 1 {
			t.Fatalf("%d audited organisation updates, want 1 (the credit code)", n)
		}
		org, systems, err := f.svc.Facts(f.ctx)
		if err != nil {
			t.Fatal(err)
		}
		if org.Kind != "operator" || !org.IsCIIOperator || !org.IsCIICandidate || len(org.Sectors) != 1 || org.Sectors[0] != "energy" ||
			org.PISubjects != 8_600_000 || !org.HasImportantData ||
			org.LastRiskAssessment != mustTime("2025-05-01") {
			t.Fatalf("org facts %+v", org)
		}
		if len(systems) != len(demoSystems) {
			t.Fatalf("%d system facts, want %d", len(systems), len(demoSystems))
		}
		var identified, noPerson, abroadUnreported, l3Late, l4Late int
		for _, s := range systems {
			if s.CIIStatus == CIIIdentified {
				identified++
				if s.IdentifiedOn.IsZero() {
					t.Errorf("%s identified without a date", s.Name)
				}
			}
			if s.ResponsiblePerson == "" {
				noPerson++
			}
			if s.MaintenanceAbroad && !s.MaintenanceAbroadReported {
				abroadUnreported++
			}
			if s.MLPSLevel == 3 && testNow.Sub(s.LastMLPSTest) > 365*24*time.Hour && !s.LastMLPSTest.IsZero() {
				l3Late++
			}
			if s.MLPSLevel == 4 && testNow.Sub(s.LastMLPSTest) > 183*24*time.Hour {
				l4Late++
			}
		}
		if identified != 3 || noPerson != 1 || abroadUnreported != 1 || l3Late < 2 || l4Late != 1 {
			t.Fatalf("demo posture: identified %d, no person %d, abroad unreported %d, level 3 late %d, level 4 late %d", identified, noPerson, abroadUnreported, l3Late, l4Late)
		}
		// The peer organisation has no systems and is neither.
		porg, psys, err := f.svc.Facts(f.peerCtx)
		if err != nil || porg.IsCIIOperator || porg.IsCIICandidate || len(psys) != 0 {
			t.Fatalf("peer facts %+v %v %v", porg, psys, err)
		}
	})
}

func TestSelfAssessmentFlow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		f := newFixture(t, d)
		sys, err := f.svc.CreateSystem(f.ctx, SystemInput{Name: "用电信息采集系统", Sector: "energy", MLPSLevel: 3})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.ReportMajorChange(f.ctx, sys.ID, "2026-05-01"); err == nil {
			t.Fatal("a major change of a non-CII system was accepted")
		}
		// Not in a sector: stays none, answers kept.
		s1, err := f.svc.Assess(f.ctx, sys.ID, Answers{UsersServed: 5_000_000})
		if err != nil || s1.CIIStatus != CIINone || s1.Assessment == nil || s1.AssessmentSHA256 == "" {
			t.Fatalf("out of sector: %v %+v", err, s1)
		}
		if _, err := f.svc.Assess(f.ctx, sys.ID, Answers{Sector: "mining"}); fieldsOf(err)["sector"] == "" {
			t.Fatalf("unknown sector in answers: %v", err)
		}
		s2, err := f.svc.Assess(f.ctx, sys.ID, Answers{Sector: "energy", UsersServed: 5_000_000, PISubjects: 8_600_000})
		if err != nil || s2.CIIStatus != CIICandidate || !s2.Assessment.Candidate || s2.AssessmentSHA256 == s1.AssessmentSHA256 {
			t.Fatalf("candidate: %v %+v", err, s2)
		}
		_, sum, _ := evidence(*s2.Assessment)
		if sum != s2.AssessmentSHA256 {
			t.Fatalf("stored hash %s does not match the stored answers (%s)", s2.AssessmentSHA256, sum)
		}
		if _, err := f.svc.Identify(f.ctx, sys.ID, Notice{On: "2026-07-01", Doc: "x"}); fieldsOf(err)["on"] == "" {
			t.Fatalf("notice dated in the future: %v", err)
		}
		if _, err := f.svc.Identify(f.ctx, sys.ID, Notice{On: "2026-01-10"}); fieldsOf(err)["doc"] == "" {
			t.Fatalf("notice without number: %v", err)
		}
		s3, err := f.svc.Identify(f.ctx, sys.ID, Notice{On: "2026-01-10", Doc: "示能监安认〔2026〕1号"})
		if err != nil || s3.CIIStatus != CIIIdentified || s3.IdentifiedOn != "2026-01-10" || s3.IdentificationDoc != "示能监安认〔2026〕1号" {
			t.Fatalf("identify: %v %+v", err, s3)
		}
		if _, err := f.svc.Identify(f.ctx, sys.ID, Notice{On: "2026-01-11", Doc: "y"}); err == nil {
			t.Fatal("identified twice")
		}
		// A new self-assessment does not undo the department's identification.
		s4, err := f.svc.Assess(f.ctx, sys.ID, Answers{})
		if err != nil || s4.CIIStatus != CIIIdentified {
			t.Fatalf("reassessment changed an identified system: %v %+v", err, s4)
		}
		if _, err := f.svc.ReportMajorChange(f.ctx, sys.ID, "2025-12-01"); fieldsOf(err)["on"] == "" {
			t.Fatalf("change before identification: %v", err)
		}
		s5, err := f.svc.ReportMajorChange(f.ctx, sys.ID, "2026-03-31")
		if err != nil || s5.MajorChangeOn != "2026-03-31" || s5.ReidentificationDue() != "2026-06-30" {
			t.Fatalf("major change: %v %+v due %s", err, s5, s5.ReidentificationDue())
		}
		s6, err := f.svc.Deidentify(f.ctx, sys.ID, Notice{On: "2026-05-20", Doc: "示能监安撤〔2026〕2号"})
		if err != nil || s6.CIIStatus != CIIDeidentified || s6.DeidentifiedOn != "2026-05-20" {
			t.Fatalf("deidentify: %v %+v", err, s6)
		}
		org, _, err := f.svc.Facts(f.ctx)
		if err != nil || org.IsCIIOperator || org.IsCIICandidate {
			t.Fatalf("after de-identification: %+v %v", org, err)
		}
		var detail string
		if err := f.db.Read(context.Background(), func(tx *store.Tx) error {
			return tx.QueryRow(`SELECT detail FROM audit_log WHERE entity = 'scope_system' AND detail LIKE 'CII self-assessment%' ORDER BY seq DESC LIMIT 1`).Scan(&detail)
		}); err != nil || !strings.Contains(detail, "sha256=") {
			t.Fatalf("assessment not in the audit trail: %q %v", detail, err)
		}
	})
}
