package incidents

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"ciiguard/internal/audit"
	"ciiguard/internal/kernel"
	"ciiguard/internal/problem"
	"ciiguard/internal/store"
)

// EventTask is the timeline entry of a remediation task created from the incident.
const EventTask = "task"

// TaskInput is a remediation task to open from an incident: what to do, who does it, and
// by which day (Beijing).
type TaskInput struct {
	Title   string `json:"title"`
	OwnerID int64  `json:"owner_id"`
	Due     string `json:"due"` // YYYY-MM-DD
}

// errNoTasks answers a task request on an installation without the tasks capability.
var errNoTasks = problem.Field("tasks", "are not available: this installation has no tasks capability")

// AddTask opens a remediation task linked to the incident ("incident:<id>") through the
// tasks capability, in the same transaction as its timeline entry and audit record, so
// the incident never shows a task that was not stored or the reverse. The task is about
// the incident's system when it affects exactly one, else about the organisation.
func (m *Module) AddTask(ctx context.Context, id int64, in TaskInput) (kernel.LinkedTask, error) {
	if m.tasks == nil {
		return kernel.LinkedTask{}, errNoTasks
	}
	in.Title = strings.TrimSpace(in.Title)
	v := &problem.Invalid{}
	due, err := time.ParseInLocation(time.DateOnly, strings.TrimSpace(in.Due), chinaZone())
	if err != nil {
		v.Add("due", "must be a date as YYYY-MM-DD")
	}
	if in.OwnerID <= 0 {
		v.Add("owner_id", "is required: the user who does the task")
	}
	v.Text("title", in.Title, true, maxShort)
	if err := v.Err(); err != nil {
		return kernel.LinkedTask{}, err
	}
	var lt kernel.LinkedTask
	err = m.db.WriteTenant(ctx, func(t *store.Tenant) error {
		inc, err := getIncident(t, id)
		if err != nil {
			return err
		}
		kind, subject := "org", ""
		if len(inc.Systems) == 1 {
			kind, subject = "system", strconv.FormatInt(inc.Systems[0].ID, 10)
		}
		ref := strconv.FormatInt(id, 10)
		if lt, err = m.tasks.CreateLinked(t, "task", kernel.NewLinkedTask{Link: "incident:" + ref, LinkPath: "/incidents/" + ref,
			Title: in.Title, OwnerID: in.OwnerID, Due: due, SubjectKind: kind, SubjectID: subject}); err != nil {
			return unprefix(err, "task.")
		}
		if err := m.event(t, id, EventTask, Detail{Text: in.Title}); err != nil {
			return err
		}
		return audit.InTenant(t, "incident", ref, "task", nil, map[string]any{"task_id": lt.ID, "title": in.Title}, "remediation task opened")
	})
	return lt, err
}

// unprefix renames the tasks capability's field names ("task.owner_id") to the form's own
// ("owner_id"), so a refusal names the field the user filled in.
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
