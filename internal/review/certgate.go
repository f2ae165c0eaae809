package review

import (
	"context"
	"fmt"

	"ciiguard/internal/problem"
	"ciiguard/internal/store"
)

// The certificate gate: a registered product that the catalogue puts under the certification
// duty (CSL 2016 Art. 23, 2025 Art. 25) and that has no valid certificate — neither the
// operator's own record nor one its supplier shared — is not approved while the
// organisation's policy is block (certpolicy.go), and only warned about under warn. A product
// typed by hand has no certificate record to check: its page says the duty by its kind and the
// gate leaves it to the people approving (docs/review.md, what is left).

// WithCert is d with the product's certification duty c judged under pol.
func (d Decision) WithCert(c CertDuty, pol Policy) Decision {
	d.Cert = c
	if !c.Missing() {
		return d
	}
	if pol.Blocks() {
		d.Allowed, d.CertBlocks = false, true
	} else {
		d.CertWarns = true
	}
	return d
}

// certRefusal is the refusal for a missing certificate, naming the catalogue's entry (zh as
// the first argument, en as the second, so that each language's text picks its own) and the
// article, and saying that the refusal is the organisation's policy derived from the seller's
// duty.
func (d Decision) certRefusal() error {
	zh, en := d.Cert.CategoryZh, d.Cert.CategoryEn
	if zh == "" {
		zh, en = "网络关键设备或网络安全专用产品", "critical network equipment or dedicated network security product"
	}
	return problem.Conflictf("approval", "the product has no valid security certificate or test certificate: as %[2]s of the catalogue of critical network equipment and dedicated network security products it may not be sold or provided before it is certified or tested (CSL 2016 Art. 23, 2025 Art. 25); that a CII operator buys only certified products is this organisation's policy derived from the seller's duty (certificate gate: block; an administrator may set it to warn)",
		zh, en)
}

// decide is the gate's answer for p today: its case's state, its product's certificate and
// the organisation's policy.
func (s *Service) decide(ctx context.Context, p Procurement) (Decision, State, error) {
	cert, err := s.certDuty(ctx, p)
	if err != nil {
		return Decision{}, "", err
	}
	var (
		state State
		pol   Policy
	)
	err = s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		if p.CaseID != 0 {
			c, err := getCase(t, p.CaseID)
			if err != nil {
				return fmt.Errorf("read case %d: %w", p.CaseID, err)
			}
			state = c.State
		}
		pol, err = policyIn(t)
		return err
	})
	if err != nil {
		return Decision{}, "", err
	}
	return Gate(p, state).WithCert(cert, pol), state, nil
}
