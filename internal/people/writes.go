package people

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"ciiguard/internal/audit"
	"ciiguard/internal/problem"
	"ciiguard/internal/store"
)

// nullID stores 0 as NULL.
func nullID(n int64) any {
	if n == 0 {
		return nil
	}
	return n
}

// mustBePerson refuses a field naming no person of the organisation.
func mustBePerson(t *store.Tenant, v *problem.Invalid, field string, pid int64) error {
	if pid == 0 {
		return nil
	}
	_, err := getPerson(t, pid)
	if errors.Is(err, store.ErrNotFound) {
		v.Add(field, "is not a person recorded in this organisation")
		return nil
	}
	return err
}

// SaveUnit records the security organisation, its head and its security manager.
func (s *Service) SaveUnit(ctx context.Context, in UnitInput) (Unit, error) {
	in.Name = strings.TrimSpace(in.Name)
	v := &problem.Invalid{}
	v.Text("name", in.Name, true, maxShort)
	checkDate(v, "established_on", in.EstablishedOn, false)
	if err := v.Err(); err != nil {
		return Unit{}, err
	}
	u := Unit{Name: in.Name, EstablishedOn: in.EstablishedOn, HeadID: in.HeadID, ManagerID: in.ManagerID, Source: "record", UpdatedAt: s.Now().UTC().Truncate(time.Second)}
	err := s.write(ctx, func(t *store.Tenant) error {
		if err := mustBePerson(t, v, "head_id", in.HeadID); err != nil {
			return err
		}
		if err := mustBePerson(t, v, "manager_id", in.ManagerID); err != nil {
			return err
		}
		if err := v.Err(); err != nil {
			return err
		}
		before, err := readUnit(t)
		if err != nil {
			return err
		}
		if _, err := t.Exec(`DELETE FROM people_units WHERE org_id = $1`); err != nil {
			return fmt.Errorf("replace the security organisation: %w", err)
		}
		if _, err := t.Exec(`INSERT INTO people_units (org_id, name, established_on, head_id, manager_id, source, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			u.Name, u.EstablishedOn, nullID(u.HeadID), nullID(u.ManagerID), u.Source, u.UpdatedAt); err != nil {
			return fmt.Errorf("record the security organisation: %w", err)
		}
		action := audit.Update
		if before == nil {
			action = audit.Create
		}
		return audit.InTenant(t, "people_unit", "", action, before, u, u.Name)
	})
	return u, err
}

// AddPerson records a member of staff.
func (s *Service) AddPerson(ctx context.Context, in PersonInput) (Person, error) {
	if err := in.Validate(); err != nil {
		return Person{}, err
	}
	p := Person{PersonInput: in, CreatedAt: s.Now().UTC().Truncate(time.Second)}
	err := s.write(ctx, func(t *store.Tenant) error {
		if err := t.QueryRow(`INSERT INTO people_persons (org_id, name, employee_no, department, title, security_staff, joined_on, left_on, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
			in.Name, in.EmployeeNo, in.Department, in.Title, in.SecurityStaff, in.JoinedOn, in.LeftOn, p.CreatedAt).Scan(&p.ID); err != nil {
			return fmt.Errorf("record person: %w", err)
		}
		// The audit trail keeps that a person was added, not who: the record is personal
		// information and the trail is read by roles without people.hr.
		return audit.InTenant(t, "people_person", id(p.ID), audit.Create, nil, nil, "")
	})
	return p, err
}

// UpdatePerson changes a person's record (a leaving date, a new department).
func (s *Service) UpdatePerson(ctx context.Context, pid int64, in PersonInput) (Person, error) {
	if err := in.Validate(); err != nil {
		return Person{}, err
	}
	var p Person
	err := s.write(ctx, func(t *store.Tenant) error {
		var err error
		if p, err = getPerson(t, pid); err != nil {
			return err
		}
		p.PersonInput = in
		if _, err := t.Exec(`UPDATE people_persons SET name = $2, employee_no = $3, department = $4, title = $5, security_staff = $6, joined_on = $7, left_on = $8 WHERE org_id = $1 AND id = $9`,
			in.Name, in.EmployeeNo, in.Department, in.Title, in.SecurityStaff, in.JoinedOn, in.LeftOn, pid); err != nil {
			return fmt.Errorf("update person %d: %w", pid, err)
		}
		return audit.InTenant(t, "people_person", id(pid), audit.Update, nil, nil, "")
	})
	return p, err
}

// PostInput is a key post to record.
type PostInput struct {
	Name   string `json:"name"`
	Duties string `json:"duties"`
}

// AddPost records a key post.
func (s *Service) AddPost(ctx context.Context, in PostInput) (Post, error) {
	in.Name, in.Duties = strings.TrimSpace(in.Name), strings.TrimSpace(in.Duties)
	v := &problem.Invalid{}
	v.Text("name", in.Name, true, maxShort)
	v.Text("duties", in.Duties, false, maxText)
	if err := v.Err(); err != nil {
		return Post{}, err
	}
	p := Post{Name: in.Name, Duties: in.Duties, Holders: []Holder{}, CreatedAt: s.Now().UTC().Truncate(time.Second)}
	err := s.write(ctx, func(t *store.Tenant) error {
		if err := t.QueryRow(`INSERT INTO people_posts (org_id, name, duties, created_at) VALUES ($1, $2, $3, $4) RETURNING id`, p.Name, p.Duties, p.CreatedAt).Scan(&p.ID); err != nil {
			return fmt.Errorf("record key post: %w", err)
		}
		return audit.InTenant(t, "people_post", id(p.ID), audit.Create, nil, p, p.Name)
	})
	return p, err
}

// AddHolder puts a person in a key post since a day ("" when not known).
func (s *Service) AddHolder(ctx context.Context, post int64, h Holder) error {
	v := &problem.Invalid{}
	checkDate(v, "since", h.Since, false)
	if h.PersonID <= 0 {
		v.Add("person_id", "is required")
	}
	if err := v.Err(); err != nil {
		return err
	}
	return s.write(ctx, func(t *store.Tenant) error {
		var name string
		if err := t.QueryRow(`SELECT name FROM people_posts WHERE org_id = $1 AND id = $2`, post).Scan(&name); err != nil {
			return err
		}
		if err := mustBePerson(t, v, "person_id", h.PersonID); err != nil {
			return err
		}
		if err := v.Err(); err != nil {
			return err
		}
		var n int
		if err := t.QueryRow(`SELECT COUNT(*) FROM people_post_holders WHERE org_id = $1 AND post_id = $2 AND person_id = $3`, post, h.PersonID).Scan(&n); err != nil {
			return fmt.Errorf("read key-post holders: %w", err)
		}
		if n > 0 {
			return problem.Conflictf("person_id", "already holds this key post")
		}
		if _, err := t.Exec(`INSERT INTO people_post_holders (org_id, post_id, person_id, since) VALUES ($1, $2, $3, $4)`, post, h.PersonID, h.Since); err != nil {
			return fmt.Errorf("record key-post holder: %w", err)
		}
		return audit.InTenant(t, "people_post", id(post), "holder_added", nil, nil, "")
	})
}

// SetHolderSince corrects the day since which a person holds a key post ("" when not
// known), audited with the day before: the key-post training minimum applies from the
// first full calendar year in the post, so the day decides whose minimum applies.
func (s *Service) SetHolderSince(ctx context.Context, post, person int64, since string) error {
	v := &problem.Invalid{}
	since = strings.TrimSpace(since)
	checkDate(v, "since", since, false)
	if err := v.Err(); err != nil {
		return err
	}
	return s.write(ctx, func(t *store.Tenant) error {
		var before string
		if err := t.QueryRow(`SELECT since FROM people_post_holders WHERE org_id = $1 AND post_id = $2 AND person_id = $3`, post, person).Scan(&before); err != nil {
			return err // store.ErrNotFound: not a holder of this organisation's post
		}
		if before == since {
			return nil
		}
		if _, err := t.Exec(`UPDATE people_post_holders SET since = $4 WHERE org_id = $1 AND post_id = $2 AND person_id = $3`, post, person, since); err != nil {
			return fmt.Errorf("correct key-post holder: %w", err)
		}
		return audit.InTenant(t, "people_post", id(post), "holder_since_changed", map[string]string{"since": before}, map[string]string{"since": since}, "")
	})
}

// RemoveHolder takes a person out of a key post.
func (s *Service) RemoveHolder(ctx context.Context, post, person int64) error {
	return s.write(ctx, func(t *store.Tenant) error {
		res, err := t.Exec(`DELETE FROM people_post_holders WHERE org_id = $1 AND post_id = $2 AND person_id = $3`, post, person)
		if err != nil {
			return fmt.Errorf("remove key-post holder: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return store.ErrNotFound
		}
		return audit.InTenant(t, "people_post", id(post), "holder_removed", nil, nil, "")
	})
}

// VettingInput is a background check to record; NextDue defaults to the policy's interval.
type VettingInput struct {
	CheckedOn string `json:"checked_on"`
	Result    string `json:"result"`
	NextDue   string `json:"next_due"`
	Reference string `json:"reference"`
}

// AddVetting records a background check of a person.
func (s *Service) AddVetting(ctx context.Context, person int64, in VettingInput) (Vetting, error) {
	in.Reference = strings.TrimSpace(in.Reference)
	v := &problem.Invalid{}
	checkDate(v, "checked_on", in.CheckedOn, true)
	checkDate(v, "next_due", in.NextDue, false)
	if in.Result != Passed && in.Result != Failed {
		v.Add("result", "must be passed or failed")
	}
	v.Text("reference", in.Reference, false, maxShort)
	if _, err := time.Parse(DateLayout, in.CheckedOn); err == nil && in.CheckedOn > today(s.Now()) {
		v.Add("checked_on", "must not be in the future")
	}
	if in.NextDue != "" && in.CheckedOn != "" && in.NextDue <= in.CheckedOn {
		v.Add("next_due", "must be after checked_on")
	}
	if err := v.Err(); err != nil {
		return Vetting{}, err
	}
	out := Vetting{PersonID: person, CheckedOn: in.CheckedOn, Result: in.Result, NextDue: in.NextDue, Reference: in.Reference}
	err := s.write(ctx, func(t *store.Tenant) error {
		if _, err := getPerson(t, person); err != nil {
			return err
		}
		pol, err := readPolicy(t)
		if err != nil {
			return err
		}
		if out.NextDue == "" && out.Result == Passed {
			d, _ := time.Parse(DateLayout, out.CheckedOn)
			out.NextDue = d.AddDate(pol.VettingYears, 0, 0).Format(DateLayout)
		}
		if err := t.QueryRow(`INSERT INTO people_vettings (org_id, person_id, checked_on, result, next_due, reference, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
			person, out.CheckedOn, out.Result, out.NextDue, out.Reference, s.Now().UTC().Truncate(time.Second)).Scan(&out.ID); err != nil {
			return fmt.Errorf("record background check: %w", err)
		}
		// The result is personal information: the trail says a check was recorded.
		return audit.InTenant(t, "people_vetting", id(out.ID), audit.Create, nil, nil, "person "+id(person))
	})
	return out, err
}

// CertificationInput is a certificate to record.
type CertificationInput struct {
	Name      string `json:"name"`
	Issuer    string `json:"issuer"`
	Number    string `json:"number"`
	ExpiresOn string `json:"expires_on"`
}

// AddCertification records a person's certificate.
func (s *Service) AddCertification(ctx context.Context, person int64, in CertificationInput) (Certification, error) {
	in.Name, in.Issuer, in.Number = strings.TrimSpace(in.Name), strings.TrimSpace(in.Issuer), strings.TrimSpace(in.Number)
	v := &problem.Invalid{}
	v.Text("name", in.Name, true, maxShort)
	v.Text("issuer", in.Issuer, false, maxShort)
	v.Text("number", in.Number, false, maxName)
	checkDate(v, "expires_on", in.ExpiresOn, false)
	if err := v.Err(); err != nil {
		return Certification{}, err
	}
	c := Certification{PersonID: person, Name: in.Name, Issuer: in.Issuer, Number: in.Number, ExpiresOn: in.ExpiresOn}
	err := s.write(ctx, func(t *store.Tenant) error {
		if _, err := getPerson(t, person); err != nil {
			return err
		}
		if err := t.QueryRow(`INSERT INTO people_certifications (org_id, person_id, name, issuer, number, expires_on, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
			person, c.Name, c.Issuer, c.Number, c.ExpiresOn, s.Now().UTC().Truncate(time.Second)).Scan(&c.ID); err != nil {
			return fmt.Errorf("record certification: %w", err)
		}
		return audit.InTenant(t, "people_certification", id(c.ID), audit.Create, nil, nil, "person "+id(person))
	})
	return c, err
}

// CourseInput is a training course to record.
type CourseInput struct {
	Title    string `json:"title"`
	HeldOn   string `json:"held_on"`
	Hours    Hours  `json:"hours"`
	Provider string `json:"provider"`
}

func (in *CourseInput) validate(v *problem.Invalid) {
	in.Title, in.Provider = strings.TrimSpace(in.Title), strings.TrimSpace(in.Provider)
	v.Text("title", in.Title, true, maxShort)
	v.Text("provider", in.Provider, false, maxShort)
	checkDate(v, "held_on", in.HeldOn, true)
	if in.Hours <= 0 || in.Hours > maxHours {
		v.Add("hours", "must be more than 0 and at most %d", maxHours/10)
	}
}

// AddCourse records a training course.
func (s *Service) AddCourse(ctx context.Context, in CourseInput) (Course, error) {
	v := &problem.Invalid{}
	in.validate(v)
	if err := v.Err(); err != nil {
		return Course{}, err
	}
	var c Course
	err := s.write(ctx, func(t *store.Tenant) error {
		var err error
		c, err = insertCourse(t, in, s.Now())
		return err
	})
	return c, err
}

func insertCourse(t *store.Tenant, in CourseInput, now time.Time) (Course, error) {
	c := Course{Title: in.Title, HeldOn: in.HeldOn, Hours: in.Hours, Provider: in.Provider}
	if err := t.QueryRow(`INSERT INTO people_courses (org_id, title, held_on, hours_tenths, provider, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
		c.Title, c.HeldOn, int64(c.Hours), c.Provider, now.UTC().Truncate(time.Second)).Scan(&c.ID); err != nil {
		return c, fmt.Errorf("record course: %w", err)
	}
	return c, audit.InTenant(t, "people_course", id(c.ID), audit.Create, nil, c, c.Title)
}

// attend records (or replaces) one person's hours at one course.
func attend(t *store.Tenant, a Attendance) error {
	if _, err := t.Exec(`DELETE FROM people_attendance WHERE org_id = $1 AND course_id = $2 AND person_id = $3`, a.CourseID, a.PersonID); err != nil {
		return fmt.Errorf("replace attendance: %w", err)
	}
	if _, err := t.Exec(`INSERT INTO people_attendance (org_id, course_id, person_id, hours_tenths) VALUES ($1, $2, $3, $4)`, a.CourseID, a.PersonID, int64(a.Hours)); err != nil {
		return fmt.Errorf("record attendance: %w", err)
	}
	return nil
}

// Attend records that a person attended a course, for the given hours (0: the whole course).
func (s *Service) Attend(ctx context.Context, a Attendance) error {
	return s.write(ctx, func(t *store.Tenant) error {
		var hours int64
		if err := t.QueryRow(`SELECT hours_tenths FROM people_courses WHERE org_id = $1 AND id = $2`, a.CourseID).Scan(&hours); err != nil {
			return err
		}
		if _, err := getPerson(t, a.PersonID); errors.Is(err, store.ErrNotFound) {
			return problem.Field("person_id", "is not a person recorded in this organisation")
		} else if err != nil {
			return err
		}
		if a.Hours == 0 {
			a.Hours = Hours(hours)
		}
		if a.Hours < 0 || a.Hours > Hours(hours) {
			return problem.Field("hours", "must be more than 0 and at most the course's %s hours", Hours(hours).String())
		}
		if err := attend(t, a); err != nil {
			return err
		}
		return audit.InTenant(t, "people_course", id(a.CourseID), "attendance", nil, nil, "person "+id(a.PersonID))
	})
}

// SavePolicy sets the organisation's training and vetting policy.
func (s *Service) SavePolicy(ctx context.Context, p Policy) (Policy, error) {
	if err := p.Validate(); err != nil {
		return Policy{}, err
	}
	at := s.Now().UTC().Truncate(time.Second)
	p.Default, p.UpdatedAt = false, &at
	err := s.write(ctx, func(t *store.Tenant) error {
		before, err := readPolicy(t)
		if err != nil {
			return err
		}
		if _, err := t.Exec(`DELETE FROM people_policies WHERE org_id = $1`); err != nil {
			return fmt.Errorf("replace the policy: %w", err)
		}
		if _, err := t.Exec(`INSERT INTO people_policies (org_id, staff_days, key_post_days, hours_per_day, vetting_years, updated_at) VALUES ($1, $2, $3, $4, $5, $6)`,
			p.StaffDays, p.KeyPostDays, p.HoursPerDay, p.VettingYears, at); err != nil {
			return fmt.Errorf("record the policy: %w", err)
		}
		return audit.InTenant(t, "people_policy", "", audit.Update, before, p, "")
	})
	return p, err
}
