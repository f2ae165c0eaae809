// Package frameworks is the capability that lets an operator bring its other control
// frameworks — NIST SP 800-53, an ISO/IEC 27001 control set, its own company controls — as
// OSCAL catalogs, map their controls to the regime's obligations (with the set relations of
// NIST OLIR: equivalent, subset, superset, related) and see which duties that apply to it
// no control of the framework covers yet.
//
// Frameworks, their controls and mappings are tenant records (tables framework*, keyed by
// org_id and the framework id the user chose); every change is audited in the same
// transaction. Re-uploading a framework replaces its controls and keeps the mappings whose
// control is still there. Obligation ids are checked against the organisation's catalog
// (the embedded one plus its own policies) and applicability comes from its findings, both
// read through the installation's kernel.Obligations.
package frameworks

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"flag"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"time"

	"ciiguard/internal/auth"
	"ciiguard/internal/catalog"
	"ciiguard/internal/kernel"
	"ciiguard/internal/problem"
	"ciiguard/internal/store"
	"ciiguard/internal/web"
)

//go:embed templates messages openapi.json migrations demo-baseline.json
var files embed.FS

// Permissions of the frameworks capability.
const (
	Read  auth.Permission = "frameworks.read"
	Write auth.Permission = "frameworks.write"
)

func init() {
	// Frameworks are an operator's own compliance work: regulators and suppliers have none.
	auth.Grant(Read, auth.RolesByKind[auth.Operator]...)
	auth.Grant(Write, auth.Admin, auth.SecurityManager)
}

// Module adds demo data to `ciiguard demo`.
var _ kernel.DemoSeeder = (*Module)(nil)
var _ kernel.Configurable = (*Module)(nil)

// Module is the frameworks capability.
type Module struct {
	*Service
	d       kernel.Deps
	pages   *web.Pages
	section *template.Template // the obligation page's list of mapped controls
	// maxControls is the --framework-max-controls flag, handed to the service in Provision.
	maxControls int
}

// New returns the module. When provisioned, it checks obligation ids against the
// installation's kernel.Obligations and reads applicability from its findings.
func New() *Module {
	return &Module{Service: &Service{now: time.Now}, maxControls: DefaultMaxControls}
}

// Flags implements kernel.Configurable: the largest framework an organisation may upload.
func (m *Module) Flags(fs *flag.FlagSet) {
	fs.IntVar(&m.maxControls, "framework-max-controls", DefaultMaxControls, "most controls one uploaded framework may have")
}

// Name implements kernel.Module.
func (m *Module) Name() string { return "frameworks" }

// Migrations implements kernel.Module: the files in migrations/.
func (m *Module) Migrations() []store.Migration {
	return store.MustSQLMigrations(files, "migrations", "frameworks")
}

// Provision implements kernel.Module: it looks up the obligations in force.
func (m *Module) Provision(_ context.Context, d kernel.Deps) error {
	m.d = d
	obs, err := kernel.Need[kernel.Obligations](d.Registry, m.Name())
	if err != nil {
		return err
	}
	m.Service.db, m.Service.catalog, m.Service.findings, m.Service.logger = d.DB, obs, obs, d.Log
	if m.maxControls < 1 {
		return fmt.Errorf("--framework-max-controls %d: want a positive number of controls", m.maxControls)
	}
	m.Service.maxControls = m.maxControls
	return nil
}

// Register implements kernel.Module.
func (m *Module) Register(d kernel.Deps) error {
	var err error
	if m.pages, err = d.Web.LoadAssets(files, "templates/page_*.html"); err != nil {
		return err
	}
	s := d.Web
	s.Page("GET /frameworks", Read, m.listPage)
	s.PageWithLimit("POST /frameworks", Write, MaxUploadSize+1<<20, m.uploadPage)
	s.Page("GET /frameworks/{id}", Read, m.detailPage)
	s.Page("POST /frameworks/{id}/delete", Write, m.deletePage)
	s.Page("POST /frameworks/{id}/mappings", Write, m.addMappingPage)
	s.Page("POST /frameworks/{id}/mappings/delete", Write, m.removeMappingPage)

	s.API("GET /api/v1/frameworks", Read, m.apiList)
	s.API("GET /api/v1/frameworks/{id}", Read, m.apiGet)
	s.APIWithLimit("PUT /api/v1/frameworks/{id}", Write, MaxUploadSize+1, m.apiUpload)
	s.API("DELETE /api/v1/frameworks/{id}", Write, m.apiDelete)
	s.API("GET /api/v1/frameworks/{id}/mappings", Read, m.apiMappings)
	s.API("POST /api/v1/frameworks/{id}/mappings", Write, m.apiAddMapping)
	s.API("DELETE /api/v1/frameworks/{id}/mappings/{control}/{obligation}", Write, m.apiRemoveMapping)
	s.API("GET /api/v1/frameworks/{id}/coverage", Read, m.apiCoverage)

	if m.section, err = template.New("section").ParseFS(files, "templates/section_obligation.html"); err != nil {
		return fmt.Errorf("frameworks obligation section: %w", err)
	}
	return nil
}

