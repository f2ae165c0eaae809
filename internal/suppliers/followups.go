package suppliers

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"ciiguard/internal/audit"
	"ciiguard/internal/calendar"
	"ciiguard/internal/kernel"
	"ciiguard/internal/problem"
	"ciiguard/internal/store"
)

// FollowUpInput is a follow-up task to open on a questionnaire finding: what to do (the
// finding's own text when empty), who does it, and by which day (Beijing; the finding's
// follow-up day when empty).
type FollowUpInput struct {
	Title   string `json:"title"`
	OwnerID int64  `json:"owner_id"`
	Due     string `json:"due"` // YYYY-MM-DD
}

// errNoTasks answers a follow-up on an installation without the tasks capability.
var errNoTasks = problem.Field("tasks", "are not available: this installation has no tasks capability")

// maxTaskTitle is the longest title of a follow-up task.
const maxTaskTitle = 200

// findingLink is the link of a finding's tasks in the tasks capability.
func findingLink(id int64) string { return "supplier-finding:" + strconv.FormatInt(id, 10) }

// FollowUp opens a remediation task on one of the context operator's open findings through
// the tasks capability (kernel.Tasks), in the transaction that audits it, so that the finding
// never shows a task that was not stored. The owner is told by the tasks capability; the
// task links back to the supplier's findings. Another organisation's finding is
// store.ErrNotFound, a closed one a conflict.
func (s *Service) FollowUp(ctx context.Context, id int64, in FollowUpInput) (kernel.LinkedTask, error) {
	if s.tasks == nil {
		return kernel.LinkedTask{}, errNoTasks
	}
	f, err := s.Finding(ctx, id)
	if err != nil {
		return kernel.LinkedTask{}, err
	}
	in.Title = strings.TrimSpace(in.Title)
	v := &problem.Invalid{}
	due := f.DueOn
	if d := strings.TrimSpace(in.Due); d != "" {
		t, err := time.ParseInLocation(time.DateOnly, d, calendar.Shanghai)
		switch {
		case err != nil:
			v.Add("due", "must be a date as YYYY-MM-DD")
		case t.Before(chinaDay(s.Now())):
			v.Add("due", "is in the past")
		default:
			due = t
		}
	}
	if in.OwnerID <= 0 {
		v.Add("owner_id", "is required: the user who does the task")
	}
	v.Text("title", in.Title, false, maxTaskTitle)
	if err := v.Err(); err != nil {
		return kernel.LinkedTask{}, err
	}
	if in.Title == "" {
		in.Title = f.TextZh
	}
	var lt kernel.LinkedTask
	err = s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		if f, err = getFinding(t, id); err != nil {
			return err
		}
		if !f.Open() {
			return problem.Conflictf("finding", "is closed")
		}
		if lt, err = s.tasks.CreateLinked(t, "task", kernel.NewLinkedTask{Link: findingLink(id), LinkPath: "/suppliers/" + strconv.FormatInt(f.SupplierID, 10) + "#findings",
			Title: in.Title, OwnerID: in.OwnerID, Due: due, SubjectKind: "org"}); err != nil {
			return unprefix(err, "task.")
		}
		return audit.InTenant(t, "supplier_finding", strconv.FormatInt(id, 10), "follow_up", nil, map[string]any{"task_id": lt.ID, "title": in.Title, "due": due.Format(time.DateOnly)}, f.TextZh)
	})
	return lt, err
}

// followUpsOf attaches to each finding its follow-up tasks (nil without the tasks
// capability).
func (s *Service) followUpsOf(ctx context.Context, fs []Finding) error {
	if s.tasks == nil || len(fs) == 0 {
		return nil
	}
	links := make([]string, len(fs))
	for i, f := range fs {
		links[i] = findingLink(f.ID)
	}
	ts, err := s.tasks.Linked(ctx, links...)
	if err != nil {
		return err
	}
	at := map[string]int{}
	for i, f := range fs {
		at[findingLink(f.ID)] = i
	}
	for _, t := range ts {
		if i, ok := at[t.Link]; ok {
			fs[i].Tasks = append(fs[i].Tasks, t)
		}
	}
	return nil
}

// unprefix renames the tasks capability's field names ("task.owner_id") to the form's own
// ("owner_id"), so that a refusal names the field the user filled in.
func unprefix(err error, prefix string) error {
	var bad *problem.Invalid
	if !errors.As(err, &bad) {
		return err
	}
	for i := range bad.Fields {
		bad.Fields[i].Field = strings.TrimPrefix(bad.Fields[i].Field, prefix)
	}
	return bad
}
