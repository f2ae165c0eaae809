package vulns

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"

	"ciiguard/internal/audit"
	"ciiguard/internal/auth"
	"ciiguard/internal/calendar"
	"ciiguard/internal/kernel"
	"ciiguard/internal/problem"
	"ciiguard/internal/rules"
	"ciiguard/internal/store"
)

// Inventory is what the capability needs of the organisation's inventory: its systems, to
// name the affected ones (the scope capability implements it).
type Inventory interface {
	Facts(ctx context.Context) (rules.Org, []rules.System, error)
}

// Orgs tells the kind of an organisation (auth.Service implements it): a supplier
// organisation's vulnerabilities are in products it provides.
type Orgs interface {
	GetOrg(ctx context.Context, id int64) (auth.Org, error)
}

// Service keeps the organisation's vulnerabilities.
type Service struct {
	db       *store.DB
	products kernel.Products
	inv      Inventory
	orgs     Orgs
	changed  func(tx *store.Tx, org int64)
	// customersOf tells a supplier organisation the operators it supplies; notifier tells
	// an operator's responders of a shared advisory that reaches its systems; log records
	// what could not be told. Each is nil in an installation without it.
	customersOf kernel.SupplierCustomers
	notifier    kernel.Notifier
	log         *slog.Logger
	// reminded keeps what CheckClocks already sent and saw overdue in this process; ranOut
	// tells the change bus that a clock passed its due time (nil: nobody listens).
	reminded reminders
	ranOut   func(ctx context.Context, org int64)
	// Now is the clock; tests and the demo set it.
	Now func() time.Time
}

func (s *Service) now() time.Time { return s.Now().UTC().Truncate(time.Second) }

// Limits of the text fields.
const (
	maxTitle = 300
	maxText  = 4000
	maxShort = 200
	// MaxProducts is the most affected products one vulnerability names.
	MaxProducts = 200
)

// NewVuln is a vulnerability to record, as the API, a form or an import line gives it.
type NewVuln struct {
	Title       string `json:"title"`
	CVE         string `json:"cve"`
	CNVD        string `json:"cnvd"`
	CNNVD       string `json:"cnnvd"`
	Description string `json:"description"`
	Nature      string `json:"nature"`
	Harm        string `json:"harm"`
	Scope       string `json:"scope"`
	CVSSVector  string `json:"cvss_vector"`
	// Severity is needed only without a vector; with one it must agree or be empty.
	Severity         string `json:"severity"`
	Status           string `json:"status"`
	Provider         bool   `json:"provider"`
	NationalSecurity bool   `json:"national_security"`
	Disclosed        bool   `json:"disclosed"`
	// DiscoveredAt is RFC 3339, or China time as 2006-01-02T15:04, 2006-01-02 15:04 or
	// 2006-01-02 (midnight); empty is now.
	DiscoveredAt string        `json:"discovered_at"`
	Products     []ProductSpec `json:"products"`
}

// ProductSpec names an affected product: a product record by id, or a product by name (and
// model and version) — matched to the register's records of that name and version when
// there are some, kept as written otherwise.
type ProductSpec struct {
	ProductID int64  `json:"product_id,omitempty"`
	Name      string `json:"name,omitempty"`
	Model     string `json:"model,omitempty"`
	Version   string `json:"version,omitempty"`
}

// checked is a validated NewVuln.
type checked struct {
	v        Vuln
	products []Affected
}

// ParseTime reads a time as people and files give it: RFC 3339, or a China-time
// 2006-01-02T15:04, 2006-01-02 15:04 or 2006-01-02.
func ParseTime(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC(), true
	}
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02 15:04", "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, s, calendar.Shanghai); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// fieldSink adds a bad field under its prefix. Its method is Add, as problem.Invalid's, so
// that the installation's reason check finds the format literals given to it.
type fieldSink struct {
	prefix string
	to     adder
}

// Add records field (under the prefix) with its reason.
func (s fieldSink) Add(field, format string, args ...any) { s.to(s.prefix+field, format, args...) }

// adder records a bad field with its reason's format and arguments.
type adder func(field, format string, args ...any)

