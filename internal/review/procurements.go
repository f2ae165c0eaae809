package review

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"ciiguard/internal/audit"
	"ciiguard/internal/problem"
	"ciiguard/internal/rules"
	"ciiguard/internal/store"
)

// ProcurementInput is a procurement as a person records it (form or API).
type ProcurementInput struct {
	Title       string     `json:"title"`
	ProductID   int64      `json:"product_id"`   // a registered product; or, when 0, the three fields below
	Product     string     `json:"product"`      // free text: name and version
	ProductType string     `json:"product_type"` // free text: one of ProductTypes
	Supplier    string     `json:"supplier"`
	Country     string     `json:"country"`
	Systems     []int64    `json:"systems"`
	AmountRMB   int64      `json:"amount_rmb"`
	Assessment  Assessment `json:"assessment"`
}

// Limits of free text and amounts.
const (
	maxTitle = 200
	maxShort = 200
	maxText  = 20000
	// MaxAmount is the largest purchase amount accepted (RMB 100 billion): ten times it
	// still fits the exposure arithmetic with room to spare.
	MaxAmount = 100_000_000_000
)

var countryRE = regexp.MustCompile(`^[A-Z]{2}$`)

const procurementCols = `id, title, product_id, product, product_type, supplier, country, systems, amount_rmb, assessment, required, case_id, status, approved_by, approved_at, imported, created_by, created_at`

func scanProcurement(sc interface{ Scan(...any) error }) (Procurement, error) {
	var (
		p                   Procurement
		systems, assessment string
		approved            sql.NullTime
	)
	if err := sc.Scan(&p.ID, &p.Title, &p.ProductID, &p.Product, &p.ProductType, &p.Supplier, &p.Country, &systems, &p.AmountRMB, &assessment,
		&p.Required, &p.CaseID, &p.Status, &p.ApprovedBy, &approved, &p.Imported, &p.CreatedBy, &p.CreatedAt); err != nil {
		return p, err
	}
	if approved.Valid {
		t := approved.Time
		p.ApprovedAt = &t
	}
	if err := json.Unmarshal([]byte(systems), &p.Systems); err != nil {
		return p, fmt.Errorf("procurement %d systems: %w", p.ID, err)
	}
	if err := json.Unmarshal([]byte(assessment), &p.Assessment); err != nil {
		return p, fmt.Errorf("procurement %d assessment: %w", p.ID, err)
	}
	return p, nil
}

