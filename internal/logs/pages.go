package logs

import (
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/prometheus/client_golang/prometheus"

	"ciiguard/internal/problem"
	"ciiguard/internal/store"
	"ciiguard/internal/vault/ingest"
	"ciiguard/internal/web"
)

// sourcesView is what the sources page shows.
type sourcesView struct {
	Sources []Source
	Kinds   []string
	// Unknown are the senders the listeners refused, newest first; ShowUnknown is
	// false when the installation does not show them (--syslog-show-unknown=false).
	Unknown     []UnknownSender
	ShowUnknown bool
	// Secret is a new HTTP source's token, shown once right after creation.
	Secret  string
	Created *Source
	Manage  bool
	// WideV4 and WideV6 are the prefix lengths wider than which a network needs an
	// administrator's confirmation.
	WideV4, WideV6 int
}

func (m *Module) renderSources(w http.ResponseWriter, r *http.Request, v *web.View, sv *sourcesView, code int) error {
	list, err := m.Sources(r.Context())
	if err != nil {
		return err
	}
	sv.Sources, sv.Kinds = list, Kinds
	if v.Can(string(Manage)) {
		sv.Unknown, sv.ShowUnknown = m.UnknownSenders(r.Context()), m.showUnknown
	}
	sv.Manage = v.Can(string(Manage))
	sv.WideV4, sv.WideV6 = m.limits.v4, m.limits.v6
	v.Data = sv
	if code != http.StatusOK {
		v.Status = code
	}
	return m.pages.Render(w, r, "sources.html", v)
}

func (m *Module) sourcesPage(w http.ResponseWriter, r *http.Request) error {
	v := m.d.Web.NewView(r, "nav.vault_sources", "/vault/sources")
	if sender := r.URL.Query().Get("sender"); sender != "" {
		// "Register" of an unknown sender: the form, filled in with its address.
		v.Form = url.Values{"sender": {sender}, "kind": {KindSyslog}}
	}
	return m.renderSources(w, r, v, &sourcesView{}, http.StatusOK)
}

func (m *Module) sourcesCreate(w http.ResponseWriter, r *http.Request) error {
	v := m.d.Web.NewView(r, "nav.vault_sources", "/vault/sources")
	if err := r.ParseForm(); err != nil {
		return problem.Field("body", "is not a form: %v", err)
	}
	v.Form = r.PostForm
	src, secret, err := m.CreateSource(r.Context(), principal(r.Context()), NewSource{Name: r.PostFormValue("name"), Kind: r.PostFormValue("kind"), Sender: r.PostFormValue("sender"), ConfirmWide: r.PostFormValue("confirm_wide") != ""})
	if err != nil {
		if err := web.FieldErrors(err, v); err != nil {
			return err
		}
		return m.renderSources(w, r, v, &sourcesView{}, http.StatusBadRequest)
	}
	if secret == "" {
		return web.Redirect(w, r, "/vault/sources", v.T("vault.source_created", src.Name))
	}
	// The token is shown on this answer only; it is not stored in clear anywhere.
	v.Form = nil
	v.Flash = v.T("vault.source_created", src.Name)
	return m.renderSources(w, r, v, &sourcesView{Secret: secret, Created: &src}, http.StatusOK)
}

func (m *Module) sourcesDelete(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	list, err := m.Sources(r.Context())
	if err != nil {
		return err
	}
	found := false
	for _, s := range list {
		found = found || s.ID == id
	}
	if !found {
		return store.ErrNotFound // another organisation's source is not found, confirmed or not
	}
	if err := web.Confirmed(r); err != nil {
		return err
	}
	if err := m.DeleteSource(r.Context(), id); err != nil {
		return err
	}
	return web.Redirect(w, r, "/vault/sources", m.d.Web.Messages.T(web.RequestLang(r), "vault.source_deleted"))
}

func (m *Module) apiSources(w http.ResponseWriter, r *http.Request) error {
	list, err := m.Sources(r.Context())
	if err != nil {
		return err
	}
	if list == nil {
		list = []Source{}
	}
	return web.JSON(w, http.StatusOK, map[string]any{"sources": list})
}

