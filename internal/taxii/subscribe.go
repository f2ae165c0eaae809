package taxii

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"ciiguard/internal/audit"
	"ciiguard/internal/kernel"
	"ciiguard/internal/store"
)

// Subscription is the installation's federation: one remote TAXII 2.1 collection (a
// regulator's server, or any other) polled at an interval into one collection of one
// organisation, acting as one of its users. It is configured by flags (Flags) and run by
// Start while the server runs.
type Subscription struct {
	URL   string        // the remote collection, ending in "/"
	User  string        // HTTP Basic user name at the remote server; Bearer when empty
	Token string        // the remote credential (CIIGUARD_TAXII_POLL_TOKEN; never logged)
	As    string        // the e-mail of the local user whose organisation receives the objects
	Into  string        // the local collection code (default "private")
	Every time.Duration // how often (default one hour)
}

// Flags implements kernel.Configurable.
func (m *Module) Flags(fs *flag.FlagSet) {
	s := &m.sub
	fs.StringVar(&s.URL, "taxii-poll", "", "a remote TAXII 2.1 collection to poll (https://…/collections/ID/), e.g. the regulator's; off when empty")
	fs.StringVar(&s.User, "taxii-poll-user", "", "the user name for HTTP Basic at the remote server (empty: the token is sent as Bearer)")
	fs.StringVar(&s.Token, "taxii-poll-token", "", "the remote server's password or token (prefer CIIGUARD_TAXII_POLL_TOKEN; never logged)")
	fs.StringVar(&s.As, "taxii-poll-as", "", "the e-mail of the local user for whom the polled indicators are added (its organisation receives them; the audit trail names it)")
	fs.StringVar(&s.Into, "taxii-poll-into", "private", "the local collection the polled indicators are added to")
	fs.DurationVar(&s.Every, "taxii-poll-every", time.Hour, "how often to poll --taxii-poll")
}

// Start implements kernel.Starter: with a subscription configured, it polls at once and
// then every --taxii-poll-every until ctx ends or Close. A configuration that cannot work
// (no local user, a URL that is no collection) stops the start-up with the reason.
func (m *Module) Start(ctx context.Context) error {
	s := m.sub
	if s.URL == "" {
		return nil
	}
	u, err := url.Parse(s.URL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || !strings.HasSuffix(u.Path, "/") {
		return fmt.Errorf("--taxii-poll %q: want the absolute URL of a collection, ending in /", s.URL)
	}
	if s.As == "" {
		return errors.New("--taxii-poll needs --taxii-poll-as: the local user for whom the indicators are added")
	}
	if s.Every <= 0 {
		return fmt.Errorf("--taxii-poll-every %s: must be positive", s.Every)
	}
	user, err := m.auth.UserByEmail(ctx, s.As)
	if err != nil {
		return fmt.Errorf("--taxii-poll-as %s: %w", s.As, err)
	}
	authz := "Bearer " + s.Token
	if s.User != "" {
		authz = "Basic " + basicCredentials(s.User, s.Token)
	}
	pctx := store.WithOrg(ctx, user.OrgID)
	pctx = audit.WithActor(pctx, audit.Actor{UserID: user.ID, OrgID: user.OrgID, Label: user.Email + " (TAXII poll of " + u.Redacted() + ")"})
	p := &Poller{
		Client:     &Client{HTTP: &http.Client{Timeout: 2 * time.Minute}, Authorization: authz},
		DB:         m.db,
		Collection: s.URL,
		Limit:      500,
		Handle:     m.addPolled(s.Into),
	}
	pctx, cancel := context.WithCancel(pctx)
	m.stop = cancel
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		for {
			// Once per interval across the installation's nodes.
			var n int
			period := time.Now().UTC().Truncate(s.Every).Format(time.RFC3339)
			_, err := kernel.RunOnce(pctx, m.jobs, "taxii.poll", period, func(ctx context.Context) error {
				var err error
				n, err = p.Poll(ctx)
				return err
			})
			if err != nil && pctx.Err() == nil {
				m.log.Warn("TAXII poll failed; trying again at the next interval", "collection", u.Redacted(), "objects", n, "err", err)
			} else if n > 0 {
				m.log.Info("TAXII poll", "collection", u.Redacted(), "objects", n)
			}
			t := time.NewTimer(s.Every)
			select {
			case <-pctx.Done():
				t.Stop()
				return
			case <-t.C:
			}
		}
	}()
	return nil
}

// addPolled adds a polled page to the local collection into. Objects the collection does
// not keep (anything but indicators, expired ones) are left out and counted in the log;
// only an error of the store fails the page, so that it is fetched again.
func (m *Module) addPolled(into string) func(ctx context.Context, objs []json.RawMessage) error {
	return func(ctx context.Context, objs []json.RawMessage) error {
		res, err := m.threat.AddThreatObjects(ctx, into, objs)
		if err != nil {
			return err
		}
		left := 0
		for _, r := range res {
			if !r.OK {
				left++
			}
		}
		if left > 0 {
			m.log.Info("TAXII poll: objects not added", "collection", into, "left_out", left, "of", len(objs))
		}
		return nil
	}
}

// Close implements kernel.Closer: the poll stops and Close waits for it.
func (m *Module) Close() error {
	if m.stop != nil {
		m.stop()
	}
	m.wg.Wait()
	return nil
}

func basicCredentials(user, pass string) string {
	r, _ := http.NewRequest(http.MethodGet, "http://x/", nil)
	r.SetBasicAuth(user, pass)
	return strings.TrimPrefix(r.Header.Get("Authorization"), "Basic ")
}

// subscriptionState is what the module keeps for Start and Close.
type subscriptionState struct {
	sub  Subscription
	stop context.CancelFunc
	wg   sync.WaitGroup
	log  *slog.Logger
}
