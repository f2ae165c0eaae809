// Package obligations is the capability that tells an operator, with article and fine,
// which duties of the regime apply, which are met and which are late: it evaluates the
// obligations catalog against the organisation's records, keeps findings and their history,
// takes attestations with evidence and organisations' own policies, and fills the dashboard.
package obligations

import (
	"context"
	"embed"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"strings"
	"time"

	"ciiguard/internal/auth"
	"ciiguard/internal/catalog"
	"ciiguard/internal/kernel"
	"ciiguard/internal/problem"
	"ciiguard/internal/rules"
	"ciiguard/internal/store"
	"ciiguard/internal/web"
)

//go:embed templates messages openapi.json migrations
var files embed.FS

// Permissions of the obligations capability.
const (
	CatalogRead  auth.Permission = "catalog.read"
	FindingsRead auth.Permission = "findings.read"
	Evaluate     auth.Permission = "findings.evaluate"
	Attest       auth.Permission = "findings.attest"
	PolicyWrite  auth.Permission = "policies.write"
)

func init() {
	// The catalog is the law: everyone may read it. Findings are the operator's own.
	auth.Grant(CatalogRead, auth.AllRoles()...)
	auth.Grant(FindingsRead, auth.RolesByKind[auth.Operator]...)
	auth.Grant(Evaluate, auth.Admin, auth.SecurityManager, auth.SystemOwner, auth.Analyst)
	auth.Grant(Attest, auth.Admin, auth.SecurityManager, auth.SystemOwner)
	auth.Grant(PolicyWrite, auth.Admin, auth.SecurityManager)
}

// Module is the obligations capability.
type Module struct {
	*Service
	facts FactSource
	ev    kernel.Evidence
	d     kernel.Deps

	contributors []FactContributor
	sections     []kernel.Section // of obligation pages, from other capabilities
	pages        *web.Pages
	widget       *template.Template
}

// The obligations capability is the installation's kernel.Obligations.
var _ kernel.Obligations = (*Module)(nil)

// New returns the module. When provisioned, it reads the organisation's facts from the
// one FactSource of the installation (the scope capability) with every FactContributor's
// added (the log vault's retention, say), keeps attestation evidence in the
// kernel.Evidence, and re-evaluates when the change bus announces a change.
func New() *Module { return &Module{} }

// Name implements kernel.Module.
func (m *Module) Name() string { return "obligations" }

// Migrations implements kernel.Module: the files in migrations/, and one Go step that
// only PostgreSQL has a statement for (findingsFillFactor).
func (m *Module) Migrations() []store.Migration {
	return store.MustSQLMigrations(files, "migrations", "obligations", findingsFillFactor)
}

// findingsFillFactor leaves a quarter of each new page of PostgreSQL's findings table free,
// so that rewriting a finding (a status or reason that changed) can put the new row version
// on the same page: a HOT update, which adds no entry to the primary-key index. With full
// pages every rewritten finding moved to another page and its index entry was written anew.
// SQLite rewrites a row in place and has no such setting.
var findingsFillFactor = store.Migration{Module: "obligations", Version: 6, Name: "findings pages keep room for rewritten findings (PostgreSQL)",
	Go: func(tx *store.Tx) error {
		if tx.Dialect() != store.Postgres {
			return nil
		}
		if _, err := tx.Exec(`ALTER TABLE findings SET (fillfactor = 75)`); err != nil {
			return fmt.Errorf("set the findings table's fill factor: %w", err)
		}
		return nil
	}}

// EvaluationTimeout bounds the rules engine's part of one evaluation of an organisation,
// per rules.TimeoutFindings findings it evaluates: a 10,000-system organisation (360,000
// findings) may take 19 × 30 s, a small one 30 s. A fixed limit either failed large
// organisations under load (10 s: engine phases of 9–33 s were measured at load average
// 15–30) or let a small one's stuck evaluation hold its worker for minutes (5 minutes).
const EvaluationTimeout = 30 * time.Second

