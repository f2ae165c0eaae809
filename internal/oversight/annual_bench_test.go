package oversight

import (
	"fmt"
	"testing"
	"time"
)

// BenchmarkAnnualClocks measures the annual report clock the registry computes for every
// entry on each read: 10,000 identified entries, identified between 1 and 20 years ago,
// three annual reports each, under the default (anniversary) and a fixed day. The
// store's read is not included.
func BenchmarkAnnualClocks(b *testing.B) {
	const n = 10000
	base := time.Date(2026, 12, 2, 2, 0, 0, 0, time.UTC)
	entries := make([]*Entry, n)
	reports := make([][]time.Time, n)
	for i := range entries {
		on := base.AddDate(-1-i%20, 0, -i%365)
		entries[i] = &Entry{ID: int64(i + 1), OperatorID: int64(i + 1), NameZH: fmt.Sprintf("运营者%d", i), Identified: true, IdentifiedOn: on.Format(dateLayout)}
		reports[i] = []time.Time{on.AddDate(0, 6, 0), base.AddDate(0, 0, -400-i%30), base.AddDate(0, 0, -i%300)}
	}
	for _, day := range []string{"", "03-31"} {
		b.Run("day="+day, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				overdue := 0
				for i, e := range entries {
					setAnnualClock(e, reports[i], nil, "2026-12-02", day)
					if e.Annual == AnnualOverdue {
						overdue++
					}
				}
				if entries[0].AnnualDueOn == "" {
					b.Fatal("no due date")
				}
			}
		})
	}
}
