package emergency

import (
	"context"
	"fmt"
	"strings"
	"time"

	"ciiguard/internal/audit"
	"ciiguard/internal/calendar"
	"ciiguard/internal/problem"
	"ciiguard/internal/store"
)

// PlanInput is a plan as a person records it.
type PlanInput struct {
	Title      string  `json:"title"`
	Version    string  `json:"version"`
	Systems    []int64 `json:"systems"` // empty: the whole organisation
	Contacts   string  `json:"contacts"`
	ApprovedBy string  `json:"approved_by"`
	ApprovedOn string  `json:"approved_on"`
	// ReviewOn is the next review date; empty: the approval date plus the organisation's
	// review period.
	ReviewOn string `json:"review_on"`
}

// Revision is a new version of a plan: who approved it and when.
type Revision struct {
	Version    string `json:"version"`
	ApprovedBy string `json:"approved_by"`
	ApprovedOn string `json:"approved_on"`
	ReviewOn   string `json:"review_on"`
	Contacts   string `json:"contacts"` // empty keeps the contacts
}

// checkApproval validates a version's approval and works out its review date.
func checkApproval(v *problem.Invalid, version, by, on, review string, st Settings, now time.Time) (string, string) {
	v.Text("version", strings.TrimSpace(version), true, maxShort)
	v.Text("approved_by", strings.TrimSpace(by), true, maxShort)
	on = checkDate(v, "approved_on", on, true, today(now))
	review = checkDate(v, "review_on", review, false, "")
	if t, ok := parseDay(on); ok && review == "" {
		review = calendar.AddMonths(t, int(st.ReviewMonths)).Format(time.DateOnly)
	}
	if review != "" && on != "" && review <= on {
		v.Add("review_on", "must be after the approval date")
	}
	return on, review
}

// CreatePlan validates and records a plan, audited.
func (s *Service) CreatePlan(ctx context.Context, in PlanInput) (Plan, error) {
	now := s.Now()
	v := &problem.Invalid{}
	in.Title, in.Contacts = strings.TrimSpace(in.Title), strings.TrimSpace(in.Contacts)
	v.Text("title", in.Title, true, maxShort)
	v.Text("contacts", in.Contacts, true, maxText)
	systems, err := s.checkSystems(ctx, v, "systems", in.Systems, false)
	if err != nil {
		return Plan{}, err
	}
	var p Plan
	err = s.write(ctx, func(t *store.Tenant) error {
		st, err := readSettings(t)
		if err != nil {
			return err
		}
		on, review := checkApproval(v, in.Version, in.ApprovedBy, in.ApprovedOn, in.ReviewOn, st, now)
		if err := v.Err(); err != nil {
			return err
		}
		p = Plan{Title: in.Title, Version: strings.TrimSpace(in.Version), Systems: systems, Contacts: in.Contacts,
			ApprovedBy: strings.TrimSpace(in.ApprovedBy), ApprovedOn: on, ReviewOn: review,
			CreatedBy: s.actor(ctx), CreatedAt: now.UTC().Truncate(time.Microsecond)}
		if err := t.QueryRow(`INSERT INTO emergency_plans (org_id, title, version, systems, contacts, approved_by, approved_on, review_on, revised_after_drill, imported, created_by, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0, FALSE, $9, $10) RETURNING id`,
			p.Title, p.Version, mustJSON(p.Systems), p.Contacts, p.ApprovedBy, p.ApprovedOn, p.ReviewOn, p.CreatedBy, p.CreatedAt).Scan(&p.ID); err != nil {
			return fmt.Errorf("store plan: %w", err)
		}
		return audit.InTenant(t, "emergency_plan", itoa(p.ID), audit.Create, nil, p, p.Title)
	})
	return p, err
}

// Plan returns one plan with its revision state; another organisation's is
// store.ErrNotFound.
func (s *Service) Plan(ctx context.Context, id int64) (Plan, []Drill, error) {
	rs, err := s.records(ctx)
	if err != nil {
		return Plan{}, nil, err
	}
	var drills []Drill
	for _, d := range rs.drills {
		if d.PlanID == id {
			drills = append(drills, d)
		}
	}
	for _, p := range rs.plans {
		if p.ID == id {
			return p, drills, nil
		}
	}
	return Plan{}, nil, store.ErrNotFound
}

// planIn reads the tenant's records at now and the plan id among them; another
// organisation's plan is store.ErrNotFound.
func planIn(t *store.Tenant, id int64, now time.Time) (*records, Plan, error) {
	rs, err := readRecords(t, now)
	if err != nil {
		return nil, Plan{}, err
	}
	for _, p := range rs.plans {
		if p.ID == id {
			return rs, p, nil
		}
	}
	return nil, Plan{}, store.ErrNotFound
}

