package suppliers

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"ciiguard/internal/audit"
	"ciiguard/internal/problem"
	"ciiguard/internal/store"
)

// Duty is a duty a security and confidentiality agreement puts on the supplier.
type Duty struct{ Code, Zh, En string }

// Duties are what an agreement may bind the supplier to: CIIR 2021 Art. 20 names technical
// support and the security and confidentiality duties and liabilities; the incident
// reporting duty is the IRM 2025 operators' binding of their vendors to report incidents to
// them (a secondary source, REGULATORY-BRIEF "Incidents").
var Duties = []Duty{
	{"confidentiality", "保密义务", "confidentiality"},
	{"security", "安全保护义务与责任", "security duties and liability"},
	{"technical_support", "技术支持", "technical support"},
	{"incident_reporting", "发生网络安全事件及时向运营者报告", "report cybersecurity incidents to the operator promptly"},
	{"vulnerability_notice", "发现漏洞及时告知并补救", "tell the operator of vulnerabilities and fix them"},
}

// DutyOf returns the duty of code; its Code is "" when there is none.
func DutyOf(code string) Duty {
	for _, d := range Duties {
		if d.Code == code {
			return d
		}
	}
	return Duty{}
}

// Agreement is a security and confidentiality agreement with a supplier (CIIR 2021 Art. 20,
// CSL 2016 Art. 36 / 2025 Art. 38).
type Agreement struct {
	ID         int64      `json:"id"`
	SupplierID int64      `json:"supplier_id"`
	Title      string     `json:"title"`
	SignedOn   time.Time  `json:"signed_on"`
	ExpiresOn  *time.Time `json:"expires_on,omitempty"`
	Duties     []string   `json:"duties"`
	Evidence   string     `json:"evidence_sha256,omitempty"`
	CreatedBy  string     `json:"created_by"`
	CreatedAt  time.Time  `json:"created_at"`
}

// InForce says the agreement binds on the China-time day of at.
func (a Agreement) InForce(at time.Time) bool {
	d := chinaDay(at)
	return !a.SignedOn.After(d) && (a.ExpiresOn == nil || !a.ExpiresOn.Before(d))
}

// Has says the agreement includes the duty.
func (a Agreement) Has(code string) bool {
	for _, c := range a.Duties {
		if c == code {
			return true
		}
	}
	return false
}

// AgreementInput is an agreement as a person records it; dates are YYYY-MM-DD.
type AgreementInput struct {
	Title     string   `json:"title"`
	SignedOn  string   `json:"signed_on"`
	ExpiresOn string   `json:"expires_on"`
	Duties    []string `json:"duties"`
	Evidence  string   `json:"evidence_sha256"`
}

var sha256Hex = regexp.MustCompile(`^[0-9a-f]{64}$`)

// citeEvidence checks an optional evidence hash: 64 hexadecimal digits of a file the
// organisation holds.
func (s *Service) citeEvidence(ctx context.Context, v *problem.Invalid, field, sha string) string {
	sha = strings.ToLower(strings.TrimSpace(sha))
	if sha == "" {
		return ""
	}
	if !sha256Hex.MatchString(sha) {
		v.Add(field, "is not a SHA-256 (64 hexadecimal digits)")
		return sha
	}
	if err := s.ev.Cite(ctx, sha); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			v.Add(field, "is not an evidence file of this organisation: upload it first")
		} else {
			v.Add(field, "cannot be checked: %v", err)
		}
	}
	return sha
}

// dateField parses a required or optional date field.
func dateField(v *problem.Invalid, field, s string, required bool) *time.Time {
	if strings.TrimSpace(s) == "" {
		if required {
			v.Add(field, "is required (YYYY-MM-DD)")
		}
		return nil
	}
	d, ok := parseDate(s)
	if !ok {
		v.Add(field, "is not a date (YYYY-MM-DD)")
		return nil
	}
	return &d
}

