package appstore

import (
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"ciiguard/internal/calendar"
	"ciiguard/internal/problem"
	"ciiguard/internal/web"
)

// MaxUpload is the request limit of a package upload: the largest package and the form
// around it.
const MaxUpload = MaxAPKBytes + 1<<20

func (m *Module) t(r *http.Request, key string, args ...any) string {
	return m.d.Web.Messages.T(web.RequestLang(r), key, args...)
}

// refusal prepares a page shown again after a refused form: the values sent, each
// refused field's reason in the page's language, 400 (409 for a clash with the records).
// Another error is returned unchanged.
func refusal(r *http.Request, v *web.View, err error) error {
	v.Form = r.PostForm
	if ferr := web.FieldErrors(err, v); ferr != nil {
		return ferr
	}
	v.Status = http.StatusBadRequest
	if _, ok := problem.As[*problem.Conflict](err); ok {
		v.Status = http.StatusConflict
	}
	return nil
}

// rowForms are the forms of a page's rows ("retire-3": the retirement of document 3), whose
// fields share names with other rows' and with the page's own forms: their refusals are
// filed under the form (web.FieldErrorsIn) so only the row that was sent is marked.
var rowForms = regexp.MustCompile(`^(retire|lift|review|reinstate|cert)-[0-9a-f]+$`)

// refusalIn is refusal for the page's form form: a row's form files its refusals under
// its name; the page's own forms keep the plain field names.
func refusalIn(r *http.Request, v *web.View, form string, err error) error {
	if !rowForms.MatchString(form) {
		return refusal(r, v, err)
	}
	return web.FieldErrorsIn(form, err, v, r.PostForm)
}

// formNum reads a whole number; a missing one is 0 and a wrong one -1 (refused).
func formNum(r *http.Request, name string) int {
	s := strings.TrimSpace(r.PostFormValue(name))
	if s == "" {
		return 0
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return -1
	}
	return n
}

// platformView is the platform page.
type platformView struct {
	Platform  *Platform
	In        PlatformInput
	Documents []Document
	Facts     Facts
	Malware   []MalwareEntry
	Blacklist []BlacklistEntry
	Today     string
	PublicURL string
	Open      string // the form refused
}

func (m *Module) platformPage(w http.ResponseWriter, r *http.Request) error {
	return m.renderPlatform(w, r, "", nil)
}

func (m *Module) renderPlatform(w http.ResponseWriter, r *http.Request, open string, refused error) error {
	ctx := r.Context()
	p, err := m.Platform(ctx)
	if err != nil {
		return err
	}
	docs, err := m.Documents(ctx)
	if err != nil {
		return err
	}
	facts, err := m.Facts(ctx)
	if err != nil {
		return err
	}
	mal, err := m.Malware(ctx)
	if err != nil {
		return err
	}
	bl, err := m.Blacklist(ctx)
	if err != nil {
		return err
	}
	pv := &platformView{Platform: p, Documents: docs, Facts: facts, Malware: mal, Blacklist: bl, Today: m.today(), Open: open}
	if p != nil {
		pv.In = PlatformInput{Name: p.Name, OnlineOn: p.OnlineOn, CACProvince: p.CACProvince, FiledOn: p.FiledOn, FilingReference: p.FilingReference,
			FilingMaterials: p.FilingMaterials, ComplaintChannel: p.ComplaintChannel, ReviewDays: p.ReviewDays, ComplaintDays: p.ComplaintDays,
			PIComplaintDays: p.PIComplaintDays, ComplaintWindowMonths: p.ComplaintWindowMonths, Policy: p.Policy}
		if pr := web.PrincipalFrom(ctx); pr != nil {
			pv.PublicURL = fmt.Sprintf("/public/appstore/%d/complaints", pr.Org.ID)
		}
	}
	v := m.d.Web.NewView(r, "nav.appstore", "/appstore")
	if refused != nil {
		if err := refusalIn(r, v, open, refused); err != nil {
			return err
		}
		if open == "platform" {
			pv.In = platformFromForm(r)
		}
	}
	v.Data = pv
	return m.pages.Render(w, r, "page_platform.html", v)
}

