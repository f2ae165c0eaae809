package vulns

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"ciiguard/internal/audit"
	"ciiguard/internal/auth"
	"ciiguard/internal/kernel"
	"ciiguard/internal/problem"
	"ciiguard/internal/rules"
	"ciiguard/internal/store"
)

// A supplier organisation shares its security advisories (its vulnerability records) with
// chosen customer operators. Who is a customer is the operators' word, not the supplier's:
// an operator links its supplier record to the supplier's organisation
// (kernel.SupplierCustomers, the suppliers capability), and only then may the supplier share
// with it. A share is two rows written in one transaction: the share in the supplier's tenant
// (vuln_shares) and the receipt in the operator's (vuln_received). The operator reads the
// advisory through its receipt — the one authorised read of the supplier's tenant, of that
// one record — so it sees the advisory as the supplier keeps it now, read-only, matched to
// its own product records; nothing tells one customer of another. A revoked share is gone
// for the operator (404) and stays in the supplier's history. Both sides' audit trails
// record the share and the revocation.

// Share is one sharing of an advisory with an operator, as the supplier sees it.
type Share struct {
	ID         int64      `json:"id"`
	OperatorID int64      `json:"operator_id"`
	OperatorZH string     `json:"operator_name_zh"`
	OperatorEN string     `json:"operator_name_en"`
	SharedBy   string     `json:"shared_by"`
	SharedAt   time.Time  `json:"shared_at"`
	RevokedBy  string     `json:"revoked_by,omitempty"`
	RevokedAt  *time.Time `json:"revoked_at"`
}

// Advisory is what an operator sees of a supplier's shared vulnerability record: the
// record's public content as the supplier keeps it now — never the supplier's reports,
// clocks or people.
type Advisory struct {
	Title       string     `json:"title"`
	CVE         string     `json:"cve"`
	CNVD        string     `json:"cnvd"`
	CNNVD       string     `json:"cnnvd"`
	Description string     `json:"description"`
	Nature      string     `json:"nature"`
	Harm        string     `json:"harm"`
	Scope       string     `json:"scope"`
	CVSSVector  string     `json:"cvss_vector"`
	CVSSVersion string     `json:"cvss_version"`
	Score       float64    `json:"score"`
	Severity    string     `json:"severity"`
	Status      string     `json:"status"`
	StatusNote  string     `json:"status_note"`
	Disclosed   bool       `json:"disclosed"`
	Discovered  time.Time  `json:"discovered_at"`
	UpdatedAt   time.Time  `json:"updated_at"`
	Products    []Affected `json:"products"` // as the supplier wrote them
}

// Received is a supplier's advisory shared with the context operator, linked to the
// operator's own product records and, through them, its systems.
type Received struct {
	ID         int64     `json:"id"`
	SupplierID int64     `json:"supplier_org_id"`
	SupplierZH string    `json:"supplier_name_zh"`
	SupplierEN string    `json:"supplier_name_en"`
	SharedAt   time.Time `json:"shared_at"`
	Advisory   Advisory  `json:"advisory"`
	// Products are the operator's product records from this supplier that the advisory
	// names (name, and model or version where the advisory gives one).
	Products []kernel.ProductRef `json:"products"`
	// Systems are the operator's systems where those products are used.
	Systems []SystemRef `json:"systems"`
}

// Affects reports whether the advisory reaches one of the operator's systems.
func (r Received) Affects() bool { return len(r.Systems) > 0 }

// SharesOf lists the shares of the context supplier's vulnerability id, newest first, and
// the customers it may share with; another organisation's vulnerability is store.ErrNotFound.
func (s *Service) SharesOf(ctx context.Context, id int64) ([]Share, []kernel.CustomerRef, error) {
	var out []Share
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		if _, _, err := records(t, id); err != nil {
			return err
		}
		var err error
		out, err = sharesIn(t, id)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	customers, err := s.customers(ctx)
	if err != nil {
		return nil, nil, err
	}
	for i := range out {
		if o, err := s.orgs.GetOrg(ctx, out[i].OperatorID); err == nil {
			out[i].OperatorZH, out[i].OperatorEN = o.NameZH, o.NameEN
		} else {
			return nil, nil, fmt.Errorf("read operator %d: %w", out[i].OperatorID, err)
		}
	}
	return out, customers, nil
}

func sharesIn(t *store.Tenant, vulnID int64) ([]Share, error) {
	rows, err := t.Query(`SELECT id, operator_id, shared_by, shared_at, revoked_by, revoked_at FROM vuln_shares WHERE org_id = $1 AND vuln_id = $2 ORDER BY id DESC`, vulnID)
	if err != nil {
		return nil, fmt.Errorf("read the shares: %w", err)
	}
	defer rows.Close()
	out := []Share{}
	for rows.Next() {
		var x Share
		var revoked sql.NullTime
		if err := rows.Scan(&x.ID, &x.OperatorID, &x.SharedBy, &x.SharedAt, &x.RevokedBy, &revoked); err != nil {
			return nil, fmt.Errorf("read a share: %w", err)
		}
		x.SharedAt, x.RevokedAt = x.SharedAt.UTC(), nullTime(revoked)
		out = append(out, x)
	}
	return out, rows.Err()
}

