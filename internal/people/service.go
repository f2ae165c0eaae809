package people

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"ciiguard/internal/store"
)

// Service keeps the security organisation, its people and their training.
type Service struct {
	db *store.DB
	// Now is the clock; tests and the demo set it.
	Now func() time.Time
	// changed is told, inside a write transaction, that the organisation's people facts
	// changed (the kernel's change bus); nil tells nobody.
	changed func(tx *store.Tx, org int64)
}

// NewService returns a service over db.
func NewService(db *store.DB) *Service { return &Service{db: db, Now: time.Now} }

// write runs fn in a tenant write transaction and announces the change of facts.
func (s *Service) write(ctx context.Context, fn func(t *store.Tenant) error) error {
	return s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		if err := fn(t); err != nil {
			return err
		}
		if s.changed != nil {
			s.changed(t.Tx(), t.OrgID())
		}
		return nil
	})
}

func id(n int64) string { return strconv.FormatInt(n, 10) }

// Records reads everything the context's organisation holds, in one transaction.
func (s *Service) Records(ctx context.Context) (*Records, error) {
	rs := &Records{}
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) error { return readAll(t, rs) })
	return rs, err
}

// query runs a tenant query and calls scan for each row.
func query(t *store.Tenant, what, q string, scan func(sc func(...any) error) error, args ...any) error {
	rows, err := t.Query(q, args...)
	if err != nil {
		return fmt.Errorf("read %s: %w", what, err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows.Scan); err != nil {
			return fmt.Errorf("read %s: %w", what, err)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read %s: %w", what, err)
	}
	return nil
}

func readAll(t *store.Tenant, rs *Records) error {
	u, err := readUnit(t)
	if err != nil {
		return err
	}
	rs.Unit = u
	if rs.Policy, err = readPolicy(t); err != nil {
		return err
	}
	if err := query(t, "people", `SELECT `+personCols+` FROM people_persons WHERE org_id = $1 ORDER BY id`, func(sc func(...any) error) error {
		p, err := scanPerson(sc)
		rs.Persons = append(rs.Persons, p)
		return err
	}); err != nil {
		return err
	}
	posts := map[int64]int{}
	if err := query(t, "key posts", `SELECT id, name, duties, created_at FROM people_posts WHERE org_id = $1 ORDER BY id`, func(sc func(...any) error) error {
		var p Post
		err := sc(&p.ID, &p.Name, &p.Duties, &p.CreatedAt)
		p.Holders = []Holder{}
		posts[p.ID] = len(rs.Posts)
		rs.Posts = append(rs.Posts, p)
		return err
	}); err != nil {
		return err
	}
	if err := query(t, "key-post holders", `SELECT post_id, person_id, since FROM people_post_holders WHERE org_id = $1 ORDER BY post_id, person_id`, func(sc func(...any) error) error {
		var post int64
		var h Holder
		if err := sc(&post, &h.PersonID, &h.Since); err != nil {
			return err
		}
		if i, ok := posts[post]; ok {
			rs.Posts[i].Holders = append(rs.Posts[i].Holders, h)
		}
		return nil
	}); err != nil {
		return err
	}
	if err := query(t, "background checks", `SELECT id, person_id, checked_on, result, next_due, reference FROM people_vettings WHERE org_id = $1 ORDER BY person_id, checked_on, id`, func(sc func(...any) error) error {
		var v Vetting
		err := sc(&v.ID, &v.PersonID, &v.CheckedOn, &v.Result, &v.NextDue, &v.Reference)
		rs.Vettings = append(rs.Vettings, v)
		return err
	}); err != nil {
		return err
	}
	if err := query(t, "certifications", `SELECT id, person_id, name, issuer, number, expires_on FROM people_certifications WHERE org_id = $1 ORDER BY person_id, id`, func(sc func(...any) error) error {
		var c Certification
		err := sc(&c.ID, &c.PersonID, &c.Name, &c.Issuer, &c.Number, &c.ExpiresOn)
		rs.Certs = append(rs.Certs, c)
		return err
	}); err != nil {
		return err
	}
	courses := map[int64]int{}
	if err := query(t, "courses", `SELECT id, title, held_on, hours_tenths, provider FROM people_courses WHERE org_id = $1 ORDER BY held_on DESC, id DESC`, func(sc func(...any) error) error {
		var c Course
		err := sc(&c.ID, &c.Title, &c.HeldOn, &c.Hours, &c.Provider)
		courses[c.ID] = len(rs.Courses)
		rs.Courses = append(rs.Courses, c)
		return err
	}); err != nil {
		return err
	}
	return query(t, "attendance", `SELECT course_id, person_id, hours_tenths FROM people_attendance WHERE org_id = $1 ORDER BY course_id, person_id`, func(sc func(...any) error) error {
		var a Attendance
		if err := sc(&a.CourseID, &a.PersonID, &a.Hours); err != nil {
			return err
		}
		if i, ok := courses[a.CourseID]; ok {
			rs.Courses[i].Attendees++
		}
		rs.Attendance = append(rs.Attendance, a)
		return nil
	})
}

func readUnit(t *store.Tenant) (*Unit, error) {
	var u Unit
	var head, mgr sql.NullInt64
	err := t.QueryRow(`SELECT name, established_on, head_id, manager_id, source, updated_at FROM people_units WHERE org_id = $1`).
		Scan(&u.Name, &u.EstablishedOn, &head, &mgr, &u.Source, &u.UpdatedAt)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read the security organisation: %w", err)
	}
	u.HeadID, u.ManagerID = head.Int64, mgr.Int64
	return &u, nil
}

