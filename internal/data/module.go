package data

import (
	"context"
	"embed"

	"ciiguard/internal/auth"
	"ciiguard/internal/kernel"
	"ciiguard/internal/rules"
	"ciiguard/internal/store"
	"ciiguard/internal/web"
)

//go:embed templates messages openapi.json migrations
var files embed.FS

// Permissions of the data capability.
const (
	// Read shows data assets, transfers, their routes and mechanisms, and impact assessments.
	Read auth.Permission = "data.read"
	// Write records them: the data map is the security manager's, the administrator's and
	// the system owners' (who know what their systems hold and send).
	Write auth.Permission = "data.write"
)

func init() {
	auth.Grant(Read, auth.Admin, auth.SecurityManager, auth.SystemOwner, auth.Analyst, auth.Auditor)
	auth.Grant(Write, auth.Admin, auth.SecurityManager, auth.SystemOwner)
}

// Module is the data capability.
type Module struct {
	*Service
	d     kernel.Deps
	pages *web.Pages
	// ev is the evidence store, where the proof of a deletion is uploaded; nil without
	// the evidence capability (the proof's hash is then typed in).
	ev kernel.Evidence
}

// New returns the module.
func New() *Module { return &Module{Service: &Service{}} }

// Name implements kernel.Module.
func (m *Module) Name() string { return "data" }

// Migrations implements kernel.Module.
func (m *Module) Migrations() []store.Migration { return migrations }

// Provision implements kernel.Module.
func (m *Module) Provision(_ context.Context, d kernel.Deps) error {
	m.d = d
	inv, err := kernel.Need[Inventory](d.Registry, m.Name())
	if err != nil {
		return err
	}
	if ev, err := kernel.Need[kernel.Evidence](d.Registry, m.Name()); err == nil {
		m.ev = ev
	}
	now := m.Service.Now
	*m.Service = *NewService(d.DB, inv)
	if now != nil {
		m.Service.Now = now
	}
	// The arrangements to maintain a system from abroad that reach a transfer's data, when
	// the suppliers capability is installed.
	if ms := kernel.All[kernel.TransferMaintenance](d.Registry); len(ms) == 1 {
		m.Service.maintenance = ms[0]
	}
	if inc, err := kernel.Need[kernel.Incidents](d.Registry, m.Name()); err == nil {
		m.Service.incidents = inc
	}
	if d.Changes != nil {
		m.Service.changed = func(tx *store.Tx, org int64) { d.Changes.Changed(tx, org, 0) }
	}
	return nil
}

// Register implements kernel.Module.
func (m *Module) Register(d kernel.Deps) error {
	var err error
	if m.pages, err = d.Web.LoadAssets(files, "templates/page_*.html"); err != nil {
		return err
	}
	s := d.Web
	s.Page("GET /data", Read, m.overviewPage)
	s.Page("POST /data/assets", Write, m.createAssetPage)
	s.Page("POST /data/transfers", Write, m.createTransferPage)
	s.Page("GET /data/transfers/{id}", Read, m.transferPage)
	s.Page("POST /data/transfers/{id}/batches", Write, m.batchPage)
	s.Page("POST /data/transfers/{id}/mechanisms", Write, m.mechanismPage)
	s.Page("POST /data/transfers/{id}/pipias", Write, m.pipiaPage)
	s.Page("POST /data/mechanisms/{id}/filing", Write, m.filingPage)
	s.Page("POST /data/mechanisms/{id}/result", Write, m.resultPage)
	s.Page("POST /data/pipias/{id}/delete", Write, m.deletePIPIAPage)
	s.Page("POST /data/declaration/retire", Write, m.retirePage)
	s.Page("GET /data/assets/{id}", Read, m.assetPageGet)
	s.Page("POST /data/assets/{id}/retention", Write, m.retentionPage)
	upload := int64(1 << 20)
	if m.ev != nil {
		upload += m.ev.UploadLimit()
	}
	s.PageWithLimit("POST /data/assets/{id}/deletions", Write, upload, m.deletionPage)
	s.Page("POST /data/assets/{id}/leaks", Write, m.leakPage)
	s.Page("POST /data/reviews", Write, m.scheduleReviewPage)
	s.PageWithLimit("POST /data/reviews/{id}/complete", Write, upload, m.completeReviewPage)

	s.API("GET /api/v1/data", Read, m.apiSummary)
	s.API("GET /api/v1/data/rules", Read, m.apiRules)
	s.API("GET /api/v1/data/assets", Read, m.apiAssets)
	s.API("POST /api/v1/data/assets", Write, m.apiCreateAsset)
	s.API("GET /api/v1/data/assets/{id}", Read, m.apiAsset)
	s.API("GET /api/v1/data/transfers", Read, m.apiTransfers)
	s.API("POST /api/v1/data/transfers", Write, m.apiCreateTransfer)
	s.API("GET /api/v1/data/transfers/{id}", Read, m.apiTransfer)
	s.API("POST /api/v1/data/transfers/{id}/batches", Write, m.apiBatch)
	s.API("POST /api/v1/data/transfers/{id}/mechanisms", Write, m.apiMechanism)
	s.API("POST /api/v1/data/transfers/{id}/pipias", Write, m.apiPIPIA)
	s.API("PUT /api/v1/data/mechanisms/{id}/filing", Write, m.apiFiling)
	s.API("PUT /api/v1/data/mechanisms/{id}/result", Write, m.apiResult)
	s.API("DELETE /api/v1/data/pipias/{id}", Write, m.apiDeletePIPIA)
	s.API("POST /api/v1/data/declaration/retire", Write, m.apiRetire)
	s.API("GET /api/v1/data/deletions", Read, m.apiDeletions)
	s.API("POST /api/v1/data/assets/{id}/deletions", Write, m.apiDeletion)
	s.API("PUT /api/v1/data/assets/{id}/retention", Write, m.apiRetention)
	s.API("GET /api/v1/data/leaks", Read, m.apiLeaks)
	s.API("POST /api/v1/data/assets/{id}/leaks", Write, m.apiLeak)
	s.API("GET /api/v1/data/reviews", Read, m.apiReviews)
	s.API("POST /api/v1/data/reviews", Write, m.apiScheduleReview)
	s.API("POST /api/v1/data/reviews/{id}/complete", Write, m.apiCompleteReview)
	return nil
}

