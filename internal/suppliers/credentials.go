package suppliers

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"ciiguard/internal/audit"
	"ciiguard/internal/auth"
	"ciiguard/internal/calendar"
	"ciiguard/internal/problem"
	"ciiguard/internal/store"
)

// A supplier organisation keeps, for its own products, the certificates they hold (CSL 2016
// Art. 23 / 2025 Art. 25: critical network equipment and dedicated security products are
// provided only once certified or tested) and the outcomes of the cybersecurity reviews it
// went through (CSR 2022), and shares them with the operators it supplies
// (credshares.go). The records are the supplier's: an operator reads a shared one as the
// supplier keeps it now, never writes it.

// Credential kinds.
const (
	CredCertificate = "certificate" // 安全认证或检测证书
	CredReview      = "review"      // 网络安全审查结论
)

// Review outcomes a supplier may hold (CSR 2022 Arts. 12–14: the review office's decision).
const (
	OutcomeCleared    = "cleared"
	OutcomeNotCleared = "not_cleared"
)

// CredentialKinds and ReviewOutcomes are what the forms offer, in order.
var (
	CredentialKinds = []string{CredCertificate, CredReview}
	ReviewOutcomes  = []string{OutcomeCleared, OutcomeNotCleared}
)

// Credential is a certificate or a review outcome a supplier organisation holds for one of
// its products.
type Credential struct {
	ID      int64  `json:"id"`
	Kind    string `json:"kind"`    // certificate or review
	Product string `json:"product"` // the supplier's product as it names it
	Version string `json:"version"` // model or version, "" for every one
	// Number is the certificate's number, or the review decision's reference.
	Number string `json:"number"`
	// Body is the certifying or testing body, or the office that decided the review.
	Body  string `json:"body"`
	Scope string `json:"scope"` // what the certificate covers, or what the review decided on
	// Outcome is the review's: cleared or not_cleared; "" for a certificate.
	Outcome string `json:"outcome,omitempty"`
	// Dated is the day the certificate was issued or the review decided, midnight China time.
	Dated time.Time `json:"dated"`
	// Expires is a certificate's last valid day; nil for a review outcome.
	Expires   *time.Time `json:"expires,omitempty"`
	CreatedBy string     `json:"created_by"`
	CreatedAt time.Time  `json:"created_at"`
	UpdatedAt time.Time  `json:"updated_at"`
}

// ValidOn says a certificate is valid on the China-time day of at (through its last day);
// a review outcome is never "valid" in that sense (its outcome says what it says).
func (c Credential) ValidOn(at time.Time) bool {
	return c.Kind == CredCertificate && c.Expires != nil && !chinaDay(at).After(*c.Expires)
}

// CredentialInput is a credential as a supplier's user records it; days are YYYY-MM-DD.
type CredentialInput struct {
	Kind    string `json:"kind"`
	Product string `json:"product"`
	Version string `json:"version"`
	Number  string `json:"number"`
	Body    string `json:"body"`
	Scope   string `json:"scope"`
	Outcome string `json:"outcome"`
	Dated   string `json:"dated"`
	Expires string `json:"expires"`
}

// validCredential checks in at now and returns the credential it describes. Refusals name
// the field: a certificate needs its last valid day and no outcome, a review outcome its
// outcome and no last valid day; the day issued or decided is not in the future.
func validCredential(in CredentialInput, now time.Time) (Credential, error) {
	c := Credential{Kind: strings.TrimSpace(in.Kind), Product: strings.TrimSpace(in.Product), Version: strings.TrimSpace(in.Version),
		Number: strings.TrimSpace(in.Number), Body: strings.TrimSpace(in.Body), Scope: strings.TrimSpace(in.Scope), Outcome: strings.TrimSpace(in.Outcome)}
	v := &problem.Invalid{}
	if c.Kind != CredCertificate && c.Kind != CredReview {
		v.Add("kind", "must be certificate or review")
	}
	v.Text("product", c.Product, true, maxName)
	v.Text("version", c.Version, false, maxShort)
	v.Text("number", c.Number, true, maxShort)
	v.Text("body", c.Body, true, maxName)
	v.Text("scope", c.Scope, false, maxText)
	if d, ok := parseDate(in.Dated); !ok {
		v.Add("dated", "is not a date (YYYY-MM-DD)")
	} else if d.After(chinaDay(now)) {
		v.Add("dated", "is in the future")
	} else {
		c.Dated = d
	}
	exp := strings.TrimSpace(in.Expires)
	switch c.Kind {
	case CredCertificate:
		if c.Outcome != "" {
			v.Add("outcome", "is for a review outcome, not a certificate")
		}
		if d, ok := parseDate(exp); !ok {
			v.Add("expires", "is not a date (YYYY-MM-DD)")
		} else if !c.Dated.IsZero() && d.Before(c.Dated) {
			v.Add("expires", "is before the day the certificate was issued")
		} else {
			c.Expires = &d
		}
	case CredReview:
		if c.Outcome != OutcomeCleared && c.Outcome != OutcomeNotCleared {
			v.Add("outcome", "must be cleared or not_cleared")
		}
		if exp != "" {
			v.Add("expires", "is for a certificate, not a review outcome")
		}
	}
	if err := v.Err(); err != nil {
		return Credential{}, err
	}
	return c, nil
}

