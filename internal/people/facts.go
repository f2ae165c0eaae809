package people

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"ciiguard/internal/calendar"
)

// Facts is the people fact set, the CEL variable `people` of the catalog's rules: the
// security organisation, vetting, certification and training of the organisation, as
// counts (no personal information reaches the rules engine or its findings).
//
// Training is judged on the last complete calendar year in China time (TrainingYear): a
// yearly minimum can only be missed once the year is over. Only people on the roll on
// 1 January of that year are judged, and a key-post holder is held to the key-post minimum
// if they held the post on that day (otherwise to the staff minimum, when security staff).
type Facts struct {
	SecurityOrgEstablished bool  `cel:"security_org_established" json:"security_org_established" label:"已设专门安全管理机构|security organisation established"`
	HeadNamed              bool  `cel:"head_named" json:"head_named" label:"已明确安全管理机构负责人|head of the security organisation named"`
	ManagerNamed           bool  `cel:"manager_named" json:"manager_named" label:"已明确安全管理负责人|security manager named"`
	HeadVetted             bool  `cel:"head_vetted" json:"head_vetted" label:"机构负责人安全背景审查通过且未到期|head's background check passed and not due"`
	ManagerVetted          bool  `cel:"manager_vetted" json:"manager_vetted" label:"安全管理负责人安全背景审查通过且未到期|security manager's background check passed and not due"`
	KeyPosts               int64 `cel:"key_posts" json:"key_posts" label:"关键岗位数|key posts"`
	KeyPostsUnfilled       int64 `cel:"key_posts_unfilled" json:"key_posts_unfilled" label:"无人在岗的关键岗位数|key posts with no holder"`
	KeyPostHolders         int64 `cel:"key_post_holders" json:"key_post_holders" label:"关键岗位在岗人数|key-post holders"`
	KeyPostsUnvetted       int64 `cel:"key_posts_unvetted" json:"key_posts_unvetted" label:"未通过安全背景审查的关键岗位人员数|key-post holders without a passed background check"`
	VettingOverdue         int64 `cel:"vetting_overdue" json:"vetting_overdue" label:"安全背景审查已到期未复查的人数|people whose background check is overdue"`
	Uncertified            int64 `cel:"key_post_holders_uncertified" json:"key_post_holders_uncertified" label:"无有效证书的关键岗位人员数|key-post holders without a valid certificate"`
	CertificationsExpired  int64 `cel:"certifications_expired" json:"certifications_expired" label:"证书均已过期的关键岗位人员数|key-post holders whose certificates have all expired"`
	SecurityStaff          int64 `cel:"security_staff" json:"security_staff" label:"网络安全从业人员数|cybersecurity staff"`
	TrainingYear           int64 `cel:"training_year" json:"training_year" label:"培训考核年度|training year judged"`
	CoursesInYear          int64 `cel:"courses_in_year" json:"courses_in_year" label:"考核年度内的培训课程数|courses held in the training year"`
	StaffBelow             int64 `cel:"staff_below_training_policy" json:"staff_below_training_policy" label:"培训时长低于本单位要求的从业人员数|staff below the training policy"`
	KeyPostsBelow          int64 `cel:"key_posts_below_training_policy" json:"key_posts_below_training_policy" label:"培训时长低于本单位要求的关键岗位人员数|key-post holders below the training policy"`
}

// Records is everything the people capability holds for one organisation.
type Records struct {
	Unit       *Unit
	Persons    []Person
	Posts      []Post
	Vettings   []Vetting
	Certs      []Certification
	Courses    []Course
	Attendance []Attendance
	Policy     Policy
}

// VettingState is where a person's background check stands on a day.
type VettingState string

// The vetting states.
const (
	VettingNone    VettingState = "none"    // never checked
	VettingPassed  VettingState = "passed"  // latest check passed, not yet due again
	VettingFailed  VettingState = "failed"  // latest check failed
	VettingOverdue VettingState = "overdue" // latest check passed, next check overdue
)

// VettingOf returns a person's state on day from their latest check (by date, then by id).
func (rs *Records) VettingOf(person int64, day string) (VettingState, *Vetting) {
	var last *Vetting
	for i := range rs.Vettings {
		v := &rs.Vettings[i]
		if v.PersonID != person {
			continue
		}
		if last == nil || v.CheckedOn > last.CheckedOn || (v.CheckedOn == last.CheckedOn && v.ID > last.ID) {
			last = v
		}
	}
	switch {
	case last == nil:
		return VettingNone, nil
	case last.Result != Passed:
		return VettingFailed, last
	case last.NextDue != "" && last.NextDue < day:
		return VettingOverdue, last
	}
	return VettingPassed, last
}