// prepare validates a procurement input and builds the record, without writing anything.
func (s *Service) prepare(ctx context.Context, in ProcurementInput) (Procurement, error) {
	_, systems, err := s.inv.Facts(ctx)
	if err != nil {
		return Procurement{}, fmt.Errorf("read the inventory: %w", err)
	}
	v := &problem.Invalid{}
	p := Procurement{Title: strings.TrimSpace(in.Title), AmountRMB: in.AmountRMB, Status: StatusPending}
	v.Text("title", p.Title, true, maxTitle)
	if in.ProductID != 0 {
		if s.products == nil {
			v.Add("product_id", "no product register is installed: name the product instead")
		} else if ref, err := s.products.Product(ctx, in.ProductID); errors.Is(err, store.ErrNotFound) {
			v.Add("product_id", "is not a product of this organisation")
		} else if err != nil {
			return Procurement{}, fmt.Errorf("read product %d: %w", in.ProductID, err)
		} else {
			p.ProductID, p.Product, p.ProductType, p.Supplier, p.Country = ref.ID, strings.TrimSpace(ref.Name+" "+ref.Version), ref.Type, ref.SupplierName, ref.Country
			if !slices.Contains(ProductTypes, p.ProductType) {
				p.ProductType = "other"
			}
		}
	} else {
		p.Product, p.ProductType = strings.TrimSpace(in.Product), in.ProductType
		p.Supplier, p.Country = strings.TrimSpace(in.Supplier), strings.ToUpper(strings.TrimSpace(in.Country))
		v.Text("product", p.Product, true, maxShort)
		v.Text("supplier", p.Supplier, true, maxShort)
		if !slices.Contains(ProductTypes, p.ProductType) {
			v.Add("product_type", "is not a product type (%s)", strings.Join(ProductTypes, ", "))
		}
		if p.Country != "" && !countryRE.MatchString(p.Country) {
			v.Add("country", "is not an ISO 3166-1 country code (two letters, e.g. CN)")
		}
	}
	switch {
	case in.AmountRMB <= 0:
		v.Add("amount_rmb", "must be a positive amount of yuan")
	case in.AmountRMB > MaxAmount:
		v.Add("amount_rmb", "is more than RMB 100 billion")
	}
	byID := map[int64]rules.System{}
	for _, sys := range systems {
		byID[sys.ID] = sys
	}
	seen := map[int64]bool{}
	for i, id := range in.Systems {
		sys, ok := byID[id]
		if !ok {
			v.Add("systems["+strconv.Itoa(i)+"]", "is not a system of this organisation's inventory")
			continue
		}
		if !seen[id] {
			seen[id] = true
			p.Systems = append(p.Systems, SystemRef{ID: id, Name: sys.Name, CII: sys.CIIStatus == "identified", MLPSLevel: sys.MLPSLevel})
		}
	}
	if len(in.Systems) == 0 {
		v.Add("systems", "name at least one system the purchase is for")
	}
	a := in.Assessment
	if a.SupplierNotCleared, a.SupplierReview, err = s.presumed(ctx, p.ProductID); err != nil {
		return Procurement{}, err
	}
	a.Notes = strings.TrimSpace(a.Notes)
	a.Evidence = strings.ToLower(strings.TrimSpace(a.Evidence))
	v.Text("assessment.notes", a.Notes, false, maxText)
	if a.Evidence != "" && s.ev != nil {
		if err := s.ev.Cite(ctx, a.Evidence); errors.Is(err, store.ErrNotFound) {
			v.Add("assessment.evidence", "is not an evidence file of this organisation: upload it first")
		} else if err != nil {
			return Procurement{}, fmt.Errorf("cite the assessment evidence: %w", err)
		}
	}
	if err := v.Err(); err != nil {
		return Procurement{}, err
	}
	actor := audit.ActorFrom(ctx).Label
	a.By = actor
	p.Assessment = a
	p.Required = ReviewRequired(p.CII(), a)
	p.CreatedBy, p.CreatedAt = actor, s.now().UTC()
	return p, nil
}

// CreateProcurement validates and records a procurement for the context's organisation.
// When the review is required it opens the review case at once, in preparation, so that
// the application's checklist is where the gate will point.
func (s *Service) CreateProcurement(ctx context.Context, in ProcurementInput) (Procurement, error) {
	p, err := s.prepare(ctx, in)
	if err != nil {
		return Procurement{}, err
	}
	err = s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		return s.insertProcurement(t, &p)
	})
	return p, err
}

func (s *Service) insertProcurement(t *store.Tenant, p *Procurement) error {
	if err := t.QueryRow(`INSERT INTO review_procurements (org_id, title, product_id, product, product_type, supplier, country, systems, amount_rmb, assessment, required, case_id, status, approved_by, approved_at, imported, created_by, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 0, $12, $13, $14, $15, $16, $17) RETURNING id`,
		p.Title, p.ProductID, p.Product, p.ProductType, p.Supplier, p.Country, mustJSON(p.Systems), p.AmountRMB, mustJSON(p.Assessment), p.Required,
		p.Status, p.ApprovedBy, nullTime(p.ApprovedAt), p.Imported, p.CreatedBy, p.CreatedAt).Scan(&p.ID); err != nil {
		return fmt.Errorf("insert procurement: %w", err)
	}
	if err := audit.InTenant(t, "review_procurement", strconv.FormatInt(p.ID, 10), "create", nil, p, ""); err != nil {
		return err
	}
	if p.Required {
		c := Case{Kind: KindProcurement, ProcurementID: p.ID, Title: p.Title, State: Preparing, Since: day(p.CreatedAt), CreatedBy: p.CreatedBy, CreatedAt: p.CreatedAt}
		if err := s.insertCase(t, &c); err != nil {
			return err
		}
		p.CaseID = c.ID
		if _, err := t.Exec(`UPDATE review_procurements SET case_id = $2 WHERE org_id = $1 AND id = $3`, c.ID, p.ID); err != nil {
			return fmt.Errorf("link case %d: %w", c.ID, err)
		}
	}
	s.announce(t)
	return nil
}

