package logs

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"ciiguard/internal/problem"
	"ciiguard/internal/store"
	"ciiguard/internal/vault"
	"ciiguard/internal/web"
)

// defaultWindow is the time range of a search that names none: the last day.
const defaultWindow = 24 * time.Hour

// parseTime accepts RFC 3339, the browser's datetime-local form (taken as UTC) and a date.
func parseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02 15:04", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil && n > 0 {
		return time.Unix(n, 0).UTC(), nil
	}
	return time.Time{}, fmt.Errorf("not a time")
}

// searchParams is a search as given in a URL.
type searchParams struct {
	Q      string
	From   time.Time
	To     time.Time
	Source int64
	Limit  int
	Cursor string
}

// parseSearch reads q, from, to, source, limit and cursor, defaulting to the last day.
func (m *Module) parseSearch(vals url.Values, maxLimit int) (searchParams, error) {
	sp := searchParams{Q: strings.TrimSpace(vals.Get("q")), Cursor: vals.Get("cursor"), Limit: 100}
	v := &problem.Invalid{}
	if v.Text("q", sp.Q, false, maxQueryChars) {
		if n := queryWords(sp.Q); n > maxQueryWords {
			v.Add("q", "has %d words; at most %d: search for fewer, more telling words", n, maxQueryWords)
		} else if _, err := vault.ParseQuery(sp.Q); err != nil {
			v.Add("q", "%v", err)
		}
	}
	now := m.now().UTC()
	sp.To = now.Add(time.Minute).Truncate(time.Minute)
	if s := vals.Get("to"); s != "" {
		t, err := parseTime(s)
		if err != nil {
			v.Add("to", "must be a time such as 2026-01-02T15:04:05Z")
		} else if !inSearchRange(t) {
			v.Add("to", "must be between %s and %s", searchEarliest.Format(time.RFC3339), searchLatest.Format(time.RFC3339))
		}
		sp.To = t
	}
	sp.From = sp.To.Add(-defaultWindow)
	if s := vals.Get("from"); s != "" {
		t, err := parseTime(s)
		if err != nil {
			v.Add("from", "must be a time such as 2026-01-02T15:04:05Z")
		} else if !inSearchRange(t) {
			v.Add("from", "must be between %s and %s", searchEarliest.Format(time.RFC3339), searchLatest.Format(time.RFC3339))
		}
		sp.From = t
	}
	if len(v.Fields) == 0 && !sp.From.Before(sp.To) {
		v.Add("to", "must be after from")
	}
	if s := vals.Get("source"); s != "" {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil || id <= 0 {
			v.Add("source", "must be a source id")
		}
		sp.Source = id
	}
	if s := vals.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > maxLimit {
			v.Add("limit", "must be between 1 and %d", maxLimit)
		}
		sp.Limit = n
	}
	return sp, v.Err()
}

func (sp searchParams) query() vault.Query {
	q := vault.Query{Expr: sp.Q, From: sp.From, To: sp.To, Limit: sp.Limit, Cursor: sp.Cursor}
	if sp.Source != 0 {
		q.Sources = []int64{sp.Source}
	}
	return q
}

func orgOf(ctx context.Context) (int64, error) {
	org, ok := store.OrgFrom(ctx)
	if !ok {
		return 0, store.ErrNoTenant
	}
	return org, nil
}

// Search returns a page of the context's organisation's events, newest first.
func (m *Module) Search(ctx context.Context, q vault.Query) (vault.Page, error) {
	org, err := orgOf(ctx)
	if err != nil {
		return vault.Page{}, err
	}
	qctx, cancel := context.WithTimeout(ctx, m.searchTimeout)
	defer cancel()
	page, err := m.v.Search(qctx, org, q)
	if err != nil {
		if tooLong(ctx, err) {
			return page, m.errTooLong()
		}
		if strings.Contains(err.Error(), "cursor") {
			return page, problem.Field("cursor", "is not a cursor of this search")
		}
		return page, fmt.Errorf("search logs: %w", err)
	}
	return page, nil
}

// bucketFor picks a histogram bucket giving at most about 60 bars over the range.
func bucketFor(from, to time.Time) time.Duration {
	span := to.Sub(from)
	for _, b := range []time.Duration{time.Minute, 5 * time.Minute, 10 * time.Minute, 15 * time.Minute, 30 * time.Minute,
		time.Hour, 3 * time.Hour, 6 * time.Hour, 12 * time.Hour, 24 * time.Hour, 7 * 24 * time.Hour, 30 * 24 * time.Hour} {
		if span/b <= 60 {
			return b
		}
	}
	return 365 * 24 * time.Hour
}