// notFuture refuses a date after today (China time).
func (s *Service) notFuture(v *problem.Invalid, field string, d *time.Time) {
	if d != nil && d.After(chinaDay(s.Now())) {
		v.Add(field, "is in the future")
	}
}

// AddAgreement records an agreement with one of the organisation's suppliers.
func (s *Service) AddAgreement(ctx context.Context, supplierID int64, in AgreementInput) (Agreement, error) {
	v := &problem.Invalid{}
	a := Agreement{SupplierID: supplierID, Title: strings.TrimSpace(in.Title), Duties: []string{}}
	v.Text("title", a.Title, true, maxName)
	signed := dateField(v, "signed_on", in.SignedOn, true)
	s.notFuture(v, "signed_on", signed)
	a.ExpiresOn = dateField(v, "expires_on", in.ExpiresOn, false)
	if signed != nil {
		a.SignedOn = *signed
		if a.ExpiresOn != nil && a.ExpiresOn.Before(*signed) {
			v.Add("expires_on", "is before the signing")
		}
	}
	seen := map[string]bool{}
	for i, d := range in.Duties {
		if DutyOf(d).Code == "" {
			v.Add("duties["+strconv.Itoa(i)+"]", "is not a duty (%s)", dutyCodes())
		} else if !seen[d] {
			seen[d] = true
			a.Duties = append(a.Duties, d)
		}
	}
	if len(in.Duties) == 0 {
		v.Add("duties", "name at least one duty the agreement puts on the supplier")
	}
	a.Evidence = s.citeEvidence(ctx, v, "evidence_sha256", in.Evidence)
	if err := v.Err(); err != nil {
		return Agreement{}, err
	}
	a.CreatedBy, a.CreatedAt = audit.ActorFrom(ctx).Label, s.now()
	err := s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		if _, err := getSupplier(t, supplierID); err != nil {
			return err
		}
		if err := t.QueryRow(`INSERT INTO supplier_agreements (org_id, supplier_id, title, signed_on, expires_on, duties, evidence_sha256, created_by, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`, supplierID, a.Title, a.SignedOn.UTC(), utcOrNil(a.ExpiresOn), mustJSON(a.Duties), a.Evidence, a.CreatedBy, a.CreatedAt).Scan(&a.ID); err != nil {
			return fmt.Errorf("record agreement: %w", err)
		}
		s.announce(t)
		return audit.InTenant(t, "supplier_agreement", strconv.FormatInt(a.ID, 10), audit.Create, nil, a, a.Title)
	})
	return a, err
}

func dutyCodes() string {
	c := make([]string, len(Duties))
	for i, d := range Duties {
		c[i] = d.Code
	}
	return strings.Join(c, ", ")
}

func utcOrNil(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UTC()
}

func localOrNil(n sql.NullTime) *time.Time {
	if !n.Valid {
		return nil
	}
	t := chinaDay(n.Time)
	return &t
}

