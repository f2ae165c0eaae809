package suppliers

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"ciiguard/internal/audit"
	"ciiguard/internal/kernel"
	"ciiguard/internal/problem"
	"ciiguard/internal/store"
)

// A supplier organisation shares a credential with a customer as it shares an advisory
// (docs/vulnerabilities.md, "The supplier's side"): only with an operator whose supplier
// register links the supplier's organisation (Customers), as two rows written in one
// transaction — the share in the supplier's tenant (credential_shares) and the receipt in
// the operator's (credentials_received), whose organisation comes from the supplier's own
// customer list, never from input as it is. The operator reads the credential through its
// receipt, the one read of the supplier's tenant, of that one record; a revoked share is
// gone for the operator (404) and stays in the supplier's history; both audit trails record
// the share and the revocation.

// CredShare is one sharing of a credential with an operator, as the supplier sees it.
type CredShare struct {
	ID         int64      `json:"id"`
	OperatorID int64      `json:"operator_id"`
	OperatorZH string     `json:"operator_name_zh"`
	OperatorEN string     `json:"operator_name_en"`
	SharedBy   string     `json:"shared_by"`
	SharedAt   time.Time  `json:"shared_at"`
	RevokedBy  string     `json:"revoked_by,omitempty"`
	RevokedAt  *time.Time `json:"revoked_at"`
}

// SharedCredential is a supplier's credential shared with the context operator, linked to
// the operator's own product records of that supplier and, through them, its systems.
type SharedCredential struct {
	ID         int64      `json:"id"` // the receipt's, the operator's own number
	SupplierID int64      `json:"supplier_org_id"`
	SupplierZH string     `json:"supplier_name_zh"`
	SupplierEN string     `json:"supplier_name_en"`
	SharedAt   time.Time  `json:"shared_at"`
	Credential Credential `json:"credential"`
	// Valid says a shared certificate is valid today (China time); false for a review.
	Valid bool `json:"valid"`
	// Products are the operator's product records the operator linked the credential to, and
	// those from this supplier that it names (same name ignoring case and spaces, and the same
	// version where it gives one): credlinks.go.
	Products []SharedProduct `json:"products"`
	// Systems are the operator's systems where those products are used.
	Systems []SharedSystem `json:"systems"`
}

// SharedProduct is an operator's product record a shared credential names.
type SharedProduct struct {
	ID         int64  `json:"id"`
	SupplierID int64  `json:"supplier_id"` // the operator's supplier record
	Name       string `json:"name"`
	Version    string `json:"version"`
	// Linked says the operator linked the record to this product (credlinks.go); otherwise
	// the record names it by name and version (可能适用: counted, not confirmed).
	Linked bool `json:"linked"`
}

// SharedSystem is a system of the operator's inventory a shared credential reaches.
type SharedSystem struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// CredentialShares lists the shares of the context supplier's credential id, newest first,
// and the customers it may share with; another organisation's credential is
// store.ErrNotFound.
func (s *Service) CredentialShares(ctx context.Context, id int64) ([]CredShare, []kernel.CustomerRef, error) {
	var out []CredShare
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		if _, err := credentialsIn(t, id); err != nil {
			return err
		}
		var err error
		out, err = credSharesIn(t, id)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	customers, err := s.Customers(ctx)
	if err != nil {
		return nil, nil, err
	}
	for i := range out {
		o, err := s.orgs.GetOrg(ctx, out[i].OperatorID)
		if err != nil {
			return nil, nil, fmt.Errorf("read operator %d: %w", out[i].OperatorID, err)
		}
		out[i].OperatorZH, out[i].OperatorEN = o.NameZH, o.NameEN
	}
	return out, customers, nil
}

func credSharesIn(t *store.Tenant, credID int64) ([]CredShare, error) {
	rows, err := t.Query(`SELECT id, operator_id, shared_by, shared_at, revoked_by, revoked_at FROM credential_shares WHERE org_id = $1 AND credential_id = $2 ORDER BY id DESC`, credID)
	if err != nil {
		return nil, fmt.Errorf("read the shares: %w", err)
	}
	defer rows.Close()
	out := []CredShare{}
	for rows.Next() {
		var (
			x       CredShare
			revoked sql.NullTime
		)
		if err := rows.Scan(&x.ID, &x.OperatorID, &x.SharedBy, &x.SharedAt, &x.RevokedBy, &revoked); err != nil {
			return nil, fmt.Errorf("read a share: %w", err)
		}
		x.SharedAt = x.SharedAt.UTC()
		if revoked.Valid {
			r := revoked.Time.UTC()
			x.RevokedAt = &r
		}
		out = append(out, x)
	}
	return out, rows.Err()
}