// Histogram counts the context's organisation's matching events per bucket.
func (m *Module) Histogram(ctx context.Context, q vault.Query, bucket time.Duration) ([]vault.Bucket, error) {
	org, err := orgOf(ctx)
	if err != nil {
		return nil, err
	}
	q.Cursor, q.Limit = "", 0
	qctx, cancel := context.WithTimeout(ctx, m.searchTimeout)
	defer cancel()
	bs, err := m.v.Histogram(qctx, org, q, bucket)
	if err != nil {
		if tooLong(ctx, err) {
			return nil, m.errTooLong()
		}
		return nil, fmt.Errorf("log histogram: %w", err)
	}
	return bs, nil
}

func (m *Module) apiSearch(w http.ResponseWriter, r *http.Request) error {
	sp, err := m.parseSearch(r.URL.Query(), 1000)
	if err != nil {
		return err
	}
	page, err := m.Search(r.Context(), sp.query())
	if err != nil {
		return err
	}
	if page.Events == nil {
		page.Events = []vault.Event{}
	}
	return web.JSON(w, http.StatusOK, map[string]any{"events": page.Events, "next": page.Next,
		"from": sp.From, "to": sp.To, "blocks_read": page.BlocksRead, "blocks_skipped": page.BlocksSkipped})
}

func (m *Module) apiHistogram(w http.ResponseWriter, r *http.Request) error {
	sp, err := m.parseSearch(r.URL.Query(), 10000)
	if err != nil {
		return err
	}
	bucket := bucketFor(sp.From, sp.To)
	if s := r.URL.Query().Get("bucket"); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil || d < time.Second || sp.To.Sub(sp.From)/d > 10000 {
			return problem.Field("bucket", "must be a duration such as 5m or 1h, giving at most 10000 buckets")
		}
		bucket = d
	}
	bs, err := m.Histogram(r.Context(), sp.query(), bucket)
	if err != nil {
		return err
	}
	var total uint64
	for _, b := range bs {
		total += b.Count
	}
	if bs == nil {
		bs = []vault.Bucket{}
	}
	return web.JSON(w, http.StatusOK, map[string]any{"from": sp.From, "to": sp.To, "bucket": bucket.String(), "total": total, "buckets": bs})
}

// searchView is what the search page shows.
type searchView struct {
	Q, From, To string
	Source      int64
	Sources     []Source
	SourceName  map[int64]string
	Events      []vault.Event
	Next        string
	Results     string // the search's parameters, for the results download links
	Histogram   *histogram
	Total       uint64
	Bucket      string
	Size        uint64
	// Newest and Oldest are the query's events outside the range when
	// the range holds none (a device with a wrong clock), with links to
	// the day around each.
	Newest, Oldest         *vault.Event
	NewestLink, OldestLink string
}

func (m *Module) searchPage(w http.ResponseWriter, r *http.Request) error {
	v := m.d.Web.NewView(r, "nav.vault", "/vault")
	sv := &searchView{SourceName: map[int64]string{}}
	v.Data = sv
	srcs, err := m.Sources(r.Context())
	if err != nil {
		return err
	}
	sv.Sources = srcs
	for _, s := range srcs {
		sv.SourceName[s.ID] = s.Name
	}
	org, err := orgOf(r.Context())
	if err != nil {
		return err
	}
	if sv.Size, err = m.v.Size(org); err != nil {
		return fmt.Errorf("log size: %w", err)
	}
	vals := r.URL.Query()
	v.Form = vals
	if vals.Get("limit") == "" {
		vals.Set("limit", "50")
	}
	sp, err := m.parseSearch(vals, 500)
	if err != nil {
		if err := web.FieldErrors(err, v); err != nil {
			return err
		}
		v.Status = http.StatusBadRequest
		return m.pages.Render(w, r, "search.html", v)
	}
	sv.Q, sv.Source = sp.Q, sp.Source
	sv.From, sv.To = sp.From.Format("2006-01-02T15:04"), sp.To.Format("2006-01-02T15:04")
	page, err := m.Search(r.Context(), sp.query())
	if err != nil {
		if err := web.FieldErrors(err, v); err != nil {
			return err
		}
		v.Status = http.StatusBadRequest
		return m.pages.Render(w, r, "search.html", v)
	}
	sv.Events = page.Events
	if len(page.Events) == 0 && sp.Cursor == "" {
		m.whereElse(r.Context(), sp, sv)
	}
	rv := url.Values{"q": {sp.Q}, "from": {sp.From.Format(time.RFC3339)}, "to": {sp.To.Format(time.RFC3339)}}
	if sp.Source != 0 {
		rv.Set("source", strconv.FormatInt(sp.Source, 10))
	}
	sv.Results = rv.Encode()
	if page.Next != "" {
		nv := url.Values{"q": {sp.Q}, "from": {sp.From.Format(time.RFC3339)}, "to": {sp.To.Format(time.RFC3339)}, "cursor": {page.Next}, "limit": {strconv.Itoa(sp.Limit)}}
		if sp.Source != 0 {
			nv.Set("source", strconv.FormatInt(sp.Source, 10))
		}
		sv.Next = "/vault?" + nv.Encode()
	}
	bucket := bucketFor(sp.From, sp.To)
	bs, err := m.Histogram(r.Context(), sp.query(), bucket)
	if err != nil {
		return err
	}
	for _, b := range bs {
		sv.Total += b.Count
	}
	sv.Bucket = bucketLabel(m.d.Web.Messages, web.RequestLang(r), bucket)
	sv.Histogram = histogramOf(bs, bucket)
	return m.pages.Render(w, r, "search.html", v)
}

