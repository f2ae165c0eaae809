package tasks

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"ciiguard/internal/audit"
	"ciiguard/internal/calendar"
	"ciiguard/internal/kernel"
	"ciiguard/internal/problem"
	"ciiguard/internal/rules"
	"ciiguard/internal/store"
)

// Task statuses: open and in progress are open; done is closed.
const (
	StatusOpen       = "open"
	StatusInProgress = "in_progress"
	StatusDone       = "done"
)

// Statuses lists the statuses in the order a task goes through them.
var Statuses = []string{StatusOpen, StatusInProgress, StatusDone}

// Task is a remediation task for one finding.
type Task struct {
	ID            int64      `json:"id"`
	ObligationID  string     `json:"obligation_id"`
	SubjectKind   string     `json:"subject_kind"`
	SubjectID     string     `json:"subject_id"`
	Title         string     `json:"title"`
	OwnerID       int64      `json:"owner_id"`
	Owner         string     `json:"owner"` // the owner's name
	Due           time.Time  `json:"-"`
	DueDate       string     `json:"due"` // the Beijing date, YYYY-MM-DD
	Status        string     `json:"status"`
	CreatedBy     string     `json:"created_by"`
	CreatedAt     time.Time  `json:"created_at"`
	ClosedAt      *time.Time `json:"closed_at,omitempty"`
	AttestationID int64      `json:"attestation_id,omitempty"`
	// Link names the record of another capability the task was created for ("drill:7"),
	// LinkPath its page; both are empty for a task created for a finding.
	Link     string     `json:"link,omitempty"`
	LinkPath string     `json:"link_path,omitempty"`
	Comments []Comment  `json:"comments,omitempty"`
	Evidence []Evidence `json:"evidence,omitempty"`
}

// Comment is one remark on a task.
type Comment struct {
	Author    string    `json:"author"`
	Body      string    `json:"body"`
	CreatedAt time.Time `json:"created_at"`
}

// Evidence is an evidence file attached to a task, cited by SHA-256.
type Evidence struct {
	SHA256  string    `json:"sha256"`
	Name    string    `json:"name"`
	AddedBy string    `json:"added_by"`
	AddedAt time.Time `json:"added_at"`
}

// Open reports whether the task still needs work.
func (t Task) Open() bool { return t.Status != StatusDone }

// DaysLeft counts the Beijing calendar days from now to the due date (negative once it
// has passed; the due date itself is 0: a deadline ends at 24:00 Beijing time).
func (t Task) DaysLeft(now time.Time) int {
	y1, m1, d1 := now.In(calendar.Shanghai).Date()
	y2, m2, d2 := t.Due.In(calendar.Shanghai).Date()
	return int(time.Date(y2, m2, d2, 0, 0, 0, 0, time.UTC).Sub(time.Date(y1, m1, d1, 0, 0, 0, 0, time.UTC)).Hours() / 24)
}

// NewTask is what a person submits to create a task.
type NewTask struct {
	ObligationID string `json:"obligation_id"`
	SubjectKind  string `json:"subject_kind"`
	SubjectID    string `json:"subject_id"`
	Title        string `json:"title"`
	OwnerID      int64  `json:"owner_id"`
	Due          string `json:"due"` // YYYY-MM-DD, a Beijing date
}

// parseDate reads a Beijing date.
func parseDate(s string) (time.Time, bool) {
	t, err := time.ParseInLocation(time.DateOnly, strings.TrimSpace(s), calendar.Shanghai)
	return t, err == nil
}

// openFinding returns the context's organisation's finding for the duty and subject if it
// is open (not met, not inapplicable).
func (s *Service) openFinding(ctx context.Context, ob, kind, subject string) (rules.Finding, bool, error) {
	fs, err := s.obl.CurrentFindings(ctx)
	if err != nil {
		return rules.Finding{}, false, err
	}
	for _, f := range fs {
		if f.ObligationID == ob && string(f.SubjectKind) == kind && f.SubjectID == subject {
			return f, f.Status != rules.StatusMet && f.Status != rules.StatusNotApplicable, nil
		}
	}
	return rules.Finding{}, false, nil
}

