package suppliers

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"ciiguard/internal/audit"
	"ciiguard/internal/problem"
	"ciiguard/internal/store"
	"ciiguard/internal/web"
)

// A pre-use assessment clears its product for use only once approved (issue 12: "with
// findings and approval"), and by someone other than the assessor — four eyes, so that
// whoever tested the software does not also decide it may go live. Unresolved high findings
// are accepted only with a reason, which the record keeps. Approving needs suppliers.write,
// like recording.

// ApprovalInput is the approval of a pre-use assessment.
type ApprovalInput struct {
	// AcceptReason says why unresolved high findings are accepted; required when there
	// are any.
	AcceptReason string `json:"accept_reason"`
}

// Approved says someone approved the assessment and nobody withdrew the approval.
func (a Assessment) Approved() bool { return a.ApprovedAt != nil && !a.Withdrawn() }

// Clears says the assessment clears its product for use: passed and approved.
func (a Assessment) Clears() bool { return a.Result == AssessPassed && a.Approved() }

// AwaitsApproval says the assessment passed and nobody approved it yet (a withdrawn
// approval is final: approvalwithdraw.go).
func (a Assessment) AwaitsApproval() bool { return a.Result == AssessPassed && a.ApprovedAt == nil }

// checkApproval says whether by may approve a with in: a conflict for a failed or already
// approved assessment, a refusal of approved_by for the assessor, of accept_reason for high
// findings without a reason.
func checkApproval(a Assessment, by audit.Actor, in ApprovalInput) error {
	switch {
	case a.Withdrawn():
		return problem.Conflictf("withdrawn_at", "is set: %s withdrew this assessment's approval; record a new assessment", a.WithdrawnBy)
	case a.Approved():
		return problem.Conflictf("approved_at", "is already set: %s approved this assessment", a.ApprovedBy)
	case a.Result != AssessPassed:
		return problem.Conflictf("result", "is failed: a failed assessment cannot clear the product; record a new one once fixed")
	}
	v := &problem.Invalid{}
	if (a.AssessorID != 0 && a.AssessorID == by.UserID) || (a.AssessorID == 0 && a.CreatedBy == by.Label) {
		v.Add("approved_by", "is the assessor: someone else with the right to keep the supplier register approves (four eyes)")
	}
	if reason := strings.TrimSpace(in.AcceptReason); a.HighFindings > 0 && reason == "" {
		v.Add("accept_reason", "is required: the assessment has %d unresolved high findings; accept them with a reason, or record a new assessment once fixed", a.HighFindings)
	} else {
		v.Text("accept_reason", reason, false, maxText)
	}
	return v.Err()
}

// ApproveAssessment approves one of the organisation's pre-use assessments as the context's
// user; another organisation's is store.ErrNotFound.
func (s *Service) ApproveAssessment(ctx context.Context, id int64, in ApprovalInput) (Assessment, error) {
	return s.decideAssessment(ctx, id, audit.Update, func(a *Assessment, by audit.Actor, at time.Time) (string, error) {
		if err := checkApproval(*a, by, in); err != nil {
			return "", err
		}
		a.ApprovedBy, a.ApprovedAt, a.AcceptedReason = by.Label, &at, strings.TrimSpace(in.AcceptReason)
		return "approved", nil
	})
}

// decideAssessment records a decision on one of the organisation's pre-use assessments as
// the context's user: decide refuses it, or fills it in on the assessment and returns the
// audit entry's note; the decision columns are stored, the product's facts announced and
// the change audited as action. Another organisation's is store.ErrNotFound.
func (s *Service) decideAssessment(ctx context.Context, id int64, action string, decide func(a *Assessment, by audit.Actor, at time.Time) (string, error)) (Assessment, error) {
	by := audit.ActorFrom(ctx)
	var after Assessment
	err := s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		before, err := getAssessment(t, id)
		if err != nil {
			return err
		}
		after = before
		note, err := decide(&after, by, s.now())
		if err != nil {
			return err
		}
		if _, err := t.Exec(`UPDATE supplier_assessments SET approved_by = $2, approved_at = $3, accepted_reason = $4, withdrawn_by = $5, withdrawn_at = $6, withdrawn_reason = $7 WHERE org_id = $1 AND id = $8`,
			after.ApprovedBy, after.ApprovedAt, after.AcceptedReason, after.WithdrawnBy, after.WithdrawnAt, after.WithdrawnReason, id); err != nil {
			return fmt.Errorf("record the decision on assessment %d: %w", id, err)
		}
		s.announce(t) // whether the product counts as cleared for use may change
		return audit.InTenant(t, "supplier_assessment", strconv.FormatInt(id, 10), action, before, after, note)
	})
	return after, err
}

