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

var _ kernel.Tasks = (*Module)(nil) // the compiler checks the contract

// CreateLinked implements kernel.Tasks: a task for another capability's record, stored and
// audited in the caller's transaction; the owner is told after it commits.
func (s *Service) CreateLinked(tx *store.Tenant, field string, n kernel.NewLinkedTask) (kernel.LinkedTask, error) {
	ctx := tx.Tx().Context()
	n.Title, n.Link = strings.TrimSpace(n.Title), strings.TrimSpace(n.Link)
	v := &problem.Invalid{}
	v.Text(field+".title", n.Title, true, 200)
	if n.Link == "" || !strings.Contains(n.Link, ":") {
		v.Add(field+".link", "must name a record as kind:id")
	}
	if n.Due.IsZero() {
		v.Add(field+".due", "must be a date as YYYY-MM-DD")
	}
	switch n.SubjectKind {
	case "", "org":
		n.SubjectKind, n.SubjectID = "org", strconv.FormatInt(tx.OrgID(), 10)
	case "system":
	default:
		v.Add(field+".subject_kind", "must be org or system")
	}
	owner, err := s.auth.GetUser(ctx, n.OwnerID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		v.Add(field+".owner_id", "is not a user of your organisation")
	case err != nil:
		return kernel.LinkedTask{}, err
	case owner.Disabled:
		v.Add(field+".owner_id", "is a disabled user")
	}
	if err := v.Err(); err != nil {
		return kernel.LinkedTask{}, err
	}
	t := Task{SubjectKind: n.SubjectKind, SubjectID: n.SubjectID, Title: n.Title, OwnerID: owner.ID, Owner: owner.Name,
		Due: n.Due.UTC(), DueDate: n.Due.In(calendar.Shanghai).Format(time.DateOnly), Status: StatusOpen,
		CreatedBy: s.actor(ctx), CreatedAt: s.now().UTC().Truncate(time.Microsecond), Link: n.Link, LinkPath: n.LinkPath}
	if err := tx.QueryRow(`INSERT INTO tasks (org_id, obligation_id, subject_kind, subject_id, title, owner_id, due, status, created_by, created_at, attestation_id, link, link_path)
VALUES ($1, '', $2, $3, $4, $5, $6, $7, $8, $9, 0, $10, $11) RETURNING id`,
		t.SubjectKind, t.SubjectID, t.Title, t.OwnerID, t.Due, t.Status, t.CreatedBy, t.CreatedAt, t.Link, t.LinkPath).Scan(&t.ID); err != nil {
		return kernel.LinkedTask{}, fmt.Errorf("store linked task: %w", err)
	}
	if err := audit.InTenant(tx, "task", strconv.FormatInt(t.ID, 10), audit.Create, nil, t, t.Title); err != nil {
		return kernel.LinkedTask{}, err
	}
	org := tx.OrgID()
	tx.Tx().AfterCommit(func() {
		// The record and its task are stored; a failed notice is logged, not undone.
		if _, err := s.notifier.Notify(ctx, org, assignedNotice(t)); err != nil && s.log != nil {
			s.log.Error("linked task stored, its owner not notified", "task", t.ID, "err", err)
		}
	})
	return linked(t), nil
}

// assignedNotice tells a task's owner of it.
func assignedNotice(t Task) kernel.Notice {
	return kernel.Notice{
		Kind: "tasks.assigned", Subject: "task:" + strconv.FormatInt(t.ID, 10), Point: "assigned",
		Title: rules.Text{Zh: "新的整改任务：" + t.Title, En: "New remediation task: " + t.Title},
		Body:  rules.Text{Zh: "您被指定为此整改任务的负责人。", En: "You are the owner of this remediation task."},
		Users: []int64{t.OwnerID}, Due: t.Due, Link: "/tasks/" + strconv.FormatInt(t.ID, 10),
	}
}

// Linked implements kernel.Tasks.
func (s *Service) Linked(ctx context.Context, links ...string) ([]kernel.LinkedTask, error) {
	if len(links) == 0 {
		return nil, nil
	}
	var out []Task
	err := s.db.ReadTenant(ctx, func(tx *store.Tenant) error {
		for _, l := range links {
			rows, err := tx.Query(`SELECT `+taskColumns+` FROM tasks WHERE org_id = $1 AND link = $2 ORDER BY due, id`, l)
			if err != nil {
				return fmt.Errorf("list linked tasks: %w", err)
			}
			for rows.Next() {
				t, err := scanTask(rows.Scan)
				if err != nil {
					rows.Close()
					return err
				}
				out = append(out, t)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := s.names(ctx, out); err != nil {
		return nil, err
	}
	res := make([]kernel.LinkedTask, len(out))
	for i, t := range out {
		res[i] = linked(t)
	}
	return res, nil
}

func linked(t Task) kernel.LinkedTask {
	return kernel.LinkedTask{ID: t.ID, Link: t.Link, Title: t.Title, Owner: t.Owner, Due: t.Due, DueDate: t.DueDate,
		Status: t.Status, Open: t.Open(), Path: "/tasks/" + strconv.FormatInt(t.ID, 10), ObligationID: t.ObligationID}
}

var _ kernel.RemediationPlan = (*Module)(nil) // the compiler checks the contract

// OpenTasks implements kernel.RemediationPlan: the organisation's tasks not done, the
// nearest due first, with their owners' names.
func (s *Service) OpenTasks(ctx context.Context, limit int) ([]kernel.LinkedTask, error) {
	ts, err := s.List(ctx, Filter{OpenOnly: true})
	if err != nil {
		return nil, err
	}
	if limit >= 0 && len(ts) > limit {
		ts = ts[:limit]
	}
	out := make([]kernel.LinkedTask, len(ts))
	for i, t := range ts {
		out[i] = linked(t)
	}
	return out, nil
}
