package suppliers

import (
	"ciiguard/internal/audit"
	"ciiguard/internal/auth"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"ciiguard/internal/kernel"
	"ciiguard/internal/problem"
	"ciiguard/internal/rules"
	"ciiguard/internal/store"
	"ciiguard/internal/web"
)

func (m *Module) t(r *http.Request, key string, args ...any) string {
	return m.d.Web.Messages.T(web.RequestLang(r), key, args...)
}

// listRow is a supplier in the list, with its products at a glance.
type listRow struct {
	S           Supplier
	CountryName string
	Products    int
	Uncertified int // products of a kind that needs a certificate, in use, without a valid one
	Tier        SupplierTier
	LastReview  string // YYYY-MM-DD, China time; "" never
	Due         string
	Glance      Glance
}

func (m *Module) listPage(w http.ResponseWriter, r *http.Request) error {
	return m.renderList(w, r, nil)
}

// renderList shows the suppliers list, with an import's refusals when there are some.
func (m *Module) renderList(w http.ResponseWriter, r *http.Request, importErrs []importError) error {
	ctx := r.Context()
	sups, err := m.Suppliers(ctx)
	if err != nil {
		return err
	}
	prods, err := m.ListProducts(ctx, 0)
	if err != nil {
		return err
	}
	cat, shared, err := m.certInputs(ctx)
	if err != nil {
		return err
	}
	now, lang := m.Now(), web.RequestLang(r)
	rows := make([]listRow, 0, len(sups))
	at := map[int64]int{}
	for i, x := range sups {
		at[x.ID] = i
		rows = append(rows, listRow{S: x, CountryName: countryName(lang, x.Country)})
	}
	for i := range prods {
		p := &prods[i]
		row := &rows[at[p.SupplierID]]
		row.Products++
		if cat.CertStatus(*p, shared, now).Gap {
			row.Uncertified++
		}
	}
	tiers, err := m.Tiers(ctx, prods)
	if err != nil {
		return err
	}
	glances, err := m.Glances(ctx, prods)
	if err != nil {
		return err
	}
	for i := range rows {
		rows[i].Glance = glances[rows[i].S.ID]
		st := tiers[rows[i].S.ID]
		rows[i].Tier, rows[i].Due = st, st.Due.Format("2006-01-02")
		if st.LastReview != nil {
			rows[i].LastReview = st.LastReview.Format("2006-01-02")
		}
	}
	v := m.d.Web.NewView(r, "nav.suppliers", "/suppliers")
	v.Data = map[string]any{"Rows": rows, "ImportErrors": importErrs, "Tiers": Tiers}
	if importErrs != nil {
		v.Status = http.StatusBadRequest
		v.Errors["file"] = importSummary(r, m, importErrs)
	}
	return m.pages.Render(w, r, "page_list.html", v)
}

func supplierFromForm(r *http.Request) SupplierInput {
	f := r.PostFormValue
	return SupplierInput{Name: f("name"), USCC: f("uscc"), ForeignReg: f("foreign_registration"), Country: f("country"), Ownership: f("ownership"), Contacts: f("contacts")}
}

func (m *Module) newPage(w http.ResponseWriter, r *http.Request) error {
	v := m.d.Web.NewView(r, "suppliers.new", "/suppliers")
	v.Data = &supplierData{In: SupplierInput{Country: "CN"}, Countries: countries(web.RequestLang(r))}
	return m.pages.Render(w, r, "page_supplier.html", v)
}

func (m *Module) createPage(w http.ResponseWriter, r *http.Request) error {
	in := supplierFromForm(r)
	x, err := m.CreateSupplier(r.Context(), in)
	if err != nil {
		v := m.d.Web.NewView(r, "suppliers.new", "/suppliers")
		v.Form = r.PostForm
		if err := web.FieldErrors(err, v); err != nil {
			return err
		}
		v.Data, v.Status = &supplierData{In: in, Countries: countries(web.RequestLang(r))}, http.StatusBadRequest
		return m.pages.Render(w, r, "page_supplier.html", v)
	}
	return web.Redirect(w, r, fmt.Sprintf("/suppliers/%d", x.ID), m.t(r, "suppliers.created", x.Name))
}