// check validates in for the context organisation, adding each bad field (under prefix)
// with add; refs are the organisation's product records (by id), supplier tells a supplier
// organisation (always the provider).
func (s *Service) check(in NewVuln, prefix string, refs map[int64]kernel.ProductRef, supplier bool, now time.Time, addTo adder) checked {
	a := fieldSink{prefix: prefix, to: addTo}
	addR := func(field string, r *Reason) { a.Add(field, r.Format, r.Args...) }
	text := func(field, val string, required bool, max int) string {
		val = strings.TrimSpace(val)
		switch {
		case required && val == "":
			a.Add(field, "is required")
		case !problem.TextOK(val, required, max):
			a.Add(field, "must be text (valid UTF-8, no NUL character) of at most %d characters", max)
		}
		return val
	}
	var c checked
	x := &c.v
	x.Title = text("title", in.Title, true, maxTitle)
	x.Description = text("description", in.Description, false, maxText)
	x.Nature = text("nature", in.Nature, false, maxShort)
	x.Harm = text("harm", in.Harm, false, maxText)
	x.Scope = text("scope", in.Scope, false, maxText)
	maxYear := now.In(calendar.Shanghai).Year() + 1
	if x.CVE = normID(in.CVE); x.CVE != "" {
		if r := CheckCVE(x.CVE, maxYear); r != nil {
			addR("cve", r)
		}
	}
	if x.CNVD = normID(in.CNVD); x.CNVD != "" {
		if r := CheckCNVD(x.CNVD, maxYear); r != nil {
			addR("cnvd", r)
		}
	}
	if x.CNNVD = normID(in.CNNVD); x.CNNVD != "" {
		if r := CheckCNNVD(x.CNNVD, maxYear); r != nil {
			addR("cnnvd", r)
		}
	}
	sev := strings.ToLower(strings.TrimSpace(in.Severity))
	if vec := strings.TrimSpace(in.CVSSVector); vec != "" {
		cv, r := ParseCVSS(vec)
		if r != nil {
			addR("cvss_vector", r)
		} else {
			x.CVSSVector, x.CVSSVersion, x.Score, x.Severity = cv.Vector, cv.Version, cv.Score, cv.Severity
			if sev != "" && sev != cv.Severity {
				a.Add("severity", "does not agree with the CVSS vector, which scores %.1f: leave it empty or make them agree", cv.Score)
			}
		}
	} else {
		switch {
		case sev == "":
			a.Add("severity", "is required without a CVSS vector: one of critical, high, medium, low")
		case !slices.Contains(Severities[:4], sev):
			a.Add("severity", "must be one of critical, high, medium, low")
		default:
			x.Severity = sev
		}
	}
	x.Status = strings.TrimSpace(in.Status)
	if x.Status == "" {
		x.Status = "open"
	}
	if !slices.Contains([]string{"open", "mitigating"}, x.Status) {
		a.Add("status", "must be open or mitigating when the vulnerability is recorded")
	}
	x.Provider = in.Provider || supplier
	x.NationalSecurity, x.Disclosed = in.NationalSecurity, in.Disclosed
	if strings.TrimSpace(in.DiscoveredAt) == "" {
		x.DiscoveredAt = now
	} else if t, ok := ParseTime(in.DiscoveredAt); !ok {
		a.Add("discovered_at", "must be a date and time, e.g. 2026-12-01T09:30 (China time) or RFC 3339")
	} else if t.After(now.Add(5 * time.Minute)) {
		a.Add("discovered_at", "is in the future")
	} else if t.Year() < 1999 {
		a.Add("discovered_at", "is before 1999")
	} else {
		x.DiscoveredAt = t.Truncate(time.Second)
	}
	if len(in.Products) > MaxProducts {
		a.Add("products", "names %d products; at most %d", len(in.Products), MaxProducts)
		return c
	}
	if len(in.Products) == 0 {
		a.Add("products", "name at least one affected product")
	}
	seen := map[string]bool{}
	for i, p := range in.Products {
		f := fmt.Sprintf("products[%d].", i)
		if p.ProductID != 0 {
			ref, ok := refs[p.ProductID]
			if !ok {
				a.Add(f+"product_id", "is not a product of your register")
				continue
			}
			key := "id:" + strconv.FormatInt(ref.ID, 10)
			if seen[key] {
				a.Add(f+"product_id", "is named twice")
				continue
			}
			seen[key] = true
			c.products = append(c.products, Affected{ProductID: ref.ID, Name: ref.Name, Version: ref.Version, Supplier: ref.SupplierName})
			continue
		}
		a := Affected{Name: text(f+"name", p.Name, true, maxShort), Model: text(f+"model", p.Model, false, maxShort), Version: text(f+"version", p.Version, false, maxShort)}
		matched := false
		for _, ref := range sortedRefs(refs) {
			if Matches(ref, a.Name, a.Version) {
				key := "id:" + strconv.FormatInt(ref.ID, 10)
				if !seen[key] {
					seen[key] = true
					c.products = append(c.products, Affected{ProductID: ref.ID, Name: ref.Name, Version: ref.Version, Supplier: ref.SupplierName})
				}
				matched = true
			}
		}
		if !matched && a.Name != "" {
			c.products = append(c.products, a)
		}
	}
	return c
}

