package data

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"ciiguard/internal/kernel"
	"ciiguard/internal/rules"
	"ciiguard/internal/web"
)

func (m *Module) t(r *http.Request, key string, args ...any) string {
	return m.d.Web.Messages.T(web.RequestLang(r), key, args...)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// overview is the data page.
type overview struct {
	State      *State
	Records    *Records
	Facts      Facts
	From       string
	Assets     []assetRow
	Systems    []rules.System
	Categories []Option
	Kinds      []Option
	Levels     []Option
	Bases      []Option
	Roles      []Option
	Freqs      []Option
	Exemptions []Exemption
	AssetIn    AssetInput
	Locs       struct{ CN, Abroad string }
	TransferIn TransferInput
	Open       string // the form refused: asset, transfer, review, complete
	Today      string
	// The yearly reviews: their kinds and basis, the forms' input, the record whose
	// completion was refused, and the reports' links to the evidence store.
	ReviewKinds []Option
	Basis       map[string]rules.Text
	ReviewIn    ReviewInput
	CompleteIn  CompleteInput
	CompleteOf  int64
	Evidence    map[string]string
	CanUpload   bool
}

// assetRow is an asset in the list.
type assetRow struct {
	A       Asset
	Systems []rules.System // ID and name, so each links to its page
}

func (m *Module) overviewPage(w http.ResponseWriter, r *http.Request) error {
	return m.renderOverview(w, r, nil)
}

func (m *Module) renderOverview(w http.ResponseWriter, r *http.Request, refused func(v *web.View, o *overview) error) error {
	ctx := r.Context()
	rs, st, err := m.State(ctx)
	if err != nil {
		return err
	}
	_, systems, err := m.inv.Facts(ctx)
	if err != nil {
		return fmt.Errorf("read the inventory: %w", err)
	}
	names := map[int64]string{}
	for _, x := range systems {
		names[x.ID] = x.Name
	}
	o := &overview{State: st, Records: rs, Facts: ComputeFacts(rs, st), From: st.Version.WindowStart(st.Day).Format("2006-01-02"),
		Systems: systems, Categories: Categories, Kinds: SensitiveKinds, Levels: Levels, Bases: LegalBases, Roles: RecipientRoles, Freqs: Frequencies,
		Exemptions: m.Rules.Exemptions(), Today: st.Day.Format("2006-01-02"),
		ReviewKinds: ReviewKinds, Basis: ReviewBasis, Evidence: map[string]string{}, CanUpload: m.ev != nil}
	o.TransferIn.StartOn = o.Today
	o.ReviewIn.Period, o.CompleteIn.DoneOn = st.Day.Format("2006"), o.Today
	for _, r := range rs.Reviews {
		if r.ReportSHA256 != "" {
			if l := evidenceLink(ctx, m.ev, r.ReportSHA256); l != "" {
				o.Evidence[r.ReportSHA256] = l
			}
		}
	}
	for _, a := range rs.Assets {
		row := assetRow{A: a}
		for _, id := range a.Systems {
			row.Systems = append(row.Systems, rules.System{ID: id, Name: names[id]})
		}
		o.Assets = append(o.Assets, row)
	}
	v := m.d.Web.NewView(r, "nav.data", "/data")
	if refused != nil {
		if err := refused(v, o); err != nil {
			return err
		}
	}
	v.Data = o
	return m.pages.Render(w, r, "page_data.html", v)
}

// formList returns the form's values of name, trimmed, without empty ones.
func formList(r *http.Request, name string) []string {
	var out []string
	for _, s := range r.PostForm[name] {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// formIDs reads ids; a value that is not a number becomes -1, which validation refuses.
func formIDs(r *http.Request, name string) []int64 {
	var out []int64
	for _, s := range formList(r, name) {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			id = -1
		}
		out = append(out, id)
	}
	return out
}

// formInt reads a number field; a missing one is 0 and a wrong one -1 (refused as negative).
func formInt(r *http.Request, name string) int64 {
	s := strings.ReplaceAll(strings.TrimSpace(r.PostFormValue(name)), ",", "")
	if s == "" {
		return 0
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return -1
	}
	return n
}

// lines splits a text area into its non-empty lines (commas and 、 separate too).
func lines(s string) []string {
	var out []string
	for _, l := range strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == ',' || r == '、' || r == '，' }) {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

func (m *Module) createAssetPage(w http.ResponseWriter, r *http.Request) error {
	f := r.PostFormValue
	in := AssetInput{Name: f("name"), Department: f("department"), Systems: formIDs(r, "systems"), Categories: formList(r, "categories"),
		SensitiveKinds: formList(r, "sensitive_kinds"), People: formInt(r, "people"), Volume: f("volume"), Retention: f("retention"), RetentionEndsOn: f("retention_ends_on"),
		LegalBasis: f("legal_basis"), Purposes: f("purposes"), Designation: f("designation"), Level: f("level"), LevelReason: f("level_reason")}
	cn, abroad := f("locations_cn"), f("locations_abroad")
	for _, l := range lines(cn) {
		in.Locations = append(in.Locations, Location{Region: l})
	}
	for _, l := range lines(abroad) {
		in.Locations = append(in.Locations, Location{Region: l, Abroad: true})
	}
	a, err := m.CreateAsset(r.Context(), in)
	if err != nil {
		return m.renderOverview(w, r, func(v *web.View, o *overview) error {
			v.Form = r.PostForm
			if err := web.FieldErrors(err, v); err != nil {
				return err
			}
			v.FoldIndexed()
			o.AssetIn, o.Locs.CN, o.Locs.Abroad, o.Open, v.Status = in, cn, abroad, "asset", http.StatusBadRequest
			return nil
		})
	}
	return web.Redirect(w, r, "/data#assets", m.t(r, "data.asset_created", a.Name))
}

func transferFromForm(r *http.Request) TransferInput {
	f := r.PostFormValue
	return TransferInput{Recipient: f("recipient"), RecipientCountry: f("recipient_country"), RecipientRole: f("recipient_role"),
		Assets: formIDs(r, "assets"), Fields: f("fields"), Purpose: f("purpose"), Frequency: f("frequency"), StartOn: f("start_on"),
		Exemption: f("exemption"), ReliesOnConsent: f("relies_on_consent") != "", ConsentMethod: f("consent_method"), ConsentOn: f("consent_on"),
		People: formInt(r, "people"), SensitivePeople: formInt(r, "sensitive_people")}
}

func (m *Module) createTransferPage(w http.ResponseWriter, r *http.Request) error {
	in := transferFromForm(r)
	x, err := m.CreateTransfer(r.Context(), in)
	if err != nil {
		return m.renderOverview(w, r, func(v *web.View, o *overview) error {
			v.Form = r.PostForm
			if err := web.FieldErrors(err, v); err != nil {
				return err
			}
			v.FoldIndexed()
			o.TransferIn, o.Open, v.Status = in, "transfer", http.StatusBadRequest
			return nil
		})
	}
	return web.Redirect(w, r, fmt.Sprintf("/data/transfers/%d", x.ID), m.t(r, "data.transfer_created", x.Recipient))
}

// transferPage is one transfer's page.
type transferPage struct {
	TS         TransferState
	State      *State
	Assets     []Asset
	Kinds      []Option
	Results    []Option
	Exemption  Exemption
	Today      string
	Open       string // the form refused: batch, mechanism, pipia, filing-ID, result-ID
	MechIn     MechanismInput
	PIPIAIn    PIPIAInput
	BatchIn    BatchInput
	ErrorOf    int64 // the mechanism whose form was refused
	CanDelete  map[int64]bool
	FieldNames map[string]string
	// Maintenance are the arrangements from abroad whose access to data the transfer
	// carries; SystemNames names their systems.
	Maintenance []kernel.MaintenanceLink
	SystemNames map[int64]string
}

func (m *Module) transferPage(w http.ResponseWriter, r *http.Request) error {
	return m.renderTransfer(w, r, nil)
}

func (m *Module) renderTransfer(w http.ResponseWriter, r *http.Request, refused func(v *web.View, p *transferPage) error) error {
	st, ts, err := m.transferState(r)
	if err != nil {
		return err
	}
	assets, err := m.Assets(r.Context())
	if err != nil {
		return err
	}
	p := &transferPage{TS: ts, State: st, Kinds: MechanismKinds, Results: Results, Today: st.Day.Format("2006-01-02"), CanDelete: map[int64]bool{}}
	in := map[int64]bool{}
	for _, id := range ts.Transfer.Assets {
		in[id] = true
	}
	for _, a := range assets {
		if in[a.ID] {
			p.Assets = append(p.Assets, a)
		}
	}
	if ts.Decision.Exemption != "" {
		p.Exemption, _ = st.Version.Exemption(ts.Decision.Exemption)
	}
	if p.Maintenance, err = m.maintenanceOf(r.Context(), ts.Transfer.ID); err != nil {
		return err
	}
	if len(p.Maintenance) > 0 {
		_, systems, err := m.inv.Facts(r.Context())
		if err != nil {
			return fmt.Errorf("read the inventory: %w", err)
		}
		p.SystemNames = map[int64]string{}
		for _, x := range systems {
			p.SystemNames[x.ID] = x.Name
		}
	}
	for _, x := range ts.PIPIAs {
		p.CanDelete[x.ID] = st.Day.After(mustDay(x.KeepUntil))
	}
	p.MechIn.Kind = KindContract
	v := m.d.Web.NewView(r, "data.transfer", "/data")
	v.TitleArgs = []any{ts.Transfer.Recipient}
	if refused != nil {
		if err := refused(v, p); err != nil {
			return err
		}
	}
	v.Data = p
	return m.pages.Render(w, r, "page_transfer.html", v)
}

// refusedOn re-renders the transfer page with a refused form's errors, or returns err
// when it is not a validation problem.
func (m *Module) refusedOn(w http.ResponseWriter, r *http.Request, err error, open string, set func(p *transferPage)) error {
	return m.renderTransfer(w, r, func(v *web.View, p *transferPage) error {
		v.Form = r.PostForm
		if err := web.FieldErrors(err, v); err != nil {
			return err
		}
		p.Open, v.Status = open, http.StatusBadRequest
		if set != nil {
			set(p)
		}
		return nil
	})
}

func (m *Module) batchPage(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	in := BatchInput{SentOn: r.PostFormValue("sent_on"), People: formInt(r, "people"), Sensitive: formInt(r, "sensitive_people"), Note: r.PostFormValue("note")}
	if _, err := m.AddBatch(r.Context(), id, in); err != nil {
		return m.refusedOn(w, r, err, "batch", func(p *transferPage) { p.BatchIn = in })
	}
	return web.Redirect(w, r, fmt.Sprintf("/data/transfers/%d", id), m.t(r, "data.batch_added"))
}

func (m *Module) mechanismPage(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	f := r.PostFormValue
	in := MechanismInput{Kind: f("kind"), EffectiveOn: f("effective_on"), FiledOn: f("filed_on"), FilingRef: f("filing_ref"), Body: f("body"),
		Certificate: f("certificate"), IssuedOn: f("issued_on"), ExpiresOn: f("expires_on"), AppliedOn: f("applied_on"), Result: f("result"), ResultOn: f("result_on")}
	if _, err := m.AddMechanism(r.Context(), id, in); err != nil {
		return m.refusedOn(w, r, err, "mechanism", func(p *transferPage) { p.MechIn = in })
	}
	return web.Redirect(w, r, fmt.Sprintf("/data/transfers/%d", id), m.t(r, "data.mechanism_added"))
}

func (m *Module) pipiaPage(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	f := r.PostFormValue
	in := PIPIAInput{AssessedOn: f("assessed_on"), PurposeNecessity: f("purpose_necessity"), RightsImpact: f("rights_impact"),
		SecurityMeasures: f("security_measures"), CountryRisks: f("country_risks"), Approver: f("approver")}
	if _, err := m.AddPIPIA(r.Context(), id, in); err != nil {
		return m.refusedOn(w, r, err, "pipia", func(p *transferPage) { p.PIPIAIn = in })
	}
	return web.Redirect(w, r, fmt.Sprintf("/data/transfers/%d", id), m.t(r, "data.pipia_added"))
}

// mechanismTransfer is the transfer a mechanism belongs to (for the page to go back to).
func (m *Module) mechanismTransfer(r *http.Request) (int64, int64, error) {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return 0, 0, err
	}
	rs, err := m.Records(r.Context())
	if err != nil {
		return 0, 0, err
	}
	for _, x := range rs.Mechanisms {
		if x.ID == id {
			return id, x.TransferID, nil
		}
	}
	return 0, 0, storeNotFound()
}

func (m *Module) filingPage(w http.ResponseWriter, r *http.Request) error {
	id, transfer, err := m.mechanismTransfer(r)
	if err != nil {
		return err
	}
	if _, err := m.FileContract(r.Context(), id, FilingInput{FiledOn: r.PostFormValue("filed_on"), FilingRef: r.PostFormValue("filing_ref")}); err != nil {
		r.SetPathValue("id", itoa(transfer))
		return m.refusedOn(w, r, err, "filing", func(p *transferPage) { p.ErrorOf = id })
	}
	return web.Redirect(w, r, fmt.Sprintf("/data/transfers/%d", transfer), m.t(r, "data.filed"))
}

func (m *Module) resultPage(w http.ResponseWriter, r *http.Request) error {
	id, transfer, err := m.mechanismTransfer(r)
	if err != nil {
		return err
	}
	in := ResultInput{Result: r.PostFormValue("result"), ResultOn: r.PostFormValue("result_on"), ExtensionAppliedOn: r.PostFormValue("extension_applied_on")}
	if _, err := m.RecordResult(r.Context(), id, in); err != nil {
		r.SetPathValue("id", itoa(transfer))
		return m.refusedOn(w, r, err, "result", func(p *transferPage) { p.ErrorOf = id })
	}
	return web.Redirect(w, r, fmt.Sprintf("/data/transfers/%d", transfer), m.t(r, "data.result_saved"))
}

func (m *Module) deletePIPIAPage(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	rs, err := m.Records(r.Context())
	if err != nil {
		return err
	}
	var transfer int64
	for _, p := range rs.PIPIAs {
		if p.ID == id {
			transfer = p.TransferID
		}
	}
	if transfer == 0 {
		return storeNotFound()
	}
	if err := m.DeletePIPIA(r.Context(), id); err != nil {
		return err
	}
	return web.Redirect(w, r, fmt.Sprintf("/data/transfers/%d", transfer), m.t(r, "data.pipia_deleted"))
}

func (m *Module) retirePage(w http.ResponseWriter, r *http.Request) error {
	if err := m.RetireDeclaration(r.Context()); err != nil {
		return err
	}
	return web.Redirect(w, r, "/data", m.t(r, "data.declaration_retired"))
}