// Create validates and stores a task, audited, and tells its owner.
func (s *Service) Create(ctx context.Context, in NewTask) (Task, error) {
	org, _ := store.OrgFrom(ctx)
	if in.SubjectKind == "" || in.SubjectKind == "org" {
		in.SubjectKind, in.SubjectID = "org", strconv.FormatInt(org, 10)
	}
	in.Title = strings.TrimSpace(in.Title)
	v := &problem.Invalid{}
	if in.SubjectKind != "system" && in.SubjectKind != "org" {
		v.Add("subject_kind", "must be org or system")
	} else if _, open, err := s.openFinding(ctx, in.ObligationID, in.SubjectKind, in.SubjectID); err != nil {
		return Task{}, err
	} else if !open {
		v.Add("obligation_id", "there is no open gap of %s for this subject", in.ObligationID)
	}
	v.Text("title", in.Title, true, 200)
	due, ok := parseDate(in.Due)
	if !ok {
		v.Add("due", "must be a date as YYYY-MM-DD")
	}
	owner, err := s.auth.GetUser(ctx, in.OwnerID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		v.Add("owner_id", "is not a user of your organisation")
	case err != nil:
		return Task{}, err
	case owner.Disabled:
		v.Add("owner_id", "is a disabled user")
	}
	if err := v.Err(); err != nil {
		return Task{}, err
	}
	t := Task{ObligationID: in.ObligationID, SubjectKind: in.SubjectKind, SubjectID: in.SubjectID, Title: in.Title,
		OwnerID: owner.ID, Owner: owner.Name, Due: due.UTC(), DueDate: due.Format(time.DateOnly), Status: StatusOpen,
		CreatedBy: s.actor(ctx), CreatedAt: s.now().UTC().Truncate(time.Microsecond)}
	err = s.db.WriteTenant(ctx, func(tx *store.Tenant) error {
		if err := tx.QueryRow(`INSERT INTO tasks (org_id, obligation_id, subject_kind, subject_id, title, owner_id, due, status, created_by, created_at, attestation_id)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 0) RETURNING id`,
			t.ObligationID, t.SubjectKind, t.SubjectID, t.Title, t.OwnerID, t.Due, t.Status, t.CreatedBy, t.CreatedAt).Scan(&t.ID); err != nil {
			return fmt.Errorf("store task: %w", err)
		}
		return audit.InTenant(tx, "task", strconv.FormatInt(t.ID, 10), audit.Create, nil, t, t.Title)
	})
	if err != nil {
		return Task{}, err
	}
	// The owner learns of the task now; its deadline reminders follow from Deadlines.
	if _, err := s.notifier.Notify(ctx, org, kernel.Notice{
		Kind: "tasks.assigned", Subject: "task:" + strconv.FormatInt(t.ID, 10), Point: "assigned",
		Title: rules.Text{Zh: "新的整改任务：" + t.Title, En: "New remediation task: " + t.Title},
		Body:  rules.Text{Zh: "您被指定为此整改任务的负责人。", En: "You are the owner of this remediation task."},
		Users: []int64{t.OwnerID}, Due: t.Due, Link: "/tasks/" + strconv.FormatInt(t.ID, 10),
	}); err != nil {
		return t, fmt.Errorf("task %d stored, its owner not notified: %w", t.ID, err)
	}
	return t, nil
}

const taskColumns = `id, obligation_id, subject_kind, subject_id, title, owner_id, due, status, created_by, created_at, closed_at, attestation_id, link, link_path`