// supplierData is a supplier's page.
type supplierData struct {
	Countries   []Country // the country select's options
	S           Supplier
	CountryName string
	In          SupplierInput // the edit form
	Products    []productRow
	Types       []ProductType
	Categories  []EffectiveEntry // the effective catalogue's applicable entries, for the product form
	Systems     []rules.System
	NewP        ProductInput
	Chosen      map[int64]bool
	ShowEdit    bool // the edit form opens on a refused edit
	ShowAddP    bool
	Open        string // the other form refused: agreement, review, maintenance
	Agreements  []Agreement
	Reviews     []PerformanceReview
	Maintenance []maintenanceRow
	Duties      []Duty
	Today       string
	AgreeIn     AgreementInput
	ReviewIn    ReviewInput
	MaintIn     MaintenanceInput
	// ReportOf is the arrangement whose report form was refused, ReportIn what was sent.
	ReportOf  int64
	ReportIn  ReportInput
	SystemsBy map[int64]rules.System
	// PlatformOrgs are the installation's supplier organisations the record may be linked
	// to; PlatformOrg is the linked one (zero when none).
	PlatformOrgs []auth.Org
	PlatformOrg  auth.Org
	Tier         SupplierTier
	// Questionnaires sent to the supplier, newest first, and the findings of the accepted
	// ones, open first; SendIn is the send form, CloseOf the finding whose close form was
	// refused.
	Questionnaires []Questionnaire
	Findings       []Finding
	SendIn         SendInput
	CloseOf        int64
	// Templates are the operator's own questionnaire templates the send form offers beside
	// ciiguard's default (of version DefaultVersion).
	Templates      []OrgTemplate
	DefaultVersion string
	// TaskOf is the finding whose follow-up form was refused; Owners the users a follow-up
	// task may be given to (none without the tasks capability or the right to write).
	TaskOf int64
	Owners []auth.User
	// Subs are the supplier's own suppliers, SubIn the form.
	Subs  []SubSupplier
	SubIn SubSupplierInput
	// CountryNames names the countries of the sub-suppliers in the page's language.
	CountryNames map[string]string
	// Routes are the organisation's transfers abroad an arrangement's access to data may
	// link to, DataCategories the data it may reach (none without the data capability);
	// DataOf is the arrangement whose data form was refused, DataIn what was sent.
	Routes         []kernel.TransferRoute
	DataCategories []kernel.DataCategory
	DataOf         int64
	DataIn         DataLinkInput
}

// maintenanceRow is an arrangement from abroad on its supplier's page.
type maintenanceRow struct {
	M       Maintenance
	System  string
	Country string
	Active  bool
	// Link is LinkState of its access to data, Transfer the linked transfer (nil when none
	// or not found).
	Link     string
	Transfer *kernel.TransferRoute
	// Gap is PeriodGap when Link is LinkPeriod, for the reason beside it.
	Gap string
}

// productRow is a product on its supplier's page.
type productRow struct {
	P         Product
	Type      ProductType
	Certified bool
	Gap       bool // needs a certificate, is in use, has no valid one
	Status    CertStatus
}

