package suppliers

import (
	"context"
	"time"
)

// A product's certificate may be the operator's own record of it (SetCertificate) or one its
// supplier keeps and shared with the operator (credshares.go): a certificate shared through
// a receipt in force, valid today, naming the operator's product of that supplier (same name,
// and same version where the certificate gives one). Either makes the product certified; the
// supplier revoking the share, or the certificate lapsing, makes it uncertified again.

// SharedCert is a supplier's shared certificate standing for a product's own.
type SharedCert struct {
	ReceiptID  int64     `json:"shared_credential_id"` // GET /api/v1/shared-credentials/{id}
	SupplierZH string    `json:"supplier_name_zh"`
	SupplierEN string    `json:"supplier_name_en"`
	Number     string    `json:"number"`
	Body       string    `json:"body"`
	Scope      string    `json:"scope"`
	Expires    time.Time `json:"expires"`
	// Linked says the operator linked the certificate to the product; otherwise it names the
	// product by name and version (可能适用, counted: credlinks.go).
	Linked bool `json:"linked"`
}

// ExpiresDay is the shared certificate's last valid day, YYYY-MM-DD.
func (c SharedCert) ExpiresDay() string { return chinaDay(c.Expires).Format("2006-01-02") }

// Certificate sources.
const (
	CertOwn    = "own"    // the operator's record on the product
	CertShared = "shared" // the supplier's certificate shared with the operator
)

// CertStatus is where a product stands against the certification duty today.
type CertStatus struct {
	// Needs says the catalogue puts the product under the duty; Basis says why (Basis* codes).
	Needs bool   `json:"needs_certificate"`
	Basis string `json:"certificate_basis"`
	// Certified says a certificate is valid today; Source whose it is ("" when none).
	Certified bool        `json:"certified"`
	Source    string      `json:"certificate_source,omitempty"`
	Shared    *SharedCert `json:"shared_certificate,omitempty"`
	// Gap says the product needs a certificate, is used on a system and has no valid one.
	Gap bool `json:"certificate_gap"`
	// Until is the valid certificate's last day, YYYY-MM-DD, for the pages.
	Until string `json:"-"`
}

// CertStatusOf is p's standing at now, with shared the valid shared certificates by product.
// It reads the built-in catalogue; the service reads the installation's (Effective.CertStatus).
func CertStatusOf(p Product, shared map[int64]SharedCert, now time.Time) CertStatus {
	return Effective{}.CertStatus(p, shared, now)
}

// certStatus is p's certificate at now, the duty left for the catalogue to say.
func certStatus(p Product, shared map[int64]SharedCert, now time.Time) CertStatus {
	st := CertStatus{}
	switch sc, ok := shared[p.ID]; {
	case p.Cert.ValidOn(now):
		st.Certified, st.Source, st.Until = true, CertOwn, p.Cert.ExpiresDay()
	case ok:
		st.Certified, st.Source, st.Shared, st.Until = true, CertShared, &sc, sc.ExpiresDay()
	}
	return st
}

// certInputs reads what decides whether the context operator's products are certified:
// the catalogue in force (with this installation's overrides) and the certificates
// suppliers shared, by product (sharedCerts).
func (s *Service) certInputs(ctx context.Context) (Effective, map[int64]SharedCert, error) {
	shared, err := s.sharedCerts(ctx)
	if err != nil {
		return Effective{}, nil, err
	}
	cat, err := s.EffectiveCatalogue(ctx)
	return cat, shared, err
}

// sharedCerts gives, by product id, the valid certificates suppliers shared with the context
// operator that name its products; the one valid longest where several do.
func (s *Service) sharedCerts(ctx context.Context) (map[int64]SharedCert, error) {
	out := map[int64]SharedCert{}
	if s.orgs == nil {
		return out, nil // an installation without organisations has no supplier to share
	}
	cs, err := s.SharedCredentials(ctx)
	if err != nil {
		return nil, err
	}
	for _, c := range cs {
		if c.Credential.Kind != CredCertificate || !c.Valid || c.Credential.Expires == nil {
			continue
		}
		sc := SharedCert{ReceiptID: c.ID, SupplierZH: c.SupplierZH, SupplierEN: c.SupplierEN, Number: c.Credential.Number,
			Body: c.Credential.Body, Scope: c.Credential.Scope, Expires: *c.Credential.Expires}
		for _, p := range c.Products {
			sc.Linked = p.Linked
			if old, ok := out[p.ID]; !ok || sc.Expires.After(old.Expires) || (sc.Linked && !old.Linked && !sc.Expires.Before(old.Expires)) {
				out[p.ID] = sc
			}
		}
	}
	return out, nil
}
