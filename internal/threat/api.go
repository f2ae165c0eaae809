package threat

import (
	"net/http"
	"strconv"
	"strings"

	"ciiguard/internal/web"
)

// maxImportBody bounds an import request: the feed (escaped in JSON, or a multipart file)
// and the form around it.
const maxImportBody = 2*MaxFeedBytes + 1<<16

// maxPublishBody bounds a notification: its text and its indicators.
const maxPublishBody = 2*MaxFeedBytes + 1<<20

func limitParam(r *http.Request, def, most int) int {
	n, err := strconv.Atoi(r.URL.Query().Get("limit"))
	if err != nil || n <= 0 {
		return def
	}
	return min(n, most)
}

func (m *Module) apiInbox(w http.ResponseWriter, r *http.Request) error {
	items, err := m.Inbox(r.Context())
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, map[string]any{"items": items})
}

func (m *Module) apiInboxItem(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	it, err := m.InboxItemOf(r.Context(), id)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, it)
}

func (m *Module) apiAcknowledge(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	it, err := m.Acknowledge(r.Context(), id)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, it)
}

func (m *Module) apiAnswer(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	var in struct {
		Answer string `json:"answer"`
	}
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	it, err := m.Answer(r.Context(), id, in.Answer)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, it)
}

func (m *Module) apiIndicators(w http.ResponseWriter, r *http.Request) error {
	inds, err := m.Indicators(r.Context(), r.URL.Query().Get("source"), limitParam(r, 500, 5000))
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, map[string]any{"indicators": inds})
}

// importJSON is a feed sent through the API.
type importJSON struct {
	Format     string `json:"format"`
	Collection string `json:"collection"`
	Name       string `json:"name"`
	TLP        string `json:"tlp"`
	Content    string `json:"content"`
}

func (m *Module) apiPreview(w http.ResponseWriter, r *http.Request) error {
	var in importJSON
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	im, err := m.Preview(r.Context(), NewImport{Format: in.Format, Collection: in.Collection, Name: in.Name, TLP: in.TLP}, strings.NewReader(in.Content))
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusCreated, im)
}

func (m *Module) apiImport(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	im, err := m.ImportOf(r.Context(), id)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, im)
}

func (m *Module) apiCommit(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	im, err := m.Commit(r.Context(), id)
	if err != nil {
		return err
	}
	im.Items = nil
	return web.JSON(w, http.StatusOK, im)
}

func (m *Module) apiHunts(w http.ResponseWriter, r *http.Request) error {
	hs, err := m.Hunts(r.Context(), limitParam(r, 50, 500))
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, map[string]any{"hunts": hs})
}

func (m *Module) apiHits(w http.ResponseWriter, r *http.Request) error {
	hs, err := m.Hits(r.Context(), limitParam(r, 200, 2000))
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, map[string]any{"hits": hs})
}

func (m *Module) apiHit(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	h, err := m.HitOf(r.Context(), id)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, h)
}

func (m *Module) apiTriage(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	var in struct {
		Triage string `json:"triage"`
		Note   string `json:"note"`
	}
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	h, err := m.Triage(r.Context(), id, in.Triage, in.Note)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, h)
}

func (m *Module) apiShare(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	sg, err := m.Share(r.Context(), id)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusCreated, sg)
}

func (m *Module) apiSettings(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		TriageHours int `json:"triage_hours"`
	}
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	if err := m.SetTriageHours(r.Context(), in.TriageHours); err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, in)
}

func (m *Module) apiNotifications(w http.ResponseWriter, r *http.Request) error {
	ns, err := m.Notifications(r.Context())
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, map[string]any{"notifications": ns})
}

func (m *Module) apiPublish(w http.ResponseWriter, r *http.Request) error {
	var in NewNotification
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	n, err := m.Publish(r.Context(), in)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusCreated, n)
}

func (m *Module) apiNotification(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	n, err := m.NotificationOf(r.Context(), id)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, n)
}

func (m *Module) apiSightings(w http.ResponseWriter, r *http.Request) error {
	ss, err := m.Sightings(r.Context())
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, map[string]any{"sightings": ss})
}