func (m *Module) supplierData(r *http.Request, x Supplier) (*supplierData, error) {
	ctx := r.Context()
	ps, err := m.ListProducts(ctx, x.ID)
	if err != nil {
		return nil, err
	}
	_, systems, err := m.inv.Facts(ctx)
	if err != nil {
		return nil, fmt.Errorf("read the inventory: %w", err)
	}
	d := &supplierData{Countries: countries(web.RequestLang(r)), S: x, CountryName: countryName(web.RequestLang(r), x.Country), In: SupplierInput{Name: x.Name, USCC: x.USCC, ForeignReg: x.ForeignReg, Country: x.Country, Ownership: x.Ownership, Contacts: x.Contacts},
		Types: ProductTypes, Systems: systems, Chosen: map[int64]bool{}, SystemsBy: map[int64]rules.System{}, DefaultVersion: DefaultTemplate.Version}
	for _, s := range systems {
		d.SystemsBy[s.ID] = s
	}
	now := m.Now()
	if err := m.db.ReadTenant(ctx, func(t *store.Tenant) error {
		var err error
		if d.Agreements, err = agreementsOf(t, x.ID); err != nil {
			return err
		}
		if d.Reviews, err = reviewsOf(t, x.ID); err != nil {
			return err
		}
		if d.Questionnaires, err = questionnairesOf(t, x.ID); err != nil {
			return err
		}
		if d.Templates, err = templatesOf(t); err != nil {
			return err
		}
		if d.Findings, err = findingsOf(t, x.ID); err != nil {
			return err
		}
		if d.Subs, err = subsOf(t, x.ID); err != nil {
			return err
		}
		d.CountryNames = map[string]string{}
		for _, sub := range d.Subs {
			d.CountryNames[sub.Country] = countryName(web.RequestLang(r), sub.Country)
		}
		ms, err := maintenanceOf(t, x.ID)
		for _, mt := range ms {
			d.Maintenance = append(d.Maintenance, maintenanceRow{M: mt, System: d.SystemsBy[mt.SystemID].Name, Country: countryName(web.RequestLang(r), mt.FromCountry), Active: mt.Active(now)})
		}
		return err
	}); err != nil {
		return nil, err
	}
	if err := m.withDataLinks(ctx, d); err != nil {
		return nil, err
	}
	if err := m.followUpsOf(ctx, d.Findings); err != nil {
		return nil, err
	}
	if m.tasks != nil && web.Can(r, Write) && m.d.Auth != nil {
		if d.Owners, err = m.d.Auth.ActiveUsers(ctx); err != nil {
			return nil, err
		}
	}
	tiers, err := m.Tiers(ctx, ps)
	if err != nil {
		return nil, err
	}
	d.Tier = tiers[x.ID]
	if d.PlatformOrgs, err = m.PlatformOrgs(ctx); err != nil {
		return nil, err
	}
	for _, o := range d.PlatformOrgs {
		if o.ID == x.PlatformOrgID {
			d.PlatformOrg = o
		}
	}
	d.Duties, d.Today = Duties, chinaDay(now).Format("2006-01-02")
	d.AgreeIn = AgreementInput{SignedOn: d.Today, Duties: []string{"confidentiality", "security", "technical_support", "incident_reporting", "vulnerability_notice"}}
	d.ReviewIn = ReviewInput{ReviewedOn: d.Today, Result: ReviewSatisfactory}
	d.MaintIn = MaintenanceInput{StartsOn: d.Today, FromCountry: x.Country}
	d.SubIn = SubSupplierInput{Country: "CN"}
	d.SendIn = SendInput{DueOn: addMonths(chinaDay(now), 1).Format("2006-01-02")}
	cat, shared, err := m.certInputs(ctx)
	if err != nil {
		return nil, err
	}
	d.Categories = cat.Entries()
	for _, p := range ps {
		st := cat.CertStatus(p, shared, now)
		d.Products = append(d.Products, productRow{P: p, Type: TypeOf(p.Type), Certified: st.Certified, Gap: st.Gap, Status: st})
	}
	return d, nil
}

func (m *Module) supplierPage(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	x, err := m.Supplier(r.Context(), id)
	if err != nil {
		return err
	}
	d, err := m.supplierData(r, x)
	if err != nil {
		return err
	}
	d.NewP = ProductInput{Type: "critical_network_equipment"}
	// Titled with the supplier's name, so that tabs and history tell suppliers apart.
	v := m.d.Web.NewView(r, "suppliers.record_title", "/suppliers")
	v.TitleArgs = []any{x.Name}
	v.Data = d
	return m.pages.Render(w, r, "page_supplier.html", v)
}