func (m *Module) apiSourceCreate(w http.ResponseWriter, r *http.Request) error {
	var ns NewSource
	if err := web.DecodeJSON(r, &ns); err != nil {
		return err
	}
	src, secret, err := m.CreateSource(r.Context(), principal(r.Context()), ns)
	if err != nil {
		return err
	}
	out := map[string]any{"source": src}
	if secret != "" {
		out["token"] = secret
	}
	return web.JSON(w, http.StatusCreated, out)
}

func (m *Module) apiSourceDelete(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	if err := m.DeleteSource(r.Context(), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// retentionView is what the retention page shows.
type retentionView struct {
	Retention Retention
	Holds     []Hold
	Purges    []PurgeRecord
	Sources   []Source
	// SourceName names sources in the holds table.
	SourceName map[int64]string
	Manage     bool
	Min        int
}

func (m *Module) renderRetention(w http.ResponseWriter, r *http.Request, v *web.View, code int) error {
	rv := &retentionView{Min: MinRetentionDays, Manage: v.Can(string(Manage))}
	var err error
	if rv.Retention, err = m.Retention(r.Context()); err != nil {
		return err
	}
	if rv.Holds, err = m.Holds(r.Context()); err != nil {
		return err
	}
	if rv.Purges, err = m.Purges(r.Context()); err != nil {
		return err
	}
	if rv.Sources, err = m.Sources(r.Context()); err != nil {
		return err
	}
	rv.SourceName = map[int64]string{}
	for _, s := range rv.Sources {
		rv.SourceName[s.ID] = s.Name
	}
	v.Data = rv
	if code != http.StatusOK {
		v.Status = code
	}
	return m.pages.Render(w, r, "retention.html", v)
}

func (m *Module) retentionPage(w http.ResponseWriter, r *http.Request) error {
	return m.renderRetention(w, r, m.d.Web.NewView(r, "nav.vault_retention", "/vault/retention"), http.StatusOK)
}

// translateRetention replaces the service's bilingual reason with the page's language.
func translateRetention(v *web.View) {
	if v.Errors["days"] == RetentionReason {
		v.Errors["days"] = v.T("vault.retention_min")
	}
}

func (m *Module) retentionSet(w http.ResponseWriter, r *http.Request) error {
	v := m.d.Web.NewView(r, "nav.vault_retention", "/vault/retention")
	if err := r.ParseForm(); err != nil {
		return problem.Field("body", "is not a form: %v", err)
	}
	v.Form = r.PostForm
	days, err := strconv.Atoi(strings.TrimSpace(r.PostFormValue("days")))
	if err != nil {
		v.Errors["days"] = v.T("vault.retention_number")
		return m.renderRetention(w, r, v, http.StatusBadRequest)
	}
	if _, err := m.SetRetention(r.Context(), days); err != nil {
		if err := web.FieldErrors(err, v); err != nil {
			return err
		}
		translateRetention(v)
		return m.renderRetention(w, r, v, http.StatusBadRequest)
	}
	return web.Redirect(w, r, "/vault/retention", v.T("vault.retention_saved", days))
}

func (m *Module) holdsCreate(w http.ResponseWriter, r *http.Request) error {
	v := m.d.Web.NewView(r, "nav.vault_retention", "/vault/retention")
	if err := r.ParseForm(); err != nil {
		return problem.Field("body", "is not a form: %v", err)
	}
	v.Form = r.PostForm
	nh := NewHold{From: r.PostFormValue("from"), To: r.PostFormValue("to"), Reason: r.PostFormValue("reason")}
	if s := r.PostFormValue("source_id"); s != "" && s != "0" {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			v.Errors["source_id"] = "?"
			return m.renderRetention(w, r, v, http.StatusBadRequest)
		}
		nh.SourceID = id
	}
	if _, err := m.CreateHold(r.Context(), nh); err != nil {
		if err := web.FieldErrors(err, v); err != nil {
			return err
		}
		return m.renderRetention(w, r, v, http.StatusBadRequest)
	}
	return web.Redirect(w, r, "/vault/retention", v.T("vault.hold_created"))
}

func (m *Module) holdsRelease(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	if _, err := m.ReleaseHold(r.Context(), id); err != nil {
		return err
	}
	return web.Redirect(w, r, "/vault/retention", m.d.Web.Messages.T(web.RequestLang(r), "vault.hold_released"))
}

func (m *Module) purgePage(w http.ResponseWriter, r *http.Request) error {
	if err := web.Confirmed(r); err != nil {
		return err
	}
	rec, err := m.Purge(r.Context())
	if err != nil {
		return err
	}
	return web.Redirect(w, r, "/vault/retention", m.d.Web.Messages.T(web.RequestLang(r), "vault.purged", web.FormatNum(web.RequestLang(r), int64(rec.Events)), rec.Segments, rec.HeldSegments))
}

func (m *Module) apiRetention(w http.ResponseWriter, r *http.Request) error {
	ret, err := m.Retention(r.Context())
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, ret)
}