// Revise records a new version of a plan, audited with the version before. A revision
// answers the drills that called for one so far (ERL 2024 Art. 28).
func (s *Service) Revise(ctx context.Context, id int64, in Revision) (Plan, error) {
	now := s.Now()
	var p Plan
	err := s.write(ctx, func(t *store.Tenant) error {
		rs, x, err := planIn(t, id, now)
		if err != nil {
			return err
		}
		if p = x; p.Retired() {
			return problem.Conflictf("plan", "the plan was retired on %s; record a new plan instead", p.RetiredOn)
		}
		before := p
		v := &problem.Invalid{}
		on, review := checkApproval(v, in.Version, in.ApprovedBy, in.ApprovedOn, in.ReviewOn, rs.settings, now)
		if strings.TrimSpace(in.Version) == p.Version {
			v.Add("version", "must differ from the current version %s", p.Version)
		}
		if on != "" && p.ApprovedOn != "" && on < p.ApprovedOn {
			v.Add("approved_on", "may not be before the current version's approval (%s)", p.ApprovedOn)
		}
		in.Contacts = strings.TrimSpace(in.Contacts)
		v.Text("contacts", in.Contacts, false, maxText)
		if err := v.Err(); err != nil {
			return err
		}
		var last int64
		for _, d := range rs.drills {
			if d.PlanID == id && d.RevisionNeeded && d.ID > last {
				last = d.ID
			}
		}
		p.Version, p.ApprovedBy, p.ApprovedOn, p.ReviewOn = strings.TrimSpace(in.Version), strings.TrimSpace(in.ApprovedBy), on, review
		if last > p.RevisedAfterDrill {
			p.RevisedAfterDrill = last
		}
		if in.Contacts != "" {
			p.Contacts = in.Contacts
		}
		if _, err := t.Exec(`UPDATE emergency_plans SET version = $2, approved_by = $3, approved_on = $4, review_on = $5, revised_after_drill = $6, contacts = $7 WHERE org_id = $1 AND id = $8`,
			p.Version, p.ApprovedBy, p.ApprovedOn, p.ReviewOn, p.RevisedAfterDrill, p.Contacts, id); err != nil {
			return fmt.Errorf("revise plan %d: %w", id, err)
		}
		p.RevisionDue, p.RevisionDrill, p.ReviewOverdue = false, 0, p.ReviewOn != "" && today(now) > p.ReviewOn
		return audit.InTenant(t, "emergency_plan", itoa(id), audit.Update, before, p, p.Title+" "+p.Version)
	})
	return p, err
}

// Retirement is how a plan goes out of force: the day and why.
type Retirement struct {
	RetiredOn string `json:"retired_on"` // empty: today (China time)
	Reason    string `json:"reason"`
}

// RetirePlan takes a plan out of force, audited with the plan before: it stays as history
// with its drills, and covers nothing from then on. A plan is retired once; retiring it
// again is a conflict, and so is revising it afterwards.
func (s *Service) RetirePlan(ctx context.Context, id int64, in Retirement) (Plan, error) {
	now := s.Now()
	var p Plan
	err := s.write(ctx, func(t *store.Tenant) error {
		_, x, err := planIn(t, id, now)
		if err != nil {
			return err
		}
		if p = x; p.Retired() {
			return problem.Conflictf("plan", "the plan was retired on %s already", p.RetiredOn)
		}
		before := p
		v := &problem.Invalid{}
		in.Reason = strings.TrimSpace(in.Reason)
		v.Text("reason", in.Reason, true, maxText)
		day := today(now)
		on := checkDate(v, "retired_on", in.RetiredOn, false, day)
		if on == "" {
			on = day
		}
		if _, ok := parseDay(on); ok && p.ApprovedOn != "" && on < p.ApprovedOn {
			v.Add("retired_on", "may not be before the current version's approval (%s)", p.ApprovedOn)
		}
		if err := v.Err(); err != nil {
			return err
		}
		p.RetiredOn, p.RetiredBy, p.RetireReason = on, s.actor(ctx), in.Reason
		p.RevisionDue, p.RevisionDrill, p.ReviewOverdue = false, 0, false
		if _, err := t.Exec(`UPDATE emergency_plans SET retired_on = $2, retired_by = $3, retire_reason = $4 WHERE org_id = $1 AND id = $5`,
			p.RetiredOn, p.RetiredBy, p.RetireReason, id); err != nil {
			return fmt.Errorf("retire plan %d: %w", id, err)
		}
		return audit.InTenant(t, "emergency_plan", itoa(id), audit.Update, before, p, p.Title+" "+p.Version)
	})
	return p, err
}
