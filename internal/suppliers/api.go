package suppliers

import (
	"context"
	"net/http"

	"ciiguard/internal/store"
	"ciiguard/internal/web"
)

// productJSON is a product in the API, with where it stands against the certification duty
// today: whether the catalogue puts it under the duty and why, whether a certificate (its
// own or one its supplier shared) is valid.
type productJSON struct {
	Product
	CertStatus
}

func (m *Module) productJSON(cat Effective, p Product, shared map[int64]SharedCert) productJSON {
	if p.Systems == nil {
		p.Systems = []int64{}
	}
	return productJSON{Product: p, CertStatus: cat.CertStatus(p, shared, m.Now())}
}

func (m *Module) apiList(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	list, err := m.Suppliers(ctx)
	if err != nil {
		return err
	}
	prods, err := m.ListProducts(ctx, 0)
	if err != nil {
		return err
	}
	tiers, err := m.Tiers(ctx, prods)
	if err != nil {
		return err
	}
	glances, err := m.Glances(ctx, prods)
	if err != nil {
		return err
	}
	// Each supplier with its tier and the list's glance: findings and the review.
	type item struct {
		Supplier
		Tier   SupplierTier `json:"tier"`
		Glance Glance       `json:"at_a_glance"`
	}
	out := make([]item, 0, len(list))
	for _, x := range list {
		out = append(out, item{Supplier: x, Tier: tiers[x.ID], Glance: glances[x.ID]})
	}
	return web.JSON(w, http.StatusOK, map[string]any{"suppliers": out})
}

func (m *Module) apiCreate(w http.ResponseWriter, r *http.Request) error {
	var in SupplierInput
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	x, err := m.CreateSupplier(r.Context(), in)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusCreated, x)
}

func (m *Module) apiGet(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	x, err := m.Supplier(r.Context(), id)
	if err != nil {
		return err
	}
	ps, err := m.ListProducts(r.Context(), id)
	if err != nil {
		return err
	}
	tiers, err := m.Tiers(r.Context(), ps)
	if err != nil {
		return err
	}
	d, err := m.detail(r.Context(), x, ps, tiers[id])
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, d)
}

// supplierDetail is one supplier as GET /api/v1/suppliers/{id} gives it (and an inspection
// reproduces it).
type supplierDetail struct {
	Supplier Supplier      `json:"supplier"`
	Products []productJSON `json:"products"`
	supplierRecords
	Tier SupplierTier `json:"tier"`
}

// detail reads the supplier's agreements, reviews and maintenance arrangements in the
// context's organisation; ps are its products, tier its tier.
func (m *Module) detail(ctx context.Context, x Supplier, ps []Product, tier SupplierTier) (supplierDetail, error) {
	out := supplierDetail{Supplier: x, Products: make([]productJSON, 0, len(ps)), Tier: tier,
		supplierRecords: supplierRecords{Agreements: []Agreement{}, Reviews: []PerformanceReview{}, Maintenance: []Maintenance{}}}
	cat, shared, err := m.certInputs(ctx)
	if err != nil {
		return out, err
	}
	for _, p := range ps {
		out.Products = append(out.Products, m.productJSON(cat, p, shared))
	}
	rec := &out.supplierRecords
	err = m.db.ReadTenant(ctx, func(t *store.Tenant) error {
		a, err := agreementsOf(t, x.ID)
		rec.Agreements = append(rec.Agreements, a...)
		if err != nil {
			return err
		}
		rv, err := reviewsOf(t, x.ID)
		rec.Reviews = append(rec.Reviews, rv...)
		if err != nil {
			return err
		}
		mt, err := maintenanceOf(t, x.ID)
		rec.Maintenance = append(rec.Maintenance, mt...)
		if err != nil {
			return err
		}
		rec.Subs, err = subsOf(t, x.ID)
		return err
	})
	return out, err
}

func (m *Module) apiUpdate(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	var in SupplierInput
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	x, err := m.UpdateSupplier(r.Context(), id, in)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, x)
}

func (m *Module) apiCreateProduct(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	var in ProductInput
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	// An unknown supplier is a 404 before the body is judged, as for every other record.
	if _, err := m.Supplier(r.Context(), id); err != nil {
		return err
	}
	p, err := m.CreateProduct(r.Context(), id, in)
	if err != nil {
		return err
	}
	pj, err := m.productJSONNow(r.Context(), p)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusCreated, pj)
}