func platformFromForm(r *http.Request) PlatformInput {
	f := r.PostFormValue
	return PlatformInput{Name: f("name"), OnlineOn: f("online_on"), CACProvince: f("cac_province"), FiledOn: f("filed_on"), FilingReference: f("filing_reference"),
		FilingMaterials: f("filing_materials"), ComplaintChannel: f("complaint_channel"), ReviewDays: formNum(r, "review_days"),
		ComplaintDays: formNum(r, "complaint_days"), PIComplaintDays: formNum(r, "pi_complaint_days"),
		ComplaintWindowMonths: formNum(r, "complaint_window_months"), Policy: f("permission_policy")}
}

func (m *Module) savePlatformPage(w http.ResponseWriter, r *http.Request) error {
	if _, err := m.SavePlatform(r.Context(), platformFromForm(r)); err != nil {
		return m.renderPlatform(w, r, "platform", err)
	}
	return web.Redirect(w, r, "/appstore", m.t(r, "appstore.platform_saved"))
}

func (m *Module) addDocumentPage(w http.ResponseWriter, r *http.Request) error {
	f := r.PostFormValue
	d, err := m.AddDocument(r.Context(), DocumentInput{Kind: f("kind"), Version: f("version"), Title: f("title"), EffectiveOn: f("effective_on"), SHA256: f("sha256")})
	if err != nil {
		return m.renderPlatform(w, r, "document", err)
	}
	return web.Redirect(w, r, "/appstore#documents", m.t(r, "appstore.document_added", d.Title, d.Version))
}

func (m *Module) retireDocumentPage(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	if _, err := m.RetireDocument(r.Context(), id, r.PostFormValue("reason")); err != nil {
		return m.renderPlatform(w, r, fmt.Sprintf("retire-%d", id), err)
	}
	return web.Redirect(w, r, "/appstore#documents", m.t(r, "appstore.document_retired"))
}

func (m *Module) addMalwarePage(w http.ResponseWriter, r *http.Request) error {
	f := r.PostFormValue
	if _, err := m.AddMalware(r.Context(), MalwareInput{Kind: f("kind"), Value: f("value"), Label: f("label"), Source: f("source")}); err != nil {
		return m.renderPlatform(w, r, "malware", err)
	}
	return web.Redirect(w, r, "/appstore#malware", m.t(r, "appstore.malware_added"))
}

// blacklistPage adds a blacklist entry; from a developer's or a version's page it goes
// back there (back names the page, checked to be one of ours).
func (m *Module) blacklistPage(w http.ResponseWriter, r *http.Request) error {
	f := r.PostFormValue
	back := f("back")
	if !strings.HasPrefix(back, "/appstore/") || strings.ContainsAny(back, "\\\r\n") || strings.HasPrefix(back, "//") {
		back = "/appstore#blacklist"
	}
	if _, err := m.AddToBlacklist(r.Context(), f("kind"), f("value"), f("reason")); err != nil {
		if app := appPage.FindStringSubmatch(back); app != nil && f("kind") == BlackCertificate && shaRE.MatchString(f("value")) {
			// The certificate's form beside a version: the app's page again, that form
			// marked.
			id, _ := strconv.ParseInt(app[1], 10, 64)
			return m.renderAppIn(w, r, id, "cert-"+f("value"), err)
		}
		if back != "/appstore#blacklist" {
			if _, ok := problem.As[*problem.Invalid](err); ok {
				return err // answered as a 400 page naming the field
			}
		}
		return m.renderPlatform(w, r, "blacklist", err)
	}
	return web.Redirect(w, r, back, m.t(r, "appstore.blacklisted"))
}

func (m *Module) liftPage(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	if _, err := m.LiftFromBlacklist(r.Context(), id, r.PostFormValue("reason")); err != nil {
		return m.renderPlatform(w, r, fmt.Sprintf("lift-%d", id), err)
	}
	return web.Redirect(w, r, "/appstore#blacklist", m.t(r, "appstore.lifted_done"))
}

// developersView is the developers page.
type developersView struct {
	Developers []Developer
	Open       bool
}

