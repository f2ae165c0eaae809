package cluster

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"ciiguard/internal/storetest"
)

// TestJobRunsOncePerPeriod: four nodes (separate pools) wake for the same daily job at
// the same moment, for three days; each day's job runs once. A node whose lease is taken
// from it mid-job cannot record the period, and the next node runs it again.
func TestJobRunsOncePerPeriod(t *testing.T) {
	for _, d := range storetest.Engines {
		t.Run(string(d), func(t *testing.T) {
			storetest.Require(t, d)
			const n = 4
			dbs := openNodes(t, d, n)
			ctx := context.Background()
			var jobs []*Jobs
			for i := range dbs {
				jobs = append(jobs, NewJobs(NewLeases(dbs[i], fmt.Sprintf("node-%d", i)), nil))
			}
			runs := map[string]*atomic.Int32{}
			for _, day := range []string{"2026-12-01", "2026-12-02", "2026-12-03"} {
				runs[day] = &atomic.Int32{}
				// Every node wakes twice in the day (a restart, a second timer).
				for wake := 0; wake < 2; wake++ {
					var wg sync.WaitGroup
					for _, j := range jobs {
						wg.Add(1)
						go func(j *Jobs) {
							defer wg.Done()
							if _, err := j.Once(ctx, "logs.purge", day, func(context.Context) error {
								runs[day].Add(1)
								time.Sleep(20 * time.Millisecond) // others wake while it runs
								return nil
							}); err != nil {
								t.Error(err)
							}
						}(j)
					}
					wg.Wait()
				}
			}
			for day, c := range runs {
				if c.Load() != 1 {
					t.Errorf("%s: the job ran %d times across %d nodes, want once", day, c.Load(), n)
				}
			}

			// A job whose node fails leaves its period undone: the next node runs it.
			if ran, err := jobs[0].Once(ctx, "trend", "2026-12-04", func(context.Context) error { return fmt.Errorf("disk full") }); !ran || err == nil {
				t.Fatalf("failing job: ran %v, err %v", ran, err)
			}
			ran, err := jobs[1].Once(ctx, "trend", "2026-12-04", func(context.Context) error { return nil })
			if !ran || err != nil {
				t.Fatalf("after a failure another node runs the period: ran %v, err %v", ran, err)
			}
		})
	}
}
