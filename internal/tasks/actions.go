package tasks

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"ciiguard/internal/audit"
	"ciiguard/internal/kernel"
	"ciiguard/internal/problem"
	"ciiguard/internal/rules"
	"ciiguard/internal/store"
)

// change runs fn on a task of the context's organisation in one transaction and audits the
// task as it was before and after, under action and detail.
func (s *Service) change(ctx context.Context, id int64, detail string, fn func(tx *store.Tenant, t *Task) error) (Task, error) {
	var t Task
	err := s.db.WriteTenant(ctx, func(tx *store.Tenant) error {
		var err error
		if t, err = scanTask(tx.QueryRow(`SELECT `+taskColumns+` FROM tasks WHERE org_id = $1 AND id = $2`, id).Scan); err != nil {
			return err
		}
		before := t
		if err := fn(tx, &t); err != nil {
			return err
		}
		return audit.InTenant(tx, "task", strconv.FormatInt(id, 10), audit.Update, before, t, detail)
	})
	return t, err
}

// Comment adds a remark to a task.
func (s *Service) Comment(ctx context.Context, id int64, body string) error {
	body = strings.TrimSpace(body)
	v := &problem.Invalid{}
	v.Text("body", body, true, 4000)
	if err := v.Err(); err != nil {
		return err
	}
	_, err := s.change(ctx, id, "comment", func(tx *store.Tenant, t *Task) error {
		if _, err := tx.Exec(`INSERT INTO task_comments (org_id, task_id, author, body, created_at) VALUES ($1, $2, $3, $4, $5)`,
			id, s.actor(ctx), body, s.now().UTC().Truncate(time.Microsecond)); err != nil {
			return fmt.Errorf("store comment: %w", err)
		}
		return nil
	})
	return err
}

// Attach cites an evidence file the organisation holds (uploaded now or before) on a task;
// citing the same file twice changes nothing.
func (s *Service) Attach(ctx context.Context, id int64, sha string) error {
	f, err := s.ev.File(ctx, sha)
	if errors.Is(err, store.ErrNotFound) {
		return problem.Field("sha256", "is not one of your organisation's evidence files")
	}
	if err != nil {
		return err
	}
	_, err = s.change(ctx, id, "evidence "+f.SHA256, func(tx *store.Tenant, t *Task) error {
		if !t.Open() {
			return problem.Conflictf("sha256", "the task is closed")
		}
		if _, err := tx.Exec(`INSERT INTO task_evidence (org_id, task_id, sha256, name, added_by, added_at) VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (org_id, task_id, sha256) DO NOTHING`, id, f.SHA256, f.Name, s.actor(ctx), s.now().UTC().Truncate(time.Microsecond)); err != nil {
			return fmt.Errorf("attach evidence: %w", err)
		}
		return nil
	})
	return err
}

// SetStatus moves an open task between open and in progress; closing is Close.
func (s *Service) SetStatus(ctx context.Context, id int64, status string) (Task, error) {
	if status != StatusOpen && status != StatusInProgress {
		return Task{}, problem.Field("status", "must be open or in_progress (close a task to finish it)")
	}
	return s.change(ctx, id, "status "+status, func(tx *store.Tenant, t *Task) error {
		if !t.Open() {
			return problem.Conflictf("status", "the task is closed")
		}
		t.Status = status
		_, err := tx.Exec(`UPDATE tasks SET status = $2 WHERE org_id = $1 AND id = $3`, status, id)
		return err
	})
}

// CloseTask is how a task is closed: with an attestation of the duty, made from the
// task's evidence and the statement, or without.
type CloseTask struct {
	Attest    bool   `json:"attest"`
	Statement string `json:"statement"`
}

// Close finishes a task. With Attest it first submits the attestation the duty takes —
// the task's finding, its evidence and the statement — through the obligations
// capability, where it waits for a second person's review; a refused attestation leaves
// the task open.
func (s *Service) Close(ctx context.Context, id int64, in CloseTask) (Task, error) {
	t, err := s.Get(ctx, id)
	if err != nil {
		return t, err
	}
	if !t.Open() {
		return t, problem.Conflictf("status", "the task is already closed")
	}
	var attID int64
	if in.Attest {
		v := &problem.Invalid{}
		in.Statement = strings.TrimSpace(in.Statement)
		v.Text("statement", in.Statement, true, 4000)
		if t.ObligationID == "" {
			v.Add("attest", "a task for a record, not for a duty, closes without an attestation")
		}
		if len(t.Evidence) == 0 {
			v.Add("evidence", "attach the evidence before closing the task with an attestation")
		}
		if err := v.Err(); err != nil {
			return t, err
		}
		shas := make([]string, len(t.Evidence))
		for i, e := range t.Evidence {
			shas[i] = e.SHA256
		}
		if attID, err = s.attester.SubmitAttestation(ctx, kernel.NewAttestation{ObligationID: t.ObligationID, SubjectKind: t.SubjectKind,
			SubjectID: t.SubjectID, Statement: in.Statement, Evidence: shas}); err != nil {
			return t, err
		}
	}
	return s.change(ctx, id, "close", func(tx *store.Tenant, t *Task) error {
		if !t.Open() {
			return problem.Conflictf("status", "the task is already closed")
		}
		now := s.now().UTC().Truncate(time.Microsecond)
		t.Status, t.ClosedAt, t.AttestationID = StatusDone, &now, attID
		_, err := tx.Exec(`UPDATE tasks SET status = 'done', closed_at = $2, attestation_id = $3 WHERE org_id = $1 AND id = $4`, now, attID, id)
		return err
	})
}

// Deadlines lists the context's organisation's open tasks as deadlines for the
// notification reminders (the notify capability's DeadlineSource): each to its owner.
func (s *Service) Deadlines(ctx context.Context) ([]kernel.Notice, error) {
	ts, err := s.List(ctx, Filter{OpenOnly: true})
	if err != nil {
		return nil, err
	}
	out := make([]kernel.Notice, 0, len(ts))
	for _, t := range ts {
		id := strconv.FormatInt(t.ID, 10)
		out = append(out, kernel.Notice{
			Subject: "task:" + id,
			Title:   rules.Text{Zh: "整改任务：" + t.Title, En: "Remediation task: " + t.Title},
			Body:    rules.Text{Zh: "您负责的整改任务即将或已经到期。", En: "A remediation task you own is due or overdue."},
			Users:   []int64{t.OwnerID}, Due: t.Due, Link: "/tasks/" + id,
		})
	}
	return out, nil
}
