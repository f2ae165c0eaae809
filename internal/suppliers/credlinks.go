package suppliers

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"ciiguard/internal/audit"
	"ciiguard/internal/problem"
	"ciiguard/internal/store"
	"ciiguard/internal/web"
)

// A shared certificate or review outcome concerns an operator's product in one of two ways.
// The operator may link it to the product explicitly (credential_links): it then concerns the
// product whatever the spelling of the names. Without a link, a credential that names the
// product — the same name ignoring case and spaces, the same version where it gives one, from
// the supplier organisation the product's supplier record is linked to — is a match by name
// and version. A match still counts (a certificate certifies the product, a review outcome
// reaches its purchase): the same supplier naming the same product and model is the evidence
// the operator would have checked by hand, and dropping it would reopen gaps on installations
// that rely on it. But it no longer counts silently: the pages call it 可能适用 (matched by name
// and version, counted) and offer to link it, so that the operator confirms it. Only products
// of the supplier that shared the record may be linked: a certificate of one supplier's product
// says nothing of another's.

// credLinksIn reads the operator's links of receipt id (0: of every receipt): receipt →
// product ids.
func credLinksIn(t *store.Tenant, receipt int64) (map[int64][]int64, error) {
	rows, err := t.Query(`SELECT receipt_id, product_id FROM credential_links WHERE org_id = $1 AND ($2 = 0 OR receipt_id = $2) ORDER BY id`, receipt)
	if err != nil {
		return nil, fmt.Errorf("read the credential links: %w", err)
	}
	defer rows.Close()
	out := map[int64][]int64{}
	for rows.Next() {
		var r, p int64
		if err := rows.Scan(&r, &p); err != nil {
			return nil, fmt.Errorf("read a credential link: %w", err)
		}
		out[r] = append(out[r], p)
	}
	return out, rows.Err()
}

// credLink is the audit record of a link.
type credLink struct {
	ReceiptID int64 `json:"shared_credential_id"`
	ProductID int64 `json:"product_id"`
}

// LinkCredential links the shared record receipt (the operator's number of it) to the
// operator's product. A receipt not the operator's, or withdrawn, is store.ErrNotFound; a
// product not the operator's, or not of the supplier that shared the record, is refused on
// product_id; a link in place is a conflict.
func (s *Service) LinkCredential(ctx context.Context, receipt, product int64) error {
	return s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		rs, err := credReceipts(t, receipt)
		if err != nil {
			return err
		}
		p, err := getProduct(t, product)
		switch {
		case errors.Is(store.Found(err), store.ErrNotFound) || product <= 0:
			return problem.Field("product_id", "is not a product of this organisation")
		case err != nil:
			return err
		case p.SupplierOrgID != rs[0].supplier:
			return problem.Field("product_id", "is not a product of the supplier that shared this record")
		}
		links, err := credLinksIn(t, receipt)
		if err != nil {
			return err
		}
		for _, id := range links[receipt] {
			if id == product {
				return problem.Conflictf("product_id", "is already linked to this shared record")
			}
		}
		if _, err := t.Exec(`INSERT INTO credential_links (org_id, receipt_id, product_id, linked_by, linked_at) VALUES ($1, $2, $3, $4, $5)`,
			receipt, product, audit.ActorFrom(ctx).Label, s.now()); err != nil {
			return fmt.Errorf("link the shared record: %w", err)
		}
		s.announce(t) // a linked certificate may certify the product
		return audit.InTenant(t, "credential_link", strconv.FormatInt(receipt, 10), "link", nil, credLink{receipt, product}, p.Name)
	})
}

// UnlinkCredential removes the operator's link of receipt to product; a receipt not the
// operator's is store.ErrNotFound, a link not in place a conflict on product_id.
func (s *Service) UnlinkCredential(ctx context.Context, receipt, product int64) error {
	return s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		if _, err := credReceipts(t, receipt); err != nil {
			return err
		}
		res, err := t.Exec(`DELETE FROM credential_links WHERE org_id = $1 AND receipt_id = $2 AND product_id = $3`, receipt, product)
		if err != nil {
			return fmt.Errorf("unlink the shared record: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("unlink the shared record: %w", err)
		} else if n == 0 {
			return problem.Conflictf("product_id", "is not linked to this shared record")
		}
		s.announce(t) // the product may be uncertified again
		return audit.InTenant(t, "credential_link", strconv.FormatInt(receipt, 10), "unlink", credLink{receipt, product}, nil, "")
	})
}

// credLinkInput is the body of POST /api/v1/shared-credentials/{id}/links.
type credLinkInput struct {
	ProductID int64 `json:"product_id"`
}

func (m *Module) apiLinkCredential(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	if _, err := m.SharedCredentialOne(r.Context(), id); err != nil {
		return err // another organisation's receipt: 404 before the body is judged
	}
	var in credLinkInput
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	if err := m.LinkCredential(r.Context(), id, in.ProductID); err != nil {
		return err
	}
	c, err := m.SharedCredentialOne(r.Context(), id)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusCreated, c)
}

func (m *Module) apiUnlinkCredential(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	product, err := web.IDParam(r, "product")
	if err != nil {
		return err
	}
	if err := m.UnlinkCredential(r.Context(), id, product); err != nil {
		return err
	}
	c, err := m.SharedCredentialOne(r.Context(), id)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, c)
}

// linkCredentialPage links from the shared record's page; a refusal comes back as that page
// with the product control marked.
func (m *Module) linkCredentialPage(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	if _, err := m.SharedCredentialOne(r.Context(), id); err != nil {
		return err
	}
	product, perr := strconv.ParseInt(strings.TrimSpace(r.PostFormValue("product_id")), 10, 64)
	if perr != nil {
		err = problem.Field("product_id", "is not a product of this organisation")
	} else {
		err = m.LinkCredential(r.Context(), id, product)
	}
	if err != nil {
		v := m.d.Web.NewView(r, "nav.shared_credentials", "/shared-credentials")
		if ferr := web.FieldErrorsIn("", err, v, r.PostForm); ferr != nil {
			return ferr
		}
		return m.renderSharedCredential(w, r, v, id)
	}
	return web.Redirect(w, r, fmt.Sprintf("/shared-credentials/%d#shared-products", id), m.t(r, "suppliers.cred_linked"))
}

// unlinkCredentialPage removes a link from the shared record's page.
func (m *Module) unlinkCredentialPage(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	product, err := web.IDParam(r, "product")
	if err != nil {
		return err
	}
	if err := m.UnlinkCredential(r.Context(), id, product); err != nil {
		v := m.d.Web.NewView(r, "nav.shared_credentials", "/shared-credentials")
		if ferr := web.FieldErrorsIn("", err, v, r.PostForm); ferr != nil {
			return ferr
		}
		return m.renderSharedCredential(w, r, v, id)
	}
	return web.Redirect(w, r, fmt.Sprintf("/shared-credentials/%d#shared-products", id), m.t(r, "suppliers.cred_unlinked"))
}