func readPolicy(t *store.Tenant) (Policy, error) {
	p := Policy{}
	var at time.Time
	err := t.QueryRow(`SELECT staff_days, key_post_days, hours_per_day, vetting_years, updated_at FROM people_policies WHERE org_id = $1`).
		Scan(&p.StaffDays, &p.KeyPostDays, &p.HoursPerDay, &p.VettingYears, &at)
	if errors.Is(err, store.ErrNotFound) {
		return DefaultPolicy(), nil
	}
	if err != nil {
		return p, fmt.Errorf("read the training policy: %w", err)
	}
	p.UpdatedAt = &at
	return p, nil
}

const personCols = `id, name, employee_no, department, title, security_staff, joined_on, left_on, created_at`

func scanPerson(sc func(...any) error) (Person, error) {
	var p Person
	err := sc(&p.ID, &p.Name, &p.EmployeeNo, &p.Department, &p.Title, &p.SecurityStaff, &p.JoinedOn, &p.LeftOn, &p.CreatedAt)
	return p, err
}

func getPerson(t *store.Tenant, pid int64) (Person, error) {
	return scanPerson(t.QueryRow(`SELECT `+personCols+` FROM people_persons WHERE org_id = $1 AND id = $2`, pid).Scan)
}

// Person returns one of the context's organisation's people; another's is store.ErrNotFound.
func (s *Service) Person(ctx context.Context, pid int64) (Person, error) {
	var p Person
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		var err error
		p, err = getPerson(t, pid)
		return err
	})
	return p, err
}

// Declaration is what the organisation profile's retired checkboxes said before people
// records existed (see migrations): shown on the page until a manager is recorded.
type Declaration struct {
	OrgEstablished   bool      `json:"org_established"`
	ManagerAppointed bool      `json:"manager_appointed"`
	ManagerVetted    bool      `json:"manager_vetted"`
	MigratedAt       time.Time `json:"migrated_at"`
}

// Declaration returns the carried-over declaration of the context's organisation, or nil.
func (s *Service) Declaration(ctx context.Context) (*Declaration, error) {
	var d *Declaration
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		var x Declaration
		err := t.QueryRow(`SELECT org_established, manager_appointed, manager_vetted, migrated_at FROM people_declarations WHERE org_id = $1`).
			Scan(&x.OrgEstablished, &x.ManagerAppointed, &x.ManagerVetted, &x.MigratedAt)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("read the profile's declarations: %w", err)
		}
		d = &x
		return nil
	})
	return d, err
}
