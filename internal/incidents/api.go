package incidents

import (
	"context"
	"net/http"
	"time"

	"ciiguard/internal/kernel"
	"ciiguard/internal/web"
)

// incidentJSON is an incident in the API: the record, its grades by code and its clocks.
type incidentJSON struct {
	Incident
	Grade      string      `json:"grade"`
	Computed   string      `json:"computed_grade"`
	Raised     string      `json:"raised_grade,omitempty"`
	Reportable bool        `json:"reportable"`
	Recipients []Authority `json:"recipients"`
	Clocks     []clockJSON `json:"clocks"`
}

// clockJSON is a clock in the API.
type clockJSON struct {
	Kind        string      `json:"kind"`
	To          []Authority `json:"to"`
	Due         time.Time   `json:"due"`
	Running     bool        `json:"running"`
	Overdue     bool        `json:"overdue"`
	SentAt      *time.Time  `json:"sent_at,omitempty"`
	OnTime      bool        `json:"on_time"`
	MinutesLate int64       `json:"minutes_late"`
	MinutesLeft int64       `json:"minutes_left"`
}

func toJSON(in Incident, reports []Report, now time.Time) incidentJSON {
	out := incidentJSON{Incident: in, Grade: in.Grade().Code(), Computed: in.Computed.Code(), Reportable: in.Grade().Reportable(),
		Recipients: in.Recipients(), Clocks: []clockJSON{}}
	if in.Raised > 0 {
		out.Raised = in.Raised.Code()
	}
	for _, c := range Clocks(&in, reports, now) {
		cj := clockJSON{Kind: c.Kind, To: c.To, Due: c.Due.UTC(), Running: c.Running(), Overdue: c.Overdue, SentAt: c.SentAt, OnTime: c.OnTime, MinutesLate: c.Late}
		if c.Running() {
			cj.MinutesLeft = int64(c.Left(now) / time.Minute)
		}
		out.Clocks = append(out.Clocks, cj)
	}
	return out
}

func (m *Module) apiList(w http.ResponseWriter, r *http.Request) error {
	pg, err := web.ParsePage(r)
	if err != nil {
		return err
	}
	list, next, err := m.List(r.Context(), pg)
	if err != nil {
		return err
	}
	now := m.Now()
	out := make([]incidentJSON, 0, len(list))
	for _, in := range list {
		reports, err := m.Reports(r.Context(), in.ID)
		if err != nil {
			return err
		}
		out = append(out, toJSON(in, reports, now))
	}
	body := map[string]any{"incidents": out}
	if next != "" {
		body["next"] = next
	}
	return web.JSON(w, http.StatusOK, body)
}

func (m *Module) apiCreate(w http.ResponseWriter, r *http.Request) error {
	var in Input
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	inc, err := m.Create(r.Context(), in)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusCreated, toJSON(inc, nil, m.Now()))
}

func (m *Module) apiGet(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	in, err := m.Get(r.Context(), id)
	if err != nil {
		return err
	}
	d, err := m.detail(r.Context(), in)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, d)
}

// incidentDetail is one incident as GET /api/v1/incidents/{id} gives it (and an inspection
// reproduces it).
type incidentDetail struct {
	Incident incidentJSON        `json:"incident"`
	Reports  []Report            `json:"reports"`
	Timeline []Entry             `json:"timeline"`
	Tasks    []kernel.LinkedTask `json:"tasks"`
}

// detail reads the incident's reports, timeline and linked tasks in the context's
// organisation.
func (m *Module) detail(ctx context.Context, in Incident) (incidentDetail, error) {
	reports, err := m.Reports(ctx, in.ID)
	if err != nil {
		return incidentDetail{}, err
	}
	tl, err := m.Timeline(ctx, in.ID)
	if err != nil {
		return incidentDetail{}, err
	}
	if reports == nil {
		reports = []Report{}
	}
	if tl == nil {
		tl = []Entry{}
	}
	tasks, err := m.linkedTasks(ctx, in.ID)
	if err != nil {
		return incidentDetail{}, err
	}
	return incidentDetail{Incident: toJSON(in, reports, m.Now()), Reports: reports, Timeline: tl, Tasks: tasks}, nil
}

func (m *Module) apiGrade(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	var body struct {
		Grade  string `json:"grade"`
		Reason string `json:"reason"`
	}
	if err := web.DecodeJSON(r, &body); err != nil {
		return err
	}
	in, err := m.RaiseGrade(r.Context(), id, body.Grade, body.Reason)
	if err != nil {
		return err
	}
	return m.apiIncident(w, r, in)
}

func (m *Module) apiIncident(w http.ResponseWriter, r *http.Request, in Incident) error {
	reports, err := m.Reports(r.Context(), in.ID)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, toJSON(in, reports, m.Now()))
}

func (m *Module) apiClose(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	var body struct {
		HandlingEndedAt string `json:"handling_ended_at"`
	}
	if err := web.DecodeJSON(r, &body); err != nil {
		return err
	}
	in, err := m.Close(r.Context(), id, body.HandlingEndedAt)
	if err != nil {
		return err
	}
	return m.apiIncident(w, r, in)
}

func (m *Module) apiAddTask(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	var in TaskInput
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	lt, err := m.AddTask(r.Context(), id, in)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusCreated, lt)
}

func (m *Module) apiNewReport(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	var body struct {
		Kind string `json:"kind"`
	}
	if err := web.DecodeJSON(r, &body); err != nil {
		return err
	}
	zh, en := m.orgNames(r)
	rep, err := m.NewReport(r.Context(), id, body.Kind, zh, en)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusCreated, rep)
}

func (m *Module) apiReport(w http.ResponseWriter, r *http.Request) error {
	id, rid, err := reportParams(r)
	if err != nil {
		return err
	}
	rep, err := m.Report(r.Context(), id, rid)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, rep)
}

func (m *Module) apiSaveReport(w http.ResponseWriter, r *http.Request) error {
	id, rid, err := reportParams(r)
	if err != nil {
		return err
	}
	var c Content
	if err := web.DecodeJSON(r, &c); err != nil {
		return err
	}
	rep, err := m.SaveReport(r.Context(), id, rid, c)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusCreated, rep)
}

func (m *Module) apiSend(w http.ResponseWriter, r *http.Request) error {
	id, rid, err := reportParams(r)
	if err != nil {
		return err
	}
	var in Sending
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	rep, err := m.SendReport(r.Context(), id, rid, in)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, rep)
}

// reportParams reads the incident and report ids of a report route
// (/…/incidents/{id}/reports/{rid}…).
func reportParams(r *http.Request) (id, rid int64, err error) {
	if id, err = web.IDParam(r, "id"); err != nil {
		return 0, 0, err
	}
	rid, err = web.IDParam(r, "rid")
	return id, rid, err
}
