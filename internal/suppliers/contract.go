package suppliers

import (
	"context"

	"ciiguard/internal/kernel"
)

var _ kernel.Products = (*Service)(nil) // the compiler checks the contract

// Product implements kernel.Products: one of the context organisation's products, with
// whether its certificate is valid today; another organisation's is store.ErrNotFound.
func (s *Service) Product(ctx context.Context, id int64) (kernel.ProductRef, error) {
	p, err := s.GetProduct(ctx, id)
	if err != nil {
		return kernel.ProductRef{}, err
	}
	return s.ref(p), nil
}

// Products implements kernel.Products: the context organisation's products, by name.
func (s *Service) Products(ctx context.Context) ([]kernel.ProductRef, error) {
	ps, err := s.ListProducts(ctx, 0)
	if err != nil {
		return nil, err
	}
	out := make([]kernel.ProductRef, 0, len(ps))
	for _, p := range ps {
		out = append(out, s.ref(p))
	}
	return out, nil
}

func (s *Service) ref(p Product) kernel.ProductRef {
	r := kernel.ProductRef{ID: p.ID, Name: p.Name, Version: p.Version, Type: p.Type, SupplierID: p.SupplierID, SupplierName: p.SupplierName, SupplierOrgID: p.SupplierOrgID,
		Country: p.Country, Certified: p.Cert.ValidOn(s.Now()), Systems: append([]int64{}, p.Systems...)}
	if p.Cert != nil {
		r.CertExpires = p.Cert.Expires
	}
	return r
}