func (m *Module) developersPage(w http.ResponseWriter, r *http.Request) error {
	return m.renderDevelopers(w, r, nil)
}

func (m *Module) renderDevelopers(w http.ResponseWriter, r *http.Request, refused error) error {
	list, err := m.Developers(r.Context())
	if err != nil {
		return err
	}
	v := m.d.Web.NewView(r, "appstore.developers", "/appstore")
	dv := &developersView{Developers: list}
	if refused != nil {
		if err := refusal(r, v, refused); err != nil {
			return err
		}
		dv.Open = true
	}
	v.Data = dv
	return m.pages.Render(w, r, "page_developers.html", v)
}

func developerFromForm(r *http.Request) DeveloperInput {
	f := r.PostFormValue
	return DeveloperInput{Kind: f("kind"), Name: f("name"), USCC: f("uscc"), LicenceSHA256: f("licence_sha256"), ResidentID: f("resident_id"), Phone: f("phone")}
}

func (m *Module) registerDeveloperPage(w http.ResponseWriter, r *http.Request) error {
	d, err := m.RegisterDeveloper(r.Context(), developerFromForm(r))
	if err != nil {
		return m.renderDevelopers(w, r, err)
	}
	return web.Redirect(w, r, fmt.Sprintf("/appstore/developers/%d", d.ID), m.t(r, "appstore.developer_registered", d.Name))
}

// developerView is one developer's page.
type developerView struct {
	D          Developer
	Apps       []App
	Complaints []Complaint
}

func (m *Module) developerPage(w http.ResponseWriter, r *http.Request) error {
	return m.renderDeveloper(w, r, nil)
}

func (m *Module) renderDeveloper(w http.ResponseWriter, r *http.Request, refused error) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	d, err := m.Developer(r.Context(), id)
	if err != nil {
		return err
	}
	all, err := m.Apps(r.Context())
	if err != nil {
		return err
	}
	dv := &developerView{D: d}
	for _, a := range all {
		if a.DeveloperID == id {
			dv.Apps = append(dv.Apps, a)
		}
	}
	complaints, err := m.Complaints(r.Context())
	if err != nil {
		return err
	}
	for _, c := range complaints {
		if c.DeveloperID != nil && *c.DeveloperID == id {
			dv.Complaints = append(dv.Complaints, c)
		}
	}
	v := m.d.Web.NewView(r, "appstore.developer", "/appstore")
	v.TitleArgs = []any{d.Name}
	if refused != nil {
		if err := refusal(r, v, refused); err != nil {
			return err
		}
	}
	v.Data = dv
	return m.pages.Render(w, r, "page_developer.html", v)
}

func (m *Module) updateDeveloperPage(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	d, err := m.UpdateDeveloper(r.Context(), id, developerFromForm(r))
	if err != nil {
		return m.renderDeveloper(w, r, err)
	}
	return web.Redirect(w, r, fmt.Sprintf("/appstore/developers/%d", id), m.t(r, "appstore.developer_changed", m.t(r, "appstore.state."+d.State)))
}

func (m *Module) sendCodePage(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	expires, err := m.SendPhoneCode(r.Context(), id)
	if err != nil {
		if _, ok := problem.As[*problem.TooMany](err); ok {
			return err
		}
		return m.renderDeveloper(w, r, err)
	}
	d, err := m.Developer(r.Context(), id)
	if err != nil {
		return err
	}
	until := expires.In(calendar.Shanghai).Format("15:04")
	return web.Redirect(w, r, fmt.Sprintf("/appstore/developers/%d#phone", id), m.t(r, "appstore.code_sent", d.PhoneMasked, until))
}

func (m *Module) confirmPhonePage(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	if _, err := m.ConfirmPhone(r.Context(), id, r.PostFormValue("code")); err != nil {
		return m.renderDeveloper(w, r, err)
	}
	return web.Redirect(w, r, fmt.Sprintf("/appstore/developers/%d", id), m.t(r, "appstore.phone_confirmed"))
}