func scanTask(scan func(...any) error) (Task, error) {
	var t Task
	err := scan(&t.ID, &t.ObligationID, &t.SubjectKind, &t.SubjectID, &t.Title, &t.OwnerID, &t.Due, &t.Status, &t.CreatedBy, &t.CreatedAt, &t.ClosedAt, &t.AttestationID, &t.Link, &t.LinkPath)
	t.DueDate = t.Due.In(calendar.Shanghai).Format(time.DateOnly)
	return t, err
}

// Filter selects tasks: by owner, by open or not, by subject.
type Filter struct {
	OwnerID     int64
	OpenOnly    bool
	Status      string
	SubjectKind string
	SubjectID   string
}

// List returns the context's organisation's tasks matching f, the nearest due first.
func (s *Service) List(ctx context.Context, f Filter) ([]Task, error) {
	var out []Task
	err := s.db.ReadTenant(ctx, func(tx *store.Tenant) error {
		rows, err := tx.Query(`SELECT `+taskColumns+` FROM tasks WHERE org_id = $1
AND ($2 = 0 OR owner_id = $2) AND ($3 = '' OR status = $3) AND ($4 = 0 OR status <> 'done')
AND ($5 = '' OR (subject_kind = $5 AND subject_id = $6)) ORDER BY due, id LIMIT 1000`,
			f.OwnerID, f.Status, boolInt(f.OpenOnly), f.SubjectKind, f.SubjectID)
		if err != nil {
			return fmt.Errorf("list tasks: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			t, err := scanTask(rows.Scan)
			if err != nil {
				return err
			}
			out = append(out, t)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	return out, s.names(ctx, out)
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// names fills in the owners' names.
func (s *Service) names(ctx context.Context, ts []Task) error {
	cache := map[int64]string{}
	for i := range ts {
		n, ok := cache[ts[i].OwnerID]
		if !ok {
			u, err := s.auth.GetUser(ctx, ts[i].OwnerID)
			if err != nil && !errors.Is(err, store.ErrNotFound) {
				return err
			}
			n = u.Name
			cache[ts[i].OwnerID] = n
		}
		ts[i].Owner = n
	}
	return nil
}

// Get returns one task with its comments and evidence; another organisation's is
// store.ErrNotFound.
func (s *Service) Get(ctx context.Context, id int64) (Task, error) {
	var t Task
	err := s.db.ReadTenant(ctx, func(tx *store.Tenant) error {
		var err error
		if t, err = scanTask(tx.QueryRow(`SELECT `+taskColumns+` FROM tasks WHERE org_id = $1 AND id = $2`, id).Scan); err != nil {
			return err
		}
		rows, err := tx.Query(`SELECT author, body, created_at FROM task_comments WHERE org_id = $1 AND task_id = $2 ORDER BY id`, id)
		if err != nil {
			return fmt.Errorf("read comments: %w", err)
		}
		for rows.Next() {
			var c Comment
			if err := rows.Scan(&c.Author, &c.Body, &c.CreatedAt); err != nil {
				rows.Close()
				return err
			}
			t.Comments = append(t.Comments, c)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		rows, err = tx.Query(`SELECT sha256, name, added_by, added_at FROM task_evidence WHERE org_id = $1 AND task_id = $2 ORDER BY added_at, sha256`, id)
		if err != nil {
			return fmt.Errorf("read task evidence: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var e Evidence
			if err := rows.Scan(&e.SHA256, &e.Name, &e.AddedBy, &e.AddedAt); err != nil {
				return err
			}
			t.Evidence = append(t.Evidence, e)
		}
		return rows.Err()
	})
	if err != nil {
		return t, err
	}
	one := []Task{t}
	err = s.names(ctx, one)
	return one[0], err
}

// actor is how the acting person is shown on tasks: their name (a label such as
// "li@grid.demo (security_manager)" would put role identifiers into the Chinese UI).
func (s *Service) actor(ctx context.Context) string {
	a := audit.ActorFrom(ctx)
	if a.UserID != 0 {
		if u, err := s.auth.GetUser(ctx, a.UserID); err == nil && u.Name != "" {
			return u.Name
		}
	}
	return a.Label
}
