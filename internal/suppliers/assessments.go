package suppliers

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

// Assessment results.
const (
	AssessPassed = "passed"
	AssessFailed = "failed"
)

// Assessment is a security assessment of software built by an outside party, or of a donated
// product, before it goes into use (CIIR draft 2017 Art. 32: a recommended duty, the draft
// never came into force).
type Assessment struct {
	ID         int64     `json:"id"`
	ProductID  int64     `json:"product_id"`
	AssessedOn time.Time `json:"assessed_on"`
	Result     string    `json:"result"` // passed or failed
	Findings   string    `json:"findings"`
	Evidence   string    `json:"evidence_sha256,omitempty"`
	// HighFindings counts the findings of high severity not resolved when it was recorded:
	// the approval accepts them only with a reason.
	HighFindings int       `json:"high_findings"`
	CreatedBy    string    `json:"created_by"`
	CreatedAt    time.Time `json:"created_at"`
	// AssessorID is the user who recorded it (0 for assessments recorded before it was
	// kept, judged by CreatedBy), who may not approve it.
	AssessorID int64 `json:"-"`
	// ApprovedBy and ApprovedAt say who approved it and when (none while it awaits
	// approval); AcceptedReason why its high findings were accepted.
	ApprovedBy     string     `json:"approved_by,omitempty"`
	ApprovedAt     *time.Time `json:"approved_at,omitempty"`
	AcceptedReason string     `json:"accepted_reason,omitempty"`
	// WithdrawnBy, WithdrawnAt and WithdrawnReason say who withdrew the approval, when and
	// why (approvalwithdraw.go); the product is then not cleared by it.
	WithdrawnBy     string     `json:"withdrawn_by,omitempty"`
	WithdrawnAt     *time.Time `json:"withdrawn_at,omitempty"`
	WithdrawnReason string     `json:"withdrawn_reason,omitempty"`
}

// AssessmentInput is an assessment as a person records it.
type AssessmentInput struct {
	AssessedOn string `json:"assessed_on"`
	Result     string `json:"result"`
	Findings   string `json:"findings"`
	Evidence   string `json:"evidence_sha256"`
	// HighFindings counts the high-severity findings not resolved (0 when none).
	HighFindings int `json:"high_findings"`
}

// maxHighFindings bounds the count of unresolved high findings: more is a typo.
const maxHighFindings = 1000

// NeedsPreUse says the product is assessed before use: outsourced development, or donated.
func (p Product) NeedsPreUse() bool { return TypeOf(p.Type).PreUse || p.Donated }

// AddAssessment records a pre-use assessment of one of the organisation's products.
func (s *Service) AddAssessment(ctx context.Context, productID int64, in AssessmentInput) (Assessment, error) {
	v := &problem.Invalid{}
	a := Assessment{ProductID: productID, Result: strings.TrimSpace(in.Result), Findings: strings.TrimSpace(in.Findings)}
	on := dateField(v, "assessed_on", in.AssessedOn, true)
	s.notFuture(v, "assessed_on", on)
	if a.Result != AssessPassed && a.Result != AssessFailed {
		v.Add("result", "is not a result (passed, failed)")
	}
	a.HighFindings = in.HighFindings
	if in.HighFindings < 0 || in.HighFindings > maxHighFindings {
		v.Add("high_findings", "must be between 0 and %d", maxHighFindings)
	}
	v.Text("findings", a.Findings, a.Result == AssessFailed || in.HighFindings > 0, maxText)
	a.Evidence = s.citeEvidence(ctx, v, "evidence_sha256", in.Evidence)
	if err := v.Err(); err != nil {
		return Assessment{}, err
	}
	a.AssessedOn = *on
	actor := audit.ActorFrom(ctx)
	a.CreatedBy, a.AssessorID, a.CreatedAt = actor.Label, actor.UserID, s.now()
	err := s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		if _, err := getProduct(t, productID); err != nil {
			return err
		}
		if err := t.QueryRow(`INSERT INTO supplier_assessments (org_id, product_id, assessed_on, result, findings, evidence_sha256, high_findings, created_by_user, created_by, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`, productID, a.AssessedOn.UTC(), a.Result, a.Findings, a.Evidence, a.HighFindings, a.AssessorID, a.CreatedBy, a.CreatedAt).Scan(&a.ID); err != nil {
			return fmt.Errorf("record assessment: %w", err)
		}
		s.announce(t)
		return audit.InTenant(t, "supplier_assessment", strconv.FormatInt(a.ID, 10), audit.Create, nil, a, a.Result)
	})
	return a, err
}

// assessmentsOf reads the organisation's pre-use assessments, newest first; productID > 0
// keeps one product's.
func assessmentsOf(t *store.Tenant, productID int64) ([]Assessment, error) {
	rows, err := t.Query(`SELECT `+assessmentCols+` FROM supplier_assessments
WHERE org_id = $1 AND ($2 = 0 OR product_id = $2) ORDER BY assessed_on DESC, id DESC`, productID)
	if err != nil {
		return nil, fmt.Errorf("read assessments: %w", err)
	}
	defer rows.Close()
	var out []Assessment
	for rows.Next() {
		a, err := scanAssessment(rows)
		if err != nil {
			return nil, fmt.Errorf("read assessment: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}
