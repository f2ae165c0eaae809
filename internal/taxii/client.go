package taxii

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"ciiguard/internal/store"
)

// Client speaks TAXII 2.1 to one server: any server, not only ours. It sends the TAXII
// media type in Accept (§3.1), a User-Agent (§3.2), the credentials given, and waits and
// retries when the server answers 429 or 503, as long as Retry-After says (seconds or an
// HTTP date), or with a doubling wait from one second when it says nothing.
type Client struct {
	HTTP *http.Client
	// Authorization is the header's value: "Basic …" (§1.6.9: clients MUST support it)
	// or "Bearer …".
	Authorization string
	// MaxAttempts bounds the tries of one request (default 8); MaxWait one wait (default
	// 5 minutes: a longer Retry-After is an error, not a hang).
	MaxAttempts int
	MaxWait     time.Duration
	// Waited, when set, is told of every wait, for logs and tests.
	Waited func(status int, d time.Duration)
}

// userAgent names the client (§3.2: TAXII clients SHOULD send User-Agent).
const userAgent = "ciiguard-taxii-client/2.1"

// maxPageBytes bounds one answer read into memory.
const maxPageBytes = 64 << 20

// Page is one answer of Get Objects (§5.4).
type Page struct {
	Objects []json.RawMessage
	More    bool
	Next    string
	// AddedFirst and AddedLast are the X-TAXII-Date-Added-First/Last headers (§3.2), zero
	// when the server sent none (an empty page).
	AddedFirst, AddedLast time.Time
}

// Query is what a Get Objects request asks for.
type Query struct {
	AddedAfter time.Time
	Limit      int
	Next       string
}

// ServerError is an answer other than 200 (after the retries of 429 and 503), with the
// TAXII error message's title and description when the server sent one.
type ServerError struct {
	Status      int
	Title       string
	Description string
}

func (e *ServerError) Error() string {
	s := fmt.Sprintf("TAXII server answered %d", e.Status)
	if e.Title != "" {
		s += ": " + e.Title
	}
	if e.Description != "" {
		s += " (" + e.Description + ")"
	}
	return s
}

// Objects fetches one page of a collection's objects; collection is the collection's URL,
// ending in "/" (".../collections/{id}/").
func (c *Client) Objects(ctx context.Context, collection string, q Query) (Page, error) {
	u, err := url.Parse(collection)
	if err != nil || !strings.HasSuffix(u.Path, "/") {
		return Page{}, fmt.Errorf("collection URL %q: must be an absolute URL ending in /", collection)
	}
	u = u.JoinPath("objects/")
	v := url.Values{}
	if !q.AddedAfter.IsZero() {
		v.Set("added_after", Timestamp(q.AddedAfter))
	}
	if q.Limit > 0 {
		v.Set("limit", strconv.Itoa(q.Limit))
	}
	if q.Next != "" {
		v.Set("next", q.Next)
	}
	u.RawQuery = v.Encode()
	res, body, err := c.get(ctx, u.String())
	if err != nil {
		return Page{}, err
	}
	var env struct {
		More    bool              `json:"more"`
		Next    string            `json:"next"`
		Objects []json.RawMessage `json:"objects"`
	}
	if err := json.Unmarshal(body, &env); err != nil {
		return Page{}, fmt.Errorf("the envelope from %s: %w", u.Redacted(), err)
	}
	p := Page{Objects: env.Objects, More: env.More, Next: env.Next}
	if t, err := parseTimestamp(res.Header.Get("X-TAXII-Date-Added-First")); err == nil {
		p.AddedFirst = t
	}
	if t, err := parseTimestamp(res.Header.Get("X-TAXII-Date-Added-Last")); err == nil {
		p.AddedLast = t
	}
	return p, nil
}

// get sends a GET with retries on 429 and 503 and returns a 200's body.
func (c *Client) get(ctx context.Context, u string) (*http.Response, []byte, error) {
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	attempts, maxWait := c.MaxAttempts, c.MaxWait
	if attempts <= 0 {
		attempts = 8
	}
	if maxWait <= 0 {
		maxWait = 5 * time.Minute
	}
	backoff := time.Second
	for try := 1; ; try++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			return nil, nil, err
		}
		req.Header.Set("Accept", MediaTAXII)
		req.Header.Set("User-Agent", userAgent)
		if c.Authorization != "" {
			req.Header.Set("Authorization", c.Authorization)
		}
		res, err := hc.Do(req)
		if err != nil {
			return nil, nil, err
		}
		body, err := io.ReadAll(io.LimitReader(res.Body, maxPageBytes+1))
		res.Body.Close()
		if err != nil {
			return nil, nil, fmt.Errorf("read the answer: %w", err)
		}
		if len(body) > maxPageBytes {
			return nil, nil, fmt.Errorf("the answer is larger than %d bytes; ask for fewer objects (limit)", maxPageBytes)
		}
		if res.StatusCode == http.StatusOK {
			return res, body, nil
		}
		if (res.StatusCode == http.StatusTooManyRequests || res.StatusCode == http.StatusServiceUnavailable) && try < attempts {
			wait, ok := retryAfter(res.Header.Get("Retry-After"), time.Now())
			if !ok {
				wait, backoff = backoff, min(2*backoff, maxWait)
			}
			if wait > maxWait {
				return nil, nil, fmt.Errorf("the server asks to wait %s (Retry-After), longer than %s", wait, maxWait)
			}
			if c.Waited != nil {
				c.Waited(res.StatusCode, wait)
			}
			t := time.NewTimer(wait)
			select {
			case <-ctx.Done():
				t.Stop()
				return nil, nil, ctx.Err()
			case <-t.C:
			}
			continue
		}
		se := &ServerError{Status: res.StatusCode}
		var e taxiiError
		if json.Unmarshal(body, &e) == nil {
			se.Title, se.Description = e.Title, e.Description
		}
		return nil, nil, se
	}
}