// person returns the person with id, or nil.
func (rs *Records) person(id int64) *Person {
	for i := range rs.Persons {
		if rs.Persons[i].ID == id {
			return &rs.Persons[i]
		}
	}
	return nil
}

// holders returns the active key-post holders on day, each with the earliest day since
// which they hold a key post ("" when not known, which counts as long before).
func (rs *Records) holders(day string) map[int64]string {
	out := map[int64]string{}
	for _, p := range rs.Posts {
		for _, h := range p.Holders {
			if per := rs.person(h.PersonID); per == nil || !per.Active(day) {
				continue
			}
			if since, ok := out[h.PersonID]; !ok || h.Since < since {
				out[h.PersonID] = h.Since
			}
		}
	}
	return out
}

// TrainingHours returns each person's training hours in calendar year y.
func (rs *Records) TrainingHours(y int) map[int64]Hours {
	in := map[int64]bool{}
	prefix := strconv.Itoa(y) + "-"
	for _, c := range rs.Courses {
		if len(c.HeldOn) > len(prefix) && c.HeldOn[:len(prefix)] == prefix {
			in[c.ID] = true
		}
	}
	out := map[int64]Hours{}
	for _, a := range rs.Attendance {
		if in[a.CourseID] {
			out[a.PersonID] += a.Hours
		}
	}
	return out
}

// ComputeFacts counts the fact set from an organisation's records at now.
func ComputeFacts(rs *Records, now time.Time) Facts {
	var f Facts
	day := today(now)
	vetted := func(id int64) bool { st, _ := rs.VettingOf(id, day); return st == VettingPassed }
	overdue := map[int64]bool{}
	if u := rs.Unit; u != nil {
		f.SecurityOrgEstablished = true
		if p := rs.person(u.HeadID); p != nil && p.Active(day) {
			f.HeadNamed, f.HeadVetted = true, vetted(p.ID)
			if st, _ := rs.VettingOf(p.ID, day); st == VettingOverdue {
				overdue[p.ID] = true
			}
		}
		if p := rs.person(u.ManagerID); p != nil && p.Active(day) {
			f.ManagerNamed, f.ManagerVetted = true, vetted(p.ID)
			if st, _ := rs.VettingOf(p.ID, day); st == VettingOverdue {
				overdue[p.ID] = true
			}
		}
	}
	holders := rs.holders(day)
	f.KeyPosts = int64(len(rs.Posts))
	for _, p := range rs.Posts {
		filled := false
		for _, h := range p.Holders {
			if _, ok := holders[h.PersonID]; ok {
				filled = true
			}
		}
		if !filled {
			f.KeyPostsUnfilled++
		}
	}
	f.KeyPostHolders = int64(len(holders))
	for id := range holders {
		switch st, _ := rs.VettingOf(id, day); st {
		case VettingNone, VettingFailed:
			f.KeyPostsUnvetted++
		case VettingOverdue:
			overdue[id] = true
		}
		valid, had := false, false
		for _, c := range rs.Certs {
			if c.PersonID == id {
				had = true
				valid = valid || c.Valid(day)
			}
		}
		if !valid {
			f.Uncertified++
			if had {
				f.CertificationsExpired++
			}
		}
	}
	f.VettingOverdue = int64(len(overdue))

	y := now.In(calendar.Shanghai).Year() - 1
	f.TrainingYear = int64(y)
	jan1 := fmt.Sprintf("%04d-01-01", y)
	for _, c := range rs.Courses {
		if c.HeldOn >= jan1 && c.HeldOn < fmt.Sprintf("%04d-01-01", y+1) {
			f.CoursesInYear++
		}
	}
	hours := rs.TrainingHours(y)
	for i := range rs.Persons {
		p := &rs.Persons[i]
		if !p.Active(day) {
			continue
		}
		if p.SecurityStaff {
			f.SecurityStaff++
		}
		if p.JoinedOn != "" && p.JoinedOn > jan1 {
			continue // not on the roll for the whole year judged
		}
		since, holds := holders[p.ID]
		switch {
		case holds && since <= jan1:
			if hours[p.ID] < rs.Policy.minHours(true) {
				f.KeyPostsBelow++
			}
		case p.SecurityStaff || holds:
			if hours[p.ID] < rs.Policy.minHours(false) {
				f.StaffBelow++
			}
		}
	}
	return f
}

// Facts reads the context's organisation's people facts.
func (s *Service) Facts(ctx context.Context) (Facts, error) {
	rs, err := s.Records(ctx)
	if err != nil {
		return Facts{}, err
	}
	return ComputeFacts(rs, s.Now()), nil
}
