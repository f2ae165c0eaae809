package obligations

import (
	"strings"
	"testing"
	"time"

	"ciiguard/internal/rules"
)

// BenchmarkFingerprint measures the fingerprint of one finding with reasons of the embedded
// catalog's length (about 240 bytes of Chinese and 210 of English): a full evaluation takes
// 360,000 of them.
func BenchmarkFingerprint(b *testing.B) {
	due := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	f := &rules.Finding{ObligationID: "CSL-CII-DR-BACKUP", SubjectKind: rules.SubjectSystem, SubjectID: "4321", Status: rules.StatusGap,
		Reason: rules.Text{Zh: strings.Repeat("原因", 40), En: strings.Repeat("reason ", 30)}, Due: &due,
		Penalty: &rules.PenaltyRange{ID: "CSL-59", Min: 100000, Max: 1000000}}
	b.ReportAllocs()
	for b.Loop() {
		fingerprint(f)
	}
}
