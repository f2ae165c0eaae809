package appstore

import (
	"context"
	"fmt"
	"testing"

	"ciiguard/internal/audit"
	"ciiguard/internal/auth"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
)

// BenchmarkSeedDemo is the cost of the demo app store (50 developers, 120 apps uploaded,
// reviewed and published, six complaints) on one engine: every `ciiguard demo` and every
// test binary's seeded template pays it once. One organisation per iteration.
func BenchmarkSeedDemo(b *testing.B) {
	for _, d := range []store.Dialect{store.SQLite, store.Postgres} {
		b.Run(string(d), func(b *testing.B) {
			storetest.Require(b, d)
			migs := append(append(append([]store.Migration{}, auth.Migrations...), audit.Migrations...), Migrations...)
			db := storetest.Open(b, d, migs)
			as := auth.NewService(db)
			s := NewService(db, &fakeEvidence{}, &fakeNotifier{})
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				b.StopTimer()
				org, err := as.CreateOrg(context.Background(), auth.Org{Kind: auth.Operator, NameZH: fmt.Sprintf("示例应用市场%d", i), NameEN: fmt.Sprintf("Market %d", i)})
				if err != nil {
					b.Fatal(err)
				}
				ctx := audit.WithActor(store.WithOrg(context.Background(), org.ID), audit.Actor{OrgID: org.ID, Label: "bench"})
				b.StartTimer()
				if err := SeedDemo(ctx, s); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
