package appstore

import (
	"context"
	"net/http"
	"time"

	"ciiguard/internal/web"
)

func (m *Module) apiPlatform(w http.ResponseWriter, r *http.Request) error {
	p, err := m.Platform(r.Context())
	if err != nil {
		return err
	}
	docs, err := m.Documents(r.Context())
	if err != nil {
		return err
	}
	facts, err := m.Facts(r.Context())
	if err != nil {
		return err
	}
	if docs == nil {
		docs = []Document{}
	}
	out := map[string]any{"platform": p, "documents": docs, "facts": facts}
	if p != nil {
		out["filing_due"] = p.FilingDue()
	}
	return web.JSON(w, http.StatusOK, out)
}

func (m *Module) apiSavePlatform(w http.ResponseWriter, r *http.Request) error {
	var in PlatformInput
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	p, err := m.SavePlatform(r.Context(), in)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, p)
}

func (m *Module) apiAddDocument(w http.ResponseWriter, r *http.Request) error {
	var in DocumentInput
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	d, err := m.AddDocument(r.Context(), in)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusCreated, d)
}

func (m *Module) apiAddMalware(w http.ResponseWriter, r *http.Request) error {
	var in MalwareInput
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	e, err := m.AddMalware(r.Context(), in)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusCreated, e)
}

// blacklistInput is a blacklist entry: a developer by id, a certificate by its SHA-256
// fingerprint, a package by name.
type blacklistInput struct {
	Kind   string `json:"kind"`
	Value  string `json:"value"`
	Reason string `json:"reason"`
}

func (m *Module) apiBlacklist(w http.ResponseWriter, r *http.Request) error {
	var in blacklistInput
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	e, err := m.AddToBlacklist(r.Context(), in.Kind, in.Value, in.Reason)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusCreated, e)
}

func (m *Module) apiLift(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	var in struct {
		Reason string `json:"reason"`
	}
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	e, err := m.LiftFromBlacklist(r.Context(), id, in.Reason)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, e)
}

func (m *Module) apiDevelopers(w http.ResponseWriter, r *http.Request) error {
	list, err := m.Developers(r.Context())
	if err != nil {
		return err
	}
	if list == nil {
		list = []Developer{}
	}
	return web.JSON(w, http.StatusOK, map[string]any{"developers": list})
}

func (m *Module) apiRegisterDeveloper(w http.ResponseWriter, r *http.Request) error {
	var in DeveloperInput
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	d, err := m.RegisterDeveloper(r.Context(), in)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusCreated, d)
}

func (m *Module) apiDeveloper(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	d, err := m.Developer(r.Context(), id)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, d)
}

func (m *Module) apiSendCode(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	exp, err := m.SendPhoneCode(r.Context(), id)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusAccepted, map[string]any{"expires_at": exp.UTC().Format(time.RFC3339)})
}

// codeInput is the code the developer read from their phone.
type codeInput struct {
	Code string `json:"code"`
}

func (m *Module) apiConfirmPhone(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	var in codeInput
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	d, err := m.ConfirmPhone(r.Context(), id, in.Code)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, d)
}

func (m *Module) apiUpdateDeveloper(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	var in DeveloperInput
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	d, err := m.UpdateDeveloper(r.Context(), id, in)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, d)
}

func (m *Module) apiDecideDeveloper(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	var in Decision
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	d, err := m.Decide(r.Context(), id, in)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, d)
}

func (m *Module) apiApps(w http.ResponseWriter, r *http.Request) error {
	list, err := m.Apps(r.Context())
	if err != nil {
		return err
	}
	if list == nil {
		list = []App{}
	}
	return web.JSON(w, http.StatusOK, map[string]any{"apps": list})
}

func (m *Module) apiCreateApp(w http.ResponseWriter, r *http.Request) error {
	var in AppInput
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	a, err := m.CreateApp(r.Context(), in, true)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusCreated, a)
}

func (m *Module) apiApp(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	a, vs, err := m.App(r.Context(), id)
	if err != nil {
		return err
	}
	tds, err := m.Takedowns(r.Context(), id)
	if err != nil {
		return err
	}
	if vs == nil {
		vs = []Version{}
	}
	return web.JSON(w, http.StatusOK, map[string]any{"app": a, "versions": vs, "takedowns": tds})
}

// filingInput is an app's filing number.
type filingInput struct {
	FilingNumber string `json:"filing_number"`
}

func (m *Module) apiFiling(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	var in filingInput
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	a, err := m.SetFiling(r.Context(), id, in.FilingNumber)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, a)
}

func (m *Module) apiUpload(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	raw, err := readUpload(r)
	if err != nil {
		return err
	}
	v, err := m.Upload(r.Context(), id, raw)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusCreated, v)
}

func (m *Module) apiTakedownVersion(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	var in TakedownInput
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	k, err := m.TakeDownVersion(r.Context(), id, in)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusCreated, k)
}

func (m *Module) apiTakedown(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	var in TakedownInput
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	k, err := m.TakeDown(r.Context(), id, in)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusCreated, k)
}

// reasonInput is the body of a reinstatement or a retirement.
type reasonInput struct {
	Reason string `json:"reason"`
}

// withReason answers a POST whose body is only a reason, for the record {id}: do acts
// on it and its result is the answer.
func withReason[T any](do func(ctx context.Context, id int64, reason string) (T, error)) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := web.IDParam(r, "id")
		if err != nil {
			return err
		}
		var in reasonInput
		if err := web.DecodeJSON(r, &in); err != nil {
			return err
		}
		out, err := do(r.Context(), id, in.Reason)
		if err != nil {
			return err
		}
		return web.JSON(w, http.StatusOK, out)
	}
}

func (m *Module) apiShareTakedown(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	k, err := m.ShareTakedown(r.Context(), id)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, k)
}

func (m *Module) apiReview(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	var in ReviewDecision
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	v, err := m.Review(r.Context(), id, in)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, v)
}

func (m *Module) apiPublish(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	v, err := m.Publish(r.Context(), id)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, v)
}

// complaintJSON is a complaint with whether its clock has run out.
type complaintJSON struct {
	Complaint
	Overdue bool `json:"overdue"`
}

func (m *Module) apiComplaints(w http.ResponseWriter, r *http.Request) error {
	list, err := m.Complaints(r.Context())
	if err != nil {
		return err
	}
	now := m.Service.Now()
	out := make([]complaintJSON, 0, len(list))
	for _, c := range list {
		out = append(out, complaintJSON{c, c.Overdue(now)})
	}
	return web.JSON(w, http.StatusOK, map[string]any{"complaints": out})
}

// handleInput assigns, answers or closes a complaint.
type handleInput struct {
	Assignee string `json:"assignee"`
	Reply    string `json:"reply"`
	Close    bool   `json:"close"`
}

func (m *Module) apiHandleComplaint(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	var in handleInput
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	c, err := m.HandleComplaint(r.Context(), id, in.Assignee, in.Reply, in.Close)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, complaintJSON{c, c.Overdue(m.Service.Now())})
}