// Nav implements kernel.Navigation.
func (m *Module) Nav() []web.NavItem {
	return []web.NavItem{{Key: "nav.frameworks", Path: "/frameworks", Perm: Read, Order: 40}}
}

// Sections implements kernel.SectionProvider: each obligation's page shows the controls
// mapped to it.
func (m *Module) Sections() []kernel.Section {
	return []kernel.Section{{Page: kernel.PageObligation, Order: 100, Render: m.obligationSection}}
}

// obligationSection lists the organisation's framework controls mapped to an obligation,
// for users who may read frameworks; it shows nothing when none is mapped.
func (m *Module) obligationSection(r *http.Request, obligationID string) (template.HTML, error) {
	if !web.Can(r, Read) {
		return "", nil
	}
	mcs, err := m.MappedControls(r.Context(), obligationID)
	if err != nil || len(mcs) == 0 {
		return "", err
	}
	var b bytes.Buffer
	if err := m.section.ExecuteTemplate(&b, "section_obligation.html", struct {
		V     *web.View
		Items []MappedControl
	}{m.d.Web.NewView(r, "", ""), mcs}); err != nil {
		return "", fmt.Errorf("render mapped controls of %s: %w", obligationID, err)
	}
	return template.HTML(b.String()), nil
}

type listData struct {
	Items    []Framework
	CanWrite bool
	MaxMiB   int
}

func (m *Module) listPage(w http.ResponseWriter, r *http.Request) error {
	list, err := m.List(r.Context())
	if err != nil {
		return err
	}
	v := m.d.Web.NewView(r, "nav.frameworks", "/frameworks")
	v.Data = listData{Items: list, CanWrite: web.Can(r, Write), MaxMiB: MaxUploadSize >> 20}
	return m.pages.Render(w, r, "page_list.html", v)
}

// uploadPage takes the multipart form of the list page.
func (m *Module) uploadPage(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseMultipartForm(8 << 20); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return err
		}
		return problem.Field("file", "the upload could not be read: %v", err)
	}
	id := r.PostFormValue("id")
	fh, _, err := r.FormFile("file")
	if err != nil {
		return problem.Field("file", "choose an OSCAL catalog (JSON) to upload")
	}
	defer fh.Close()
	b, err := io.ReadAll(io.LimitReader(fh, MaxUploadSize+1))
	if err != nil {
		return fmt.Errorf("read framework upload: %w", err)
	}
	res, err := m.Import(r.Context(), id, "file", b)
	if err != nil {
		return err
	}
	lang := web.RequestLang(r)
	msg := m.d.Web.Messages.T(lang, "fw.imported", res.Framework.ID, res.Framework.Controls)
	if res.Replaced {
		msg = m.d.Web.Messages.T(lang, "fw.replaced", res.Framework.ID, res.Framework.Controls, res.MappingsKept, res.MappingsDropped)
	}
	return web.Redirect(w, r, "/frameworks/"+res.Framework.ID, msg)
}

type detailData struct {
	Cov         Coverage
	Titles      map[string]catalog.Text
	Obligations []*catalog.Obligation
	Relations   []catalog.Relation
	CanWrite    bool
}

func (m *Module) detailPage(w http.ResponseWriter, r *http.Request) error {
	return m.renderDetail(w, r, m.d.Web.NewView(r, "nav.frameworks", "/frameworks"), http.StatusOK)
}

// renderDetail renders a framework's page with status code (400 to show a form's errors).
func (m *Module) renderDetail(w http.ResponseWriter, r *http.Request, v *web.View, code int) error {
	pg, err := ParsePage(r.URL.Query())
	if err != nil {
		return err
	}
	cov, err := m.Coverage(r.Context(), r.PathValue("id"), pg)
	if err != nil {
		return err
	}
	cat, err := m.catalog.Catalog(r.Context())
	if err != nil {
		return fmt.Errorf("read the catalog: %w", err)
	}
	// The page is titled with the framework's id, so that tabs tell frameworks apart. Not
	// its uploaded title: that is the document's own text, often English, and a page
	// title cannot mark it translate="no" as the heading does.
	v.Title, v.TitleArgs = "fw.detail_title", []any{cov.Framework.ID}
	d := detailData{Cov: cov, Titles: map[string]catalog.Text{}, Obligations: cat.Obligations, Relations: Relations, CanWrite: web.Can(r, Write)}
	for _, o := range cat.Obligations {
		d.Titles[o.ID] = o.Title
	}
	v.Data = d
	if code != http.StatusOK {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		v.Status = code
	}
	return m.pages.Render(w, r, "page_detail.html", v)
}

