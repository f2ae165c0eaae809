package evidence

import (
	"context"
	"net/http"
	"strconv"

	"ciiguard/internal/catalog"
	"ciiguard/internal/kernel"
	"ciiguard/internal/problem"
	"ciiguard/internal/rules"
	"ciiguard/internal/store"
	"ciiguard/internal/web"
)

// systemFacts is the inventory's systems (the scope capability), read for their names. It
// is looked up when the page is shown, not needed at start-up: an installation without an
// inventory still reviews attestations, with a generic link instead of the name.
type systemFacts interface {
	Facts(ctx context.Context) (rules.Org, []rules.System, error)
}

// systemNames maps system ids to names, from every inventory the installation has.
func (m *Module) systemNames(ctx context.Context) (map[string]string, error) {
	names := map[string]string{}
	for _, s := range kernel.All[systemFacts](m.d.Registry) {
		_, systems, err := s.Facts(ctx)
		if err != nil {
			return nil, err
		}
		for _, sys := range systems {
			names[strconv.FormatInt(sys.ID, 10)] = sys.Name
		}
	}
	return names, nil
}

func (m *Module) registerReviews(s *web.Server) {
	s.Page("GET /evidence/reviews", Review, m.reviewsPage)
	s.Page("POST /evidence/reviews/settings", ReviewSettings, m.reviewSettingsPage)
	s.Page("POST /evidence/reviews/{id}", Review, m.decidePage)
	s.API("GET /api/v1/attestation-reviews", Review, m.apiReviews)
	s.API("POST /api/v1/attestation-reviews/{id}", Review, m.apiDecide)
	s.API("GET /api/v1/attestation-reviews/settings", Review, m.apiReviewSettings)
	s.API("PUT /api/v1/attestation-reviews/settings", ReviewSettings, m.apiSetReviewSettings)
}

// reviewRow is a review with what the reviewer needs beside it: the duty's title and the
// evidence files' names.
type reviewRow struct {
	AttestationReview
	Title catalog.Text
	Files []File
	Own   bool // the reader is the author: they may not decide
}

type reviewsView struct {
	Rows        []reviewRow
	FourEyes    bool
	CanSettings bool
	Names       map[string]string // system id → name, for the subject column
}

func (m *Module) reviewsPage(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	revs, err := m.Reviews(ctx, 200)
	if err != nil {
		return err
	}
	cat, err := m.obl.Catalog(ctx)
	if err != nil {
		return err
	}
	on, err := m.FourEyes(ctx)
	if err != nil {
		return err
	}
	me := web.PrincipalFrom(ctx).User.ID
	names, err := m.systemNames(ctx)
	if err != nil {
		return err
	}
	d := reviewsView{FourEyes: on, CanSettings: web.Can(r, ReviewSettings), Names: names}
	for _, rv := range revs {
		if u, err := m.d.Auth.GetUser(ctx, rv.AuthorID); err == nil && u.Name != "" {
			rv.Author = u.Name
		}
		row := reviewRow{AttestationReview: rv, Title: catalog.Text{Zh: rv.ObligationID, En: rv.ObligationID}, Own: rv.AuthorID == me}
		if o, ok := cat.Obligation(rv.ObligationID); ok {
			row.Title = o.Title
		}
		for _, sha := range rv.Evidence {
			f, err := m.Get(ctx, sha)
			if err != nil {
				f = File{SHA256: sha, Name: sha[:min(12, len(sha))] + "…"}
			}
			row.Files = append(row.Files, f)
		}
		d.Rows = append(d.Rows, row)
	}
	v := m.d.Web.NewView(r, "nav.reviews", "/evidence/reviews")
	v.Data = d
	return m.pages.Render(w, r, "reviews.html", v)
}

func (m *Module) decidePage(w http.ResponseWriter, r *http.Request) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return store.ErrNotFound
	}
	if _, err := m.Decide(r.Context(), id, r.PostFormValue("decision"), r.PostFormValue("note")); err != nil {
		return err
	}
	return web.Redirect(w, r, "/evidence/reviews", m.d.Web.Messages.T(web.RequestLang(r), "reviews.decided."+r.PostFormValue("decision")))
}

func (m *Module) reviewSettingsPage(w http.ResponseWriter, r *http.Request) error {
	if err := m.SetFourEyes(r.Context(), r.PostFormValue("four_eyes") == "on"); err != nil {
		return err
	}
	return web.Redirect(w, r, "/evidence/reviews", m.d.Web.Messages.T(web.RequestLang(r), "reviews.settings_saved"))
}

func (m *Module) apiReviews(w http.ResponseWriter, r *http.Request) error {
	revs, err := m.Reviews(r.Context(), 500)
	if err != nil {
		return err
	}
	if revs == nil {
		revs = []AttestationReview{}
	}
	return web.JSON(w, http.StatusOK, map[string]any{"reviews": revs})
}

func (m *Module) apiDecide(w http.ResponseWriter, r *http.Request) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return store.ErrNotFound
	}
	var in struct {
		Decision string `json:"decision"`
		Note     string `json:"note"`
	}
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	rv, err := m.Decide(r.Context(), id, in.Decision, in.Note)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, rv)
}

type reviewSettings struct {
	FourEyes *bool `json:"four_eyes"`
}

func (m *Module) apiReviewSettings(w http.ResponseWriter, r *http.Request) error {
	on, err := m.FourEyes(r.Context())
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, reviewSettings{FourEyes: &on})
}

func (m *Module) apiSetReviewSettings(w http.ResponseWriter, r *http.Request) error {
	var in reviewSettings
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	if in.FourEyes == nil {
		return problem.Field("four_eyes", "is required")
	}
	if err := m.SetFourEyes(r.Context(), *in.FourEyes); err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, in)
}