// Procurement returns one of the context organisation's procurements.
func (s *Service) Procurement(ctx context.Context, id int64) (Procurement, error) {
	var p Procurement
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		var err error
		p, err = getProcurement(t, id)
		return err
	})
	return p, err
}

func getProcurement(t *store.Tenant, id int64) (Procurement, error) {
	return scanProcurement(t.QueryRow(`SELECT `+procurementCols+` FROM review_procurements WHERE org_id = $1 AND id = $2`, id))
}

// Procurements returns one page of the organisation's procurements, newest first.
func (s *Service) Procurements(ctx context.Context, p store.Page) ([]Procurement, string, error) {
	if p.Limit <= 0 {
		p.Limit = store.DefaultPageLimit
	}
	var out []Procurement
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		rows, err := t.Query(`SELECT `+procurementCols+` FROM review_procurements WHERE org_id = $1 AND ($2 = 0 OR id < $2) ORDER BY id DESC LIMIT $3`, p.Cursor, p.Rows())
		if err != nil {
			return fmt.Errorf("list procurements: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			x, err := scanProcurement(rows)
			if err != nil {
				return err
			}
			out = append(out, x)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, "", err
	}
	out, next := store.Cut(p, out, func(x Procurement) int64 { return x.ID })
	return out, next, nil
}

func allProcurements(t *store.Tenant) ([]Procurement, error) {
	rows, err := t.Query(`SELECT ` + procurementCols + ` FROM review_procurements WHERE org_id = $1 ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("read procurements: %w", err)
	}
	defer rows.Close()
	var out []Procurement
	for rows.Next() {
		p, err := scanProcurement(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// Approve approves a procurement — unless the gate refuses it: a procurement for a CII
// system whose review is required and has not passed cannot be approved (CIIR 2021 Art. 19),
// nor, while the organisation's policy is block, one whose registered product lacks its
// certificate (certgate.go). The refusal is a problem.Conflict on "approval" citing the
// articles (and the exposure, for the review).
func (s *Service) Approve(ctx context.Context, id int64) (Procurement, error) {
	// The product's certificate is the product register's answer, read before the write
	// transaction (the register reads in its own); the purchase's product never changes.
	p, err := s.Procurement(ctx, id)
	if err != nil {
		return Procurement{}, err
	}
	cert, err := s.certDuty(ctx, p)
	if err != nil {
		return Procurement{}, err
	}
	err = s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		var err error
		if p, err = getProcurement(t, id); err != nil {
			return err
		}
		if p.Status == StatusApproved {
			return problem.Conflictf("approval", "this procurement is already approved")
		}
		state := State("")
		if p.CaseID != 0 {
			c, err := getCase(t, p.CaseID)
			if err != nil {
				return fmt.Errorf("read case %d: %w", p.CaseID, err)
			}
			state = c.State
		}
		pol, err := policyIn(t)
		if err != nil {
			return err
		}
		if g := Gate(p, state).WithCert(cert, pol); !g.Allowed {
			return g.Refusal()
		}
		before := p
		now := s.now().UTC()
		p.Status, p.ApprovedBy, p.ApprovedAt = StatusApproved, audit.ActorFrom(ctx).Label, &now
		if _, err := t.Exec(`UPDATE review_procurements SET status = $2, approved_by = $3, approved_at = $4 WHERE org_id = $1 AND id = $5`,
			p.Status, p.ApprovedBy, now, p.ID); err != nil {
			return fmt.Errorf("approve procurement %d: %w", p.ID, err)
		}
		if err := audit.InTenant(t, "review_procurement", strconv.FormatInt(p.ID, 10), "approve", before, p, ""); err != nil {
			return err
		}
		s.announce(t)
		return nil
	})
	return p, err
}
