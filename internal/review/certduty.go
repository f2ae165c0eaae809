package review

import (
	"context"
	"fmt"

	"ciiguard/internal/kernel"
)

// CertDuty is the certification duty of the product a purchase buys (CSL 2016 Art. 23, 2025
// Art. 25), as the bid annex states it. For a registered product the product register says
// it (kernel.Products: by the product's entry of the catalogue of critical network equipment
// and dedicated network security products); for a product typed by hand the kind decides,
// as it did before the catalogue was modelled.
type CertDuty struct {
	Needs bool `json:"needs_certificate"`
	// CategoryZh and CategoryEn name the catalogue's entry, "" when the register named none.
	CategoryZh string `json:"catalogue_category_zh,omitempty"`
	CategoryEn string `json:"catalogue_category_en,omitempty"`
	// Registered says the product register answered (a registered product); Certified and
	// Source are then its answer today: a valid certificate, the operator's own ("own") or
	// one its supplier shared ("shared").
	Registered bool   `json:"registered"`
	Certified  bool   `json:"certified"`
	Source     string `json:"certificate_source,omitempty"`
}

// Missing says the product needs a certificate and the register knows of no valid one: the
// procurement's page warns (CSL 2016 Art. 23: such a product may not be sold or provided).
func (d CertDuty) Missing() bool { return d.Registered && d.Needs && !d.Certified }

// TypeCertDuty is the duty a product kind typed by hand implies: critical network equipment
// and security products are taken as on the catalogue.
func TypeCertDuty(productType string) CertDuty {
	return CertDuty{Needs: productType == "critical_network_equipment" || productType == "security_product"}
}

// CertDutyOf reads the certification duty of p's product: from the register for a
// registered product, else by its kind.
func (s *Service) CertDutyOf(ctx context.Context, p Procurement) (CertDuty, error) {
	return s.certDuty(ctx, p)
}

// certDuty reads p's duty: from the register for a registered product, else by its kind.
func (s *Service) certDuty(ctx context.Context, p Procurement) (CertDuty, error) {
	if p.ProductID == 0 || s.products == nil {
		return TypeCertDuty(p.ProductType), nil
	}
	ref, err := s.products.Product(ctx, p.ProductID)
	if err != nil {
		return CertDuty{}, fmt.Errorf("read product %d: %w", p.ProductID, err)
	}
	return dutyOf(ref), nil
}

func dutyOf(ref kernel.ProductRef) CertDuty {
	return CertDuty{Needs: ref.NeedsCert, CategoryZh: ref.CategoryZh, CategoryEn: ref.CategoryEn, Registered: true, Certified: ref.Certified, Source: ref.CertSource}
}

// Annex builds p's bid annex with its product's certification duty.
func (s *Service) Annex(ctx context.Context, p Procurement, zh bool) (Annex, error) {
	d, err := s.certDuty(ctx, p)
	if err != nil {
		return Annex{}, err
	}
	return BuildAnnex(p, d, zh), nil
}