const assessmentCols = `id, product_id, assessed_on, result, findings, evidence_sha256, high_findings, created_by_user, created_by, created_at, approved_by, approved_at, accepted_reason, withdrawn_by, withdrawn_at, withdrawn_reason`

func scanAssessment(sc interface{ Scan(...any) error }) (Assessment, error) {
	var (
		a       Assessment
		at, wat sql.NullTime
	)
	if err := sc.Scan(&a.ID, &a.ProductID, &a.AssessedOn, &a.Result, &a.Findings, &a.Evidence, &a.HighFindings, &a.AssessorID, &a.CreatedBy, &a.CreatedAt,
		&a.ApprovedBy, &at, &a.AcceptedReason, &a.WithdrawnBy, &wat, &a.WithdrawnReason); err != nil {
		return a, err
	}
	a.AssessedOn = chinaDay(a.AssessedOn)
	if at.Valid {
		x := at.Time.UTC()
		a.ApprovedAt = &x
	}
	if wat.Valid {
		x := wat.Time.UTC()
		a.WithdrawnAt = &x
	}
	return a, nil
}

func getAssessment(t *store.Tenant, id int64) (Assessment, error) {
	return scanAssessment(t.QueryRow(`SELECT `+assessmentCols+` FROM supplier_assessments WHERE org_id = $1 AND id = $2`, id))
}

// GetAssessment returns one of the organisation's pre-use assessments; another's is
// store.ErrNotFound.
func (s *Service) GetAssessment(ctx context.Context, id int64) (Assessment, error) {
	var a Assessment
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		var err error
		a, err = getAssessment(t, id)
		return err
	})
	return a, err
}

// apiAssessmentAction is an API handler that runs do (approve, withdraw an approval) on the
// assessment of the URL with the JSON body: an unknown assessment is 404 before the body is
// judged.
func apiAssessmentAction[In any](m *Module, do func(context.Context, int64, In) (Assessment, error)) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := web.IDParam(r, "id")
		if err != nil {
			return err
		}
		var in In
		if err := web.DecodeJSON(r, &in); err != nil {
			return err
		}
		if _, err := m.GetAssessment(r.Context(), id); err != nil {
			return err
		}
		out, err := do(r.Context(), id, in)
		if err != nil {
			return err
		}
		return web.JSON(w, http.StatusOK, out)
	}
}

// productAssessment reads the supplier, the product and the id of one of the product's
// assessments from a page's URL; an assessment of another product is not found.
func (m *Module) productAssessment(r *http.Request) (Supplier, Product, int64, error) {
	x, p, err := m.supplierProduct(r)
	if err != nil {
		return x, p, 0, err
	}
	aid, err := web.IDParam(r, "aid")
	if err != nil {
		return x, p, 0, err
	}
	a, err := m.GetAssessment(r.Context(), aid)
	if err == nil && a.ProductID != p.ID {
		err = store.ErrNotFound
	}
	return x, p, aid, err
}

// approvePage approves an assessment from its product's page; on a refusal the page comes
// back with that row's form marked.
func (m *Module) approvePage(w http.ResponseWriter, r *http.Request) error {
	in := ApprovalInput{AcceptReason: r.PostFormValue("accept_reason")}
	return m.assessmentFormPage(w, r, "approve", func(ctx context.Context, aid int64) error {
		_, err := m.ApproveAssessment(ctx, aid, in)
		return err
	}, func(d *productData, aid int64) { d.ApproveOf, d.ApproveIn = aid, in }, "suppliers.approved")
}

// assessmentFormPage runs do on the product's assessment named by the URL, sent from one of
// its row's forms (form, which names the refusals): a refusal comes back as the product's
// page with that form marked and what was typed kept (keep), a success goes to the
// product's assessments with the message done.
func (m *Module) assessmentFormPage(w http.ResponseWriter, r *http.Request, form string, do func(context.Context, int64) error, keep func(*productData, int64), done string) error {
	x, p, aid, err := m.productAssessment(r)
	if err != nil {
		return err
	}
	if err := do(r.Context(), aid); err != nil {
		v := m.d.Web.NewView(r, "suppliers.product", "/suppliers")
		if err := web.FieldErrorsIn(form, err, v, r.PostForm); err != nil {
			return err
		}
		return m.renderProduct(w, r, v, x, p, certInput(p), nil, func(d *productData) { keep(d, aid) })
	}
	return web.Redirect(w, r, fmt.Sprintf("/suppliers/%d/products/%d#assessments", x.ID, p.ID), m.t(r, done))
}
