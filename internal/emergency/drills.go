package emergency

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"ciiguard/internal/audit"
	"ciiguard/internal/kernel"
	"ciiguard/internal/problem"
	"ciiguard/internal/store"
)

// DrillInput is a drill as a person records it, with its follow-up items.
type DrillInput struct {
	HeldOn         string     `json:"held_on"`
	Scenario       string     `json:"scenario"`
	Systems        []int64    `json:"systems"` // empty: the whole organisation
	Participants   string     `json:"participants"`
	Findings       string     `json:"findings"`
	PlanID         int64      `json:"plan_id"`
	RevisionNeeded bool       `json:"revision_needed"`
	FollowUps      []FollowUp `json:"followups"`
}

// FollowUp is a drill's follow-up item: it becomes a remediation task.
type FollowUp struct {
	Title   string `json:"title"`
	OwnerID int64  `json:"owner_id"`
	Due     string `json:"due"` // YYYY-MM-DD
}

// CreateDrill validates and records a drill, audited; each follow-up item becomes a task
// linked to it, in the same transaction, so that the drill and its tasks are stored
// together or not at all. A drill marked "revision needed" makes its plan due for revision.
func (s *Service) CreateDrill(ctx context.Context, in DrillInput) (Drill, error) {
	now := s.Now()
	v := &problem.Invalid{}
	held := checkDate(v, "held_on", in.HeldOn, true, today(now))
	in.Scenario, in.Participants, in.Findings = strings.TrimSpace(in.Scenario), strings.TrimSpace(in.Participants), strings.TrimSpace(in.Findings)
	v.Text("scenario", in.Scenario, true, maxText)
	v.Text("participants", in.Participants, true, maxText)
	v.Text("findings", in.Findings, false, maxText)
	if in.RevisionNeeded && in.PlanID == 0 {
		v.Add("plan_id", "name the plan the drill exercised: its findings call for revising it")
	}
	if in.RevisionNeeded && in.Findings == "" {
		v.Add("findings", "say what the drill found that calls for revising the plan")
	}
	if len(in.FollowUps) > maxItems {
		v.Add("followups", "at most %d items", maxItems)
	}
	dues := make([]time.Time, len(in.FollowUps))
	for i, f := range in.FollowUps {
		if t, ok := parseDay(f.Due); ok {
			dues[i] = t
		} else {
			v.Add(fmt.Sprintf("followups[%d].due", i), "must be a date as YYYY-MM-DD")
		}
	}
	systems, err := s.checkSystems(ctx, v, "systems", in.Systems, false)
	if err != nil {
		return Drill{}, err
	}
	var d Drill
	err = s.write(ctx, func(t *store.Tenant) error {
		if in.PlanID != 0 {
			var retired string
			err := t.QueryRow(`SELECT retired_on FROM emergency_plans WHERE org_id = $1 AND id = $2`, in.PlanID).Scan(&retired)
			switch {
			case errors.Is(err, store.ErrNotFound):
				v.Add("plan_id", "is not one of your organisation's plans")
			case err != nil:
				return fmt.Errorf("read plan %d: %w", in.PlanID, err)
			case retired != "":
				v.Add("plan_id", "was retired on %s; a drill exercises a plan in force", retired)
			}
		}
		if err := v.Err(); err != nil {
			return err
		}
		d = Drill{HeldOn: held, Scenario: in.Scenario, Systems: systems, Participants: in.Participants, Findings: in.Findings,
			PlanID: in.PlanID, RevisionNeeded: in.RevisionNeeded, CreatedBy: s.actor(ctx), CreatedAt: now.UTC().Truncate(time.Microsecond),
			Tasks: []kernel.LinkedTask{}}
		if err := t.QueryRow(`INSERT INTO emergency_drills (org_id, held_on, scenario, systems, participants, findings, plan_id, revision_needed, imported, created_by, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, FALSE, $9, $10) RETURNING id`,
			d.HeldOn, d.Scenario, mustJSON(d.Systems), d.Participants, d.Findings, d.PlanID, d.RevisionNeeded, d.CreatedBy, d.CreatedAt).Scan(&d.ID); err != nil {
			return fmt.Errorf("store drill: %w", err)
		}
		if err := audit.InTenant(t, "emergency_drill", itoa(d.ID), audit.Create, nil, d, d.Scenario); err != nil {
			return err
		}
		// The tasks: about the drill's one system when it names one, else the organisation.
		kind, subject := "org", ""
		if len(systems) == 1 {
			kind, subject = "system", itoa(systems[0])
		}
		bad := &problem.Invalid{}
		for i, f := range in.FollowUps {
			lt, err := s.tasks.CreateLinked(t, fmt.Sprintf("followups[%d]", i), kernel.NewLinkedTask{
				Link: d.Link(), LinkPath: "/emergency/drills/" + itoa(d.ID), Title: f.Title, OwnerID: f.OwnerID, Due: dues[i],
				SubjectKind: kind, SubjectID: subject})
			if err != nil {
				if merged := mergeInvalid(bad, err); merged != nil {
					return merged
				}
				continue
			}
			d.Tasks = append(d.Tasks, lt)
		}
		return bad.Err()
	})
	return d, err
}

// mergeInvalid adds a validation error's fields to bad and returns nil, or returns any
// other error.
func mergeInvalid(bad *problem.Invalid, err error) error {
	inv, ok := problem.As[*problem.Invalid](err)
	if !ok {
		return err
	}
	bad.Fields = append(bad.Fields, inv.Fields...)
	return nil
}

// Drill returns one drill with its follow-up tasks; another organisation's is
// store.ErrNotFound.
func (s *Service) Drill(ctx context.Context, id int64) (Drill, error) {
	var d Drill
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		var err error
		d, err = scanDrill(t.QueryRow(`SELECT `+drillCols+` FROM emergency_drills WHERE org_id = $1 AND id = $2`, id))
		return err
	})
	if err != nil {
		return d, err
	}
	if d.Tasks, err = s.tasks.Linked(ctx, d.Link()); err != nil {
		return d, err
	}
	if d.Tasks == nil {
		d.Tasks = []kernel.LinkedTask{}
	}
	return d, nil
}