// retryAfter reads a Retry-After header (RFC 9110 §10.2.3): seconds, or an HTTP date.
func retryAfter(h string, now time.Time) (time.Duration, bool) {
	h = strings.TrimSpace(h)
	if h == "" {
		return 0, false
	}
	if n, err := strconv.Atoi(h); err == nil && n >= 0 {
		return time.Duration(n) * time.Second, true
	}
	if t, err := http.ParseTime(h); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

// Poller takes every object of one remote collection once, page by page, and keeps its
// place in the records store (taxii_cursors, in the context organisation's tenant), so
// that a restart resumes after the last page handled: with the server's next token and
// the run's added_after (§3.5: "the same original query options"), or, when the server
// gives no next, with added_after set to the X-TAXII-Date-Added-Last of the last page.
type Poller struct {
	Client *Client
	DB     *store.DB
	// Collection is the collection's URL.
	Collection string
	// Source names the cursor; the collection's URL when empty. Give a name that outlives
	// a change of the server's address.
	Source string
	Limit  int
	// Handle takes each page's objects; the cursor moves past them only once it returns
	// nil, so a page whose handling failed is fetched again.
	Handle func(ctx context.Context, objects []json.RawMessage) error
}

// Cursor is a poller's place in a collection.
type Cursor struct {
	AddedAfter time.Time // the added_after of the run under way
	Next       string    // the next token of the last page handled, "" between runs
	LastAdded  time.Time // the latest date added seen
	Objects    int64     // objects handled in all
}

func (p *Poller) source() string {
	if p.Source != "" {
		return p.Source
	}
	return p.Collection
}

// Cursor reads the poller's stored place (the zero Cursor before its first page).
func (p *Poller) Cursor(ctx context.Context) (Cursor, error) {
	var c Cursor
	var after, last string
	err := p.DB.ReadTenant(ctx, func(t *store.Tenant) error {
		return t.QueryRow(`SELECT added_after, next, last_added, objects FROM taxii_cursors WHERE org_id = $1 AND source = $2`, p.source()).
			Scan(&after, &c.Next, &last, &c.Objects)
	})
	if errors.Is(store.Found(err), store.ErrNotFound) {
		return Cursor{}, nil
	}
	if err != nil {
		return Cursor{}, fmt.Errorf("read the cursor of %s: %w", p.Collection, err)
	}
	if after != "" {
		c.AddedAfter, _ = parseTimestamp(after)
	}
	if last != "" {
		c.LastAdded, _ = parseTimestamp(last)
	}
	return c, nil
}

func (p *Poller) save(ctx context.Context, c Cursor) error {
	ts := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return Timestamp(t)
	}
	return p.DB.WriteTenant(ctx, func(t *store.Tenant) error {
		res, err := t.Exec(`UPDATE taxii_cursors SET added_after = $3, next = $4, last_added = $5, objects = $6, updated_at = $7 WHERE org_id = $1 AND source = $2`,
			p.source(), ts(c.AddedAfter), c.Next, ts(c.LastAdded), c.Objects, time.Now().UTC())
		if err != nil {
			return fmt.Errorf("save the cursor of %s: %w", p.Collection, err)
		}
		if n, _ := res.RowsAffected(); n == 1 {
			return nil
		}
		_, err = t.Exec(`INSERT INTO taxii_cursors (org_id, source, added_after, next, last_added, objects, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			p.source(), ts(c.AddedAfter), c.Next, ts(c.LastAdded), c.Objects, time.Now().UTC())
		return err
	})
}

// Poll takes the pages the collection holds beyond the cursor until the server says
// there are no more, and returns how many objects it handled.
func (p *Poller) Poll(ctx context.Context) (int, error) {
	c, err := p.Cursor(ctx)
	if err != nil {
		return 0, err
	}
	handled := 0
	for {
		page, err := p.Client.Objects(ctx, p.Collection, Query{AddedAfter: c.AddedAfter, Limit: p.Limit, Next: c.Next})
		if err != nil {
			return handled, err
		}
		if len(page.Objects) > 0 {
			if err := p.Handle(ctx, page.Objects); err != nil {
				return handled, fmt.Errorf("handle a page of %s: %w", p.Collection, err)
			}
		}
		handled += len(page.Objects)
		c.Objects += int64(len(page.Objects))
		if page.AddedLast.After(c.LastAdded) {
			c.LastAdded = page.AddedLast
		}
		switch {
		case page.More && page.Next != "":
			c.Next = page.Next
		case page.More:
			// §3.5: without next, go on from the last date added.
			c.AddedAfter, c.Next = page.AddedLast, ""
		default:
			// The run is done; the next one asks for what is added after it.
			c.AddedAfter, c.Next = c.LastAdded, ""
		}
		if err := p.save(ctx, c); err != nil {
			return handled, err
		}
		if !page.More || (page.Next == "" && page.AddedLast.IsZero()) {
			return handled, nil
		}
	}
}
