package suppliers

import (
	"context"
	"time"

	"ciiguard/internal/kernel"
	"ciiguard/internal/store"
)

var _ kernel.Products = (*Service)(nil) // the compiler checks the contract

// Product implements kernel.Products: one of the context organisation's products, with
// whether its certificate is valid today; another organisation's is store.ErrNotFound.
func (s *Service) Product(ctx context.Context, id int64) (kernel.ProductRef, error) {
	p, err := s.GetProduct(ctx, id)
	if err != nil {
		return kernel.ProductRef{}, err
	}
	cat, shared, err := s.certInputs(ctx)
	if err != nil {
		return kernel.ProductRef{}, err
	}
	return s.ref(cat, p, shared), nil
}

// Products implements kernel.Products: the context organisation's products, by name.
func (s *Service) Products(ctx context.Context) ([]kernel.ProductRef, error) {
	ps, err := s.ListProducts(ctx, 0)
	if err != nil {
		return nil, err
	}
	cat, shared, err := s.certInputs(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]kernel.ProductRef, 0, len(ps))
	for _, p := range ps {
		out = append(out, s.ref(cat, p, shared))
	}
	return out, nil
}

// ref is what another capability sees of p: the certification duty as the installation's
// catalogue cat sets it, and a certificate valid today, the operator's own or one its
// supplier shared.
func (s *Service) ref(cat Effective, p Product, shared map[int64]SharedCert) kernel.ProductRef {
	st := cat.CertStatus(p, shared, s.Now())
	r := kernel.ProductRef{ID: p.ID, Name: p.Name, Version: p.Version, Type: p.Type, SupplierID: p.SupplierID, SupplierName: p.SupplierName, SupplierOrgID: p.SupplierOrgID,
		Country: p.Country, NeedsCert: st.Needs, CertBasis: st.Basis, Certified: st.Certified, CertSource: st.Source, Systems: append([]int64{}, p.Systems...)}
	if e, ok := cat.Entry(p.Category); ok {
		r.CategoryZh, r.CategoryEn = e.Zh, e.En
	}
	switch {
	case st.Source == CertShared:
		r.CertExpires = st.Shared.Expires
	case p.Cert != nil:
		r.CertExpires = p.Cert.Expires
	}
	return r
}

var _ kernel.MaintenanceAbroad = (*Service)(nil) // the compiler checks the contract

// MaintenanceAbroad implements kernel.MaintenanceAbroad: the context organisation's
// arrangements from abroad that have not ended today, by system. It reads the arrangements
// alone (not the inventory: the inventory calls it while building its facts).
func (s *Service) MaintenanceAbroad(ctx context.Context) (map[int64]kernel.SystemMaintenance, error) {
	var ms []Maintenance
	if err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		var err error
		ms, err = maintenanceOf(t, 0)
		return err
	}); err != nil {
		return nil, err
	}
	return maintenanceBySystem(ms, s.Now()), nil
}

// maintenanceBySystem counts, by system, the arrangements not ended at now and those of
// them not reported, or reported only after they started.
func maintenanceBySystem(ms []Maintenance, now time.Time) map[int64]kernel.SystemMaintenance {
	out := map[int64]kernel.SystemMaintenance{}
	for _, m := range ms {
		if !m.Active(now) {
			continue
		}
		v := out[m.SystemID]
		v.Arrangements++
		v.Unreported += int(b2i(m.ReportedOn == nil))
		v.ReportedLate += int(b2i(m.ReportedLate()))
		out[m.SystemID] = v
	}
	return out
}
