package scope

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"ciiguard/internal/audit"
	"ciiguard/internal/problem"
	"ciiguard/internal/store"
)

// Assess records a CII self-assessment of a system: the answers, the result and the
// SHA-256 of both as evidence. A system not yet identified by the department becomes a
// candidate when the test is met and returns to none when it is not; an identified or
// de-identified system keeps the department's status (only a notice changes it).
func (s *Service) Assess(ctx context.Context, id int64, a Answers) (System, error) {
	a.Notes = strings.TrimSpace(a.Notes)
	if err := a.Validate(); err != nil {
		return System{}, err
	}
	var out System
	err := s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		tx := t.Tx()
		before, err := getSystem(t, id)
		if err != nil {
			return err
		}
		res := Evaluate(a, audit.ActorFrom(ctx).Label, s.now())
		b, sum, err := evidence(res)
		if err != nil {
			return fmt.Errorf("encode assessment: %w", err)
		}
		status := before.CIIStatus
		if status == CIINone || status == CIICandidate {
			status = CIINone
			if res.Candidate {
				status = CIICandidate
			}
		}
		now := s.now().UTC().Truncate(time.Microsecond)
		if _, err := t.Exec(`UPDATE scope_systems SET assessment = $3, assessment_sha256 = $4, cii_status = $5, updated_at = $6 WHERE org_id = $1 AND id = $2`,
			id, string(b), sum, status, now); err != nil {
			return fmt.Errorf("save assessment of system %d: %w", id, err)
		}
		out, err = getSystem(t, id)
		if err != nil {
			return err
		}
		detail := fmt.Sprintf("CII self-assessment sha256=%s candidate=%v", sum, res.Candidate)
		if err := audit.InTenant(t, "scope_system", strconv.FormatInt(id, 10), audit.Update, before, out, detail); err != nil {
			return err
		}
		if err := recordHistory(t, &before.SystemInput, out, now); err != nil {
			return err
		}
		s.Changed(tx, t.OrgID(), id)
		return nil
	})
	return out, err
}

// Notice is a document of the protection-work department: its date and number.
type Notice struct {
	On  Date   `json:"on"`
	Doc string `json:"doc"`
}

func (n *Notice) validate(today Date, needDoc bool) error {
	n.On, n.Doc = Date(strings.TrimSpace(string(n.On))), strings.TrimSpace(n.Doc)
	v := &problem.Invalid{}
	if n.On == "" {
		v.Add("on", "is required: the date of the notice")
	}
	checkDate(v, "on", n.On, today, true)
	if needDoc && n.Doc == "" {
		v.Add("doc", "is required: the document number of the notice")
	}
	v.Text("doc", n.Doc, false, maxShort)
	return v.Err()
}

// transition applies a workflow step to a system in one transaction.
func (s *Service) transition(ctx context.Context, id int64, detail string, step func(*SystemInput) error) (System, error) {
	var out System
	err := s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		tx := t.Tx()
		before, err := getSystem(t, id)
		if err != nil {
			return err
		}
		in := before.SystemInput
		if err := step(&in); err != nil {
			return err
		}
		if err := in.Validate(s.today()); err != nil {
			return err
		}
		out, err = s.writeSystem(tx, t, before, in, detail, true)
		return err
	})
	return out, err
}

// Identify records the department's identification notice: the system becomes
// identified CII.
func (s *Service) Identify(ctx context.Context, id int64, n Notice) (System, error) {
	if err := n.validate(s.today(), true); err != nil {
		return System{}, err
	}
	return s.transition(ctx, id, "identification notice "+n.Doc+" of "+string(n.On), func(in *SystemInput) error {
		if in.CIIStatus == CIIIdentified {
			return problem.Conflictf("cii_status", "the system is already identified (notice %s)", in.IdentificationDoc)
		}
		if in.DeidentifiedOn != "" && n.On < in.DeidentifiedOn {
			return problem.Field("on", "must not be before the de-identification notice of %s", in.DeidentifiedOn)
		}
		in.CIIStatus, in.IdentifiedOn, in.IdentificationDoc = CIIIdentified, n.On, n.Doc
		in.MajorChangeOn = ""
		return nil
	})
}

// ReportMajorChange records that a major change of an identified system was reported to
// the department, which starts the three-month re-identification clock.
func (s *Service) ReportMajorChange(ctx context.Context, id int64, on Date) (System, error) {
	n := Notice{On: on}
	if err := n.validate(s.today(), false); err != nil {
		return System{}, err
	}
	return s.transition(ctx, id, "major change reported on "+string(n.On), func(in *SystemInput) error {
		if in.CIIStatus != CIIIdentified {
			return problem.Conflictf("cii_status", "a major change is reported for identified CII only; this system is %s", in.CIIStatus)
		}
		if n.On < in.IdentifiedOn {
			return problem.Field("on", "must not be before the identification notice of %s", in.IdentifiedOn)
		}
		in.MajorChangeOn = n.On
		return nil
	})
}

// Deidentify records the department's notice that the system is no longer CII.
func (s *Service) Deidentify(ctx context.Context, id int64, n Notice) (System, error) {
	if err := n.validate(s.today(), true); err != nil {
		return System{}, err
	}
	return s.transition(ctx, id, "de-identification notice "+n.Doc+" of "+string(n.On), func(in *SystemInput) error {
		if in.CIIStatus != CIIIdentified {
			return problem.Conflictf("cii_status", "only an identified system can be de-identified; this system is %s", in.CIIStatus)
		}
		if n.On < in.IdentifiedOn {
			return problem.Field("on", "must not be before the identification notice of %s", in.IdentifiedOn)
		}
		in.CIIStatus, in.DeidentifiedOn, in.DeidentificationDoc = CIIDeidentified, n.On, n.Doc
		return nil
	})
}
