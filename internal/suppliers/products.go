package suppliers

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"ciiguard/internal/audit"
	"ciiguard/internal/calendar"
	"ciiguard/internal/problem"
	"ciiguard/internal/rules"
	"ciiguard/internal/store"
)

const productCols = `p.id, p.supplier_id, s.name, s.platform_org_id, s.country, p.name, p.version, p.type, p.donated, p.systems, p.cert_number, p.cert_body, p.cert_scope, p.cert_expires, p.created_by, p.created_at, p.catalogue_category, p.catalogue_specs`

// productFrom joins a product to its supplier (both the organisation's).
const productFrom = ` FROM supplier_products p JOIN suppliers s ON s.id = p.supplier_id AND s.org_id = p.org_id WHERE p.org_id = $1`

func scanProduct(sc interface{ Scan(...any) error }) (Product, error) {
	var (
		p       Product
		systems string
		specs   string
		c       Certificate
		expires sql.NullTime
	)
	if err := sc.Scan(&p.ID, &p.SupplierID, &p.SupplierName, &p.SupplierOrgID, &p.Country, &p.Name, &p.Version, &p.Type, &p.Donated, &systems,
		&c.Number, &c.Body, &c.Scope, &expires, &p.CreatedBy, &p.CreatedAt, &p.Category, &specs); err != nil {
		return p, err
	}
	if err := json.Unmarshal([]byte(specs), &p.Specs); err != nil {
		return p, fmt.Errorf("product %d catalogue figures: %w", p.ID, err)
	}
	if p.Specs == nil {
		p.Specs = map[string]float64{}
	}
	if err := json.Unmarshal([]byte(systems), &p.Systems); err != nil {
		return p, fmt.Errorf("product %d systems: %w", p.ID, err)
	}
	if c.Number != "" {
		if expires.Valid {
			c.Expires = expires.Time.In(calendar.Shanghai)
		}
		p.Cert = &c
	}
	return p, nil
}

// validProduct checks in against the organisation's systems and the effective catalogue cat.
func validProduct(in ProductInput, systems []rules.System, cat Effective) (Product, *problem.Invalid) {
	p := Product{Name: strings.TrimSpace(in.Name), Version: strings.TrimSpace(in.Version), Type: strings.TrimSpace(in.Type), Donated: in.Donated, Systems: []int64{}}
	v := &problem.Invalid{}
	v.Text("name", p.Name, true, maxName)
	v.Text("version", p.Version, false, maxShort)
	if TypeOf(p.Type).Code == "" {
		v.Add("type", "is not a product type (%s)", typeCodes())
	}
	p.Category = strings.TrimSpace(in.Category)
	p.Specs = validCatalogue(v, cat, p.Category, in.Specs)
	known := map[int64]bool{}
	for _, s := range systems {
		known[s.ID] = true
	}
	seen := map[int64]bool{}
	for i, id := range in.Systems {
		if !known[id] {
			v.Add("systems["+strconv.Itoa(i)+"]", "is not a system of this organisation's inventory")
			continue
		}
		if !seen[id] {
			seen[id] = true
			p.Systems = append(p.Systems, id)
		}
	}
	return p, v
}

// CreateProduct validates and records a product of one of the organisation's suppliers.
func (s *Service) CreateProduct(ctx context.Context, supplierID int64, in ProductInput) (Product, error) {
	_, systems, err := s.inv.Facts(ctx)
	if err != nil {
		return Product{}, fmt.Errorf("read the inventory: %w", err)
	}
	cat, err := s.EffectiveCatalogue(ctx)
	if err != nil {
		return Product{}, err
	}
	p, v := validProduct(in, systems, cat)
	if err := v.Err(); err != nil {
		return Product{}, err
	}
	p.SupplierID, p.CreatedBy, p.CreatedAt = supplierID, audit.ActorFrom(ctx).Label, s.now()
	err = s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		return s.insertProduct(t, &p)
	})
	return p, err
}

// insertProduct stores p (validated) for its supplier, which must be the organisation's.
func (s *Service) insertProduct(t *store.Tenant, p *Product) error {
	sup, err := getSupplier(t, p.SupplierID)
	if err != nil {
		return err
	}
	p.SupplierName, p.Country = sup.Name, sup.Country
	if p.Specs == nil {
		p.Specs = map[string]float64{}
	}
	if err := t.QueryRow(`INSERT INTO supplier_products (org_id, supplier_id, name, version, type, donated, systems, created_by, created_at, catalogue_category, catalogue_specs)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`, p.SupplierID, p.Name, p.Version, p.Type, p.Donated, mustJSON(p.Systems), p.CreatedBy, p.CreatedAt,
		p.Category, mustJSON(p.Specs)).Scan(&p.ID); err != nil {
		return fmt.Errorf("record product: %w", err)
	}
	s.announce(t)
	return audit.InTenant(t, "supplier_product", strconv.FormatInt(p.ID, 10), audit.Create, nil, p, p.Name)
}