func (m *Module) decideDeveloperPage(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	d, err := m.Decide(r.Context(), id, Decision{State: r.PostFormValue("state"), Reason: r.PostFormValue("reason")})
	if err != nil {
		return m.renderDeveloper(w, r, err)
	}
	return web.Redirect(w, r, fmt.Sprintf("/appstore/developers/%d", id), m.t(r, "appstore.developer_decided", m.t(r, "appstore.state."+d.State)))
}

// appsView is the apps page.
type appsView struct {
	Apps       []App
	Developers []Developer
	In         AppInput
	Perms      string
	Open       bool
}

func (m *Module) appsPage(w http.ResponseWriter, r *http.Request) error {
	return m.renderApps(w, r, nil)
}

func (m *Module) renderApps(w http.ResponseWriter, r *http.Request, refused error) error {
	apps, err := m.Apps(r.Context())
	if err != nil {
		return err
	}
	devs, err := m.Developers(r.Context())
	if err != nil {
		return err
	}
	av := &appsView{Apps: apps, Developers: devs}
	v := m.d.Web.NewView(r, "appstore.apps", "/appstore")
	if refused != nil {
		if err := refusal(r, v, refused); err != nil {
			return err
		}
		av.In, av.Perms, av.Open = appFromForm(r), r.PostFormValue("declared_permissions"), true
	}
	v.Data = av
	return m.pages.Render(w, r, "page_apps.html", v)
}

func appFromForm(r *http.Request) AppInput {
	f := r.PostFormValue
	dev, err := strconv.ParseInt(strings.TrimSpace(f("developer_id")), 10, 64)
	if err != nil {
		dev = 0
	}
	perms := strings.FieldsFunc(f("declared_permissions"), func(c rune) bool { return c == '\n' || c == ',' || c == '\r' || c == ' ' || c == '、' || c == '，' })
	return AppInput{DeveloperID: dev, Name: f("name"), Package: f("package"), FilingNumber: f("filing_number"), DeclaredPermissions: perms, DataCollected: f("data_collected")}
}

// createAppPage registers an app submitted for distribution: the filing number is
// required here (MIIT 2023 notice), so an unfiled app is refused with the reason.
func (m *Module) createAppPage(w http.ResponseWriter, r *http.Request) error {
	a, err := m.CreateApp(r.Context(), appFromForm(r), true)
	if err != nil {
		return m.renderApps(w, r, err)
	}
	return web.Redirect(w, r, fmt.Sprintf("/appstore/apps/%d", a.ID), m.t(r, "appstore.app_created", a.Name))
}

// appView is one app's page.
type appView struct {
	A         App
	Versions  []Version
	Takedowns []Takedown
	Now       time.Time
	// CanShare is true when the installation can share a take-down with the regulator.
	CanShare bool
}

func (m *Module) appPage(w http.ResponseWriter, r *http.Request) error {
	return m.renderApp(w, r, nil)
}

func (m *Module) renderApp(w http.ResponseWriter, r *http.Request, refused error) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	return m.renderAppID(w, r, id, refused)
}

func (m *Module) renderAppID(w http.ResponseWriter, r *http.Request, id int64, refused error) error {
	return m.renderAppIn(w, r, id, "", refused)
}

// appPage is an app's page as a form's back address.
var appPage = regexp.MustCompile(`^/appstore/apps/([0-9]+)$`)

// renderAppIn shows app id's page again after form (a row's form, see rowForms; "" for
// the page's own) was refused.
func (m *Module) renderAppIn(w http.ResponseWriter, r *http.Request, id int64, form string, refused error) error {
	a, vs, err := m.App(r.Context(), id)
	if err != nil {
		return err
	}
	tds, err := m.Takedowns(r.Context(), id)
	if err != nil {
		return err
	}
	v := m.d.Web.NewView(r, "appstore.app", "/appstore")
	v.TitleArgs = []any{a.Name}
	if refused != nil {
		if err := refusalIn(r, v, form, refused); err != nil {
			return err
		}
	}
	v.Data = &appView{A: a, Versions: vs, Takedowns: tds, Now: m.Service.Now(), CanShare: m.Service.share != nil}
	return m.pages.Render(w, r, "page_app.html", v)
}

