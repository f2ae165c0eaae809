package suppliers

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"ciiguard/internal/audit"
	"ciiguard/internal/kernel"
	"ciiguard/internal/problem"
	"ciiguard/internal/rules"
	"ciiguard/internal/store"
)

// Inventory is what the suppliers capability needs from the organisation's inventory: its
// profile and systems as the rules engine sees them (the scope capability implements it).
type Inventory interface {
	Facts(ctx context.Context) (rules.Org, []rules.System, error)
}

// Citer checks that the organisation holds an evidence file (kernel.Evidence implements it).
type Citer interface {
	Cite(ctx context.Context, sha256 string) error
}

// Service keeps the organisation's suppliers and their products.
type Service struct {
	db   *store.DB
	inv  Inventory
	ev   Citer
	orgs Orgs
	// Now is the clock; tests and the demo set it.
	Now func() time.Time
	// changed is told, inside a write transaction, that the organisation's supplier facts
	// changed (the kernel's change bus); nil tells nobody.
	changed func(tx *store.Tx, org int64)
	// changedAll is told that every organisation's supplier facts may have moved (the
	// installation changed its catalogue); nil tells nobody.
	changedAll func(ctx context.Context)
	// reviews tells where the cybersecurity review of each product stands; nil without the
	// review capability.
	reviews kernel.ProductReviews
	// tasks opens follow-up tasks on questionnaire findings; nil without the tasks
	// capability.
	tasks kernel.Tasks
	// transfers are the data capability's transfers abroad, which an arrangement reaching
	// personal information or important data links to; nil without the data capability.
	transfers kernel.DataTransfers
}

// NewService returns a service over db.
func NewService(db *store.DB, inv Inventory, ev Citer) *Service {
	return &Service{db: db, inv: inv, ev: ev, Now: time.Now}
}

func (s *Service) now() time.Time { return s.Now().UTC().Truncate(time.Second) }

// announce tells the change bus that t's organisation's supplier facts changed.
func (s *Service) announce(t *store.Tenant) {
	s.announceTo(t, t.OrgID())
}

// announceTo tells the change bus that org's facts changed in t's transaction: a supplier
// sharing or withdrawing a certificate changes its customer's certification count.
func (s *Service) announceTo(t *store.Tenant, org int64) {
	if s.changed != nil {
		s.changed(t.Tx(), org)
	}
}

const supplierCols = `id, name, uscc, foreign_reg, country, ownership, contacts, platform_org_id, created_by, created_at`

func scanSupplier(sc interface{ Scan(...any) error }) (Supplier, error) {
	var x Supplier
	err := sc.Scan(&x.ID, &x.Name, &x.USCC, &x.ForeignReg, &x.Country, &x.Ownership, &x.Contacts, &x.PlatformOrgID, &x.CreatedBy, &x.CreatedAt)
	return x, err
}

// validSupplier checks in and returns the supplier it describes, trimmed.
func validSupplier(in SupplierInput) (Supplier, *problem.Invalid) {
	x := Supplier{Name: strings.TrimSpace(in.Name), USCC: strings.TrimSpace(in.USCC), ForeignReg: strings.TrimSpace(in.ForeignReg),
		Country: strings.ToUpper(strings.TrimSpace(in.Country)), Ownership: strings.TrimSpace(in.Ownership), Contacts: strings.TrimSpace(in.Contacts)}
	v := &problem.Invalid{}
	v.Text("name", x.Name, true, maxName)
	v.Text("ownership", x.Ownership, false, maxText)
	v.Text("contacts", x.Contacts, false, maxText)
	switch {
	case x.Country == "":
		v.Add("country", "is required: the ISO 3166-1 code of the country of registration (CN, DE …)")
	case !validCountry(x.Country):
		v.Add("country", "is not an ISO 3166-1 alpha-2 country code (CN, DE …)")
	case x.Country == "CN":
		if x.USCC == "" {
			v.Add("uscc", "is required for a supplier registered in China")
		} else {
			addUSCC(v, "uscc", x.USCC)
		}
		if x.ForeignReg != "" {
			v.Add("foreign_registration", "is for a supplier registered outside China: give the unified social credit code instead")
		}
	default:
		if x.USCC != "" {
			v.Add("uscc", "is for a supplier registered in China: give the foreign registration number instead")
		}
		v.Text("foreign_registration", x.ForeignReg, true, maxShort)
	}
	return x, v
}

