package rules

import (
	"context"
	"strings"
	"testing"
	"time"
)

// TestSectorReasonInChinese: a reason that quotes the sectors shows their Chinese names in
// Chinese (CIIR Art. 2 lists 能源、电信 … by name, not by code) and keeps the codes in
// English, where the API and CSV files use them.
func TestSectorReasonInChinese(t *testing.T) {
	e, err := NewEngine([]Rule{{ID: "T-TELECOM", Subject: SubjectOrg, Applies: "'telecom' in org.sectors", Check: "true"}})
	if err != nil {
		t.Fatal(err)
	}
	fd, err := e.EvaluateRule(context.Background(), "T-TELECOM", Facts{Org: Org{Sectors: []string{"energy", "water"}}, Now: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(fd.Reason.Zh, "能源、水利") || strings.Contains(fd.Reason.Zh, "energy") {
		t.Errorf("Chinese reason %q: want the sector names 能源、水利, not codes", fd.Reason.Zh)
	}
	if !strings.Contains(fd.Reason.En, `["energy", "water"]`) {
		t.Errorf("English reason %q: want the codes", fd.Reason.En)
	}
}