// ShareCredential shares the context supplier's credential id with operator, one of its
// customers. Another organisation's credential is store.ErrNotFound before anything else is
// judged; an operator that does not name the supplier is a problem on "operator_id"; a
// share in force already is a conflict.
func (s *Service) ShareCredential(ctx context.Context, id, operator int64) (CredShare, error) {
	if _, err := s.GetCredential(ctx, id); err != nil {
		return CredShare{}, err
	}
	ok, err := s.isSupplierOrg(ctx)
	if err != nil {
		return CredShare{}, err
	}
	if !ok {
		return CredShare{}, problem.Conflictf("operator_id", "only a supplier organisation shares its credentials with its customers")
	}
	cs, err := s.Customers(ctx)
	if err != nil {
		return CredShare{}, err
	}
	i := slices.IndexFunc(cs, func(c kernel.CustomerRef) bool { return c.ID == operator })
	if i < 0 {
		return CredShare{}, problem.Field("operator_id", "is not an operator that names your organisation as its supplier")
	}
	x := CredShare{OperatorID: operator, OperatorZH: cs[i].NameZH, OperatorEN: cs[i].NameEN, SharedBy: audit.ActorFrom(ctx).Label, SharedAt: s.now()}
	err = s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		var open int64
		switch err := t.QueryRow(`SELECT id FROM credential_shares WHERE org_id = $1 AND credential_id = $2 AND operator_id = $3 AND revoked_at IS NULL`, id, operator).Scan(&open); {
		case err == nil:
			return problem.Conflictf("operator_id", "the credential is already shared with this operator")
		case !errors.Is(store.Found(err), store.ErrNotFound):
			return fmt.Errorf("read the shares: %w", err)
		}
		if err := t.QueryRow(`INSERT INTO credential_shares (org_id, credential_id, operator_id, shared_by, shared_at) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
			id, operator, x.SharedBy, x.SharedAt).Scan(&x.ID); err != nil {
			return fmt.Errorf("share the credential: %w", err)
		}
		var received int64
		if err := t.Tx().QueryRow(`INSERT INTO credentials_received (org_id, supplier_org_id, share_id, credential_id, shared_at) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
			operator, t.OrgID(), x.ID, id, x.SharedAt).Scan(&received); err != nil {
			return fmt.Errorf("deliver the credential: %w", err)
		}
		s.announceTo(t, operator) // a shared certificate may certify the operator's product
		if err := audit.Record(t.Tx(), operator, "credential_received", strconv.FormatInt(received, 10), "receive_credential", nil,
			map[string]any{"supplier_org_id": t.OrgID(), "credential_id": id}, "a supplier shared a certificate or review outcome"); err != nil {
			return err
		}
		return audit.InTenant(t, "credential_share", strconv.FormatInt(x.ID, 10), "share", nil, x, fmt.Sprintf("credential %d shared with %s", id, x.OperatorEN))
	})
	if err != nil {
		return CredShare{}, err
	}
	return x, nil
}

// RevokeCredentialShare ends the context supplier's share of credential id with operator:
// the operator no longer sees it. Another organisation's credential is store.ErrNotFound; a
// share not in force is a conflict.
func (s *Service) RevokeCredentialShare(ctx context.Context, id, operator int64) (CredShare, error) {
	now, by := s.now(), audit.ActorFrom(ctx).Label
	var x CredShare
	err := s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		if _, err := credentialsIn(t, id); err != nil {
			return err
		}
		shares, err := credSharesIn(t, id)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(shares, func(sh CredShare) bool { return sh.OperatorID == operator && sh.RevokedAt == nil })
		if i < 0 {
			return problem.Conflictf("operator_id", "the credential is not shared with this operator")
		}
		x = shares[i]
		x.RevokedBy, x.RevokedAt = by, &now
		if _, err := t.Exec(`UPDATE credential_shares SET revoked_by = $2, revoked_at = $3 WHERE org_id = $1 AND id = $4`, by, now, x.ID); err != nil {
			return fmt.Errorf("revoke the share: %w", err)
		}
		if _, err := t.Tx().Exec(`UPDATE credentials_received SET revoked_at = $3 WHERE org_id = $1 AND share_id = $2`, operator, x.ID, now); err != nil {
			return fmt.Errorf("withdraw the credential: %w", err)
		}
		s.announceTo(t, operator) // the operator's product may be uncertified again
		if err := audit.Record(t.Tx(), operator, "credential_received", "share:"+strconv.FormatInt(x.ID, 10), "withdraw_credential", nil, nil,
			"a supplier withdrew a shared certificate or review outcome"); err != nil {
			return err
		}
		return audit.InTenant(t, "credential_share", strconv.FormatInt(x.ID, 10), "revoke_share", shares[i], x, fmt.Sprintf("credential %d no longer shared with operator %d", id, operator))
	})
	if err != nil {
		return CredShare{}, err
	}
	return x, nil
}

// credReceipt is an operator's row of a shared credential.
type credReceipt struct {
	id, supplier, cred int64
	at                 time.Time
}