func (m *Module) apiRetentionSet(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Days int `json:"days"`
	}
	if err := web.DecodeJSON(r, &in); err != nil {
		return err
	}
	ret, err := m.SetRetention(r.Context(), in.Days)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, ret)
}

func (m *Module) apiHolds(w http.ResponseWriter, r *http.Request) error {
	pg, err := web.ParsePage(r)
	if err != nil {
		return err
	}
	hs, next, err := m.HoldsPage(r.Context(), pg)
	if err != nil {
		return err
	}
	if hs == nil {
		hs = []Hold{}
	}
	out := map[string]any{"holds": hs}
	if next != "" {
		out["next"] = next
	}
	return web.JSON(w, http.StatusOK, out)
}

func (m *Module) apiHoldCreate(w http.ResponseWriter, r *http.Request) error {
	var nh NewHold
	if err := web.DecodeJSON(r, &nh); err != nil {
		return err
	}
	h, err := m.CreateHold(r.Context(), nh)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusCreated, h)
}

func (m *Module) apiHoldRelease(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	h, err := m.ReleaseHold(r.Context(), id)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, h)
}

func (m *Module) apiPurge(w http.ResponseWriter, r *http.Request) error {
	rec, err := m.Purge(r.Context())
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, rec)
}

// widget is the dashboard panel: events kept, sources, retention.
func (m *Module) widget(r *http.Request) (template.HTML, error) {
	ctx := r.Context()
	org, err := orgOf(ctx)
	if err != nil {
		return "", err
	}
	size, err := m.v.Size(org)
	if err != nil {
		return "", fmt.Errorf("log size: %w", err)
	}
	srcs, err := m.Sources(ctx)
	if err != nil {
		return "", err
	}
	ret, err := m.Retention(ctx)
	if err != nil {
		return "", err
	}
	lang := web.RequestLang(r)
	t := func(k string, args ...any) string {
		return template.HTMLEscapeString(m.d.Web.Messages.T(lang, k, args...))
	}
	return template.HTML(`<section class="card widget" id="vault-widget"><h2><a href="/vault">` + t("nav.vault") + `</a></h2><p>` +
		t("vault.widget", web.FormatNum(lang, int64(size)), len(srcs), ret.Days) + `</p></section>`), nil
}

// collector exports the vault's counters to the server's Prometheus registry.
type collector struct{ m *Module }