func (m *Module) filingPage(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	if _, err := m.SetFiling(r.Context(), id, r.PostFormValue("filing_number")); err != nil {
		return m.renderApp(w, r, err)
	}
	return web.Redirect(w, r, fmt.Sprintf("/appstore/apps/%d", id), m.t(r, "appstore.filing_saved"))
}

// readUpload reads the package from the multipart field "apk", at most MaxAPKBytes.
func readUpload(r *http.Request) ([]byte, error) {
	if r.MultipartForm == nil {
		if err := r.ParseMultipartForm(8 << 20); err != nil {
			return nil, problem.Field("apk", "is missing: send the package as the multipart field apk")
		}
	}
	f, _, err := r.FormFile("apk")
	if err != nil {
		return nil, problem.Field("apk", "is missing: send the package as the multipart field apk")
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, MaxAPKBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read the package: %w", err)
	}
	if len(b) > MaxAPKBytes {
		return nil, problem.Field("apk", "is larger than %d MB", MaxAPKBytes>>20)
	}
	return b, nil
}

func (m *Module) uploadPage(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	raw, err := readUpload(r)
	if err == nil {
		var ver Version
		if ver, err = m.Upload(r.Context(), id, raw); err == nil {
			return web.Redirect(w, r, fmt.Sprintf("/appstore/apps/%d#version-%d", id, ver.ID), m.t(r, "appstore.uploaded", ver.VersionName, m.t(r, "appstore.auto."+ver.AutoResult)))
		}
	}
	return m.renderApp(w, r, err)
}

// versionApp finds the app of a version, for the page to go back to.
func (m *Module) versionApp(r *http.Request) (int64, int64, error) {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return 0, 0, err
	}
	v, err := m.Version(r.Context(), id)
	if err != nil {
		return 0, 0, err
	}
	return id, v.AppID, nil
}

func (m *Module) reviewPage(w http.ResponseWriter, r *http.Request) error {
	id, app, err := m.versionApp(r)
	if err != nil {
		return err
	}
	if _, err := m.Review(r.Context(), id, ReviewDecision{Decision: r.PostFormValue("decision"), Note: r.PostFormValue("note")}); err != nil {
		return m.renderAppIn(w, r, app, fmt.Sprintf("review-%d", id), err)
	}
	return web.Redirect(w, r, fmt.Sprintf("/appstore/apps/%d#version-%d", app, id), m.t(r, "appstore.reviewed"))
}

func (m *Module) publishPage(w http.ResponseWriter, r *http.Request) error {
	id, app, err := m.versionApp(r)
	if err != nil {
		return err
	}
	if _, err := m.Publish(r.Context(), id); err != nil {
		return m.renderAppID(w, r, app, err)
	}
	return web.Redirect(w, r, fmt.Sprintf("/appstore/apps/%d#version-%d", app, id), m.t(r, "appstore.published"))
}

func (m *Module) takedownVersionPage(w http.ResponseWriter, r *http.Request) error {
	id, app, err := m.versionApp(r)
	if err != nil {
		return err
	}
	f := r.PostFormValue
	if _, err := m.TakeDownVersion(r.Context(), id, TakedownInput{Reason: f("reason"), LegalBasis: f("legal_basis"), Notice: f("notice"), Malicious: f("malicious") != ""}); err != nil {
		return m.renderAppID(w, r, app, err)
	}
	return web.Redirect(w, r, fmt.Sprintf("/appstore/apps/%d#version-%d", app, id), m.t(r, "appstore.version_taken_down"))
}

func (m *Module) takedownPage(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	f := r.PostFormValue
	if _, err := m.TakeDown(r.Context(), id, TakedownInput{Reason: f("reason"), LegalBasis: f("legal_basis"), Notice: f("notice"), Malicious: f("malicious") != ""}); err != nil {
		return m.renderApp(w, r, err)
	}
	return web.Redirect(w, r, fmt.Sprintf("/appstore/apps/%d", id), m.t(r, "appstore.taken_down"))
}

