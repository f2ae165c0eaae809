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

// SubSupplier is one of a supplier's own suppliers: who makes a key component, software or
// service of what the supplier provides, and from which country, so that a dependence
// abroad behind a domestic supplier is visible (the supply-chain risk the cybersecurity
// review weighs, CSR 2022 Art. 10).
type SubSupplier struct {
	ID         int64 `json:"id"`
	SupplierID int64 `json:"supplier_id"`
	// ProductID is the supplier's product it concerns; 0 for all it supplies.
	ProductID int64     `json:"product_id"`
	Name      string    `json:"name"`
	Country   string    `json:"country"` // ISO 3166-1 alpha-2
	Supplies  string    `json:"supplies"`
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
}

// Abroad says the sub-supplier is outside the mainland (Hong Kong, Macao and Taiwan
// included, as for suppliers).
func (x SubSupplier) Abroad() bool { return x.Country != "CN" }

// SubSupplierInput is a sub-supplier as a person records it.
type SubSupplierInput struct {
	ProductID int64  `json:"product_id"`
	Name      string `json:"name"`
	Country   string `json:"country"`
	Supplies  string `json:"supplies"`
}

// AddSubSupplier records a sub-supplier of one of the organisation's suppliers; a product
// that is not that supplier's is refused on product_id.
func (s *Service) AddSubSupplier(ctx context.Context, supplierID int64, in SubSupplierInput) (SubSupplier, error) {
	x := SubSupplier{SupplierID: supplierID, ProductID: in.ProductID, Name: strings.TrimSpace(in.Name),
		Country: strings.ToUpper(strings.TrimSpace(in.Country)), Supplies: strings.TrimSpace(in.Supplies)}
	v := &problem.Invalid{}
	v.Text("name", x.Name, true, maxName)
	v.Text("supplies", x.Supplies, true, maxText)
	if !validCountry(x.Country) {
		v.Add("country", "is not an ISO 3166-1 alpha-2 country code (CN, DE …)")
	}
	x.CreatedBy, x.CreatedAt = audit.ActorFrom(ctx).Label, s.now()
	err := s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		sup, err := getSupplier(t, supplierID)
		if err != nil {
			return err
		}
		if x.ProductID != 0 {
			if p, err := getProduct(t, x.ProductID); err != nil || p.SupplierID != supplierID {
				v.Add("product_id", "is not a product of this supplier")
			}
		}
		if err := v.Err(); err != nil {
			return err
		}
		if err := t.QueryRow(`INSERT INTO supplier_subs (org_id, supplier_id, product_id, name, country, supplies, created_by, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`, supplierID, x.ProductID, x.Name, x.Country, x.Supplies, x.CreatedBy, x.CreatedAt).Scan(&x.ID); err != nil {
			return fmt.Errorf("record the sub-supplier: %w", err)
		}
		return audit.InTenant(t, "supplier_sub", strconv.FormatInt(x.ID, 10), audit.Create, nil, x, sup.Name+" ← "+x.Name)
	})
	return x, err
}

// subsOf reads the organisation's sub-suppliers; supplierID > 0 keeps one supplier's.
func subsOf(t *store.Tenant, supplierID int64) ([]SubSupplier, error) {
	rows, err := t.Query(`SELECT id, supplier_id, product_id, name, country, supplies, created_by, created_at FROM supplier_subs
WHERE org_id = $1 AND ($2 = 0 OR supplier_id = $2) ORDER BY id`, supplierID)
	if err != nil {
		return nil, fmt.Errorf("read sub-suppliers: %w", err)
	}
	defer rows.Close()
	out := []SubSupplier{}
	for rows.Next() {
		var x SubSupplier
		if err := rows.Scan(&x.ID, &x.SupplierID, &x.ProductID, &x.Name, &x.Country, &x.Supplies, &x.CreatedBy, &x.CreatedAt); err != nil {
			return nil, fmt.Errorf("read a sub-supplier: %w", err)
		}
		x.CreatedAt = x.CreatedAt.UTC()
		out = append(out, x)
	}
	return out, rows.Err()
}
