package people

import (
	"strconv"
	"strings"
	"time"

	"ciiguard/internal/calendar"
	"ciiguard/internal/problem"
)

// Field limits, in characters.
const (
	maxName  = 100
	maxShort = 200
	maxText  = 2000
)

// DateLayout is how a calendar day is written (YYYY-MM-DD); "" is "not given".
const DateLayout = "2006-01-02"

// Unit is the organisation's dedicated security management organisation (专门安全管理机构,
// CIIR 2021 Art. 14), its head and the security manager (安全管理负责人, CSL 2016 Art. 34(1)).
type Unit struct {
	Name          string `json:"name"`
	EstablishedOn string `json:"established_on"`
	HeadID        int64  `json:"head_id,omitempty"`
	ManagerID     int64  `json:"manager_id,omitempty"`
	// Source is "record" for a unit recorded here and "profile" for one carried over from
	// the organisation profile's retired checkbox (no head or manager came with it).
	Source    string    `json:"source"`
	UpdatedAt time.Time `json:"updated_at"`
}

// UnitInput is the editable part of the unit.
type UnitInput struct {
	Name          string `json:"name"`
	EstablishedOn string `json:"established_on"`
	HeadID        int64  `json:"head_id"`
	ManagerID     int64  `json:"manager_id"`
}

// Person is one member of staff the security organisation keeps a record of: personal
// information (PIPL), shown only to holders of people.hr.
type Person struct {
	ID int64 `json:"id"`
	PersonInput
	CreatedAt time.Time `json:"created_at"`
}

// PersonInput is the editable part of a person.
type PersonInput struct {
	Name       string `json:"name"`
	EmployeeNo string `json:"employee_no"`
	Department string `json:"department"`
	Title      string `json:"title"`
	// SecurityStaff marks cybersecurity staff (网络安全从业人员), whom the training policy's
	// staff minimum covers.
	SecurityStaff bool   `json:"security_staff"`
	JoinedOn      string `json:"joined_on"`
	LeftOn        string `json:"left_on"`
}

// Active reports whether the person is on the roll on day (YYYY-MM-DD).
func (p *Person) Active(day string) bool { return p.LeftOn == "" || p.LeftOn > day }

// Post is a key post (关键岗位) and who holds it.
type Post struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	Duties    string    `json:"duties"`
	Holders   []Holder  `json:"holders"`
	CreatedAt time.Time `json:"created_at"`
}

// Holder is a person in a key post since a day ("" when not known).
type Holder struct {
	PersonID int64  `json:"person_id"`
	Since    string `json:"since"`
}

// Vetting results.
const (
	Passed = "passed"
	Failed = "failed"
)

// Vetting is one security background check (安全背景审查, CIIR 2021 Art. 14) of a person.
type Vetting struct {
	ID        int64  `json:"id"`
	PersonID  int64  `json:"person_id"`
	CheckedOn string `json:"checked_on"`
	Result    string `json:"result"`
	NextDue   string `json:"next_due"`
	Reference string `json:"reference"`
}

// Certification is a professional certificate a person holds, with its expiry.
type Certification struct {
	ID        int64  `json:"id"`
	PersonID  int64  `json:"person_id"`
	Name      string `json:"name"`
	Issuer    string `json:"issuer"`
	Number    string `json:"number"`
	ExpiresOn string `json:"expires_on"`
}

// Valid reports whether the certificate is valid on day.
func (c *Certification) Valid(day string) bool { return c.ExpiresOn == "" || c.ExpiresOn >= day }

// Course is a training course held on a day, with its length.
type Course struct {
	ID       int64  `json:"id"`
	Title    string `json:"title"`
	HeldOn   string `json:"held_on"`
	Hours    Hours  `json:"hours"`
	Provider string `json:"provider"`
	// Attendees is how many people attended (counts are not personal information).
	Attendees int `json:"attendees"`
}

