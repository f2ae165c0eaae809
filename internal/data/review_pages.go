package data

import (
	"errors"
	"net/http"
	"strings"

	"ciiguard/internal/problem"
	"ciiguard/internal/web"
)

func (m *Module) scheduleReviewPage(w http.ResponseWriter, r *http.Request) error {
	f := r.PostFormValue
	in := ReviewInput{Kind: f("kind"), Period: f("period"), DueOn: f("due_on")}
	if _, err := m.ScheduleReview(r.Context(), in); err != nil {
		return m.renderOverview(w, r, func(v *web.View, o *overview) error {
			v.Form = r.PostForm
			if err := web.FieldErrors(err, v); err != nil {
				return err
			}
			o.ReviewIn, o.Open, v.Status = in, "review", http.StatusBadRequest
			return nil
		})
	}
	return web.Redirect(w, r, "/data#reviews", m.t(r, "data.review_scheduled"))
}

// completeReviewPage records a review as done from the data page: the report is the file
// uploaded with the form (to the evidence store, hashed with SHA-256) or, without one, the
// hash typed in. The other fields are checked before the file is stored.
func (m *Module) completeReviewPage(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	rs, err := m.Records(r.Context())
	if err != nil {
		return err
	}
	var kind string
	for _, x := range rs.Reviews {
		if x.ID == id {
			kind = x.Kind
		}
	}
	if kind == "" {
		return storeNotFound() // another organisation's review: nothing is uploaded for it
	}
	if err := r.ParseMultipartForm(8 << 20); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return err
		}
		return problem.Field("report_file", "the upload could not be read")
	}
	f := r.FormValue
	in := CompleteInput{DoneOn: f("done_on"), Summary: f("summary"), SubmittedTo: f("submitted_to"), ReportSHA256: f("report_sha256")}
	refused := func(err error) error {
		return m.renderOverview(w, r, func(v *web.View, o *overview) error {
			v.Form = r.Form
			if err := web.FieldErrors(err, v); err != nil {
				return err
			}
			o.CompleteIn, o.CompleteOf, o.Open, v.Status = in, id, "complete", http.StatusBadRequest
			return nil
		})
	}
	if m.ev != nil && r.MultipartForm != nil && len(r.MultipartForm.File["report_file"]) > 0 {
		if strings.TrimSpace(in.ReportSHA256) != "" {
			return refused(problem.Field("report_sha256", "give either a file or its SHA-256, not both"))
		}
		probe := in
		probe.ReportSHA256 = strings.Repeat("0", 64)
		if _, v := m.checkCompletion(kind, probe); v.Err() != nil {
			return refused(v.Err())
		}
		sum, err := m.ev.Upload(r, "report_file")
		if err != nil {
			return refused(err)
		}
		in.ReportSHA256, in.uploaded = sum, true
	}
	if _, err := m.CompleteReview(r.Context(), id, in); err != nil {
		return refused(err)
	}
	return web.Redirect(w, r, "/data#reviews", m.t(r, "data.review_completed"))
}

// reviewJSON is one kind's clock with its records in the API.
type reviewJSON struct {
	Kind            string        `json:"kind"`
	Basis           any           `json:"basis"`
	Last            string        `json:"last"`
	LastFromProfile bool          `json:"last_from_profile"`
	Due             string        `json:"due"`
	Overdue         bool          `json:"overdue"`
	Reviews         []reviewState `json:"reviews"`
}

type reviewState struct {
	Review
	Status string `json:"status"`
}

func (m *Module) apiReviews(w http.ResponseWriter, r *http.Request) error {
	_, st, err := m.State(r.Context())
	if err != nil {
		return err
	}
	out := make([]reviewJSON, 0, len(ReviewKinds))
	for _, k := range ReviewKinds {
		c := st.Reviews[k.Code]
		j := reviewJSON{Kind: k.Code, Basis: ReviewBasis[k.Code], Last: c.Last, LastFromProfile: c.LastFromProfile, Due: c.Due, Overdue: c.Overdue, Reviews: []reviewState{}}
		for _, x := range c.Reviews {
			j.Reviews = append(j.Reviews, reviewState(x))
		}
		out = append(out, j)
	}
	return web.JSON(w, http.StatusOK, map[string]any{"day": st.Day.Format("2006-01-02"), "interval_days": ReviewIntervalDays, "kinds": out})
}

func (m *Module) apiScheduleReview(w http.ResponseWriter, r *http.Request) error {
	var in ReviewInput
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	x, err := m.ScheduleReview(r.Context(), in)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusCreated, x)
}

func (m *Module) apiCompleteReview(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	var in CompleteInput
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	x, err := m.CompleteReview(r.Context(), id, in)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, x)
}
