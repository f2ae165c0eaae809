package people

import (
	"reflect"
	"testing"
	"time"

	"ciiguard/internal/auth"
	"ciiguard/internal/calendar"
)

// TestDeadlinesOf checks the reminders against hand-written expectations on 2026-12-01
// (China time): a passed check reminds of its next check (also once overdue), a failed or
// missing one does not, a person who left is not reminded of, the newer of two checks
// decides, and of two certificates with the same name and issuer only the later expiry is
// reminded of; a certificate without expiry never is.
func TestDeadlinesOf(t *testing.T) {
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, calendar.Shanghai)
	rs := &Records{
		Persons: []Person{
			{ID: 1, PersonInput: PersonInput{Name: "甲"}},
			{ID: 2, PersonInput: PersonInput{Name: "乙"}},
			{ID: 3, PersonInput: PersonInput{Name: "丙", LeftOn: "2026-06-30"}},
			{ID: 4, PersonInput: PersonInput{Name: "丁"}},
			{ID: 5, PersonInput: PersonInput{Name: "戊"}},
		},
		Vettings: []Vetting{
			{ID: 1, PersonID: 1, CheckedOn: "2023-12-01", Result: Passed, NextDue: "2026-11-20"},
			{ID: 2, PersonID: 1, CheckedOn: "2026-11-25", Result: Passed, NextDue: "2029-11-25"},
			{ID: 3, PersonID: 2, CheckedOn: "2023-01-10", Result: Passed, NextDue: "2026-11-30"},
			{ID: 4, PersonID: 3, CheckedOn: "2024-01-01", Result: Passed, NextDue: "2026-12-10"},
			{ID: 5, PersonID: 4, CheckedOn: "2026-01-01", Result: Failed, NextDue: "2027-01-01"},
		},
		Certs: []Certification{
			{ID: 7, PersonID: 5, Name: "CISP", Issuer: "CNITSEC", ExpiresOn: "2026-12-20"},
			{ID: 8, PersonID: 5, Name: "CISP", Issuer: "CNITSEC", ExpiresOn: "2029-12-20"},
			{ID: 9, PersonID: 5, Name: "CISSP", Issuer: "ISC2", ExpiresOn: "2026-12-31"},
			{ID: 10, PersonID: 5, Name: "等级测评师", Issuer: "公安部"},
			{ID: 11, PersonID: 3, Name: "CISP", Issuer: "CNITSEC", ExpiresOn: "2026-12-05"},
		},
	}
	type row struct{ subject, due, zh, en string }
	want := []row{
		{"people.vetting:1:2029-11-25", "2029-11-25", "安全背景审查复查：甲", "Background check due again: 甲"},
		{"people.vetting:2:2026-11-30", "2026-11-30", "安全背景审查复查：乙", "Background check due again: 乙"},
		{"people.cert:5:9", "2026-12-31", "证书到期：戊（CISSP）", "Certificate expiring: 戊 (CISSP)"},
		{"people.cert:5:8", "2029-12-20", "证书到期：戊（CISP）", "Certificate expiring: 戊 (CISP)"},
	}
	var got []row
	for _, n := range DeadlinesOf(rs, now) {
		got = append(got, row{n.Subject, n.Due.In(calendar.Shanghai).Format(DateLayout), n.Title.Zh, n.Title.En})
		if !reflect.DeepEqual(n.Roles, []auth.Role{auth.SecurityManager}) || len(n.Users) != 0 {
			t.Errorf("%s goes to users %v and roles %v, want the security manager only (people.hr)", n.Subject, n.Users, n.Roles)
		}
		if n.Link == "" || n.Body.Zh == "" || n.Body.En == "" {
			t.Errorf("%s: link %q, body %+v", n.Subject, n.Link, n.Body)
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("deadlines:\n got %v\nwant %v", got, want)
	}
}
