package notify

import (
	"net/http"
	"strconv"

	"ciiguard/internal/problem"
	"ciiguard/internal/store"
	"ciiguard/internal/web"
)

// prefsView is the preferences page: the user's choices, and the organisation's webhooks
// for those who manage them.
type prefsView struct {
	Prefs     Preferences
	MailOn    bool
	Mail      string // the SMTP configuration, password masked (managers only)
	CanManage bool
	Webhooks  []Webhook
	Formats   []string
}

func (m *Module) prefsPage(w http.ResponseWriter, r *http.Request) error {
	return m.renderPrefs(w, r, nil, nil)
}

// renderPrefs shows the page; a failed webhook form comes back with its reasons and what
// was typed (the secret excepted).
func (m *Module) renderPrefs(w http.ResponseWriter, r *http.Request, formErr error, code *int) error {
	p := web.PrincipalFrom(r.Context())
	prefs, err := m.Preferences(r.Context(), p.User.ID)
	if err != nil {
		return err
	}
	v := m.d.Web.NewView(r, "nav.notifications", "/notifications")
	d := prefsView{Prefs: prefs, MailOn: m.mail.On(), CanManage: web.Can(r, Manage), Formats: Formats}
	if d.CanManage {
		d.Mail = m.mail.String()
		if d.Webhooks, err = m.Webhooks(r.Context()); err != nil {
			return err
		}
	}
	if formErr != nil {
		if err := web.FieldErrors(formErr, v); err != nil {
			return err
		}
		v.Form = r.PostForm
		v.Form.Del("secret")
		// The status goes through the view, so that Render still sends the cookie that
		// clears a waiting message (and drops the message from this failed form).
		v.Status = *code
	}
	v.Data = d
	return m.pages.Render(w, r, "notifications.html", v)
}

func (m *Module) savePrefsPage(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return problem.Field("form", "could not be read")
	}
	on := func(k string) bool { return r.PostForm.Get(k) == "on" }
	p := Preferences{Email: on("email"), Digest: on("digest"), Remind30d: on("remind_30d"), Remind7d: on("remind_7d"),
		Remind1d: on("remind_1d"), RemindOverdue: on("remind_overdue"), Alerts: on("alerts")}
	if err := m.SavePreferences(r.Context(), web.PrincipalFrom(r.Context()).User.ID, p); err != nil {
		return err
	}
	return web.Redirect(w, r, "/notifications", m.d.Web.Messages.T(web.RequestLang(r), "notify.saved"))
}

func (m *Module) addWebhookPage(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return problem.Field("form", "could not be read")
	}
	f := r.PostForm
	in := NewWebhook{Name: f.Get("name"), Format: f.Get("format"), URL: f.Get("url"), Secret: f.Get("secret"),
		Digest: f.Get("digest") == "on", Reminders: f.Get("reminders") == "on", Alerts: f.Get("alerts") == "on"}
	if _, err := m.AddWebhook(r.Context(), in); err != nil {
		if _, ok := problem.As[*problem.Invalid](err); ok {
			code := http.StatusUnprocessableEntity
			return m.renderPrefs(w, r, err, &code)
		}
		return err
	}
	return web.Redirect(w, r, "/notifications", m.d.Web.Messages.T(web.RequestLang(r), "notify.webhook_added", in.Name))
}

func (m *Module) deleteWebhookPage(w http.ResponseWriter, r *http.Request) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return store.ErrNotFound
	}
	if err := m.DeleteWebhook(r.Context(), id); err != nil {
		return err
	}
	return web.Redirect(w, r, "/notifications", m.d.Web.Messages.T(web.RequestLang(r), "notify.webhook_deleted"))
}

func (m *Module) apiPrefs(w http.ResponseWriter, r *http.Request) error {
	p, err := m.Preferences(r.Context(), web.PrincipalFrom(r.Context()).User.ID)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, p)
}

func (m *Module) apiSavePrefs(w http.ResponseWriter, r *http.Request) error {
	// Fields left out keep their value: start from what is stored.
	uid := web.PrincipalFrom(r.Context()).User.ID
	p, err := m.Preferences(r.Context(), uid)
	if err != nil {
		return err
	}
	if err := web.DecodeJSON(r, &p); err != nil {
		return err
	}
	if err := m.SavePreferences(r.Context(), uid, p); err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, p)
}

func (m *Module) apiWebhooks(w http.ResponseWriter, r *http.Request) error {
	hs, err := m.Webhooks(r.Context())
	if err != nil {
		return err
	}
	if hs == nil {
		hs = []Webhook{}
	}
	return web.JSON(w, http.StatusOK, map[string]any{"webhooks": hs})
}

func (m *Module) apiAddWebhook(w http.ResponseWriter, r *http.Request) error {
	var in NewWebhook
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	h, err := m.AddWebhook(r.Context(), in)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusCreated, h)
}

func (m *Module) apiDeleteWebhook(w http.ResponseWriter, r *http.Request) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return store.ErrNotFound
	}
	if err := m.DeleteWebhook(r.Context(), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