const credCols = `id, kind, product, version, number, body, scope, outcome, dated, expires, created_by, created_at, updated_at`

func scanCredential(sc interface{ Scan(...any) error }) (Credential, error) {
	var (
		c   Credential
		exp sql.NullTime
	)
	if err := sc.Scan(&c.ID, &c.Kind, &c.Product, &c.Version, &c.Number, &c.Body, &c.Scope, &c.Outcome, &c.Dated, &exp, &c.CreatedBy, &c.CreatedAt, &c.UpdatedAt); err != nil {
		return c, err
	}
	// Days are midnight in China, and read back so, to be shown as the day they are.
	c.Dated = c.Dated.In(calendar.Shanghai)
	if exp.Valid {
		e := exp.Time.In(calendar.Shanghai)
		c.Expires = &e
	}
	c.CreatedAt, c.UpdatedAt = c.CreatedAt.UTC(), c.UpdatedAt.UTC()
	return c, nil
}

// credentialsIn reads t's organisation's credentials, newest first, or the one id (0: all);
// one id not found is store.ErrNotFound.
func credentialsIn(t *store.Tenant, id int64) ([]Credential, error) {
	rows, err := t.Query(`SELECT `+credCols+` FROM supplier_credentials WHERE org_id = $1 AND ($2 = 0 OR id = $2) ORDER BY id DESC`, id)
	if err != nil {
		return nil, fmt.Errorf("read credentials: %w", err)
	}
	defer rows.Close()
	out := []Credential{}
	for rows.Next() {
		c, err := scanCredential(rows)
		if err != nil {
			return nil, fmt.Errorf("read a credential: %w", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read credentials: %w", err)
	}
	if id != 0 && len(out) == 0 {
		return nil, store.ErrNotFound
	}
	return out, nil
}

// Credentials lists the context supplier organisation's credentials, newest first.
func (s *Service) Credentials(ctx context.Context) ([]Credential, error) {
	var out []Credential
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		var err error
		out, err = credentialsIn(t, 0)
		return err
	})
	return out, err
}

// GetCredential is one of the context organisation's credentials; another's is
// store.ErrNotFound.
func (s *Service) GetCredential(ctx context.Context, id int64) (Credential, error) {
	var out []Credential
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		var err error
		out, err = credentialsIn(t, id)
		return err
	})
	if err != nil {
		return Credential{}, err
	}
	return out[0], nil
}

// isSupplierOrg says the context organisation is a supplier organisation: only those keep
// and share credentials (an operator's certificates of the products it uses are on its
// product records).
func (s *Service) isSupplierOrg(ctx context.Context) (bool, error) {
	org, ok := store.OrgFrom(ctx)
	if !ok {
		return false, store.ErrNoTenant
	}
	if s.orgs == nil {
		return false, nil
	}
	o, err := s.orgs.GetOrg(ctx, org)
	if err != nil {
		return false, fmt.Errorf("read the organisation: %w", err)
	}
	return o.Kind == auth.Supplier, nil
}

// CreateCredential records a certificate or review outcome of the context supplier
// organisation's product.
func (s *Service) CreateCredential(ctx context.Context, in CredentialInput) (Credential, error) {
	c, err := validCredential(in, s.Now())
	if err != nil {
		return Credential{}, err
	}
	ok, err := s.isSupplierOrg(ctx)
	if err != nil {
		return Credential{}, err
	}
	if !ok {
		return Credential{}, problem.Conflictf("kind", "only a supplier organisation keeps credentials to share; record a product's certificate on the product")
	}
	now := s.now()
	c.CreatedBy, c.CreatedAt, c.UpdatedAt = audit.ActorFrom(ctx).Label, now, now
	err = s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		var exp any
		if c.Expires != nil {
			exp = c.Expires.UTC()
		}
		if err := t.QueryRow(`INSERT INTO supplier_credentials (org_id, kind, product, version, number, body, scope, outcome, dated, expires, created_by, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id`,
			c.Kind, c.Product, c.Version, c.Number, c.Body, c.Scope, c.Outcome, c.Dated.UTC(), exp, c.CreatedBy, now, now).Scan(&c.ID); err != nil {
			return fmt.Errorf("record the credential: %w", err)
		}
		return audit.InTenant(t, "supplier_credential", strconv.FormatInt(c.ID, 10), audit.Create, nil, c, c.Kind+" "+c.Number+" for "+c.Product)
	})
	if err != nil {
		return Credential{}, err
	}
	return c, nil
}