func (m *Module) reinstatePage(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	k, err := m.Reinstate(r.Context(), id, r.PostFormValue("reason"))
	if err != nil {
		if k, kerr := m.TakedownByID(r.Context(), id); kerr == nil {
			return m.renderAppIn(w, r, k.AppID, fmt.Sprintf("reinstate-%d", id), err)
		}
		return err
	}
	return web.Redirect(w, r, fmt.Sprintf("/appstore/apps/%d", k.AppID), m.t(r, "appstore.reinstated"))
}

func (m *Module) shareTakedownPage(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	k, err := m.ShareTakedown(r.Context(), id)
	if err != nil {
		if k, kerr := m.TakedownByID(r.Context(), id); kerr == nil {
			return m.renderAppID(w, r, k.AppID, err)
		}
		return err
	}
	return web.Redirect(w, r, fmt.Sprintf("/appstore/apps/%d", k.AppID), m.t(r, "appstore.takedown_shared"))
}

// complaintsView is the complaints page.
type complaintsView struct {
	Complaints []Complaint
	Now        time.Time
	// Overdue counts the complaints the fact set counts overdue, WindowMonths the
	// platform's window for late answers.
	Overdue      int
	WindowMonths int
	Error        int64 // the complaint whose form was refused
}

func (m *Module) complaintsPage(w http.ResponseWriter, r *http.Request) error {
	return m.renderComplaints(w, r, 0, nil)
}

func (m *Module) renderComplaints(w http.ResponseWriter, r *http.Request, failed int64, refused error) error {
	list, err := m.Complaints(r.Context())
	if err != nil {
		return err
	}
	p, err := m.Platform(r.Context())
	if err != nil {
		return err
	}
	cv := &complaintsView{Complaints: list, Now: m.Service.Now(), Error: failed, WindowMonths: DefaultComplaintWindowMonths}
	if p != nil {
		cv.WindowMonths = p.ComplaintWindowMonths
	}
	// The count is the fact set's (complaints_overdue): a late answer older than the
	// platform's window is still marked late on its card but no longer counted.
	since := (&Platform{ComplaintWindowMonths: cv.WindowMonths}).ComplaintWindowStart(cv.Now)
	for _, c := range list {
		if c.CountsOverdue(cv.Now, since) {
			cv.Overdue++
		}
	}
	v := m.d.Web.NewView(r, "appstore.complaints", "/appstore")
	if refused != nil {
		if err := refusal(r, v, refused); err != nil {
			return err
		}
	}
	v.Data = cv
	return m.pages.Render(w, r, "page_complaints.html", v)
}

func (m *Module) handleComplaintPage(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	if _, err := m.Complaint(r.Context(), id); err != nil {
		return err
	}
	f := r.PostFormValue
	c, err := m.HandleComplaint(r.Context(), id, f("assignee"), f("reply"), f("close") != "")
	if err != nil {
		return m.renderComplaints(w, r, id, err)
	}
	return web.Redirect(w, r, fmt.Sprintf("/appstore/complaints#complaint-%d", id), m.t(r, "appstore.complaint_handled", c.Receipt))
}

// beijingDeadline writes a deadline that ends at 24:00 Beijing time as that day's date
// and "24:00", the way the rules state it; any other instant as Beijing's date and time.
func beijingDeadline(t time.Time) string {
	c := t.In(calendar.Shanghai)
	if c.Hour() == 0 && c.Minute() == 0 && c.Second() == 0 {
		return c.AddDate(0, 0, -1).Format("2006-01-02") + " 24:00"
	}
	return c.Format("2006-01-02 15:04")
}

// Beijing is beijingDeadline for the complaints page.
func (complaintsView) Beijing(t time.Time) string { return beijingDeadline(t) }

// Beijing is beijingDeadline for an app's page (review clocks).
func (appView) Beijing(t time.Time) string { return beijingDeadline(t) }

// who is an audit actor label ("li@example.cn (security_manager)") without the role in
// parentheses, which the page names in its own words where it matters.
func who(label string) string {
	if i := strings.Index(label, " ("); i > 0 {
		return label[:i]
	}
	return label
}

// Who is who for a developer's page.
func (developerView) Who(label string) string { return who(label) }

// Who is who for an app's page.
func (appView) Who(label string) string { return who(label) }