// fold is a product name or version as compared: lower case, without spaces.
func fold(s string) string {
	return strings.ToLower(strings.Join(strings.Fields(s), ""))
}

// Matches reports whether a product record is the product named name in version: the
// same name (ignoring case and spaces), and, when a version is given, the same version — or,
// when it is a range ("< 7.2.3", "vers:generic/>=2.0|<2.4.1", "4.1 及以下版本"), a record
// whose version number is inside it.
func Matches(ref kernel.ProductRef, name, version string) bool {
	if fold(name) == "" || fold(ref.Name) != fold(name) {
		return false
	}
	if fold(version) == "" || fold(ref.Version) == fold(version) {
		return true
	}
	if r, ok := ParseVersionRange(version); ok {
		return r.Contains(ref.Version)
	}
	return false
}

func sortedRefs(refs map[int64]kernel.ProductRef) []kernel.ProductRef {
	out := make([]kernel.ProductRef, 0, len(refs))
	for _, r := range refs {
		out = append(out, r)
	}
	slices.SortFunc(out, func(a, b kernel.ProductRef) int { return int(a.ID - b.ID) })
	return out
}

// productRefs reads the context organisation's product records by id; none without a
// product register in the installation.
func (s *Service) productRefs(ctx context.Context) (map[int64]kernel.ProductRef, error) {
	out := map[int64]kernel.ProductRef{}
	if s.products == nil {
		return out, nil
	}
	ps, err := s.products.Products(ctx)
	if err != nil {
		return nil, fmt.Errorf("read the product register: %w", err)
	}
	for _, p := range ps {
		out[p.ID] = p
	}
	return out, nil
}

// isSupplier reports whether the context organisation is a supplier organisation.
func (s *Service) isSupplier(ctx context.Context) (bool, error) {
	org, ok := store.OrgFrom(ctx)
	if !ok {
		return false, store.ErrNoTenant
	}
	if s.orgs == nil {
		return false, nil
	}
	o, err := s.orgs.GetOrg(ctx, org)
	if err != nil {
		return false, fmt.Errorf("read the organisation: %w", err)
	}
	return o.Kind == auth.Supplier, nil
}

// Create records a vulnerability.
func (s *Service) Create(ctx context.Context, in NewVuln) (Vuln, error) {
	refs, err := s.productRefs(ctx)
	if err != nil {
		return Vuln{}, err
	}
	supplier, err := s.isSupplier(ctx)
	if err != nil {
		return Vuln{}, err
	}
	now := s.now()
	inv := &problem.Invalid{}
	c := s.check(in, "", refs, supplier, now, inv.Add)
	if err := inv.Err(); err != nil {
		return Vuln{}, err
	}
	var id int64
	err = s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		var err error
		id, err = s.insert(t, c, "manual", audit.ActorFrom(ctx).Label, now)
		return err
	})
	if err != nil {
		return Vuln{}, err
	}
	return s.Get(ctx, id)
}