// Attendance is one person's hours at one course.
type Attendance struct {
	CourseID int64 `json:"course_id"`
	PersonID int64 `json:"person_id"`
	Hours    Hours `json:"hours"`
}

// Hours is a length of training in tenths of an hour, so that 1.5 hours is exact.
type Hours int64

// String writes the hours with at most one decimal ("8", "1.5").
func (h Hours) String() string {
	if h%10 == 0 {
		return strconv.FormatInt(int64(h/10), 10)
	}
	return strconv.FormatFloat(float64(h)/10, 'f', 1, 64)
}

// MarshalJSON writes the hours as a number.
func (h Hours) MarshalJSON() ([]byte, error) { return []byte(h.String()), nil }

// UnmarshalJSON reads a number of hours with at most one decimal.
func (h *Hours) UnmarshalJSON(b []byte) error {
	v, err := ParseHours(strings.Trim(string(b), `"`))
	if err != nil {
		return err
	}
	*h = v
	return nil
}

// maxHours is the most hours one course or one attendance can count (a fortnight of days).
const maxHours = 24 * 14 * 10

// ParseHours reads "8", "1.5" or "0.5" (a decimal comma too): more than zero, at most one
// decimal, at most 336 hours.
func ParseHours(s string) (Hours, error) {
	s = strings.ReplaceAll(strings.TrimSpace(s), ",", ".")
	whole, frac, dot := strings.Cut(s, ".")
	if whole == "" || (dot && len(frac) != 1) {
		return 0, problem.Field("hours", "must be a number of hours with at most one decimal, such as 8 or 1.5, not %q", s)
	}
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil || w < 0 || w > maxHours/10 {
		return 0, problem.Field("hours", "must be a number of hours with at most one decimal, such as 8 or 1.5, not %q", s)
	}
	h := Hours(w * 10)
	if dot {
		f := frac[0]
		if f < '0' || f > '9' {
			return 0, problem.Field("hours", "must be a number of hours with at most one decimal, such as 8 or 1.5, not %q", s)
		}
		h += Hours(f - '0')
	}
	if h <= 0 || h > maxHours {
		return 0, problem.Field("hours", "must be more than 0 and at most %d", maxHours/10)
	}
	return h, nil
}

// checkDate adds a reason when s is given and is not a real calendar day.
func checkDate(v *problem.Invalid, field, s string, required bool) {
	if s == "" {
		if required {
			v.Add(field, "is required")
		}
		return
	}
	if t, err := time.Parse(DateLayout, s); err != nil || t.Format(DateLayout) != s {
		v.Add(field, "must be a date written YYYY-MM-DD, not %q", s)
	}
}

// today is the calendar day of now in China.
func today(now time.Time) string { return now.In(calendar.Shanghai).Format(DateLayout) }

// Validate checks a person's input.
func (in *PersonInput) Validate() error {
	v := &problem.Invalid{}
	in.Name, in.EmployeeNo = strings.TrimSpace(in.Name), strings.TrimSpace(in.EmployeeNo)
	in.Department, in.Title = strings.TrimSpace(in.Department), strings.TrimSpace(in.Title)
	v.Text("name", in.Name, true, maxName)
	v.Text("employee_no", in.EmployeeNo, false, maxName)
	v.Text("department", in.Department, false, maxShort)
	v.Text("title", in.Title, false, maxShort)
	checkDate(v, "joined_on", in.JoinedOn, false)
	checkDate(v, "left_on", in.LeftOn, false)
	if in.JoinedOn != "" && in.LeftOn != "" && in.LeftOn < in.JoinedOn {
		v.Add("left_on", "must not be before joined_on")
	}
	return v.Err()
}

// yearOf is the calendar year of now in China.
func yearOf(now time.Time) int { return now.In(calendar.Shanghai).Year() }

func problemYear(s string) error {
	return problem.Field("year", "must be a year from 2000 to 2100, not %q", s)
}
