package suppliers

import (
	"context"
	"fmt"
	"time"

	"ciiguard/internal/rules"
	"ciiguard/internal/store"
)

// Facts is the suppliers fact set, the CEL variable `suppliers` of the catalog's rules: the
// organisation's supply-chain record, counted from its suppliers and products at evaluation
// time.
type Facts struct {
	Suppliers int64 `cel:"suppliers" label:"供应商数|suppliers"`
	Products  int64 `cel:"products" label:"在册产品和服务数|products and services registered"`
	// UncertifiedInUse counts products of a kind that must be certified (critical network
	// equipment, dedicated security products) used on at least one system of the inventory
	// without a certificate valid today.
	UncertifiedInUse int64 `cel:"uncertified_in_use" label:"在用但无有效认证的网络关键设备和安全专用产品数|critical equipment and security products in use without a valid certificate"`
	// UncertifiedOnCII counts those of them used on an identified CII system.
	UncertifiedOnCII int64 `cel:"uncertified_on_cii" label:"关基系统在用但无有效认证的网络关键设备和安全专用产品数|critical equipment and security products on CII systems without a valid certificate"`
}

// ComputeFacts counts the fact set from the organisation's records at now.
func ComputeFacts(sups []Supplier, prods []Product, systems []rules.System, now time.Time) Facts {
	cii := map[int64]bool{}
	for _, s := range systems {
		cii[s.ID] = s.CIIStatus == "identified"
	}
	f := Facts{Suppliers: int64(len(sups)), Products: int64(len(prods))}
	for i := range prods {
		p := &prods[i]
		if !TypeOf(p.Type).NeedsCert || len(p.Systems) == 0 || p.Cert.ValidOn(now) {
			continue
		}
		f.UncertifiedInUse++
		for _, id := range p.Systems {
			if cii[id] {
				f.UncertifiedOnCII++
				break
			}
		}
	}
	return f
}

// Facts reads the context's organisation's supplier facts.
func (s *Service) Facts(ctx context.Context) (Facts, error) {
	_, systems, err := s.inv.Facts(ctx)
	if err != nil {
		return Facts{}, fmt.Errorf("read the inventory: %w", err)
	}
	var (
		sups  []Supplier
		prods []Product
	)
	err = s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		var err error
		if sups, err = allSuppliers(t); err != nil {
			return err
		}
		prods, err = allProducts(t, 0)
		return err
	})
	if err != nil {
		return Facts{}, err
	}
	return ComputeFacts(sups, prods, systems, s.Now()), nil
}