// customers are the operators that name the context supplier organisation as their
// supplier; none without a supplier register in the installation.
func (s *Service) customers(ctx context.Context) ([]kernel.CustomerRef, error) {
	if s.customersOf == nil {
		return []kernel.CustomerRef{}, nil
	}
	cs, err := s.customersOf.Customers(ctx)
	if err != nil {
		return nil, fmt.Errorf("read the customers: %w", err)
	}
	return cs, nil
}

// ShareWith shares the context supplier's vulnerability id with operator, one of its
// customers. Another organisation's vulnerability is store.ErrNotFound before anything else
// is judged; an organisation that is not a supplier's cannot share (409); an operator that
// does not name the supplier is a problem on "operator_id"; a share in force already is a
// conflict. The operator's responders are told when the advisory reaches its systems.
func (s *Service) ShareWith(ctx context.Context, id, operator int64) (Share, error) {
	if _, err := s.Get(ctx, id); err != nil {
		return Share{}, err
	}
	supplier, err := s.isSupplier(ctx)
	if err != nil {
		return Share{}, err
	}
	if !supplier {
		return Share{}, problem.Conflictf("operator_id", "only a supplier organisation shares its advisories with its customers")
	}
	cs, err := s.customers(ctx)
	if err != nil {
		return Share{}, err
	}
	i := slices.IndexFunc(cs, func(c kernel.CustomerRef) bool { return c.ID == operator })
	if i < 0 {
		return Share{}, problem.Field("operator_id", "is not an operator that names your organisation as its supplier")
	}
	x := Share{OperatorID: operator, OperatorZH: cs[i].NameZH, OperatorEN: cs[i].NameEN, SharedBy: audit.ActorFrom(ctx).Label, SharedAt: s.now()}
	var receivedID int64
	err = s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		var open int64
		switch err := t.QueryRow(`SELECT id FROM vuln_shares WHERE org_id = $1 AND vuln_id = $2 AND operator_id = $3 AND revoked_at IS NULL`, id, operator).Scan(&open); {
		case err == nil:
			return problem.Conflictf("operator_id", "the advisory is already shared with this operator")
		case !errors.Is(err, store.ErrNotFound):
			return fmt.Errorf("read the shares: %w", err)
		}
		if err := t.QueryRow(`INSERT INTO vuln_shares (org_id, vuln_id, operator_id, shared_by, shared_at) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
			id, operator, x.SharedBy, x.SharedAt).Scan(&x.ID); err != nil {
			return fmt.Errorf("share the advisory: %w", err)
		}
		// The receipt is the operator's row: its organisation is the customer the
		// supplier's own list names, never input taken as it is.
		if err := t.Tx().QueryRow(`INSERT INTO vuln_received (org_id, supplier_org_id, share_id, vuln_id, shared_at) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
			operator, t.OrgID(), x.ID, id, x.SharedAt).Scan(&receivedID); err != nil {
			return fmt.Errorf("deliver the advisory: %w", err)
		}
		if err := audit.Record(t.Tx(), operator, "vuln_received", idStr(receivedID), "receive_advisory", nil, map[string]any{"supplier_org_id": t.OrgID(), "vuln_id": id},
			"a supplier shared a security advisory"); err != nil {
			return err
		}
		return audit.InTenant(t, "vuln_share", idStr(x.ID), "share", nil, x, fmt.Sprintf("vulnerability %d shared with %s", id, x.OperatorEN))
	})
	if err != nil {
		return Share{}, err
	}
	s.tellOperator(ctx, operator, receivedID)
	return x, nil
}

// tellOperator alerts the operator's responders when the advisory it received reaches its
// systems. The share stands whether or not the alert can be queued: a failure is logged.
func (s *Service) tellOperator(ctx context.Context, operator, receivedID int64) {
	if s.notifier == nil {
		return
	}
	octx := store.WithOrg(ctx, operator)
	r, err := s.ReceivedOne(octx, receivedID)
	if err == nil && r.Affects() {
		_, err = s.notifier.Notify(octx, operator, advisoryNotice(r))
	}
	if err != nil && s.log != nil {
		s.log.Warn("vulns: alert on a shared advisory", slog.Int64("operator", operator), slog.Int64("received", receivedID), slog.Any("error", err))
	}
}

