package suppliers

import (
	"net/http"

	"ciiguard/internal/web"
)

// The questionnaires' API: the operator sends and reviews (suppliers.write, read with
// suppliers.read); the supplier organisation's users answer (suppliers.answer).

func (m *Module) apiSendQuestionnaire(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	// Another organisation's supplier is 404 before the body is judged.
	if _, err := m.Supplier(r.Context(), id); err != nil {
		return err
	}
	var in SendInput
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	q, err := m.SendQuestionnaire(r.Context(), id, in)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusCreated, q)
}

func (m *Module) apiSupplierQuestionnaires(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	if _, err := m.Supplier(r.Context(), id); err != nil {
		return err
	}
	qs, err := m.Questionnaires(r.Context(), id)
	if err != nil {
		return err
	}
	fs, err := m.Findings(r.Context(), id)
	if err != nil {
		return err
	}
	if err := m.followUpsOf(r.Context(), fs); err != nil {
		return err
	}
	if fs == nil {
		fs = []Finding{}
	}
	return web.JSON(w, http.StatusOK, map[string]any{"questionnaires": qs, "findings": fs})
}

func (m *Module) apiQuestionnaire(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	q, err := m.Questionnaire(r.Context(), id)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, q)
}

func (m *Module) apiDecide(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	if _, err := m.Questionnaire(r.Context(), id); err != nil {
		return err
	}
	var in ReviewDecision
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	q, fs, err := m.DecideQuestionnaire(r.Context(), id, in)
	if err != nil {
		return err
	}
	if fs == nil {
		fs = []Finding{}
	}
	return web.JSON(w, http.StatusOK, map[string]any{"questionnaire": q, "findings": fs})
}

func (m *Module) apiCloseFinding(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	// 404 for another organisation's finding before the body is read.
	if _, err := m.Finding(r.Context(), id); err != nil {
		return err
	}
	var in struct {
		Note string `json:"note"`
	}
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	f, err := m.CloseFinding(r.Context(), id, in.Note)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, f)
}

func (m *Module) apiInbox(w http.ResponseWriter, r *http.Request) error {
	in, err := m.Inbox(r.Context())
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, map[string]any{"questionnaires": in})
}

func (m *Module) apiReceived(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	x, err := m.ReceivedOne(r.Context(), id)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, x)
}

func (m *Module) apiAnswer(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	// Another organisation's receipt is 404 before the answers are read.
	if _, err := m.ReceivedOne(r.Context(), id); err != nil {
		return err
	}
	var in struct {
		Answers []Answer `json:"answers"`
	}
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	x, err := m.AnswerQuestionnaire(r.Context(), id, in.Answers)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, x)
}

func (m *Module) apiFollowUp(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	// 404 for another organisation's finding before the body is read.
	if _, err := m.Finding(r.Context(), id); err != nil {
		return err
	}
	var in FollowUpInput
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	t, err := m.FollowUp(r.Context(), id, in)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusCreated, t)
}