// Provision implements kernel.Module: it loads the embedded catalog, looks up its facts
// and the evidence store, and listens for changes.
func (m *Module) Provision(_ context.Context, d kernel.Deps) error {
	m.d = d
	var err error
	if m.facts, err = kernel.Need[FactSource](d.Registry, m.Name()); err != nil {
		return err
	}
	if m.ev, err = kernel.Need[kernel.Evidence](d.Registry, m.Name()); err != nil {
		return err
	}
	m.contributors = kernel.All[FactContributor](d.Registry)
	// Capabilities' fact sets are declared to the catalog's engine (so that rules reading
	// them type-check) and filled on every evaluation.
	var sets []kernel.FactSet
	var decl []rules.FactSet
	for _, p := range kernel.All[kernel.FactProvider](d.Registry) {
		for _, fs := range p.FactSets() {
			sets, decl = append(sets, fs), append(decl, fs.Declare())
		}
	}
	// Evaluations run in the background, and each expression is bounded by the cost limit;
	// the timeout only bounds a whole evaluation, and grows with its size
	// (EvaluationTimeout): 10,000 systems take half a second on a quiet core but more than
	// rules.DefaultTimeout on a saturated machine.
	base, err := loadCatalog(decl)
	if err != nil {
		return fmt.Errorf("load obligations catalog: %w", err)
	}
	m.Service = NewService(d.DB, base, contributedFacts{m.facts, m.contributors})
	m.Service.AddFactSets(sets...)
	m.Service.ev.log = d.Log
	if m.Service.reviews, err = kernel.Need[kernel.AttestationReviews](d.Registry, m.Name()); err != nil {
		return err
	}
	d.Changes.OnChange(m.reevaluate)
	return nil
}

// Register implements kernel.Module.
func (m *Module) Register(d kernel.Deps) error {
	m.sections = kernel.SectionsFor(d.Registry, kernel.PageObligation)
	var err error
	if m.pages, err = d.Web.LoadAssets(files, "templates/page_*.html", "templates/section_*.html"); err != nil {
		return err
	}
	if m.widget, err = template.New("widget").Funcs(widgetFuncs).ParseFS(files, "templates/widget.html"); err != nil {
		return fmt.Errorf("parse dashboard widget: %w", err)
	}
	s := d.Web
	s.Page("GET /obligations", CatalogRead, m.listPage)
	s.Page("GET /obligations/{id}", CatalogRead, m.detailPage)
	s.PageWithLimit("POST /obligations/{id}/attest", Attest, m.ev.UploadLimit()+1<<20, m.attestPage)
	s.Page("GET /findings", FindingsRead, m.findingsPage)
	s.Page("GET /findings.csv", FindingsRead, m.findingsCSV)
	s.Page("GET /findings.xlsx", FindingsRead, m.findingsXLSX)
	s.Page("GET /findings/print", FindingsRead, m.findingsPrint)
	s.Page("POST /findings/evaluate", Evaluate, m.evaluatePage)
	s.Page("GET /policies", FindingsRead, m.policiesPage)
	s.PageWithLimit("POST /policies", PolicyWrite, MaxPolicySize+1<<20, m.policyUpload)
	s.Page("POST /policies/{id}/delete", PolicyWrite, m.policyDelete)
	s.Page("POST /obligations/{id}/adoption", PolicyWrite, m.adoptionForm)

	s.API("GET /api/v1/obligations", CatalogRead, m.apiList)
	s.API("GET /api/v1/obligations/{id}", CatalogRead, m.apiGet)
	s.API("GET /api/v1/findings", FindingsRead, m.apiFindings)
	s.API("POST /api/v1/findings/evaluate", Evaluate, m.apiEvaluate)
	s.API("GET /api/v1/findings/history", FindingsRead, m.apiHistory)
	s.API("GET /api/v1/evaluation", FindingsRead, m.apiEvaluation)
	s.API("GET /api/v1/attestations", FindingsRead, m.apiAttestations)
	s.API("POST /api/v1/attestations", Attest, m.apiAttest)
	s.API("GET /api/v1/policies", FindingsRead, m.apiPolicies)
	s.APIWithLimit("POST /api/v1/policies", PolicyWrite, MaxPolicySize+1, m.apiPolicyUpload)
	s.API("DELETE /api/v1/policies/{id}", PolicyWrite, m.apiPolicyDelete)
	s.API("GET /api/v1/obligations/{id}/adoption", FindingsRead, m.apiAdoption)
	s.API("PUT /api/v1/obligations/{id}/adoption", PolicyWrite, m.apiSetAdoption)
	s.API("GET /api/v1/oscal/catalog", CatalogRead, m.apiOSCALCatalog)
	s.API("GET /api/v1/oscal/profile", FindingsRead, m.apiOSCALProfile)
	s.API("GET /api/v1/oscal/assessment-results", FindingsRead, m.apiOSCALResults)

	return nil
}

