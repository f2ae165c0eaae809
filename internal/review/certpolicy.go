package review

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"ciiguard/internal/audit"
	"ciiguard/internal/auth"
	"ciiguard/internal/problem"
	"ciiguard/internal/store"
)

// The certification duty of CSL 2016 Art. 23 (2025 Art. 25) is the seller's: critical network
// equipment and dedicated network security products "不得销售或者提供" before they are
// certified or tested. No article in force tells the CII operator in so many words not to buy
// such a product uncertified (the 2017 draft CIIR's Art. 32 did; it never took effect), so an
// operator's refusal to buy one is ciiguard's policy derived from the seller's duty: one may
// not lawfully be sold the product, so a purchase of it is not approved. The organisation
// chooses: block (the default, for new and existing organisations alike) or warn (the
// procurement's page only says so). Changing it is the administrator's, with a reason, and is
// audited.

// SetPolicy is the permission to change the organisation's review policy: the
// administrator's alone.
const SetPolicy auth.Permission = "review.policy"

func init() { auth.Grant(SetPolicy, auth.Admin) }

// Certificate gate settings.
const (
	CertBlock = "block" // a purchase of a product lacking its certificate is not approved
	CertWarn  = "warn"  // such a purchase is approved; its page warns
)

// CertGates are the settings the form offers, the default first.
var CertGates = []string{CertBlock, CertWarn}

// Policy is the organisation's policy for the procurement gate.
type Policy struct {
	// CertGate is block or warn.
	CertGate string `json:"certificate_gate"`
	// Reason, ChangedBy and ChangedAt say who last set it and why; empty while the default
	// stands.
	Reason    string     `json:"reason,omitempty"`
	ChangedBy string     `json:"changed_by,omitempty"`
	ChangedAt *time.Time `json:"changed_at,omitempty"`
}

// Blocks says a missing certificate refuses the approval.
func (p Policy) Blocks() bool { return p.CertGate != CertWarn }

// PolicyInput is a change of the policy as the administrator sends it.
type PolicyInput struct {
	CertGate string `json:"certificate_gate"`
	Reason   string `json:"reason"`
}

// Policy reads the context organisation's policy; block when none was ever set.
func (s *Service) Policy(ctx context.Context) (Policy, error) {
	var p Policy
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		var err error
		p, err = policyIn(t)
		return err
	})
	return p, err
}

func policyIn(t *store.Tenant) (Policy, error) {
	var (
		p  Policy
		at time.Time
	)
	err := t.QueryRow(`SELECT cert_gate, reason, changed_by, changed_at FROM review_policy WHERE org_id = $1`).Scan(&p.CertGate, &p.Reason, &p.ChangedBy, &at)
	if errors.Is(store.Found(err), store.ErrNotFound) {
		return Policy{CertGate: CertBlock}, nil
	}
	if err != nil {
		return Policy{}, fmt.Errorf("read the review policy: %w", err)
	}
	at = at.UTC()
	p.ChangedAt = &at
	return p, nil
}

// SetCertGate changes the context organisation's certificate gate; refusals name the field
// (certificate_gate, reason). The caller checks SetPolicy.
func (s *Service) SetCertGate(ctx context.Context, in PolicyInput) (Policy, error) {
	in.CertGate, in.Reason = strings.TrimSpace(in.CertGate), strings.TrimSpace(in.Reason)
	v := &problem.Invalid{}
	if in.CertGate != CertBlock && in.CertGate != CertWarn {
		v.Add("certificate_gate", "must be block or warn")
	}
	v.Text("reason", in.Reason, true, maxText)
	if err := v.Err(); err != nil {
		return Policy{}, err
	}
	now := s.now().UTC()
	p := Policy{CertGate: in.CertGate, Reason: in.Reason, ChangedBy: audit.ActorFrom(ctx).Label, ChangedAt: &now}
	err := s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		before, err := policyIn(t)
		if err != nil {
			return err
		}
		if _, err := t.Exec(`INSERT INTO review_policy (org_id, cert_gate, reason, changed_by, changed_at) VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (org_id) DO UPDATE SET cert_gate = excluded.cert_gate, reason = excluded.reason, changed_by = excluded.changed_by, changed_at = excluded.changed_at`,
			p.CertGate, p.Reason, p.ChangedBy, now); err != nil {
			return fmt.Errorf("set the review policy: %w", err)
		}
		return audit.InTenant(t, "review_policy", strconv.FormatInt(t.OrgID(), 10), "set_policy", before, p, p.Reason)
	})
	if err != nil {
		return Policy{}, err
	}
	return p, nil
}