// refused renders the supplier's page again with a form's errors.
func (m *Module) refused(w http.ResponseWriter, r *http.Request, x Supplier, err error, fill func(*supplierData)) error {
	v := m.d.Web.NewView(r, "suppliers.record_title", "/suppliers")
	v.TitleArgs = []any{x.Name}
	v.Form = r.PostForm
	if err := web.FieldErrors(err, v); err != nil {
		return err
	}
	v.FoldIndexed() // a refused system or duty shows on its group of checkboxes
	d, err := m.supplierData(r, x)
	if err != nil {
		return err
	}
	fill(d)
	v.Data, v.Status = d, http.StatusBadRequest
	return m.pages.Render(w, r, "page_supplier.html", v)
}

func (m *Module) updatePage(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	x, err := m.Supplier(r.Context(), id)
	if err != nil {
		return err
	}
	in := supplierFromForm(r)
	if _, err := m.UpdateSupplier(r.Context(), id, in); err != nil {
		return m.refused(w, r, x, err, func(d *supplierData) {
			d.In, d.ShowEdit, d.NewP = in, true, ProductInput{Type: "critical_network_equipment"}
		})
	}
	return web.Redirect(w, r, fmt.Sprintf("/suppliers/%d", id), m.t(r, "suppliers.saved"))
}

// productFromForm reads the product form; a system id that is not a number is a field error.
func productFromForm(r *http.Request) (ProductInput, *problem.Invalid) {
	f := r.PostFormValue
	in := ProductInput{Name: f("name"), Version: f("version"), Type: f("type"), Donated: f("donated") == "on", Category: f("catalogue_category")}
	bad := &problem.Invalid{}
	for i, s := range r.PostForm["systems"] {
		id, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		if err != nil {
			bad.Add("systems["+strconv.Itoa(i)+"]", "is not a system id")
			continue
		}
		in.Systems = append(in.Systems, id)
	}
	return in, bad
}

func (m *Module) createProductPage(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	x, err := m.Supplier(r.Context(), id)
	if err != nil {
		return err
	}
	in, bad := productFromForm(r)
	var p Product
	if err = bad.Err(); err == nil {
		p, err = m.CreateProduct(r.Context(), id, in)
	}
	if err != nil {
		return m.refused(w, r, x, err, func(d *supplierData) {
			d.NewP, d.ShowAddP = in, true
			for _, s := range in.Systems {
				d.Chosen[s] = true
			}
		})
	}
	return web.Redirect(w, r, fmt.Sprintf("/suppliers/%d/products/%d", id, p.ID), m.t(r, "suppliers.product_created", p.Name))
}

// productData is a product's page.
type productData struct {
	S           Supplier
	CountryName string
	P           Product
	Type        ProductType
	Certified   bool
	Gap         bool
	Status      CertStatus
	Entry       *EffectiveEntry // the product's entry of the effective catalogue, nil when none
	Categories  []EffectiveEntry
	CatIn       catalogueForm  // the catalogue form: the product's, or what was refused
	Systems     []rules.System // the systems where it is used
	Cert        CertificateInput
	Assessments []Assessment
	PreUse      bool // assessed before use (outsourced or donated)
	PreUseGap   bool // in use without a passed assessment someone approved
	Cleared     bool // a passed assessment was approved: cleared for use
	Today       string
	AssessIn    AssessmentInput // the assessment form: today and passed, or what was refused
	// ApproveOf is the assessment whose approval form was refused, ApproveIn what was sent;
	// Me is the viewer, who may not approve what they assessed.
	ApproveOf int64
	ApproveIn ApprovalInput
	// WithdrawOf is the assessment whose withdrawal form was refused, WithdrawIn what was sent.
	WithdrawOf int64
	WithdrawIn WithdrawalInput
	Me         audit.Actor
}