// Nav implements kernel.Navigation.
func (m *Module) Nav() []web.NavItem {
	return []web.NavItem{
		{Key: "nav.findings", Path: "/findings", Perm: FindingsRead, Order: 20},
		{Key: "nav.obligations", Path: "/obligations", Perm: CatalogRead, Order: 30},
		{Key: "nav.policies", Path: "/policies", Perm: FindingsRead, Order: 35},
	}
}

// Widgets implements kernel.Dashboard.
func (m *Module) Widgets() []web.Widget {
	return []web.Widget{{Order: 0, Perm: FindingsRead, Render: m.renderWidget}}
}

// CurrentFindings implements kernel.Obligations.
func (m *Module) CurrentFindings(ctx context.Context) ([]rules.Finding, error) {
	fs, err := m.Findings(ctx, Filter{})
	if err != nil {
		return nil, err
	}
	out := make([]rules.Finding, len(fs))
	for i, f := range fs {
		out[i] = f.Finding
	}
	return out, nil
}

// reevaluate runs after a change to the facts has committed (scope records, or a
// contributor's facts such as the log vault's retention). It only queues the organisation
// for its worker, so the request that made the change answers at once.
func (m *Module) reevaluate(_ context.Context, orgID, systemID int64) {
	if orgID == 0 {
		// The calendar changed: every organisation's working-day deadlines may move. The
		// request that loaded it does not wait for them.
		go m.reevaluateAll(m.Service.ev.base, false)
		return
	}
	m.Changed(orgID, systemID)
}

// Close implements kernel.Closer: background evaluations stop after their current step.
func (m *Module) Close() error {
	if m.Service != nil {
		m.Service.Close()
	}
	return nil
}