// whereElse fills in where the query's newest and oldest events are, at
// any time, for an empty result. It is a hint: a search that runs out of
// time or fails leaves it out rather than failing the page.
func (m *Module) whereElse(ctx context.Context, sp searchParams, sv *searchView) {
	org, err := orgOf(ctx)
	if err != nil {
		return
	}
	qctx, cancel := context.WithTimeout(ctx, m.searchTimeout)
	defer cancel()
	n, o, err := m.v.Extremes(qctx, org, sp.query())
	if err != nil || n == nil {
		return
	}
	around := func(ev *vault.Event) string {
		lv := url.Values{"q": {sp.Q}, "from": {ev.Time.Add(-12 * time.Hour).UTC().Format(time.RFC3339)},
			"to": {ev.Time.Add(12 * time.Hour).UTC().Format(time.RFC3339)}}
		if sp.Source != 0 {
			lv.Set("source", strconv.FormatInt(sp.Source, 10))
		}
		return "/vault?" + lv.Encode()
	}
	sv.Newest, sv.NewestLink = n, around(n)
	if o != nil && o.Seq != n.Seq {
		sv.Oldest, sv.OldestLink = o, around(o)
	}
}

// bucketLabel writes a bucket length in words of the page's language ("30 分钟", "1 hour").
func bucketLabel(msgs *web.Catalog, lang string, d time.Duration) string {
	switch {
	case d%(24*time.Hour) == 0:
		return msgs.T(lang, "vault.bucket_days", int64(d/(24*time.Hour)))
	case d%time.Hour == 0:
		return msgs.T(lang, "vault.bucket_hours", int64(d/time.Hour))
	case d%time.Minute == 0:
		return msgs.T(lang, "vault.bucket_minutes", int64(d/time.Minute))
	}
	return msgs.T(lang, "vault.bucket_seconds", int64(d/time.Second))
}

// histogram is the buckets drawn as bars, server-side, so the page needs no script
// (templates/search.html draws it). Each bar has a title with its start time and count for
// hovering and screen readers.
type histogram struct {
	Width, Height, ViewHeight, LabelY int
	Bars                              []histogramBar
	First, Last                       string // the times at either end
	Max                               uint64 // the tallest bar's count
}

// histogramBar is one bucket's bar; its geometry is in the SVG's units, two decimals.
type histogramBar struct {
	X, Y, W, H string
	From, To   string
	Count      uint64
}

// histogramOf lays out bs as bars of one width, the tallest filling the height and any
// non-empty bucket at least one unit high; nil when there is nothing to draw.
func histogramOf(bs []vault.Bucket, bucket time.Duration) *histogram {
	const width, height = 960, 120
	if len(bs) == 0 {
		return nil
	}
	hg := &histogram{Width: width, Height: height, ViewHeight: height + 16, LabelY: height + 13}
	for _, b := range bs {
		hg.Max = max(hg.Max, b.Count)
	}
	bw := float64(width) / float64(len(bs))
	f := func(x float64) string { return strconv.FormatFloat(x, 'f', 2, 64) }
	for i, b := range bs {
		h := 0.0
		if hg.Max > 0 {
			h = float64(b.Count) / float64(hg.Max) * float64(height)
		}
		if b.Count > 0 && h < 1 {
			h = 1
		}
		hg.Bars = append(hg.Bars, histogramBar{X: f(float64(i)*bw + 0.5), Y: f(float64(height) - h), W: f(bw - 1), H: f(h),
			From: b.Start.UTC().Format("2006-01-02 15:04"), To: b.Start.Add(bucket).UTC().Format("15:04"), Count: b.Count})
	}
	hg.First, hg.Last = bs[0].Start.UTC().Format("01-02 15:04"), bs[len(bs)-1].Start.Add(bucket).UTC().Format("01-02 15:04")
	return hg
}