// TellAffected alerts the context operator of each advisory shared with it that reaches its
// systems now and was not yet alerted: one shared before the operator registered the
// product, or linked it to a system, is told once it does (the clocks' tick runs it). The
// notifier's ledger sends each advisory's alert once, whether at sharing or here.
func (s *Service) TellAffected(ctx context.Context) error {
	org, ok := store.OrgFrom(ctx)
	if !ok || s.notifier == nil {
		return nil
	}
	rs, err := s.Received(ctx)
	if err != nil {
		return err
	}
	for _, r := range rs {
		key := fmt.Sprintf("%d|advisory|%d", org, r.ID)
		if !r.Affects() || !s.reminded.first(&s.reminded.sent, key) {
			continue
		}
		if _, err := s.notifier.Notify(ctx, org, advisoryNotice(r)); err != nil {
			s.reminded.forget(&s.reminded.sent, key)
			return fmt.Errorf("alert on shared advisory %d: %w", r.ID, err)
		}
	}
	return nil
}

// advisoryNotice is the alert of a shared advisory that reaches the operator's systems.
func advisoryNotice(r Received) kernel.Notice {
	names := make([]string, len(r.Systems))
	for i, x := range r.Systems {
		names[i] = x.Name
	}
	sys := joinNames(names)
	return kernel.Notice{Kind: "vulns.shared_advisory", Subject: "vuln-received:" + idStr(r.ID), Point: "shared",
		Title: rules.Text{Zh: "供应商安全公告影响本单位系统：" + r.Advisory.Title, En: "A supplier's security advisory affects your systems: " + r.Advisory.Title},
		Body: rules.Text{
			Zh: fmt.Sprintf("%s共享了安全公告“%s”（%s），涉及本单位在用产品，影响系统：%s。", r.SupplierZH, r.Advisory.Title, severityZH[r.Advisory.Severity], sys),
			En: fmt.Sprintf("%s shared the security advisory \"%s\" (%s). It names products you use, on these systems: %s.", r.SupplierEN, r.Advisory.Title, r.Advisory.Severity, sys),
		},
		Roles: []auth.Role{auth.Admin, auth.SecurityManager, auth.SystemOwner}, Link: "/vulns/shared/" + idStr(r.ID)}
}

// severityZH is a severity as the Chinese alert writes it.
var severityZH = map[string]string{"critical": "严重", "high": "高危", "medium": "中危", "low": "低危", "none": "无"}

func joinNames(names []string) string {
	out := ""
	for i, n := range names {
		if i > 0 {
			out += "、"
		}
		out += n
	}
	return out
}

// RevokeShare ends the context supplier's share of vulnerability id with operator: the
// operator no longer sees it. Another organisation's vulnerability is store.ErrNotFound; a
// share not in force is a conflict.
func (s *Service) RevokeShare(ctx context.Context, id, operator int64) (Share, error) {
	now, by := s.now(), audit.ActorFrom(ctx).Label
	var x Share
	err := s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		if _, _, err := records(t, id); err != nil {
			return err
		}
		shares, err := sharesIn(t, id)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(shares, func(sh Share) bool { return sh.OperatorID == operator && sh.RevokedAt == nil })
		if i < 0 {
			return problem.Conflictf("operator_id", "the advisory is not shared with this operator")
		}
		x = shares[i]
		x.RevokedBy, x.RevokedAt = by, &now
		if _, err := t.Exec(`UPDATE vuln_shares SET revoked_by = $2, revoked_at = $3 WHERE org_id = $1 AND id = $4`, by, now, x.ID); err != nil {
			return fmt.Errorf("revoke the share: %w", err)
		}
		if _, err := t.Tx().Exec(`UPDATE vuln_received SET revoked_at = $3 WHERE org_id = $1 AND share_id = $2`, operator, x.ID, now); err != nil {
			return fmt.Errorf("withdraw the advisory: %w", err)
		}
		if err := audit.Record(t.Tx(), operator, "vuln_received", "share:"+idStr(x.ID), "withdraw_advisory", nil, nil, "a supplier withdrew a shared security advisory"); err != nil {
			return err
		}
		return audit.InTenant(t, "vuln_share", idStr(x.ID), "revoke_share", shares[i], x, fmt.Sprintf("vulnerability %d no longer shared with operator %d", id, operator))
	})
	if err != nil {
		return Share{}, err
	}
	return x, nil
}

// receipt is an operator's row of a shared advisory.
type receipt struct {
	id, supplier, vuln int64
	at                 time.Time
}