func (m *Module) deletePage(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	if err := m.Delete(r.Context(), id); err != nil {
		return err
	}
	return web.Redirect(w, r, "/frameworks", m.d.Web.Messages.T(web.RequestLang(r), "fw.deleted", id))
}

func (m *Module) addMappingPage(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	if _, err := m.Get(r.Context(), id); err != nil {
		return err
	}
	in := NewMapping{ControlID: r.PostFormValue("control_id"), ObligationID: r.PostFormValue("obligation_id"),
		Relation: catalog.Relation(r.PostFormValue("relation")), Note: r.PostFormValue("note")}
	if _, err := m.AddMapping(r.Context(), id, in); err != nil {
		v := m.d.Web.NewView(r, "nav.frameworks", "/frameworks")
		if err := web.FieldErrors(err, v); err != nil {
			return err
		}
		v.Form = r.PostForm
		return m.renderDetail(w, r, v, http.StatusBadRequest)
	}
	return web.Redirect(w, r, "/frameworks/"+id, m.d.Web.Messages.T(web.RequestLang(r), "fw.mapped", in.ControlID, in.ObligationID))
}

func (m *Module) removeMappingPage(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	control, ob := r.PostFormValue("control_id"), r.PostFormValue("obligation_id")
	if err := m.RemoveMapping(r.Context(), id, control, ob); err != nil {
		return err
	}
	return web.Redirect(w, r, "/frameworks/"+id, m.d.Web.Messages.T(web.RequestLang(r), "fw.unmapped", control, ob))
}

// SeedDemo imports a small demo control set for the demo operator and maps ten of its
// controls to obligations, leaving some applicable duties unmapped so that the coverage view
// has something to show. Mappings to obligations the catalog no longer has are skipped.
func (m *Module) SeedDemo(ctx context.Context, d kernel.Demo) error {
	ctx = store.WithOrg(ctx, d.Operator.ID)
	doc, err := files.ReadFile("demo-baseline.json")
	if err != nil {
		return fmt.Errorf("demo framework: %w", err)
	}
	if _, err := m.Import(ctx, DemoFramework, "file", doc); err != nil {
		return fmt.Errorf("demo framework: %w", err)
	}
	cat, err := m.catalog.Catalog(ctx)
	if err != nil {
		return fmt.Errorf("demo mappings: %w", err)
	}
	for _, dm := range DemoMappings {
		if _, ok := cat.Obligation(dm.ObligationID); !ok {
			m.d.Log.Warn("demo mapping skipped: obligation not in the catalog", "obligation", dm.ObligationID)
			continue
		}
		if _, err := m.AddMapping(ctx, DemoFramework, dm); err != nil {
			return fmt.Errorf("demo mapping %s → %s: %w", dm.ControlID, dm.ObligationID, err)
		}
	}
	return nil
}

// DemoFramework is the id of the demo's control set.
const DemoFramework = "DEMO-BASELINE"

// DemoMappings are the demo's mappings of DemoFramework's controls to obligations.
var DemoMappings = []NewMapping{
	{ControlID: "acm-1", ObligationID: "CIIR-ACCESS-CONTROL", Relation: catalog.RelSubset, Note: "Accounts are one part of access control."},
	{ControlID: "acm-2", ObligationID: "CIIR-ACCESS-CONTROL", Relation: catalog.RelSubset},
	{ControlID: "log-1", ObligationID: "CIIR-MONITORING-LOG-RETENTION", Relation: catalog.RelSubset},
	{ControlID: "log-2", ObligationID: "CSL-LOG-RETENTION", Relation: catalog.RelSuperset, Note: "Our control keeps logs for twelve months; the law asks for six."},
	{ControlID: "inc-1", ObligationID: "CSL-INCIDENT-RESPONSE-PLAN", Relation: catalog.RelEquivalent},
	{ControlID: "inc-2", ObligationID: "IRM-CII-1-HOUR-REPORT", Relation: catalog.RelRelated, Note: "Our internal timeline is 4 hours; the CII 1-hour report is stricter."},
	{ControlID: "bkp-1", ObligationID: "CSL-CII-DR-BACKUP", Relation: catalog.RelSubset},
	{ControlID: "mal-1", ObligationID: "CSL-TECHNICAL-DEFENCES", Relation: catalog.RelSubset},
	{ControlID: "vul-1", ObligationID: "CIIR-VULNERABILITY-REMEDIATION", Relation: catalog.RelEquivalent},
	{ControlID: "trn-1", ObligationID: "CSL-CII-TRAINING", Relation: catalog.RelRelated},
	{ControlID: "sup-1", ObligationID: "CSL-CII-SUPPLIER-AGREEMENT", Relation: catalog.RelEquivalent},
	{ControlID: "gov-1", ObligationID: "CSL-SECURITY-RESPONSIBLE-PERSON", Relation: catalog.RelEquivalent},
}