// Nav implements kernel.Navigation.
func (m *Module) Nav() []web.NavItem {
	return []web.NavItem{{Key: "nav.data", Path: "/data", Perm: Read, Order: 47}}
}

// FactSets implements kernel.FactProvider: the `data` variable of the catalog's rules.
func (m *Module) FactSets() []kernel.FactSet {
	return []kernel.FactSet{FactSet(m.Service)}
}

// FactSet returns the data fact set read from s.
func FactSet(s *Service) kernel.FactSet {
	return kernel.NewFacts("data", "data assets, transfers abroad, their mechanisms and impact assessments", s.Facts)
}

// State reads the context organisation's records and works out where they stand today.
func (s *Service) State(ctx context.Context) (*Records, *State, error) {
	rs, err := s.Records(ctx)
	if err != nil {
		return nil, nil, err
	}
	org, _, err := s.inv.Facts(ctx)
	if err != nil {
		return nil, nil, err
	}
	st, err := s.Evaluate(rs, org.IsCIIOperator, s.Now())
	if err != nil {
		return nil, nil, err
	}
	// The profile's typed-in self-inspection day counts while no record is later.
	st.Reviews = reviewClocks(rs, st.Day, org.LastPISelfInspection)
	return rs, st, nil
}

// Facts reads the context's organisation's data facts.
func (s *Service) Facts(ctx context.Context) (Facts, error) {
	rs, st, err := s.State(ctx)
	if err != nil {
		return Facts{}, err
	}
	return ComputeFacts(rs, st), nil
}

// ContributeFacts fills the organisation's export facts from the records (the obligations
// capability's FactContributor): the year's head-counts of people whose personal
// information went abroad outside the exemptions, and whether important data goes abroad;
// and, once any asset is recorded, what is held (Held: people with personal information,
// with sensitive personal information, important and core data) in place of the profile's
// typed-in values.
// The profile's carried-over numbers count too, the larger of the two, until retired.
func (m *Module) ContributeFacts(ctx context.Context, org *rules.Org) error {
	rs, err := m.Records(ctx)
	if err != nil {
		return err
	}
	st, err := m.Evaluate(rs, org.IsCIIOperator, m.Now())
	if err != nil {
		return err
	}
	// What is held comes from the assets once there are any; until then the profile's
	// typed-in values stand (the profile page says which is in force).
	if h := HeldFrom(rs.Assets); h.Derived() {
		org.PISubjects, org.SensitivePISubjects = h.PISubjects, h.SensitivePISubjects
		org.HasImportantData, org.HasCoreData = h.ImportantData, h.CoreData
	}
	org.ExportPISubjects, org.ExportSensitivePISubjects = st.Count.NonSensitive, st.Count.Sensitive
	org.ExportsImportantData = false
	for _, ts := range st.Transfers {
		if ts.Current && ts.Important && !ts.ExemptByClaim {
			org.ExportsImportantData = true
		}
	}
	// The latest self-inspection recorded here stands for the profile's typed-in day when later.
	if c := st.Reviews[KindSelfInspection]; c != nil && c.Last != "" {
		if last := mustDay(c.Last); last.After(org.LastPISelfInspection) {
			org.LastPISelfInspection = last
		}
	}
	if d := rs.Declaration; d.InUse() {
		org.ExportPISubjects = max(org.ExportPISubjects, d.ExportPISubjects)
		org.ExportSensitivePISubjects = max(org.ExportSensitivePISubjects, d.ExportSensitivePISubjects)
		org.ExportsImportantData = org.ExportsImportantData || d.ExportsImportantData
	}
	return nil
}