// SeedDemo stores the demo operator's own rules (demo_policy.yaml), evaluates the operator
// so the first visit shows a posture, and records twelve weeks of demo history before it (a
// posture improving towards today's), so the trend has something to show. Only the demo does this; real history comes from real runs.
func (m *Module) SeedDemo(ctx context.Context, d kernel.Demo) error {
	ctx = store.WithOrg(ctx, d.Operator.ID)
	if err := m.seedDemoPolicy(ctx, d); err != nil {
		return err
	}
	run, err := m.Evaluate(ctx)
	if err != nil {
		return err
	}
	return m.db.WriteTenant(ctx, func(t *store.Tenant) error {
		for w := 12; w >= 1; w-- {
			shift := run.Met * w / 40 // fewer duties met the further back
			r := run
			r.Met -= shift
			r.Gap += shift / 2
			r.Overdue += shift - shift/2
			r.At = run.At.AddDate(0, 0, -7*w)
			if _, err := t.Exec(`INSERT INTO finding_runs (org_id, at, met, gap, overdue, not_applicable, needs_attestation, fine_min, fine_max) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
				r.At, r.Met, r.Gap, r.Overdue, r.NotApplicable, r.NeedsAttestation, r.FineMin, r.FineMax); err != nil {
				return fmt.Errorf("demo history: %w", err)
			}
		}
		return nil
	})
}

// obligationView is an obligation with everything a page shows about it.
type obligationView struct {
	*catalog.Obligation
	Instrument *catalog.Instrument
	Penalty    *catalog.Penalty // the clause in force today, nil for none (or a draft's)
	PenaltyWas *catalog.Penalty // the clause the duty names, when the amendment replaced it
	Tier       catalog.Tier     // the tier an open finding is exposed to
	Worst      rules.Status
	Counts     map[rules.Status]int
	// Cite is the article a finding today cites, CiteWas the one it replaced; PenaltyCite
	// and PenaltyWasCite cite the penalty clauses, all as lawyers write them.
	Cite, PenaltyCite, PenaltyWasCite catalog.Text
	CiteWas                           *catalog.Text
	EquivCites                        []catalog.Text // the equivalents, cited the same way
	Recommended                       bool           // written only in a draft: recommended, not law
}

func (m *Module) view(c *catalog.Catalog, o *catalog.Obligation, fs []Finding) obligationView {
	v := obligationView{Obligation: o, Counts: map[rules.Status]int{}}
	v.Instrument, _ = c.Instrument(o.Instrument)
	now := time.Now()
	cur, was := c.CitationAt(o, now)
	v.Cite = c.Cite(o.Instrument, cur)
	if was != nil {
		t := c.Cite(o.Instrument, *was)
		v.CiteWas = &t
	}
	for _, eq := range o.Equivalents {
		v.EquivCites = append(v.EquivCites, c.Cite(o.Instrument, eq))
	}
	v.Recommended = c.DraftOnly(o)
	if o.Penalty != "" && !v.Recommended {
		v.Penalty, v.PenaltyWas = c.PenaltyAt(o.Penalty, now)
		if v.Penalty != nil {
			v.PenaltyCite = c.CitePenalty(v.Penalty)
			v.Tier = v.Penalty.Tier(catalog.Circumstances{})
		}
		if v.PenaltyWas != nil {
			v.PenaltyWasCite = c.CitePenalty(v.PenaltyWas)
		}
	}
	for _, f := range fs {
		v.Counts[f.Status]++
		if v.Worst == "" || f.Status.Urgency() < v.Worst.Urgency() {
			v.Worst = f.Status
		}
	}
	return v
}

func canSeeFindings(r *http.Request) bool { return web.Can(r, FindingsRead) }

func (m *Module) catalogFor(r *http.Request) (*catalog.Catalog, error) {
	if canSeeFindings(r) {
		return m.Catalog(r.Context())
	}
	return m.Base(), nil
}

func (m *Module) findingsByObligation(r *http.Request) (map[string][]Finding, error) {
	out := map[string][]Finding{}
	if !canSeeFindings(r) {
		return out, nil
	}
	fs, err := m.Findings(r.Context(), Filter{})
	for _, f := range fs {
		out[f.ObligationID] = append(out[f.ObligationID], f)
	}
	return out, err
}

// statusValues lists the finding states in the order filters show them.
var statusValues = []string{"overdue", "gap", "error", "needs_attestation", "met", "not_applicable"}

type listData struct {
	BindsValues, CapabilityValues, StatusValues []string

	Items       []obligationView
	Instruments []*catalog.Instrument
	Q           listQuery
	Findings    bool
	Total       int
}

// listQuery holds the list's filter values, echoed back into the form.
type listQuery struct{ Instrument, Binds, Capability, Status, Text string }

func (m *Module) filtered(r *http.Request) ([]obligationView, *catalog.Catalog, listQuery, error) {
	q := listQuery{Instrument: r.URL.Query().Get("instrument"), Binds: r.URL.Query().Get("binds"), Capability: r.URL.Query().Get("capability"),
		Status: r.URL.Query().Get("status"), Text: strings.TrimSpace(r.URL.Query().Get("q"))}
	c, err := m.catalogFor(r)
	if err != nil {
		return nil, nil, q, err
	}
	byOb, err := m.findingsByObligation(r)
	if err != nil {
		return nil, nil, q, err
	}
	var items []obligationView
	for _, o := range c.Find(catalog.Filter{Instrument: q.Instrument, Binds: q.Binds, Capability: q.Capability, Text: q.Text}) {
		v := m.view(c, o, byOb[o.ID])
		if q.Status != "" && v.Counts[rules.Status(q.Status)] == 0 {
			continue
		}
		items = append(items, v)
	}
	return items, c, q, nil
}

func (m *Module) listPage(w http.ResponseWriter, r *http.Request) error {
	items, c, q, err := m.filtered(r)
	if err != nil {
		return err
	}
	v := m.d.Web.NewView(r, "nav.obligations", "/obligations")
	v.Data = listData{BindsValues: catalog.BindsValues, CapabilityValues: catalog.CapabilityValues, StatusValues: statusValues, Items: items, Instruments: c.Instruments, Q: q, Findings: canSeeFindings(r), Total: len(c.Obligations)}
	return m.pages.Render(w, r, "page_list.html", v)
}

type detailData struct {
	Ob           obligationView
	Names        map[string]string // system id -> name
	Subjects     []string          // the systems one may attest for, by pinyin
	Findings     []Finding
	Attestations []Attestation
	CanAttest    bool
	Citations    []string
	// Adoption of a duty written only in a draft: whether the organisation adopted it as its
	// own rule (and its copy's id), and whether this user may change that.
	Adoption *Adoption
	CanAdopt bool
	Now      time.Time
	Sections []template.HTML
}

func (m *Module) detailPage(w http.ResponseWriter, r *http.Request) error {
	return m.renderDetail(w, r, nil)
}

// renderDetail renders an obligation's page; after a refused attestation, failed holds the
// reasons, and the form shows them with what was typed.
func (m *Module) renderDetail(w http.ResponseWriter, r *http.Request, failed error) error {
	c, err := m.catalogFor(r)
	if err != nil {
		return err
	}
	o, ok := c.Obligation(r.PathValue("id"))
	if !ok {
		return store.ErrNotFound
	}
	d := detailData{Now: time.Now()}
	if canSeeFindings(r) {
		if d.Findings, err = m.Findings(r.Context(), Filter{Obligation: o.ID}); err != nil {
			return err
		}
		SortUrgent(d.Findings)
		if d.Attestations, err = m.Attestations(r.Context(), o.ID); err != nil {
			return err
		}
		d.CanAttest = o.Attestation != nil && web.Can(r, Attest)
		var order []string
		if d.Names, order, err = m.systemNames(r.Context()); err != nil {
			return err
		}
		applies := map[string]bool{}
		for _, f := range d.Findings {
			if f.SubjectKind == rules.SubjectSystem && f.Status != rules.StatusNotApplicable {
				applies[f.SubjectID] = true
			}
		}
		for _, id := range order {
			if applies[id] {
				d.Subjects = append(d.Subjects, id)
			}
		}
	}
	d.Ob = m.view(c, o, d.Findings)
	if d.Ob.Recommended && canSeeFindings(r) {
		if d.Adoption, err = m.adoptionOf(r.Context(), o.ID); err != nil {
			return err
		}
		d.CanAdopt = web.Can(r, PolicyWrite)
	}
	if d.Sections, err = kernel.RenderSections(r, m.sections, o.ID); err != nil {
		return err
	}
	v := m.d.Web.NewView(r, "ob.page_title", "/obligations")
	v.TitleArgs = []any{v.L(o.Title.Zh, o.Title.En)}
	if failed != nil {
		if err := web.FieldErrors(failed, v); err != nil {
			return err
		}
		v.Form, v.Status = r.PostForm, http.StatusBadRequest
	}
	v.Data = d
	return m.pages.Render(w, r, "page_detail.html", v)
}

func (m *Module) attestPage(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	if _, ok := m.Base().Obligation(id); !ok {
		if c, err := m.Catalog(r.Context()); err != nil || !hasOb(c, id) {
			return store.ErrNotFound
		}
	}
	var until time.Time
	if s := r.PostFormValue("valid_until"); s != "" {
		// Read before the upload, so that a bad date stores no file.
		t, err := time.Parse("2006-01-02", s)
		if err != nil {
			return m.refusedAttestation(w, r, problem.Field("valid_until", "must be a date as YYYY-MM-DD"))
		}
		until = t
	}
	sha, err := m.ev.Upload(r, "file")
	if err != nil {
		return m.refusedAttestation(w, r, err)
	}
	in := NewAttestation{ObligationID: id, SubjectKind: r.PostFormValue("subject_kind"), SubjectID: r.PostFormValue("subject_id"),
		Evidence: []string{sha}, Statement: r.PostFormValue("statement"), ValidUntil: until}
	if _, err := m.Attest(r.Context(), in, m.hasEvidence); err != nil {
		return m.refusedAttestation(w, r, err)
	}
	return web.Redirect(w, r, "/obligations/"+id, m.d.Web.Messages.T(web.RequestLang(r), "ob.attested"))
}

// refusedAttestation shows the duty's page again with the reasons next to the fields and
// what was typed, when err is a refusal a form can show; any other error is returned.
func (m *Module) refusedAttestation(w http.ResponseWriter, r *http.Request, err error) error {
	if _, ok := problem.As[*problem.Invalid](err); !ok {
		return err
	}
	return m.renderDetail(w, r, err)
}

func hasOb(c *catalog.Catalog, id string) bool { _, ok := c.Obligation(id); return ok }

func (m *Module) hasEvidence(ctx context.Context, sha string) error { return m.ev.Cite(ctx, sha) }

func (m *Module) evaluatePage(w http.ResponseWriter, r *http.Request) error {
	run, err := m.Evaluate(r.Context())
	if err != nil {
		return err
	}
	return web.Redirect(w, r, "/findings", m.d.Web.Messages.T(web.RequestLang(r), "findings.evaluated", run.Applicable(), run.Met, run.Open()))
}

func (m *Module) policiesPage(w http.ResponseWriter, r *http.Request) error {
	return m.renderPolicies(w, r, http.StatusOK, nil)
}

// renderPolicies shows the policies page, with the problems of a refused upload if any.
func (m *Module) renderPolicies(w http.ResponseWriter, r *http.Request, code int, errs []policyErrorLine) error {
	ps, err := m.Policies(r.Context())
	if err != nil {
		return err
	}
	v := m.d.Web.NewView(r, "nav.policies", "/policies")
	v.Data = policiesData{Items: ps, CanWrite: web.Can(r, PolicyWrite), Errors: errs}
	v.Status = code
	return m.pages.Render(w, r, "page_policies.html", v)
}

type policiesData struct {
	Items    []Policy
	CanWrite bool
	Errors   []policyErrorLine // why the upload was refused
}

func (m *Module) policyDelete(w http.ResponseWriter, r *http.Request) error {
	if err := m.deletePolicyAt(r); err != nil {
		return err
	}
	return web.Redirect(w, r, "/policies", m.d.Web.Messages.T(web.RequestLang(r), "policies.deleted"))
}

func (m *Module) policyUpload(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseMultipartForm(MaxPolicySize); err != nil {
		return problem.Field("file", "the upload could not be read: %v", err)
	}
	fh, hdr, err := r.FormFile("file")
	if err != nil {
		return problem.Field("file", "choose a YAML file to upload")
	}
	defer fh.Close()
	b, err := io.ReadAll(io.LimitReader(fh, MaxPolicySize+1))
	if err != nil {
		return fmt.Errorf("read policy upload: %w", err)
	}
	p, err := m.AddPolicy(r.Context(), hdr.Filename, b)
	if lines := m.policyErrorLines(web.RequestLang(r), err); lines != nil {
		return m.renderPolicies(w, r, http.StatusBadRequest, lines)
	}
	if err != nil {
		return err
	}
	return web.Redirect(w, r, "/policies", m.d.Web.Messages.T(web.RequestLang(r), "policies.added", p.Name, p.Count))
}