// insert stores a checked vulnerability and its products, audited, in t.
func (s *Service) insert(t *store.Tenant, c checked, source, by string, now time.Time) (int64, error) {
	x := c.v
	var id int64
	if err := t.QueryRow(`INSERT INTO vulns (org_id, title, cve, cnvd, cnnvd, description, nature, harm, scope, cvss_vector, cvss_version, score10, severity, status,
provider, national_security, disclosed, discovered_at, source, created_by, created_at, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $21) RETURNING id`,
		x.Title, x.CVE, x.CNVD, x.CNNVD, x.Description, x.Nature, x.Harm, x.Scope, x.CVSSVector, x.CVSSVersion, int64(x.Score*10+0.5), x.Severity, x.Status,
		x.Provider, x.NationalSecurity, x.Disclosed, x.DiscoveredAt, source, by, now).Scan(&id); err != nil {
		return 0, fmt.Errorf("record the vulnerability: %w", err)
	}
	for i, p := range c.products {
		if _, err := t.Exec(`INSERT INTO vuln_products (org_id, vuln_id, pos, product_id, name, model, version) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			id, i, p.ProductID, p.Name, p.Model, p.Version); err != nil {
			return 0, fmt.Errorf("record affected product %d: %w", i, err)
		}
	}
	x.ID, x.Products, x.Source = id, c.products, source
	if s.changed != nil {
		s.changed(t.Tx(), t.OrgID())
	}
	return id, audit.InTenant(t, "vuln", idStr(id), audit.Create, nil, auditView(x), x.Title)
}

// auditView is what the audit trail keeps of a vulnerability.
func auditView(v Vuln) map[string]any {
	return map[string]any{"title": v.Title, "cve": v.CVE, "cnvd": v.CNVD, "cnnvd": v.CNNVD, "cvss_vector": v.CVSSVector, "severity": v.Severity,
		"status": v.Status, "provider": v.Provider, "national_security": v.NationalSecurity, "disclosed": v.Disclosed,
		"discovered_at": v.DiscoveredAt, "products": v.Products, "source": v.Source}
}

func idStr(id int64) string { return strconv.FormatInt(id, 10) }

const vulnCols = `id, title, cve, cnvd, cnnvd, description, nature, harm, scope, cvss_vector, cvss_version, score10, severity, status, status_note,
provider, national_security, disclosed, discovered_at, fixed_at, reported_miit_at, miit_reference, reported_authority_at, authority_name, authority_reference,
source, created_by, created_at, updated_at`

func scanVuln(sc interface{ Scan(...any) error }) (Vuln, error) {
	var v Vuln
	var score10 int64
	var fixed, miit, auth sql.NullTime
	if err := sc.Scan(&v.ID, &v.Title, &v.CVE, &v.CNVD, &v.CNNVD, &v.Description, &v.Nature, &v.Harm, &v.Scope, &v.CVSSVector, &v.CVSSVersion, &score10,
		&v.Severity, &v.Status, &v.StatusNote, &v.Provider, &v.NationalSecurity, &v.Disclosed, &v.DiscoveredAt, &fixed, &miit, &v.MIITReference, &auth,
		&v.AuthorityName, &v.AuthorityReference, &v.Source, &v.CreatedBy, &v.CreatedAt, &v.UpdatedAt); err != nil {
		return v, err
	}
	v.Score = float64(score10) / 10
	v.DiscoveredAt, v.CreatedAt, v.UpdatedAt = v.DiscoveredAt.UTC(), v.CreatedAt.UTC(), v.UpdatedAt.UTC()
	v.FixedAt, v.ReportedMIITAt, v.ReportedAuthorityAt = nullTime(fixed), nullTime(miit), nullTime(auth)
	return v, nil
}

func nullTime(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	u := t.Time.UTC()
	return &u
}

// records reads the organisation's vulnerabilities (one of them when id > 0) with their
// products, and its policy, in t.
func records(t *store.Tenant, id int64) ([]Vuln, Policy, error) {
	q, args := `SELECT `+vulnCols+` FROM vulns WHERE org_id = $1 ORDER BY discovered_at DESC, id DESC`, []any{}
	if id > 0 {
		q, args = `SELECT `+vulnCols+` FROM vulns WHERE org_id = $1 AND id = $2`, []any{id}
	}
	rows, err := t.Query(q, args...)
	if err != nil {
		return nil, Policy{}, fmt.Errorf("read vulnerabilities: %w", err)
	}
	var out []Vuln
	at := map[int64]int{}
	for rows.Next() {
		v, err := scanVuln(rows)
		if err != nil {
			rows.Close()
			return nil, Policy{}, fmt.Errorf("read a vulnerability: %w", err)
		}
		v.Products = []Affected{}
		at[v.ID] = len(out)
		out = append(out, v)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, Policy{}, err
	}
	if id > 0 && len(out) == 0 {
		return nil, Policy{}, store.ErrNotFound
	}
	pq, pargs := `SELECT vuln_id, product_id, name, model, version FROM vuln_products WHERE org_id = $1 ORDER BY vuln_id, pos`, []any{}
	if id > 0 {
		pq, pargs = `SELECT vuln_id, product_id, name, model, version FROM vuln_products WHERE org_id = $1 AND vuln_id = $2 ORDER BY pos`, []any{id}
	}
	prow, err := t.Query(pq, pargs...)
	if err != nil {
		return nil, Policy{}, fmt.Errorf("read affected products: %w", err)
	}
	defer prow.Close()
	for prow.Next() {
		var vid int64
		var a Affected
		if err := prow.Scan(&vid, &a.ProductID, &a.Name, &a.Model, &a.Version); err != nil {
			return nil, Policy{}, fmt.Errorf("read an affected product: %w", err)
		}
		if i, ok := at[vid]; ok {
			out[i].Products = append(out[i].Products, a)
		}
	}
	if err := prow.Err(); err != nil {
		return nil, Policy{}, err
	}
	p, err := policyOf(t)
	return out, p, err
}

// policyOf reads the organisation's fix deadline policy, the defaults when it set none.
func policyOf(t *store.Tenant) (Policy, error) {
	p := DefaultPolicy
	var at time.Time
	err := t.QueryRow(`SELECT critical_days, high_days, medium_days, low_days, updated_by, updated_at FROM vuln_policy WHERE org_id = $1`).
		Scan(&p.CriticalDays, &p.HighDays, &p.MediumDays, &p.LowDays, &p.UpdatedBy, &at)
	if errors.Is(err, store.ErrNotFound) || errors.Is(err, sql.ErrNoRows) {
		return DefaultPolicy, nil
	}
	if err != nil {
		return p, fmt.Errorf("read the fix deadline policy: %w", err)
	}
	p.Default, p.UpdatedAt = false, at.UTC()
	return p, nil
}

// complete fills what is computed at reading: the fix deadline from the policy, the
// affected systems from the product register and the inventory, and the clocks at now.
func (s *Service) complete(ctx context.Context, vs []Vuln, p Policy) error {
	refs, err := s.productRefs(ctx)
	if err != nil {
		return err
	}
	var names map[int64]rules.System
	now := s.now()
	for i := range vs {
		v := &vs[i]
		v.FixDue = FixDue(p, v.Severity, v.DiscoveredAt)
		v.Systems = []SystemRef{}
		seen := map[int64]bool{}
		for j := range v.Products {
			a := &v.Products[j]
			ref, ok := refs[a.ProductID]
			if a.ProductID == 0 || !ok {
				continue
			}
			a.Supplier = ref.SupplierName
			for _, sid := range ref.Systems {
				if seen[sid] {
					continue
				}
				seen[sid] = true
				if names == nil {
					if names, err = s.systems(ctx); err != nil {
						return err
					}
				}
				sys := names[sid]
				v.Systems = append(v.Systems, SystemRef{ID: sid, Name: sys.Name, CIIStatus: sys.CIIStatus})
			}
		}
		v.Clocks = clocks(v, now)
	}
	return nil
}

// systems reads the inventory's systems by id.
func (s *Service) systems(ctx context.Context) (map[int64]rules.System, error) {
	out := map[int64]rules.System{}
	if s.inv == nil {
		return out, nil
	}
	_, systems, err := s.inv.Facts(ctx)
	if err != nil {
		return nil, fmt.Errorf("read the inventory: %w", err)
	}
	for _, x := range systems {
		out[x.ID] = x
	}
	return out, nil
}

// List is the context organisation's vulnerabilities, latest discovered first.
func (s *Service) List(ctx context.Context) ([]Vuln, error) {
	var vs []Vuln
	var p Policy
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		var err error
		vs, p, err = records(t, 0)
		return err
	})
	if err != nil {
		return nil, err
	}
	if vs == nil {
		vs = []Vuln{}
	}
	return vs, s.complete(ctx, vs, p)
}

// Get is one of the context organisation's vulnerabilities; another organisation's is
// store.ErrNotFound.
func (s *Service) Get(ctx context.Context, id int64) (Vuln, error) {
	var vs []Vuln
	var p Policy
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		var err error
		vs, p, err = records(t, id)
		return err
	})
	if err != nil {
		return Vuln{}, err
	}
	if err := s.complete(ctx, vs, p); err != nil {
		return Vuln{}, err
	}
	return vs[0], nil
}

// SetStatus moves a vulnerability to status; accepting the risk or declaring the product
// not affected needs a note saying why.
func (s *Service) SetStatus(ctx context.Context, id int64, status, note string) (Vuln, error) {
	status, note = strings.TrimSpace(status), strings.TrimSpace(note)
	inv := &problem.Invalid{}
	if !slices.Contains(Statuses, status) {
		inv.Add("status", "must be one of open, mitigating, fixed, not_affected, accepted")
	}
	inv.Text("note", note, status == "accepted" || status == "not_affected", maxText)
	if err := inv.Err(); err != nil {
		return Vuln{}, err
	}
	now := s.now()
	err := s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		vs, _, err := records(t, id)
		if err != nil {
			return err
		}
		before := vs[0]
		if before.Status == status {
			return problem.Conflictf("status", "the vulnerability already has this status")
		}
		var fixed any
		if closedStatus(status) {
			fixed = now
		}
		if _, err := t.Exec(`UPDATE vulns SET status = $2, status_note = $3, fixed_at = $4, updated_at = $5 WHERE org_id = $1 AND id = $6`, status, note, fixed, now, id); err != nil {
			return fmt.Errorf("set the status: %w", err)
		}
		if s.changed != nil {
			s.changed(t.Tx(), t.OrgID())
		}
		return audit.InTenant(t, "vuln", idStr(id), "status", map[string]any{"status": before.Status}, map[string]any{"status": status, "note": note}, before.Title)
	})
	if err != nil {
		return Vuln{}, err
	}
	return s.Get(ctx, id)
}

// Policy is the context organisation's fix deadline policy.
func (s *Service) Policy(ctx context.Context) (Policy, error) {
	var p Policy
	err := s.db.ReadTenant(ctx, func(t *store.Tenant) error {
		var err error
		p, err = policyOf(t)
		return err
	})
	return p, err
}

// SetPolicy sets the organisation's fix deadlines: each from 1 to 3650 days, and no
// severity given longer than a less serious one.
func (s *Service) SetPolicy(ctx context.Context, p Policy) (Policy, error) {
	inv := &problem.Invalid{}
	for _, f := range []struct {
		name string
		days int
	}{{"critical_days", p.CriticalDays}, {"high_days", p.HighDays}, {"medium_days", p.MediumDays}, {"low_days", p.LowDays}} {
		if f.days < 1 || f.days > 3650 {
			inv.Add(f.name, "must be from 1 to 3650 days")
		}
	}
	if err := inv.Err(); err != nil {
		return Policy{}, err
	}
	if p.CriticalDays > p.HighDays {
		inv.Add("critical_days", "must not be longer than high_days")
	}
	if p.HighDays > p.MediumDays {
		inv.Add("high_days", "must not be longer than medium_days")
	}
	if p.MediumDays > p.LowDays {
		inv.Add("medium_days", "must not be longer than low_days")
	}
	if err := inv.Err(); err != nil {
		return Policy{}, err
	}
	now, by := s.now(), audit.ActorFrom(ctx).Label
	err := s.db.WriteTenant(ctx, func(t *store.Tenant) error {
		before, err := policyOf(t)
		if err != nil {
			return err
		}
		if _, err := t.Exec(`INSERT INTO vuln_policy (org_id, critical_days, high_days, medium_days, low_days, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
ON CONFLICT (org_id) DO UPDATE SET critical_days = excluded.critical_days, high_days = excluded.high_days, medium_days = excluded.medium_days,
low_days = excluded.low_days, updated_by = excluded.updated_by, updated_at = excluded.updated_at`, p.CriticalDays, p.HighDays, p.MediumDays, p.LowDays, by, now); err != nil {
			return fmt.Errorf("set the fix deadline policy: %w", err)
		}
		if s.changed != nil {
			s.changed(t.Tx(), t.OrgID())
		}
		return audit.InTenant(t, "vuln_policy", idStr(t.OrgID()), audit.Update, before, p, "")
	})
	if err != nil {
		return Policy{}, err
	}
	return s.Policy(ctx)
}
