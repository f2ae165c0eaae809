package people

import (
	"testing"
	"time"

	"ciiguard/internal/calendar"
)

// TestComputeFacts checks the fact set against hand-counted cases on 2026-12-01 (China
// time): the training year judged is 2025, a passed check whose next due day is before
// today is overdue, a certificate valid on its expiry day, the key-post minimum applies to
// holders who held the post on 1 January 2025 and the staff minimum to the others.
func TestComputeFacts(t *testing.T) {
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, calendar.Shanghai)
	pol := DefaultPolicy()
	base := func() *Records {
		return &Records{
			Unit: &Unit{Name: "安全部", HeadID: 1, ManagerID: 2},
			Persons: []Person{
				{ID: 1, PersonInput: PersonInput{Name: "甲", SecurityStaff: true}},
				{ID: 2, PersonInput: PersonInput{Name: "乙", SecurityStaff: true}},
				{ID: 3, PersonInput: PersonInput{Name: "丙", SecurityStaff: true}},
				{ID: 4, PersonInput: PersonInput{Name: "丁", SecurityStaff: true}},
			},
			Posts:    []Post{{ID: 10, Name: "系统管理员", Holders: []Holder{{PersonID: 3, Since: "2020-01-01"}}}},
			Vettings: []Vetting{{ID: 1, PersonID: 1, CheckedOn: "2025-01-01", Result: Passed, NextDue: "2028-01-01"}, {ID: 2, PersonID: 2, CheckedOn: "2025-01-01", Result: Passed, NextDue: "2028-01-01"}, {ID: 3, PersonID: 3, CheckedOn: "2025-01-01", Result: Passed, NextDue: "2028-01-01"}},
			Certs:    []Certification{{PersonID: 3, Name: "CISP", ExpiresOn: "2026-12-01"}},
			Courses:  []Course{{ID: 7, HeldOn: "2025-05-01", Hours: 240}, {ID: 8, HeldOn: "2026-02-01", Hours: 80}},
			// 丙 (key post) 24 h = 3 days in 2025; everyone else 8 h = 1 day.
			Attendance: []Attendance{{CourseID: 7, PersonID: 3, Hours: 240}, {CourseID: 7, PersonID: 1, Hours: 80}, {CourseID: 7, PersonID: 2, Hours: 80}, {CourseID: 7, PersonID: 4, Hours: 80}},
			Policy:     pol,
		}
	}
	cases := []struct {
		name string
		edit func(rs *Records)
		want Facts
	}{
		{"all in order", func(*Records) {}, Facts{SecurityOrgEstablished: true, HeadNamed: true, ManagerNamed: true, HeadVetted: true, ManagerVetted: true,
			KeyPosts: 1, KeyPostHolders: 1, SecurityStaff: 4, TrainingYear: 2025, CoursesInYear: 1}},
		{"no unit", func(rs *Records) { rs.Unit = nil }, Facts{KeyPosts: 1, KeyPostHolders: 1, SecurityStaff: 4, TrainingYear: 2025, CoursesInYear: 1}},
		{"manager's check failed later", func(rs *Records) {
			rs.Vettings = append(rs.Vettings, Vetting{ID: 9, PersonID: 2, CheckedOn: "2026-06-01", Result: Failed})
		}, Facts{SecurityOrgEstablished: true, HeadNamed: true, ManagerNamed: true, HeadVetted: true,
			KeyPosts: 1, KeyPostHolders: 1, SecurityStaff: 4, TrainingYear: 2025, CoursesInYear: 1}},
		{"holder's check due yesterday", func(rs *Records) { rs.Vettings[2].NextDue = "2026-11-30" }, Facts{SecurityOrgEstablished: true, HeadNamed: true, ManagerNamed: true, HeadVetted: true, ManagerVetted: true,
			KeyPosts: 1, KeyPostHolders: 1, VettingOverdue: 1, SecurityStaff: 4, TrainingYear: 2025, CoursesInYear: 1}},
		{"holder's check due today is not overdue", func(rs *Records) { rs.Vettings[2].NextDue = "2026-12-01" }, Facts{SecurityOrgEstablished: true, HeadNamed: true, ManagerNamed: true, HeadVetted: true, ManagerVetted: true,
			KeyPosts: 1, KeyPostHolders: 1, SecurityStaff: 4, TrainingYear: 2025, CoursesInYear: 1}},
		{"holder never checked, certificate expired yesterday", func(rs *Records) { rs.Vettings = rs.Vettings[:2]; rs.Certs[0].ExpiresOn = "2026-11-30" }, Facts{SecurityOrgEstablished: true, HeadNamed: true, ManagerNamed: true, HeadVetted: true, ManagerVetted: true,
			KeyPosts: 1, KeyPostHolders: 1, KeyPostsUnvetted: 1, Uncertified: 1, CertificationsExpired: 1, SecurityStaff: 4, TrainingYear: 2025, CoursesInYear: 1}},
		{"a second post with nobody", func(rs *Records) { rs.Posts = append(rs.Posts, Post{ID: 11, Name: "网络管理员"}) }, Facts{SecurityOrgEstablished: true, HeadNamed: true, ManagerNamed: true, HeadVetted: true, ManagerVetted: true,
			KeyPosts: 2, KeyPostsUnfilled: 1, KeyPostHolders: 1, SecurityStaff: 4, TrainingYear: 2025, CoursesInYear: 1}},
		{"key-post holder 0.1 h short of 3 days", func(rs *Records) { rs.Attendance[0].Hours = 239 }, Facts{SecurityOrgEstablished: true, HeadNamed: true, ManagerNamed: true, HeadVetted: true, ManagerVetted: true,
			KeyPosts: 1, KeyPostHolders: 1, KeyPostsBelow: 1, SecurityStaff: 4, TrainingYear: 2025, CoursesInYear: 1}},
		{"holder since 2 January 2025 is held to the staff minimum", func(rs *Records) { rs.Attendance[0].Hours = 80; rs.Posts[0].Holders[0].Since = "2025-01-02" },
			Facts{SecurityOrgEstablished: true, HeadNamed: true, ManagerNamed: true, HeadVetted: true, ManagerVetted: true,
				KeyPosts: 1, KeyPostHolders: 1, SecurityStaff: 4, TrainingYear: 2025, CoursesInYear: 1}},
		{"staff with 7.9 h in 2025 and 8 h in 2026", func(rs *Records) {
			rs.Attendance[3].Hours = 79
			rs.Attendance = append(rs.Attendance, Attendance{CourseID: 8, PersonID: 4, Hours: 80})
		}, Facts{SecurityOrgEstablished: true, HeadNamed: true, ManagerNamed: true, HeadVetted: true, ManagerVetted: true,
			KeyPosts: 1, KeyPostHolders: 1, StaffBelow: 1, SecurityStaff: 4, TrainingYear: 2025, CoursesInYear: 1}},
		{"joined in 2025 and left: neither judged", func(rs *Records) {
			rs.Persons[3].JoinedOn = "2025-03-01"
			rs.Attendance = rs.Attendance[:3]
			rs.Persons = append(rs.Persons, Person{ID: 5, PersonInput: PersonInput{Name: "戊", SecurityStaff: true, LeftOn: "2026-11-01"}})
		}, Facts{SecurityOrgEstablished: true, HeadNamed: true, ManagerNamed: true, HeadVetted: true, ManagerVetted: true,
			KeyPosts: 1, KeyPostHolders: 1, SecurityStaff: 4, TrainingYear: 2025, CoursesInYear: 1}},
		{"the head left", func(rs *Records) { rs.Persons[0].LeftOn = "2026-10-01" }, Facts{SecurityOrgEstablished: true, ManagerNamed: true, ManagerVetted: true,
			KeyPosts: 1, KeyPostHolders: 1, SecurityStaff: 3, TrainingYear: 2025, CoursesInYear: 1}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rs := base()
			c.edit(rs)
			if got := ComputeFacts(rs, now); got != c.want {
				t.Errorf("got  %+v\nwant %+v", got, c.want)
			}
		})
	}
}

// TestTrainingYearIsChinaTime: at 23:30 UTC on 31 December 2026 it is already 2027 in
// China, so the year judged is 2026.
func TestTrainingYearIsChinaTime(t *testing.T) {
	f := ComputeFacts(&Records{Policy: DefaultPolicy()}, time.Date(2026, 12, 31, 23, 30, 0, 0, time.UTC))
	if f.TrainingYear != 2026 {
		t.Errorf("training year %d, want 2026", f.TrainingYear)
	}
}

// TestParseHours: whole and one-decimal hours, a decimal comma; refused otherwise.
func TestParseHours(t *testing.T) {
	for in, want := range map[string]Hours{"8": 80, "1.5": 15, "0,5": 5, " 16 ": 160, "336": 3360} {
		if got, err := ParseHours(in); err != nil || got != want {
			t.Errorf("ParseHours(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "0", "-1", "1.25", "abc", "1.", ".5", "336.1", "1e3", "八"} {
		if _, err := ParseHours(in); err == nil {
			t.Errorf("ParseHours(%q) accepted", in)
		}
	}
}
