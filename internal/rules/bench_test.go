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

// BenchmarkIncrementalSystem10k changes one system of the 10,000 and evaluates what that
// can affect: the organisation's obligations and that system's.
func BenchmarkIncrementalSystem10k(b *testing.B) {
	e := benchEngine(b)
	f := benchFacts(10_000)
	ch := rules.Change{Systems: map[int64]bool{f.Systems[4321].ID: true}}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		f.Systems[4321].MLPSLevel = int64(i % 5)
		if _, err := e.EvaluateChanges(context.Background(), f, ch); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkIncrementalOrg10k changes one organisation fact that system rules read
// (is_cii_operator) and evaluates what depends on it.
func BenchmarkIncrementalOrg10k(b *testing.B) {
	e := benchEngine(b)
	f := benchFacts(10_000)
	b.ReportAllocs()
	for b.Loop() {
		old := f.Org
		f.Org.IsCIIOperator = !f.Org.IsCIIOperator
		if _, err := e.EvaluateChanges(context.Background(), f, rules.Change{Org: rules.ChangedOrgFields(old, f.Org)}); err != nil {
			b.Fatal(err)
		}
	}
}

// TestIncrementalMatchesFullOnCatalog checks, on the real catalog, that findings updated with
// EvaluateChanges are exactly what a full evaluation gives.
func TestIncrementalMatchesFullOnCatalog(t *testing.T) {
	c, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	e := c.Engine()
	f := benchFacts(200)
	cur, err := e.EvaluateAll(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	merge := func(ch rules.Change) {
		got, err := e.EvaluateChanges(context.Background(), f, ch)
		if err != nil {
			t.Fatal(err)
		}
		byKey := map[rules.SubjectKey]rules.Finding{}
		for _, fd := range got {
			byKey[fd.Key()] = fd
		}
		for i := range cur {
			if n, ok := byKey[cur[i].Key()]; ok {
				cur[i] = n
			}
		}
	}
	f.Systems[17].CIIStatus = "identified"
	f.Systems[17].LastMLPSTest = time.Time{}
	merge(rules.Change{Systems: map[int64]bool{f.Systems[17].ID: true}})
	old := f.Org
	f.Org.IsCIIOperator = false
	f.Org.PISubjects = 30
	merge(rules.Change{Org: rules.ChangedOrgFields(old, f.Org)})
	full, err := e.EvaluateAll(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	if len(cur) != len(full) {
		t.Fatalf("%d findings incrementally, %d in full", len(cur), len(full))
	}
	for i := range full {
		if fmt.Sprint(cur[i]) != fmt.Sprint(full[i]) {
			t.Fatalf("finding %d differs:\n incremental %+v\n full        %+v", i, cur[i], full[i])
		}
	}
}
