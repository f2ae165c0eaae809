package reports

import (
	"context"
	"strconv"
	"testing"
	"time"

	"ciiguard/internal/catalog"
	"ciiguard/internal/kernel/cjkfont"
	"ciiguard/internal/rules"
)

// fakeInventory is an organisation of n systems, every tenth identified CII.
type fakeInventory struct{ n int }

func (f fakeInventory) Facts(context.Context) (rules.Org, []rules.System, error) {
	sys := make([]rules.System, f.n)
	for i := range sys {
		sys[i] = rules.System{ID: int64(i + 1), Name: "系统" + strconv.Itoa(i+1), MLPSLevel: int64(i%4 + 1), LastMLPSTest: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)}
		if i%10 == 0 {
			sys[i].CIIStatus, sys[i].IdentifiedOn = "identified", time.Date(2025, 1, 2, 0, 0, 0, 0, time.UTC)
		}
	}
	return rules.Org{IsCIIOperator: true}, sys, nil
}

// fakeObligations has 20 findings per system over 20 duties, a third of them gaps.
type fakeObligations struct{ n int }

func (fakeObligations) Catalog(context.Context) (*catalog.Catalog, error) { return nil, nil }
func (f fakeObligations) CurrentFindings(context.Context) ([]rules.Finding, error) {
	out := make([]rules.Finding, 0, f.n*20)
	for s := 1; s <= f.n; s++ {
		for d := range 20 {
			st := rules.StatusMet
			if (s+d)%3 == 0 {
				st = rules.StatusGap
			}
			out = append(out, rules.Finding{ObligationID: "DUTY-" + strconv.Itoa(d), SubjectKind: rules.SubjectSystem, SubjectID: strconv.Itoa(s), Status: st,
				Reason: rules.Text{Zh: "缺少证明材料", En: "no evidence"}})
		}
	}
	return out, nil
}

// BenchmarkReport10kSystems generates the report of an organisation with 10,000 systems
// (200,000 findings) and renders its Chinese PDF: the contracts are in-memory fakes of
// that size, so it measures the report's own work, not the inventory's or the findings'
// reads.
func BenchmarkReport10kSystems(b *testing.B) {
	font, err := (&cjkfont.Loader{}).Load()
	if err != nil {
		b.Skip(err)
	}
	const n = 10_000
	src := Sources{Inventory: fakeInventory{n}, Obligations: fakeObligations{n}}
	for b.Loop() {
		c, err := src.Generate(context.Background(), Header{Kind: KindAnnual, Year: 2026, Now: time.Now()})
		if err != nil {
			b.Fatal(err)
		}
		js, sum, err := Canonical(c)
		if err != nil {
			b.Fatal(err)
		}
		pdf, err := PDF(font, "zh-CN", c, Stamp{JSONSHA256: sum})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(len(js)), "json-bytes")
		b.ReportMetric(float64(len(pdf)), "pdf-bytes")
	}
}