// UpdateProduct replaces a product's particulars, its catalogue category and figures included
// (not its certificate).
func (s *Service) UpdateProduct(ctx context.Context, id int64, in ProductInput) (Product, error) {
	_, systems, err := s.inv.Facts(ctx)
	if err != nil {
		return Product{}, fmt.Errorf("read the inventory: %w", err)
	}
	cat, err := s.EffectiveCatalogue(ctx)
	if err != nil {
		return Product{}, err
	}
	p, v := validProduct(in, systems, cat)
	if err := v.Err(); err != nil {
		return Product{}, err
	}
	err = s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		before, err := getProduct(t, id)
		if err != nil {
			return err
		}
		after := before
		after.Name, after.Version, after.Type, after.Donated, after.Systems = p.Name, p.Version, p.Type, p.Donated, p.Systems
		after.Category, after.Specs = p.Category, p.Specs
		if _, err := t.Exec(`UPDATE supplier_products SET name = $2, version = $3, type = $4, donated = $5, systems = $6, catalogue_category = $7, catalogue_specs = $8 WHERE org_id = $1 AND id = $9`,
			p.Name, p.Version, p.Type, p.Donated, mustJSON(p.Systems), p.Category, mustJSON(p.Specs), id); err != nil {
			return fmt.Errorf("update product: %w", err)
		}
		p = after
		s.announce(t)
		return audit.InTenant(t, "supplier_product", strconv.FormatInt(id, 10), audit.Update, before, after, after.Name)
	})
	return p, err
}

// SetCertificate records (or replaces) a product's certificate.
func (s *Service) SetCertificate(ctx context.Context, id int64, in CertificateInput) (Product, error) {
	c := Certificate{Number: strings.TrimSpace(in.Number), Body: strings.TrimSpace(in.Body), Scope: strings.TrimSpace(in.Scope)}
	v := &problem.Invalid{}
	v.Text("number", c.Number, true, maxShort)
	v.Text("body", c.Body, true, maxName)
	v.Text("scope", c.Scope, false, maxText)
	if d, ok := parseDate(in.Expires); !ok {
		v.Add("expires", "is not a date (YYYY-MM-DD)")
	} else {
		c.Expires = d
	}
	if err := v.Err(); err != nil {
		return Product{}, err
	}
	var after Product
	err := s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		before, err := getProduct(t, id)
		if err != nil {
			return err
		}
		after = before
		after.Cert = &c
		if _, err := t.Exec(`UPDATE supplier_products SET cert_number = $2, cert_body = $3, cert_scope = $4, cert_expires = $5 WHERE org_id = $1 AND id = $6`,
			c.Number, c.Body, c.Scope, c.Expires.UTC(), id); err != nil {
			return fmt.Errorf("record certificate: %w", err)
		}
		s.announce(t)
		return audit.InTenant(t, "supplier_product", strconv.FormatInt(id, 10), audit.Update, before, after, "certificate "+c.Number)
	})
	return after, err
}

// parseDate reads a calendar date, YYYY-MM-DD, as midnight China time.
func parseDate(s string) (time.Time, bool) {
	t, err := time.ParseInLocation("2006-01-02", strings.TrimSpace(s), calendar.Shanghai)
	return t, err == nil
}

// GetProduct returns one of the organisation's products; another's is store.ErrNotFound.
func (s *Service) GetProduct(ctx context.Context, id int64) (Product, error) {
	var p Product
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		var err error
		p, err = getProduct(t, id)
		return err
	})
	return p, err
}

func getProduct(t *store.Tenant, id int64) (Product, error) {
	return scanProduct(t.QueryRow(`SELECT `+productCols+productFrom+` AND p.id = $2`, id))
}

// ListProducts lists the organisation's products by name; supplierID > 0 keeps one
// supplier's.
func (s *Service) ListProducts(ctx context.Context, supplierID int64) ([]Product, error) {
	var out []Product
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		var err error
		out, err = allProducts(t, supplierID)
		return err
	})
	return out, err
}

func allProducts(t *store.Tenant, supplierID int64) ([]Product, error) {
	rows, err := t.Query(`SELECT `+productCols+productFrom+` AND ($2 = 0 OR p.supplier_id = $2) ORDER BY p.name, p.id`, supplierID)
	if err != nil {
		return nil, fmt.Errorf("list products: %w", err)
	}
	defer rows.Close()
	var out []Product
	for rows.Next() {
		p, err := scanProduct(rows)
		if err != nil {
			return nil, fmt.Errorf("read product: %w", err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("suppliers: marshal %T: %v", v, err)) // only our own plain types
	}
	return string(b)
}
