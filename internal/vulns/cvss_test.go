package vulns

import (
	"strings"
	"testing"
	"time"

	"ciiguard/internal/calendar"
)

// TestParseCVSS holds the scoring to an independent oracle: the 3.x base scores were
// worked by hand from the CVSS 3.1 specification's equations (section 7.1; e.g. the
// physical-access line: ISS 0.22, impact 6.42 × 0.22 = 1.412, exploitability
// 8.22 × 0.2 × 0.44 × 0.27 × 0.62 = 0.121, round up 1.534 → 1.6), the 4.0 ones are the
// scores FIRST's calculator gives for the same vectors; severities are the specification's
// qualitative scale. Bad vectors are refused with the reason a user reads.
func TestParseCVSS(t *testing.T) {
	for _, c := range []struct {
		vector, version string
		score           float64
		severity        string
	}{
		{"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "3.1", 9.8, "critical"},
		{"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", "3.1", 10.0, "critical"},
		{"CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H", "3.1", 8.1, "high"},
		{"CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:N/A:N", "3.1", 5.5, "medium"},
		{"CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", "3.1", 6.1, "medium"},
		{"CVSS:3.1/AV:P/AC:H/PR:H/UI:R/S:U/C:N/I:N/A:L", "3.1", 1.6, "low"},
		{"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N", "3.1", 0.0, "none"},
		{" CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H ", "3.0", 9.8, "critical"},
		{"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", "4.0", 9.3, "critical"},
		{"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H", "4.0", 10.0, "critical"},
		{"CVSS:4.0/AV:L/AC:L/AT:N/PR:L/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", "4.0", 8.5, "high"},
	} {
		got, r := ParseCVSS(c.vector)
		if r != nil {
			t.Errorf("%s: refused: %v", c.vector, r)
			continue
		}
		if got.Version != c.version || got.Score != c.score || got.Severity != c.severity {
			t.Errorf("%s: %s %.1f %s, want %s %.1f %s", c.vector, got.Version, got.Score, got.Severity, c.version, c.score, c.severity)
		}
	}
	for _, c := range []struct{ vector, reason string }{
		{"AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "must start with CVSS:3.0/, CVSS:3.1/ or CVSS:4.0/"},
		{"CVSS:2.0/AV:N/AC:L/Au:N/C:C/I:C/A:C", "must start with CVSS:3.0/, CVSS:3.1/ or CVSS:4.0/"},
		{"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H", "is not a valid CVSS 3.1 vector: base metric A is missing"},
		{"CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "is not a valid CVSS 3.1 vector: a metric has a value the specification does not define"},
		{"CVSS:3.1/AV:N/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "is not a valid CVSS 3.1 vector: metric AV is given twice"},
		{"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/ZZ:X", `is not a valid CVSS 3.1 vector: there is no metric "ZZ"`},
		{"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N", "is not a valid CVSS 4.0 vector"},
		{"CVSS:3.1/" + strings.Repeat("AV:N/", 100), "is longer than 400 characters"},
	} {
		_, r := ParseCVSS(c.vector)
		if r == nil {
			t.Errorf("%s: accepted", c.vector)
			continue
		}
		if got := r.Error(); !strings.HasPrefix(got, c.reason) {
			t.Errorf("%s: %q, want %q", c.vector, got, c.reason)
		}
	}
}

// TestIdentifiers holds the identifier checks to a hand-written table of real and broken
// identifiers of the three schemes.
func TestIdentifiers(t *testing.T) {
	const maxYear = 2027
	for _, c := range []struct {
		id   string
		fn   func(string, int) *Reason
		want string // "" accepted, else a part of the reason
	}{
		{"CVE-2021-44228", CheckCVE, ""},
		{"CVE-2024-3400", CheckCVE, ""},
		{"CVE-1999-0001", CheckCVE, ""},
		{"CVE-2023-1234567", CheckCVE, ""},
		{"CVE-2024-123", CheckCVE, "must look like CVE-2024-3400"},
		{"CVE-24-3400", CheckCVE, "must look like"},
		{"CVE-1998-0001", CheckCVE, "year 1998 is not between 1999 and 2027"},
		{"CVE-2031-0001", CheckCVE, "year 2031"},
		{"CNVD-2021-95914", CheckCNVD, ""},
		{"CNVD-2021-9591", CheckCNVD, "must look like CNVD-2024-12345"},
		{"CNVD-2008-12345", CheckCNVD, "year 2008"},
		{"CNNVD-202112-799", CheckCNNVD, ""},
		{"CNNVD-201903-1234", CheckCNNVD, ""},
		{"CNNVD-202113-799", CheckCNNVD, "month 13 is not a month"},
		{"CNNVD-2021-799", CheckCNNVD, "must look like CNNVD-202404-1234"},
	} {
		r := c.fn(c.id, maxYear)
		switch {
		case c.want == "" && r != nil:
			t.Errorf("%s: refused: %v", c.id, r)
		case c.want != "" && (r == nil || !strings.Contains(r.Error(), c.want)):
			t.Errorf("%s: %v, want a reason containing %q", c.id, r, c.want)
		}
	}
}

// TestClocks works the deadlines out by hand in Beijing time: a provider's vulnerability
// found at 2026-12-31 22:30 (Beijing) is due at MIIT's platform by 2027-01-02 22:30, the
// 24-hour report by 2027-01-01 22:30; under the default policy a high one is to be fixed by
// 2027-01-30 22:30 (30 days), a critical one by 2027-01-07 22:30; a report made after the
// due time is late, one not made is overdue once the time has passed.
func TestClocks(t *testing.T) {
	bj := func(s string) time.Time {
		tm, err := time.ParseInLocation("2006-01-02 15:04", s, calendar.Shanghai)
		if err != nil {
			t.Fatal(err)
		}
		return tm.UTC()
	}
	found := bj("2026-12-31 22:30")
	if got := MIITDue(found); !got.Equal(bj("2027-01-02 22:30")) {
		t.Errorf("MIIT due %v", got.In(calendar.Shanghai))
	}
	if got := AuthorityDue(found); !got.Equal(bj("2027-01-01 22:30")) {
		t.Errorf("authority due %v", got.In(calendar.Shanghai))
	}
	if got := FixDue(DefaultPolicy, "high", found); got == nil || !got.Equal(bj("2027-01-30 22:30")) {
		t.Errorf("high fix due %v", got)
	}
	if got := FixDue(DefaultPolicy, "critical", found); got == nil || !got.Equal(bj("2027-01-07 22:30")) {
		t.Errorf("critical fix due %v", got)
	}
	if got := FixDue(DefaultPolicy, "none", found); got != nil {
		t.Errorf("a score of 0.0 has a fix deadline %v", got)
	}
	late := bj("2027-01-03 09:00")
	v := Vuln{Provider: true, NationalSecurity: true, Severity: "critical", Status: "open", DiscoveredAt: found, ReportedMIITAt: &late}
	v.FixDue = FixDue(DefaultPolicy, v.Severity, found)
	want := map[string]string{ClockMIIT: ClockLate, ClockAuthority: ClockOverdue, ClockFix: ClockRunning}
	cs := clocks(&v, bj("2027-01-03 10:00"))
	if len(cs) != 3 {
		t.Fatalf("%d clocks, want 3", len(cs))
	}
	for _, c := range cs {
		if c.State != want[c.Kind] {
			t.Errorf("%s: %s, want %s", c.Kind, c.State, want[c.Kind])
		}
		if c.BasisZH == "" || c.BasisEN == "" {
			t.Errorf("%s: no legal basis", c.Kind)
		}
	}
	if !strings.Contains(cs[0].BasisZH, "第七条") || !strings.Contains(cs[1].BasisEN, "Art. 10") {
		t.Errorf("bases: %q, %q", cs[0].BasisZH, cs[1].BasisEN)
	}
	f := ComputeFacts([]Vuln{v}, bj("2027-01-08 10:00"))
	if f != (Facts{Recorded: 1, Open: 1, CriticalOpen: 1, PastFixDeadline: 1, MIITLate: 1, AuthorityOverdue: 1}) {
		t.Errorf("facts %+v", f)
	}
}