// agreementsOf reads the organisation's agreements; supplierID > 0 keeps one supplier's.
func agreementsOf(t *store.Tenant, supplierID int64) ([]Agreement, error) {
	rows, err := t.Query(`SELECT id, supplier_id, title, signed_on, expires_on, duties, evidence_sha256, created_by, created_at FROM supplier_agreements
WHERE org_id = $1 AND ($2 = 0 OR supplier_id = $2) ORDER BY signed_on DESC, id DESC`, supplierID)
	if err != nil {
		return nil, fmt.Errorf("read agreements: %w", err)
	}
	defer rows.Close()
	var out []Agreement
	for rows.Next() {
		var (
			a      Agreement
			exp    sql.NullTime
			signed time.Time
			duties string
		)
		if err := rows.Scan(&a.ID, &a.SupplierID, &a.Title, &signed, &exp, &duties, &a.Evidence, &a.CreatedBy, &a.CreatedAt); err != nil {
			return nil, fmt.Errorf("read agreement: %w", err)
		}
		a.SignedOn, a.ExpiresOn = chinaDay(signed), localOrNil(exp)
		if err := json.Unmarshal([]byte(duties), &a.Duties); err != nil {
			return nil, fmt.Errorf("agreement %d duties: %w", a.ID, err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// Review results.
const (
	ReviewSatisfactory = "satisfactory"
	ReviewIssues       = "issues"
)

// PerformanceReview is the operator's check that a supplier honours its agreement (CIIR
// 2021 Art. 20: "对义务与责任履行情况进行监督").
type PerformanceReview struct {
	ID         int64     `json:"id"`
	SupplierID int64     `json:"supplier_id"`
	ReviewedOn time.Time `json:"reviewed_on"`
	Result     string    `json:"result"` // satisfactory or issues
	Notes      string    `json:"notes"`
	Evidence   string    `json:"evidence_sha256,omitempty"`
	CreatedBy  string    `json:"created_by"`
	CreatedAt  time.Time `json:"created_at"`
}

// ReviewInput is a performance review as a person records it.
type ReviewInput struct {
	ReviewedOn string `json:"reviewed_on"`
	Result     string `json:"result"`
	Notes      string `json:"notes"`
	Evidence   string `json:"evidence_sha256"`
}

// AddReview records a performance review of one of the organisation's suppliers.
func (s *Service) AddReview(ctx context.Context, supplierID int64, in ReviewInput) (PerformanceReview, error) {
	v := &problem.Invalid{}
	p := PerformanceReview{SupplierID: supplierID, Result: strings.TrimSpace(in.Result), Notes: strings.TrimSpace(in.Notes)}
	on := dateField(v, "reviewed_on", in.ReviewedOn, true)
	s.notFuture(v, "reviewed_on", on)
	if p.Result != ReviewSatisfactory && p.Result != ReviewIssues {
		v.Add("result", "is not a result (satisfactory, issues)")
	}
	v.Text("notes", p.Notes, p.Result == ReviewIssues, maxText)
	p.Evidence = s.citeEvidence(ctx, v, "evidence_sha256", in.Evidence)
	if err := v.Err(); err != nil {
		return PerformanceReview{}, err
	}
	p.ReviewedOn = *on
	p.CreatedBy, p.CreatedAt = audit.ActorFrom(ctx).Label, s.now()
	err := s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		if _, err := getSupplier(t, supplierID); err != nil {
			return err
		}
		if err := t.QueryRow(`INSERT INTO supplier_reviews (org_id, supplier_id, reviewed_on, result, notes, evidence_sha256, created_by, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`, supplierID, p.ReviewedOn.UTC(), p.Result, p.Notes, p.Evidence, p.CreatedBy, p.CreatedAt).Scan(&p.ID); err != nil {
			return fmt.Errorf("record review: %w", err)
		}
		s.announce(t)
		return audit.InTenant(t, "supplier_review", strconv.FormatInt(p.ID, 10), audit.Create, nil, p, p.Result)
	})
	return p, err
}

// reviewsOf reads the organisation's performance reviews, newest first.
func reviewsOf(t *store.Tenant, supplierID int64) ([]PerformanceReview, error) {
	rows, err := t.Query(`SELECT id, supplier_id, reviewed_on, result, notes, evidence_sha256, created_by, created_at FROM supplier_reviews
WHERE org_id = $1 AND ($2 = 0 OR supplier_id = $2) ORDER BY reviewed_on DESC, id DESC`, supplierID)
	if err != nil {
		return nil, fmt.Errorf("read reviews: %w", err)
	}
	defer rows.Close()
	var out []PerformanceReview
	for rows.Next() {
		var p PerformanceReview
		if err := rows.Scan(&p.ID, &p.SupplierID, &p.ReviewedOn, &p.Result, &p.Notes, &p.Evidence, &p.CreatedBy, &p.CreatedAt); err != nil {
			return nil, fmt.Errorf("read review: %w", err)
		}
		p.ReviewedOn = chinaDay(p.ReviewedOn)
		out = append(out, p)
	}
	return out, rows.Err()
}
