package oversight

import (
	"encoding/json"
	"errors"
	"mime"
	"net/http"
	"strconv"

	"ciiguard/internal/kernel"
	"ciiguard/internal/problem"
	"ciiguard/internal/store"
	"ciiguard/internal/web"
)

// maxFileBody bounds a filing's request: the attachment (base64 in JSON, multipart in
// forms) and the payload.
const maxFileBody = kernel.MaxSubmissionAttachment*4/3 + kernel.MaxSubmissionPayload + 1<<16

// regulatorJSON is the operator's protection-work department and the ones it may name.
type regulatorJSON struct {
	Regulator *kernel.RegulatorRef  `json:"regulator"`
	Choices   []kernel.RegulatorRef `json:"choices"`
}

func (m *Module) apiRegulator(w http.ResponseWriter, r *http.Request) error {
	out := regulatorJSON{}
	if reg, err := m.Regulator(r.Context()); err == nil {
		out.Regulator = &reg
	} else if !errors.Is(err, store.ErrNotFound) {
		return err
	}
	var err error
	if out.Choices, err = m.Regulators(r.Context()); err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, out)
}

func (m *Module) apiSetRegulator(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		RegulatorID int64 `json:"regulator_id"`
	}
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	reg, err := m.SetRegulator(r.Context(), in.RegulatorID)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, regulatorJSON{Regulator: &reg})
}

// fileJSON is a filing through the API; the byte fields are base64.
type fileJSON struct {
	Kind           string          `json:"kind"`
	TitleZH        string          `json:"title_zh"`
	TitleEN        string          `json:"title_en"`
	Payload        json.RawMessage `json:"payload"`
	Ref            string          `json:"ref"`
	Attachment     []byte          `json:"attachment"`
	AttachmentName string          `json:"attachment_name"`
	EvidenceSHA256 string          `json:"evidence_sha256"`
	Signature      []byte          `json:"signature"`
	PublicKey      []byte          `json:"public_key"`
	KeyFingerprint string          `json:"key_fingerprint"`
}

func (m *Module) apiFile(w http.ResponseWriter, r *http.Request) error {
	var in fileJSON
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	sub, err := m.Submit(r.Context(), kernel.NewSubmission(in))
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusCreated, sub)
}

func (m *Module) apiFiled(w http.ResponseWriter, r *http.Request) error {
	subs, err := m.SubmissionsFor(r.Context(), r.URL.Query().Get("ref"))
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, map[string]any{"submissions": subs})
}

func (m *Module) apiFiledOne(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	sub, err := m.Submission(r.Context(), id)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, sub)
}

// filterOf reads the inbox filter from the query.
func filterOf(r *http.Request) (Filter, error) {
	q := r.URL.Query()
	f := Filter{Kind: q.Get("kind"), State: q.Get("state"), Grade: q.Get("grade"), Month: q.Get("month"), Sector: q.Get("sector")}
	// Every refused value at once, so the inbox page marks each of its controls.
	v := &problem.Invalid{}
	if op := q.Get("operator"); op != "" {
		n, err := strconv.ParseInt(op, 10, 64)
		if err != nil || n <= 0 {
			v.Add("operator", "must be an organisation id")
		} else {
			f.Operator = n
		}
	}
	f.check(v)
	return f, v.Err()
}

func (m *Module) apiInbox(w http.ResponseWriter, r *http.Request) error {
	f, err := filterOf(r)
	if err != nil {
		return err
	}
	items, err := m.Inbox(r.Context(), f)
	if err != nil {
		return err
	}
	if items == nil {
		items = []*Item{}
	}
	imports, err := m.InboxImports(r.Context(), f)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, map[string]any{"items": items, "imports": imports})
}

func (m *Module) apiItem(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	it, err := m.Item(r.Context(), id)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, it)
}

// answerInput is an answer as the API takes it, to a filing or to an imported report.
type answerInput struct {
	Action string `json:"action"`
	Note   string `json:"note"`
}

func (m *Module) apiAnswer(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	var in answerInput
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	it, err := m.Answer(r.Context(), id, in.Action, in.Note)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusCreated, it)
}

// attachment serves the file filed with a submission of the context regulator.
func (m *Module) attachment(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	name, data, err := m.Attachment(r.Context(), id)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	w.Header().Set("X-Content-Type-Options", "nosniff")
	_, err = w.Write(data)
	return err
}

func (m *Module) apiCases(w http.ResponseWriter, r *http.Request) error {
	cs, err := m.Cases(r.Context())
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, map[string]any{"cases": cs})
}

func (m *Module) apiOpenCase(w http.ResponseWriter, r *http.Request) error {
	var in NewCase
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	c, err := m.OpenCase(r.Context(), in)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusCreated, c)
}