// renderProduct shows a product's page; cert fills the certificate form and as, when not
// nil, the assessment form (a refused one), else it offers today and "passed".
func (m *Module) renderProduct(w http.ResponseWriter, r *http.Request, v *web.View, x Supplier, p Product, cert CertificateInput, as *AssessmentInput, set ...func(*productData)) error {
	_, systems, err := m.inv.Facts(r.Context())
	if err != nil {
		return fmt.Errorf("read the inventory: %w", err)
	}
	cat, shared, err := m.certInputs(r.Context())
	if err != nil {
		return err
	}
	st := cat.CertStatus(p, shared, m.Now())
	d := productData{S: x, CountryName: countryName(web.RequestLang(r), x.Country), P: p, Type: TypeOf(p.Type), Certified: st.Certified, Gap: st.Gap,
		Status: st, Categories: cat.Entries(), CatIn: catalogueFormOf(cat, p), Cert: cert}
	if e, ok := cat.Entry(p.Category); ok {
		d.Entry = &e
	}
	if v.Form != nil && v.Form.Has("catalogue_category") {
		d.CatIn = catalogueFormFrom(cat, v.Form)
	}
	if d.Assessments, err = m.Assessments(r.Context(), p.ID); err != nil {
		return err
	}
	d.PreUse, d.Today = p.NeedsPreUse(), chinaDay(m.Now()).Format("2006-01-02")
	d.AssessIn = AssessmentInput{AssessedOn: d.Today, Result: AssessPassed}
	if as != nil {
		d.AssessIn = *as
	}
	for _, a := range d.Assessments {
		d.Cleared = d.Cleared || a.Clears()
	}
	d.PreUseGap = d.PreUse && len(p.Systems) > 0 && !d.Cleared
	d.Me = audit.ActorFrom(r.Context())
	for _, f := range set {
		f(&d)
	}
	used := map[int64]bool{}
	for _, id := range p.Systems {
		used[id] = true
	}
	for _, s := range systems {
		if used[s.ID] {
			d.Systems = append(d.Systems, s)
		}
	}
	// Titled with the product's name and version, so that tabs and history tell products apart.
	title := p.Name
	if p.Version != "" {
		title += " " + p.Version
	}
	v.Title, v.TitleArgs = "suppliers.record_title", []any{title}
	v.Data = d
	return m.pages.Render(w, r, "page_product.html", v)
}

func (m *Module) productPage(w http.ResponseWriter, r *http.Request) error {
	x, p, err := m.supplierProduct(r)
	if err != nil {
		return err
	}
	return m.renderProduct(w, r, m.d.Web.NewView(r, "suppliers.product", "/suppliers"), x, p, certInput(p), nil)
}

// certInput fills the certificate form with the product's certificate.
func certInput(p Product) CertificateInput {
	if p.Cert == nil {
		return CertificateInput{}
	}
	return CertificateInput{Number: p.Cert.Number, Body: p.Cert.Body, Scope: p.Cert.Scope, Expires: p.Cert.ExpiresDay()}
}

func (m *Module) certificatePage(w http.ResponseWriter, r *http.Request) error {
	x, p, err := m.supplierProduct(r)
	if err != nil {
		return err
	}
	f := r.PostFormValue
	in := CertificateInput{Number: f("number"), Body: f("body"), Scope: f("scope"), Expires: f("expires")}
	if _, err := m.SetCertificate(r.Context(), p.ID, in); err != nil {
		v := m.d.Web.NewView(r, "suppliers.product", "/suppliers")
		v.Form = r.PostForm
		if err := web.FieldErrors(err, v); err != nil {
			return err
		}
		v.Status = http.StatusBadRequest
		return m.renderProduct(w, r, v, x, p, in, nil)
	}
	return web.Redirect(w, r, fmt.Sprintf("/suppliers/%d/products/%d", x.ID, p.ID), m.t(r, "suppliers.cert_saved"))
}