func (m *Module) apiProducts(w http.ResponseWriter, r *http.Request) error {
	ps, err := m.ListProducts(r.Context(), 0)
	if err != nil {
		return err
	}
	cat, shared, err := m.certInputs(r.Context())
	if err != nil {
		return err
	}
	out := make([]productJSON, 0, len(ps))
	for _, p := range ps {
		out = append(out, m.productJSON(cat, p, shared))
	}
	return web.JSON(w, http.StatusOK, map[string]any{"products": out})
}

func (m *Module) apiProduct(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	p, err := m.GetProduct(r.Context(), id)
	if err != nil {
		return err
	}
	as, err := m.Assessments(r.Context(), id)
	if err != nil {
		return err
	}
	if as == nil {
		as = []Assessment{}
	}
	pj, err := m.productJSONNow(r.Context(), p)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, struct {
		productJSON
		Assessments []Assessment `json:"assessments"`
	}{pj, as})
}

func (m *Module) apiUpdateProduct(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	var in ProductInput
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	if _, err := m.GetProduct(r.Context(), id); err != nil {
		return err
	}
	p, err := m.UpdateProduct(r.Context(), id, in)
	if err != nil {
		return err
	}
	pj, err := m.productJSONNow(r.Context(), p)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, pj)
}

func (m *Module) apiCertificate(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	var in CertificateInput
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	if _, err := m.GetProduct(r.Context(), id); err != nil {
		return err
	}
	p, err := m.SetCertificate(r.Context(), id, in)
	if err != nil {
		return err
	}
	pj, err := m.productJSONNow(r.Context(), p)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, pj)
}

// supplierProduct returns the product pid of supplier id, store.ErrNotFound when it is not
// that supplier's (a page URL that mixes two suppliers is not found).
func (m *Module) supplierProduct(r *http.Request) (Supplier, Product, error) {
	return supplierChild(m, r, "pid", m.GetProduct, func(p Product) int64 { return p.SupplierID })
}

// supplierChild reads the supplier {id} and its record named by the path value key from
// the URL; a record of another supplier is not found.
func supplierChild[T any](m *Module, r *http.Request, key string, get func(context.Context, int64) (T, error), owner func(T) int64) (Supplier, T, error) {
	var zero T
	id, err := web.IDParam(r, "id")
	if err != nil {
		return Supplier{}, zero, err
	}
	cid, err := web.IDParam(r, key)
	if err != nil {
		return Supplier{}, zero, err
	}
	x, err := m.Supplier(r.Context(), id)
	if err != nil {
		return x, zero, err
	}
	c, err := get(r.Context(), cid)
	if err == nil && owner(c) != id {
		err = store.ErrNotFound
	}
	return x, c, err
}

// apiPlatformOrg links a supplier record to a supplier organisation of the installation:
// {"org_id": N}, 0 to remove the link.
func (m *Module) apiPlatformOrg(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	// Another organisation's supplier is 404 before the body is judged.
	if _, err := m.Supplier(r.Context(), id); err != nil {
		return err
	}
	var in struct {
		OrgID int64 `json:"org_id"`
	}
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	x, err := m.LinkPlatformOrg(r.Context(), id, in.OrgID)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, x)
}

// apiPlatformOrgs lists the supplier organisations of the installation a supplier record
// may be linked to.
func (m *Module) apiPlatformOrgs(w http.ResponseWriter, r *http.Request) error {
	orgs, err := m.PlatformOrgs(r.Context())
	if err != nil {
		return err
	}
	out := make([]map[string]any, 0, len(orgs))
	for _, o := range orgs {
		out = append(out, map[string]any{"id": o.ID, "name_zh": o.NameZH, "name_en": o.NameEN})
	}
	return web.JSON(w, http.StatusOK, map[string]any{"organisations": out})
}

// productJSONNow is one product in the API, its shared certificates read for it.
func (m *Module) productJSONNow(ctx context.Context, p Product) (productJSON, error) {
	cat, shared, err := m.certInputs(ctx)
	if err != nil {
		return productJSON{}, err
	}
	return m.productJSON(cat, p, shared), nil
}