var (
	descEvents      = prometheus.NewDesc("ciiguard_vault_events_appended_total", "Events made durable in the log vault.", nil, nil)
	descCommits     = prometheus.NewDesc("ciiguard_vault_commits_total", "Group commits (one WAL write and fsync each).", nil, nil)
	descBlocks      = prometheus.NewDesc("ciiguard_vault_blocks_sealed_total", "Blocks sealed.", nil, nil)
	descBlockBytes  = prometheus.NewDesc("ciiguard_vault_block_bytes_total", "Compressed block bytes written.", nil, nil)
	descSearches    = prometheus.NewDesc("ciiguard_vault_searches_total", "Searches run.", nil, nil)
	descBlocksRead  = prometheus.NewDesc("ciiguard_vault_blocks_read_total", "Blocks decompressed by searches, proofs and verification.", nil, nil)
	descBlocksSkip  = prometheus.NewDesc("ciiguard_vault_blocks_skipped_total", "Blocks skipped thanks to the index.", nil, nil)
	descCheckpoints = prometheus.NewDesc("ciiguard_vault_checkpoints_total", "Checkpoints signed.", nil, nil)

	// The syslog listeners' counters, one series per transport (udp, tcp, tls, relp) of
	// the listeners that are on.
	transportLabel      = []string{"transport"}
	descSyslogMessages  = prometheus.NewDesc("ciiguard_syslog_messages_total", "Syslog messages received from registered senders.", transportLabel, nil)
	descSyslogUnparsed  = prometheus.NewDesc("ciiguard_syslog_unparsed_total", "Of those, messages kept raw because they parsed as neither RFC 5424 nor RFC 3164.", transportLabel, nil)
	descSyslogUnknown   = prometheus.NewDesc("ciiguard_syslog_unknown_sender_total", "Messages (UDP) or connections (TCP, TLS, RELP) refused because no source is registered for the sender's address.", transportLabel, nil)
	descSyslogUDPDrops  = prometheus.NewDesc("ciiguard_syslog_udp_dropped_total", "UDP datagrams dropped because the queue to the vault was full.", transportLabel, nil)
	descSyslogAppendErr = prometheus.NewDesc("ciiguard_syslog_append_errors_total", "Batches the vault did not store (UDP, TCP, TLS: lost; RELP: answered 500 and kept by the sender).", transportLabel, nil)
	descSyslogConns     = prometheus.NewDesc("ciiguard_syslog_connections_total", "Connections of registered senders accepted.", transportLabel, nil)
	descSyslogFraming   = prometheus.NewDesc("ciiguard_syslog_framing_errors_total", "Connections closed because their framing was broken.", transportLabel, nil)
	descRELPSessions    = prometheus.NewDesc("ciiguard_syslog_relp_sessions_total", "RELP sessions opened.", nil, nil)
	descRELPAcked       = prometheus.NewDesc("ciiguard_syslog_relp_acked_total", "RELP messages acknowledged (200) once durable in the vault.", nil, nil)
	descRELPRefused     = prometheus.NewDesc("ciiguard_syslog_relp_refused_total", "RELP messages answered 500 because the vault did not store them.", nil, nil)
)

// Describe implements prometheus.Collector.
func (c *collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descEvents, descCommits, descBlocks, descBlockBytes, descSearches, descBlocksRead, descBlocksSkip, descCheckpoints,
		descSyslogMessages, descSyslogUnparsed, descSyslogUnknown, descSyslogUDPDrops, descSyslogAppendErr, descSyslogConns, descSyslogFraming,
		descRELPSessions, descRELPAcked, descRELPRefused} {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (c *collector) Collect(ch chan<- prometheus.Metric) {
	v := c.m.v
	if v == nil {
		return
	}
	s := v.Stats()
	for _, x := range []struct {
		d *prometheus.Desc
		n uint64
	}{{descEvents, s.EventsAppended}, {descCommits, s.Commits}, {descBlocks, s.BlocksSealed}, {descBlockBytes, s.BlockBytes},
		{descSearches, s.Searches}, {descBlocksRead, s.BlocksRead}, {descBlocksSkip, s.BlocksSkipped}, {descCheckpoints, s.Checkpoints}} {
		ch <- prometheus.MustNewConstMetric(x.d, prometheus.CounterValue, float64(x.n))
	}
	c.m.mu.Lock()
	ls, ts := append([]*ingest.Listener(nil), c.m.listeners...), append([]string(nil), c.m.transports...)
	c.m.mu.Unlock()
	for i, l := range ls {
		st, tr := l.Stats(), ts[i]
		for _, x := range []struct {
			d *prometheus.Desc
			n uint64
		}{{descSyslogMessages, st.Messages}, {descSyslogUnparsed, st.Unparsed}, {descSyslogUnknown, st.UnknownSender},
			{descSyslogAppendErr, st.AppendErrors}} {
			ch <- prometheus.MustNewConstMetric(x.d, prometheus.CounterValue, float64(x.n), tr)
		}
		if tr == TransportUDP {
			ch <- prometheus.MustNewConstMetric(descSyslogUDPDrops, prometheus.CounterValue, float64(st.UDPDropped), tr)
			continue
		}
		ch <- prometheus.MustNewConstMetric(descSyslogConns, prometheus.CounterValue, float64(st.Connections), tr)
		ch <- prometheus.MustNewConstMetric(descSyslogFraming, prometheus.CounterValue, float64(st.FramingErrors), tr)
		if tr == TransportRELP {
			ch <- prometheus.MustNewConstMetric(descRELPSessions, prometheus.CounterValue, float64(st.RELPSessions))
			ch <- prometheus.MustNewConstMetric(descRELPAcked, prometheus.CounterValue, float64(st.RELPAcked))
			ch <- prometheus.MustNewConstMetric(descRELPRefused, prometheus.CounterValue, float64(st.RELPRefused))
		}
	}
}
