package oversight

import (
	"fmt"
	"testing"
	"time"
)

// BenchmarkRegistryInMemory measures what the registry page does with the entries once
// read: the Art. 11 clock of each, the filter and the counts with the sector map, for
// 10,000 entries with a notice and two change reports each. The store's read is not
// included.
func BenchmarkRegistryInMemory(b *testing.B) {
	const n = 10000
	base := time.Date(2026, 3, 1, 2, 0, 0, 0, time.UTC)
	entries := make([]*Entry, n)
	reports := make([][]time.Time, n)
	for i := range entries {
		entries[i] = &Entry{ID: int64(i + 1), OperatorID: int64(i + 1), USCC: fmt.Sprintf("91%06dMA%08d", 110000+i%31, i), NameZH: fmt.Sprintf("运营者%d", i),
			Sector: Sectors[i%len(Sectors)].Code, Province: Provinces[i%len(Provinces)].Code, Identified: true, LastNoticeOn: "2026-02-01",
			sent: []sentNotice{{"2026-02-01", base}}}
		reports[i] = []time.Time{base.AddDate(0, 0, i%200), base.AddDate(0, 1, i%200)}
	}
	f := RegistryFilter{Q: "运营者1", Identified: "yes"}
	b.ReportAllocs()
	for b.Loop() {
		var kept int
		for i, e := range entries {
			e.Reidentify = ""
			reidentifyClock(e, reports[i], "2026-12-02")
			if f.match(e) {
				kept++
			}
		}
		if c := countsOf(entries); c.Total != n || kept == 0 {
			b.Fatalf("counts %d, kept %d", c.Total, kept)
		}
	}
}