// CreateSupplier validates and records a supplier for the context's organisation.
func (s *Service) CreateSupplier(ctx context.Context, in SupplierInput) (Supplier, error) {
	x, v := validSupplier(in)
	if err := v.Err(); err != nil {
		return Supplier{}, err
	}
	x.CreatedBy, x.CreatedAt = audit.ActorFrom(ctx).Label, s.now()
	err := s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		return s.insertSupplier(t, &x)
	})
	return x, err
}

// insertSupplier stores x (validated) in t, refusing a second supplier with the same code.
func (s *Service) insertSupplier(t *store.Tenant, x *Supplier) error {
	if err := uniqueCode(t, x.USCC, 0); err != nil {
		return err
	}
	if err := t.QueryRow(`INSERT INTO suppliers (org_id, name, uscc, foreign_reg, country, ownership, contacts, created_by, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`, x.Name, x.USCC, x.ForeignReg, x.Country, x.Ownership, x.Contacts, x.CreatedBy, x.CreatedAt).Scan(&x.ID); err != nil {
		return fmt.Errorf("record supplier: %w", err)
	}
	s.announce(t)
	return audit.InTenant(t, "supplier", strconv.FormatInt(x.ID, 10), audit.Create, nil, x, x.Name)
}

// uniqueCode refuses a unified social credit code another supplier (not id) already has.
func uniqueCode(t *store.Tenant, code string, id int64) error {
	if code == "" {
		return nil
	}
	var other int64
	err := t.QueryRow(`SELECT id FROM suppliers WHERE org_id = $1 AND uscc = $2 AND id <> $3`, code, id).Scan(&other)
	switch {
	case err == nil:
		return problem.Conflictf("uscc", "supplier %d already has this code", other)
	case errors.Is(err, store.ErrNotFound):
		return nil
	default:
		return fmt.Errorf("check the supplier's code: %w", err)
	}
}

// UpdateSupplier replaces a supplier's particulars.
func (s *Service) UpdateSupplier(ctx context.Context, id int64, in SupplierInput) (Supplier, error) {
	x, v := validSupplier(in)
	if err := v.Err(); err != nil {
		return Supplier{}, err
	}
	err := s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		before, err := getSupplier(t, id)
		if err != nil {
			return err
		}
		if err := uniqueCode(t, x.USCC, id); err != nil {
			return err
		}
		x.ID, x.PlatformOrgID, x.CreatedBy, x.CreatedAt = id, before.PlatformOrgID, before.CreatedBy, before.CreatedAt
		if _, err := t.Exec(`UPDATE suppliers SET name = $2, uscc = $3, foreign_reg = $4, country = $5, ownership = $6, contacts = $7 WHERE org_id = $1 AND id = $8`,
			x.Name, x.USCC, x.ForeignReg, x.Country, x.Ownership, x.Contacts, id); err != nil {
			return fmt.Errorf("update supplier: %w", err)
		}
		s.announce(t)
		return audit.InTenant(t, "supplier", strconv.FormatInt(id, 10), audit.Update, before, x, x.Name)
	})
	return x, err
}

// Supplier returns one of the context's organisation's suppliers; another's is
// store.ErrNotFound.
func (s *Service) Supplier(ctx context.Context, id int64) (Supplier, error) {
	var x Supplier
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		var err error
		x, err = getSupplier(t, id)
		return err
	})
	return x, err
}

func getSupplier(t *store.Tenant, id int64) (Supplier, error) {
	return scanSupplier(t.QueryRow(`SELECT `+supplierCols+` FROM suppliers WHERE org_id = $1 AND id = $2`, id))
}

// Suppliers lists the organisation's suppliers by name.
func (s *Service) Suppliers(ctx context.Context) ([]Supplier, error) {
	var out []Supplier
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		var err error
		out, err = allSuppliers(t)
		return err
	})
	return out, err
}

func allSuppliers(t *store.Tenant) ([]Supplier, error) {
	rows, err := t.Query(`SELECT ` + supplierCols + ` FROM suppliers WHERE org_id = $1 ORDER BY name, id`)
	if err != nil {
		return nil, fmt.Errorf("list suppliers: %w", err)
	}
	defer rows.Close()
	var out []Supplier
	for rows.Next() {
		x, err := scanSupplier(rows)
		if err != nil {
			return nil, fmt.Errorf("read supplier: %w", err)
		}
		out = append(out, x)
	}
	return out, rows.Err()
}