func credReceipts(t *store.Tenant, id int64) ([]credReceipt, error) {
	rows, err := t.Query(`SELECT id, supplier_org_id, credential_id, shared_at FROM credentials_received WHERE org_id = $1 AND revoked_at IS NULL AND ($2 = 0 OR id = $2) ORDER BY shared_at DESC, id DESC`, id)
	if err != nil {
		return nil, fmt.Errorf("read shared credentials: %w", err)
	}
	defer rows.Close()
	var out []credReceipt
	for rows.Next() {
		var r credReceipt
		if err := rows.Scan(&r.id, &r.supplier, &r.cred, &r.at); err != nil {
			return nil, fmt.Errorf("read a shared credential: %w", err)
		}
		r.at = r.at.UTC()
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read shared credentials: %w", err)
	}
	if id != 0 && len(out) == 0 {
		return nil, store.ErrNotFound
	}
	return out, nil
}

// SharedCredentials lists the credentials shared with the context operator and in force,
// newest first, each linked to the operator's products and systems.
func (s *Service) SharedCredentials(ctx context.Context) ([]SharedCredential, error) {
	return s.sharedCredentials(ctx, 0)
}

// SharedCredentialOne is one credential shared with the context operator; another
// organisation's, or one the supplier withdrew, is store.ErrNotFound.
func (s *Service) SharedCredentialOne(ctx context.Context, id int64) (SharedCredential, error) {
	out, err := s.sharedCredentials(ctx, id)
	if err != nil {
		return SharedCredential{}, err
	}
	return out[0], nil
}

func (s *Service) sharedCredentials(ctx context.Context, id int64) ([]SharedCredential, error) {
	var (
		rs    []credReceipt
		prods []Product
		links map[int64][]int64
	)
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		var err error
		if rs, err = credReceipts(t, id); err != nil || len(rs) == 0 {
			return err
		}
		if links, err = credLinksIn(t, id); err != nil {
			return err
		}
		prods, err = allProducts(t, 0)
		return err
	})
	if err != nil {
		return nil, err
	}
	out := make([]SharedCredential, 0, len(rs))
	if len(rs) == 0 {
		return out, nil
	}
	_, systems, err := s.inv.Facts(ctx)
	if err != nil {
		return nil, fmt.Errorf("read the inventory: %w", err)
	}
	names := map[int64]string{}
	for _, x := range systems {
		names[x.ID] = x.Name
	}
	now := s.Now()
	for _, r := range rs {
		c, err := s.supplierCredential(ctx, r.supplier, r.cred)
		if err != nil {
			return nil, err
		}
		x := SharedCredential{ID: r.id, SupplierID: r.supplier, SharedAt: r.at, Credential: c, Valid: c.ValidOn(now), Products: []SharedProduct{}, Systems: []SharedSystem{}}
		o, err := s.orgs.GetOrg(ctx, r.supplier)
		if err != nil {
			return nil, fmt.Errorf("read supplier %d: %w", r.supplier, err)
		}
		x.SupplierZH, x.SupplierEN = o.NameZH, o.NameEN
		seen := map[int64]bool{}
		linked := map[int64]bool{}
		for _, id := range links[r.id] {
			linked[id] = true
		}
		for _, p := range prods {
			if !linked[p.ID] && (p.SupplierOrgID != r.supplier || !credentialNames(c, p)) {
				continue
			}
			x.Products = append(x.Products, SharedProduct{ID: p.ID, SupplierID: p.SupplierID, Name: p.Name, Version: p.Version, Linked: linked[p.ID]})
			for _, sid := range p.Systems {
				if !seen[sid] {
					seen[sid] = true
					x.Systems = append(x.Systems, SharedSystem{ID: sid, Name: names[sid]})
				}
			}
		}
		out = append(out, x)
	}
	return out, nil
}

// supplierCredential reads the supplier's credential: the one read of another
// organisation's tenant, authorised by the receipt the caller found in its own.
func (s *Service) supplierCredential(ctx context.Context, supplier, id int64) (Credential, error) {
	var cs []Credential
	err := s.db.ReadTenant(store.WithOrg(ctx, supplier), func(t *store.Tenant) error {
		var err error
		cs, err = credentialsIn(t, id)
		return err
	})
	if err != nil {
		return Credential{}, fmt.Errorf("read the shared credential: %w", err)
	}
	return cs[0], nil
}

// credentialNames says the credential is for the operator's product p: the same name
// ignoring case and spaces, and the same model or version when the credential gives one.
func credentialNames(c Credential, p Product) bool {
	if fold(c.Product) != fold(p.Name) {
		return false
	}
	return c.Version == "" || fold(c.Version) == fold(p.Version)
}

// fold is a name compared as people write it: without case or spaces.
func fold(s string) string {
	return strings.ToLower(strings.Join(strings.Fields(s), ""))
}
