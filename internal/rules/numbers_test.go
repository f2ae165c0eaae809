package rules

import (
	"context"
	"strings"
	"testing"
	"time"
)

// TestReasonNumbersHaveSeparators: issue 10 item 14 — "numbers have separators
// (8,600,000 / 860万)". A reason quoting the demo operator's 8,600,000 people and its
// 184-day log retention writes the large count with separators in both languages and
// leaves small counts (and four-digit figures such as a year) as they are. The expected
// strings are written by hand.
func TestReasonNumbersHaveSeparators(t *testing.T) {
	e, err := NewEngine([]Rule{{ID: "T-PI", Subject: SubjectOrg, Applies: "true", Check: "org.pi_subjects > 0 && logs.retention_days > 0 && logs.sources > 0"}}, WithFacts(testLogsSet))
	if err != nil {
		t.Fatal(err)
	}
	fd, err := e.EvaluateRule(context.Background(), "T-PI", withLogs(Facts{Org: Org{PISubjects: 8_600_000}, Now: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)}, testLogs{RetentionDays: 184, Sources: 2026}), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"个人信息主体人数 = 8,600,000", "日志留存天数 = 184", "日志来源数 = 2026"} {
		if !strings.Contains(fd.Reason.Zh, want) {
			t.Errorf("Chinese reason %q lacks %q", fd.Reason.Zh, want)
		}
	}
	if !strings.Contains(fd.Reason.En, "= 8,600,000") || strings.Contains(fd.Reason.En, "8600000") {
		t.Errorf("English reason %q: want 8,600,000", fd.Reason.En)
	}
}
