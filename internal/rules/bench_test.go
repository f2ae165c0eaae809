package rules_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"ciiguard/internal/catalog"
	"ciiguard/internal/rules"
)

// benchFacts builds an organisation with n systems whose facts vary the way a real inventory
// does (grades, CII status, dates set and unset), so that every branch of the rules runs.
func benchFacts(n int) rules.Facts {
	r := rand.New(rand.NewPCG(1, 2))
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	date := func() time.Time {
		if r.IntN(5) == 0 {
			return time.Time{}
		}
		return now.AddDate(0, 0, -r.IntN(900))
	}
	sectors := []string{"finance", "energy", "telecom", "healthcare", "internet"}
	statuses := []string{"none", "candidate", "identified", "deidentified"}
	f := rules.Facts{OrgID: "bench", Now: now, Org: rules.Org{
		Kind: "operator", Sectors: []string{"finance", "telecom"}, Region: "Beijing",
		IsCIIOperator: true, IsCIICandidate: true, IsTelecomOperator: true,
		SecurityOrgEstablished: true, SecurityManagerAppointed: true, LogRetentionDays: 200, LogSources: 40,
		PISubjects: 2_000_000, SensitivePISubjects: 20_000, ExportPISubjects: 150_000, HasImportantData: true,
		LastRiskAssessment: now.AddDate(0, -8, 0),
	}}
	for i := range n {
		f.Systems = append(f.Systems, rules.System{
			ID: int64(i + 1), Name: fmt.Sprintf("system-%d", i+1), Owner: "IT", ResponsiblePerson: "Li",
			Sector: sectors[r.IntN(len(sectors))], MLPSLevel: int64(r.IntN(5)),
			GradedOn: date(), GoLive: date(), FiledOn: date(), LastMLPSTest: date(), LastSelfInspection: date(),
			FilingNumber: []string{"", "11010099999-00001"}[r.IntN(2)],
			CIIStatus:    statuses[r.IntN(len(statuses))], IdentifiedOn: date(), MajorChangeOn: date(),
			HoldsPersonalInfo: r.IntN(2) == 0, HoldsImportantData: r.IntN(4) == 0,
			DataStoredAbroad: r.IntN(20) == 0, MaintenanceAbroad: r.IntN(10) == 0,
			HasDRBackup: r.IntN(3) > 0, LastBackupTest: date(), HasEmergencyPlan: r.IntN(3) > 0, LastDrill: date(),
		})
	}
	return f
}

func benchEngine(b *testing.B) *rules.Engine {
	b.Helper()
	c, err := catalog.Load()
	if err != nil {
		b.Fatal(err)
	}
	return c.Engine()
}

// BenchmarkEvaluateAll10k evaluates the whole embedded catalog for an organisation with
// 10,000 systems.
func BenchmarkEvaluateAll10k(b *testing.B) {
	e := benchEngine(b)
	f := benchFacts(10_000)
	var n int
	b.ReportAllocs()
	for b.Loop() {
		fs, err := e.EvaluateAll(context.Background(), f)
		if err != nil {
			b.Fatal(err)
		}
		n = len(fs)
	}
	b.ReportMetric(float64(n), "findings")
}

// BenchmarkIncrementalSystem10k changes one system of the 10,000 and re-evaluates only it.
func BenchmarkIncrementalSystem10k(b *testing.B) {
	e := benchEngine(b)
	f := benchFacts(10_000)
	st, err := e.NewState(context.Background(), f)
	if err != nil {
		b.Fatal(err)
	}
	sys := f.Systems[4321]
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		sys.MLPSLevel = int64(i % 5)
		if _, err := st.UpdateSystem(context.Background(), sys); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkIncrementalOrg10k changes one organisation fact that system rules read
// (is_cii_operator) and re-evaluates what depends on it.
func BenchmarkIncrementalOrg10k(b *testing.B) {
	e := benchEngine(b)
	f := benchFacts(10_000)
	st, err := e.NewState(context.Background(), f)
	if err != nil {
		b.Fatal(err)
	}
	org := f.Org
	b.ReportAllocs()
	for b.Loop() {
		org.IsCIIOperator = !org.IsCIIOperator
		if _, err := st.UpdateOrg(context.Background(), org); err != nil {
			b.Fatal(err)
		}
	}
}

// TestIncrementalMatchesFullOnCatalog checks, on the real catalog, that the incremental paths
// give exactly what a full evaluation gives.
func TestIncrementalMatchesFullOnCatalog(t *testing.T) {
	c, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	e := c.Engine()
	f := benchFacts(200)
	st, err := e.NewState(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	f.Systems[17].CIIStatus = "identified"
	f.Systems[17].LastDrill = time.Time{}
	if _, err := st.UpdateSystem(context.Background(), f.Systems[17]); err != nil {
		t.Fatal(err)
	}
	f.Org.IsCIIOperator = false
	f.Org.LogRetentionDays = 30
	if _, err := st.UpdateOrg(context.Background(), f.Org); err != nil {
		t.Fatal(err)
	}
	full, err := e.EvaluateAll(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	got := st.Findings()
	if len(got) != len(full) {
		t.Fatalf("%d findings incrementally, %d in full", len(got), len(full))
	}
	for i := range full {
		if fmt.Sprint(got[i]) != fmt.Sprint(full[i]) {
			t.Fatalf("finding %d differs:\n incremental %+v\n full        %+v", i, got[i], full[i])
		}
	}
}