func receipts(t *store.Tenant, id int64) ([]receipt, error) {
	q, args := `SELECT id, supplier_org_id, vuln_id, shared_at FROM vuln_received WHERE org_id = $1 AND revoked_at IS NULL ORDER BY shared_at DESC, id DESC`, []any{}
	if id > 0 {
		q, args = `SELECT id, supplier_org_id, vuln_id, shared_at FROM vuln_received WHERE org_id = $1 AND revoked_at IS NULL AND id = $2`, []any{id}
	}
	rows, err := t.Query(q, args...)
	if err != nil {
		return nil, fmt.Errorf("read shared advisories: %w", err)
	}
	defer rows.Close()
	var out []receipt
	for rows.Next() {
		var r receipt
		if err := rows.Scan(&r.id, &r.supplier, &r.vuln, &r.at); err != nil {
			return nil, fmt.Errorf("read a shared advisory: %w", err)
		}
		r.at = r.at.UTC()
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if id > 0 && len(out) == 0 {
		return nil, store.ErrNotFound
	}
	return out, nil
}

// Received lists the advisories shared with the context operator and in force, newest
// first, each linked to the operator's products and systems.
func (s *Service) Received(ctx context.Context) ([]Received, error) {
	return s.received(ctx, 0)
}

// ReceivedOne is one advisory shared with the context operator; another organisation's, or
// one the supplier withdrew, is store.ErrNotFound.
func (s *Service) ReceivedOne(ctx context.Context, id int64) (Received, error) {
	out, err := s.received(ctx, id)
	if err != nil {
		return Received{}, err
	}
	return out[0], nil
}

func (s *Service) received(ctx context.Context, id int64) ([]Received, error) {
	var rs []receipt
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		var err error
		rs, err = receipts(t, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	if len(rs) == 0 {
		return []Received{}, nil // the register is not read for nothing (the clocks' tick asks every minute)
	}
	refs, err := s.productRefs(ctx)
	if err != nil {
		return nil, err
	}
	var systems map[int64]rules.System
	out := make([]Received, 0, len(rs))
	for _, r := range rs {
		v, err := s.supplierRecord(ctx, r.supplier, r.vuln)
		if err != nil {
			return nil, err
		}
		x := Received{ID: r.id, SupplierID: r.supplier, SharedAt: r.at, Advisory: advisoryOf(v), Products: []kernel.ProductRef{}, Systems: []SystemRef{}}
		if o, err := s.orgs.GetOrg(ctx, r.supplier); err == nil {
			x.SupplierZH, x.SupplierEN = o.NameZH, o.NameEN
		} else {
			return nil, fmt.Errorf("read supplier %d: %w", r.supplier, err)
		}
		seen := map[int64]bool{}
		for _, ref := range sortedRefs(refs) {
			if ref.SupplierOrgID != r.supplier || !slices.ContainsFunc(v.Products, func(a Affected) bool { return matchesAffected(ref, a) }) {
				continue
			}
			x.Products = append(x.Products, ref)
			for _, sid := range ref.Systems {
				if seen[sid] {
					continue
				}
				seen[sid] = true
				if systems == nil {
					if systems, err = s.systems(ctx); err != nil {
						return nil, err
					}
				}
				x.Systems = append(x.Systems, SystemRef{ID: sid, Name: systems[sid].Name, CIIStatus: systems[sid].CIIStatus})
			}
		}
		out = append(out, x)
	}
	return out, nil
}

// supplierRecord reads the supplier's vulnerability vuln: the one read of another
// organisation's tenant, authorised by the receipt the caller found in its own.
func (s *Service) supplierRecord(ctx context.Context, supplier, vuln int64) (Vuln, error) {
	var vs []Vuln
	err := s.db.ReadTenant(store.WithOrg(ctx, supplier), func(t *store.Tenant) error {
		var err error
		vs, _, err = records(t, vuln)
		return err
	})
	if err != nil {
		return Vuln{}, fmt.Errorf("read the shared advisory: %w", err)
	}
	return vs[0], nil
}

// matchesAffected reports whether an operator's product record is the affected product the
// supplier wrote: the same name, and the same version or model where one is given.
func matchesAffected(ref kernel.ProductRef, a Affected) bool {
	if fold(a.Version) == "" && fold(a.Model) == "" {
		return Matches(ref, a.Name, "")
	}
	return (fold(a.Version) != "" && Matches(ref, a.Name, a.Version)) || (fold(a.Model) != "" && Matches(ref, a.Name, a.Model))
}

func advisoryOf(v Vuln) Advisory {
	return Advisory{Title: v.Title, CVE: v.CVE, CNVD: v.CNVD, CNNVD: v.CNNVD, Description: v.Description, Nature: v.Nature, Harm: v.Harm, Scope: v.Scope,
		CVSSVector: v.CVSSVector, CVSSVersion: v.CVSSVersion, Score: v.Score, Severity: v.Severity, Status: v.Status, StatusNote: v.StatusNote,
		Disclosed: v.Disclosed, Discovered: v.DiscoveredAt, UpdatedAt: v.UpdatedAt, Products: v.Products}
}
