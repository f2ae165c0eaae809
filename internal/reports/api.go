package reports

import (
	"encoding/base64"
	"net/http"

	"ciiguard/internal/web"
)

// reportJSON is a report in the API with its current version's hash.
type reportJSON struct {
	Report
	SHA256   string    `json:"sha256"`
	Versions []Version `json:"versions,omitempty"`
}

func (m *Module) apiList(w http.ResponseWriter, r *http.Request) error {
	list, err := m.List(r.Context())
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, map[string]any{"reports": list})
}

func (m *Module) apiCreate(w http.ResponseWriter, r *http.Request) error {
	var in NewReport
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	rep, err := m.Create(r.Context(), in)
	if err != nil {
		return err
	}
	return m.answer(w, r, rep, http.StatusCreated)
}

func (m *Module) answer(w http.ResponseWriter, r *http.Request, rep Report, code int) error {
	vers, err := m.Versions(r.Context(), rep.ID)
	if err != nil {
		return err
	}
	out := reportJSON{Report: rep, Versions: vers}
	for _, v := range vers {
		if v.Version == rep.Version {
			out.SHA256 = v.SHA256
		}
	}
	return web.JSON(w, code, out)
}

func (m *Module) apiGet(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	rep, err := m.Get(r.Context(), id)
	if err != nil {
		return err
	}
	return m.answer(w, r, rep, http.StatusOK)
}

func (m *Module) apiSections(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	var in struct {
		Sections map[string]SectionInput `json:"sections"`
	}
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	rep, err := m.EditSections(r.Context(), id, in.Sections)
	if err != nil {
		return err
	}
	return m.answer(w, r, rep, http.StatusOK)
}

func (m *Module) apiRegenerate(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	rep, err := m.Regenerate(r.Context(), id)
	if err != nil {
		return err
	}
	return m.answer(w, r, rep, http.StatusOK)
}

func (m *Module) apiSignOff(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	rep, err := m.SignOff(r.Context(), id)
	if err != nil {
		return err
	}
	return m.answer(w, r, rep, http.StatusOK)
}

// apiKey answers the installation's public key and its fingerprint, for a regulator or
// another installation that verifies a report's signature.
func (m *Module) apiKey(w http.ResponseWriter, r *http.Request) error {
	if m.key == nil {
		return web.JSON(w, http.StatusOK, map[string]string{})
	}
	return web.JSON(w, http.StatusOK, map[string]string{"algorithm": "Ed25519",
		"public_key": base64.StdEncoding.EncodeToString(m.key.PublicKey()), "fingerprint": m.key.Fingerprint()})
}
