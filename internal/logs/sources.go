package logs

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"ciiguard/internal/audit"
	"ciiguard/internal/auth"
	"ciiguard/internal/problem"
	"ciiguard/internal/store"
	"ciiguard/internal/vault"
	"ciiguard/internal/web"
)

// Source kinds: how a source is recognised. A syslog source is its sender address and
// takes that address's messages over every syslog transport (UDP, TCP, TLS, RELP); an
// HTTP source is its API token.
const (
	KindSyslog = "syslog"
	KindHTTP   = "http"
)

// Kinds lists the source kinds in the order forms show them.
var Kinds = []string{KindSyslog, KindHTTP}

// legacyKinds are the per-transport kinds of earlier versions, still accepted from API
// clients and forms and stored as KindSyslog (migration 004 converted the stored ones).
var legacyKinds = map[string]bool{"syslog-udp": true, "syslog-tcp": true, "syslog-tls": true}

// Source is a registered sender of an organisation's logs. Syslog sources are recognised
// by sender address (an IP or a CIDR prefix); HTTP sources by the API token bound to them.
type Source struct {
	ID          int64      `json:"id"`
	OrgID       int64      `json:"org_id"`
	Name        string     `json:"name"`
	Kind        string     `json:"kind"`
	Sender      string     `json:"sender,omitempty"`
	TokenID     int64      `json:"token_id,omitempty"`
	CreatedAt   time.Time  `json:"created_at"`
	CreatedBy   string     `json:"created_by"`
	LastEventAt *time.Time `json:"last_event_at,omitempty"`
	EventCount  int64      `json:"event_count"`
}

// NewSource is what a user submits to register a source.
type NewSource struct {
	Name   string `json:"name"`
	Kind   string `json:"kind"`
	Sender string `json:"sender"`
	// ConfirmWide is an administrator's confirmation of a network wider than the
	// installation's limit (see senders.go).
	ConfirmWide bool `json:"confirm_wide"`
}

const sourceColumns = `id, org_id, name, kind, sender, token_id, created_at, created_by, last_event_at, event_count`

func scanSource(scan func(...any) error) (Source, error) {
	var s Source
	err := scan(&s.ID, &s.OrgID, &s.Name, &s.Kind, &s.Sender, &s.TokenID, &s.CreatedAt, &s.CreatedBy, &s.LastEventAt, &s.EventCount)
	return s, err
}

// parseSender turns an IP address or CIDR prefix into its canonical prefix.
func parseSender(s string) (netip.Prefix, error) {
	s = strings.TrimSpace(s)
	if a, err := netip.ParseAddr(s); err == nil {
		a = a.Unmap().WithZone("")
		return netip.PrefixFrom(a, a.BitLen()), nil
	}
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	if p.Addr().Is4In6() {
		p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
	}
	return p.Masked(), nil
}

func senderString(p netip.Prefix) string {
	if p.IsSingleIP() {
		return p.Addr().String()
	}
	return p.String()
}

// validateSource checks a new source and returns it with the canonical sender.
func validateSource(ns NewSource) (NewSource, netip.Prefix, error) {
	v := &problem.Invalid{}
	ns.Name = strings.TrimSpace(ns.Name)
	ns.Kind = strings.TrimSpace(ns.Kind)
	var p netip.Prefix
	v.Text("name", ns.Name, true, 100)
	if legacyKinds[ns.Kind] {
		ns.Kind = KindSyslog
	}
	switch ns.Kind {
	case KindSyslog:
		var err error
		p, err = parseSender(ns.Sender)
		switch {
		case strings.TrimSpace(ns.Sender) == "":
			v.Add("sender", "is required for a syslog source: the IP address or CIDR prefix it sends from")
		case err != nil:
			v.Add("sender", "must be an IP address or a CIDR prefix such as 10.1.0.0/24")
		default:
			ns.Sender = senderString(p)
		}
	case KindHTTP:
		if strings.TrimSpace(ns.Sender) != "" {
			v.Add("sender", "is not used by an HTTP source, which is recognised by its API token")
		}
		ns.Sender = ""
	default:
		v.Add("kind", "must be one of %s", strings.Join(Kinds, ", "))
	}
	return ns, p, v.Err()
}

// Sources lists the context's organisation's sources by name.
func (m *Module) Sources(ctx context.Context) ([]Source, error) {
	var out []Source
	err := m.d.DB.ReadTenant(ctx, func(t *store.Tenant) error {
		rows, err := t.Query(`SELECT ` + sourceColumns + ` FROM log_sources WHERE org_id = $1 ORDER BY name`)
		if err != nil {
			return fmt.Errorf("list log sources: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			s, err := scanSource(rows.Scan)
			if err != nil {
				return fmt.Errorf("read log source: %w", err)
			}
			out = append(out, s)
		}
		return rows.Err()
	})
	return out, err
}

// Source returns one of the context's organisation's sources.
func (m *Module) Source(ctx context.Context, id int64) (Source, error) {
	var s Source
	err := m.d.DB.ReadTenant(ctx, func(t *store.Tenant) error {
		var err error
		s, err = scanSource(t.QueryRow(`SELECT `+sourceColumns+` FROM log_sources WHERE org_id = $1 AND id = $2`, id).Scan)
		return err
	})
	return s, err
}

// CreateSource registers a source for the principal's organisation. For an HTTP source
// it also issues an API token of the token-only role auth.LogSender, which may do nothing
// but append to this source, and returns its secret,
// which is shown once. The token is created first, in its own transaction (the kernel's
// token service owns it); if the source cannot be recorded the token is revoked again.
func (m *Module) CreateSource(ctx context.Context, p auth.Principal, ns NewSource) (Source, string, error) {
	ns, prefix, err := validateSource(ns)
	if err != nil {
		return Source{}, "", err
	}
	var confirmedBy string
	if ns.Kind != KindHTTP {
		if confirmedBy, err = m.limits.checkWidth(prefix, ns.ConfirmWide, p, audit.ActorFrom(ctx).Label); err != nil {
			return Source{}, "", err
		}
	}
	var secret string
	var tokenID int64
	if ns.Kind == KindHTTP {
		plain, tok, err := m.d.Auth.CreateTokenOnly(ctx, p, "log source: "+ns.Name, auth.LogSender)
		if err != nil {
			if inv, ok := problem.As[*problem.Invalid](err); ok {
				for i := range inv.Fields {
					inv.Fields[i].Field = "kind"
				}
				return Source{}, "", inv
			}
			return Source{}, "", fmt.Errorf("issue token for log source %q: %w", ns.Name, err)
		}
		secret, tokenID = plain, tok.ID
	}
	src := Source{Name: ns.Name, Kind: ns.Kind, Sender: ns.Sender, TokenID: tokenID,
		CreatedAt: m.now().UTC().Truncate(time.Microsecond), CreatedBy: audit.ActorFrom(ctx).Label}
	err = m.d.DB.WriteTenant(ctx, func(t *store.Tenant) error {
		tx := t.Tx()
		src.OrgID = t.OrgID()
		var n int
		if err := t.QueryRow(`SELECT COUNT(*) FROM log_sources WHERE org_id = $1 AND name = $2`, src.Name).Scan(&n); err != nil {
			return fmt.Errorf("check source name: %w", err)
		}
		if n > 0 {
			return &problem.Conflict{Field: "name", Reason: "a source with this name is already registered"}
		}
		if src.Kind != KindHTTP {
			if err := claimSender(tx, src.OrgID, prefix, src, confirmedBy); err != nil {
				return err
			}
			var other string
			err := t.QueryRow(`SELECT name FROM log_sources WHERE org_id = $1 AND sender = $2 AND kind <> $3`, src.Sender, KindHTTP).Scan(&other)
			if err == nil {
				return problem.Conflictf("sender", "is already the sender of your source %q, which takes its messages over every syslog transport", other)
			}
			if !errors.Is(err, store.ErrNotFound) {
				return fmt.Errorf("check source sender: %w", err)
			}
		}
		if err := t.QueryRow(`INSERT INTO log_sources (org_id, name, kind, sender, token_id, created_at, created_by, last_event_at, event_count)
			VALUES ($1, $2, $3, $4, $5, $6, $7, NULL, 0) RETURNING id`,
			src.Name, src.Kind, src.Sender, src.TokenID, src.CreatedAt, src.CreatedBy).Scan(&src.ID); err != nil {
			return fmt.Errorf("insert log source: %w", err)
		}
		if _, err := tx.Exec(`UPDATE log_sender_generation SET gen = gen + 1 WHERE id = 1`); err != nil {
			return fmt.Errorf("bump the sender table's generation: %w", err)
		}
		tx.AfterCommit(func() { m.refreshAfterChange() })
		m.Changed(tx, src.OrgID, 0)
		detail := src.Kind + " " + src.Name
		if confirmedBy != "" {
			detail += " (network wider than the limit, confirmed by " + confirmedBy + ")"
		}
		return audit.Record(tx, src.OrgID, "log_source", strconv.FormatInt(src.ID, 10), audit.Create, nil, src, detail)
	})
	if isRangeRefused(err) {
		m.recordRefusal(ctx, src.OrgID, ns)
	}
	if err != nil {
		if tokenID != 0 {
			if _, rerr := m.d.Auth.RevokeToken(ctx, tokenID); rerr != nil {
				err = errors.Join(err, fmt.Errorf("revoke the token issued for it: %w", rerr))
			}
		}
		return Source{}, "", err
	}
	return src, secret, nil
}

// DeleteSource removes a source; its events stay in the vault (they are part of the
// tamper-evident log) and an HTTP source's token is revoked.
func (m *Module) DeleteSource(ctx context.Context, id int64) error {
	var before Source
	err := m.d.DB.WriteTenant(ctx, func(t *store.Tenant) error {
		tx := t.Tx()
		var err error
		if before, err = scanSource(t.QueryRow(`SELECT `+sourceColumns+` FROM log_sources WHERE org_id = $1 AND id = $2`, id).Scan); err != nil {
			return err
		}
		if _, err := t.Exec(`DELETE FROM log_sources WHERE org_id = $1 AND id = $2`, id); err != nil {
			return fmt.Errorf("delete log source: %w", err)
		}
		if before.Kind != KindHTTP {
			if err := releaseSender(tx, before.OrgID, before.Sender); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(`UPDATE log_sender_generation SET gen = gen + 1 WHERE id = 1`); err != nil {
			return fmt.Errorf("bump the sender table's generation: %w", err)
		}
		tx.AfterCommit(func() { m.refreshAfterChange() })
		m.Changed(tx, before.OrgID, 0)
		return audit.Record(tx, before.OrgID, "log_source", strconv.FormatInt(id, 10), audit.Delete, before, nil, before.Kind+" "+before.Name)
	})
	if err != nil {
		return err
	}
	if before.TokenID != 0 {
		if _, err := m.d.Auth.RevokeToken(ctx, before.TokenID); err != nil && !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("source deleted, but revoking its token %d failed: %w", before.TokenID, err)
		}
	}
	return nil
}

// sourceForToken returns the HTTP source an API token is bound to.
func (m *Module) sourceForToken(ctx context.Context, tokenID int64) (Source, error) {
	if tokenID == 0 {
		return Source{}, problem.Field("Authorization", "sending events needs the API token issued for an HTTP log source (see Log sources), not a browser session")
	}
	var s Source
	err := m.d.DB.ReadTenant(ctx, func(t *store.Tenant) error {
		var err error
		s, err = scanSource(t.QueryRow(`SELECT `+sourceColumns+` FROM log_sources WHERE org_id = $1 AND token_id = $2 AND kind = $3`, tokenID, KindHTTP).Scan)
		return err
	})
	if errors.Is(err, store.ErrNotFound) {
		return Source{}, problem.Field("Authorization", "this API token is not bound to an HTTP log source; register one under Log sources and use the token shown there")
	}
	return s, err
}

func (m *Module) refreshAfterChange() {
	if err := m.refreshResolver(context.Background()); err != nil {
		m.d.Log.Error("refresh syslog sender table", "err", err)
	}
}

// counter accumulates per-source event counts from the listeners and writes them to
// log_sources every few seconds, so a busy sender costs no database write per batch.
type counter struct {
	mu      sync.Mutex
	pending map[int64]*pendingCount
}

type pendingCount struct {
	org  int64
	n    int64
	last time.Time
}

func (c *counter) add(org, source int64, n int, at time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	p := c.pending[source]
	if p == nil {
		p = &pendingCount{org: org}
		c.pending[source] = p
	}
	p.n += int64(n)
	if at.After(p.last) {
		p.last = at
	}
}

func (c *counter) take() map[int64]*pendingCount {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := c.pending
	c.pending = map[int64]*pendingCount{}
	return out
}

// flushCounts writes the accumulated counters, one transaction per organisation.
func (m *Module) flushCounts(ctx context.Context) error {
	byOrg := map[int64]map[int64]*pendingCount{}
	for src, p := range m.count.take() {
		if byOrg[p.org] == nil {
			byOrg[p.org] = map[int64]*pendingCount{}
		}
		byOrg[p.org][src] = p
	}
	var errs []error
	for org, srcs := range byOrg {
		errs = append(errs, m.addCounts(store.WithOrg(ctx, org), srcs))
	}
	return errors.Join(errs...)
}

func (m *Module) addCounts(ctx context.Context, srcs map[int64]*pendingCount) error {
	return m.d.DB.WriteTenant(ctx, func(t *store.Tenant) error {
		for id, p := range srcs {
			if _, err := t.Exec(`UPDATE log_sources SET event_count = event_count + $2,
				last_event_at = CASE WHEN last_event_at IS NULL OR last_event_at < $3 THEN $3 ELSE last_event_at END
				WHERE org_id = $1 AND id = $4`, p.n, p.last.UTC().Truncate(time.Microsecond), id); err != nil {
				return fmt.Errorf("update counters of log source %d: %w", id, err)
			}
		}
		return nil
	})
}

// countingSink is the listeners' sink: the vault (or, on a node that is not the
// organisation's log writer, the writer's), plus the per-source counters.
type countingSink struct{ m *Module }

// Append implements ingest.Sink.
func (s *countingSink) Append(ctx context.Context, org int64, evs []vault.Event) (uint64, error) {
	first, err := s.m.appendAnywhere(ctx, org, evs)
	if err != nil {
		return first, err
	}
	now := s.m.now()
	per := map[int64]int{}
	for i := range evs {
		per[evs[i].SourceID]++
	}
	for src, n := range per {
		s.m.count.add(org, src, n, now)
	}
	return first, nil
}

// principal returns the request's principal; the router guarantees one on every route of
// this module.
func principal(ctx context.Context) auth.Principal {
	if p := web.PrincipalFrom(ctx); p != nil {
		return *p
	}
	return auth.Principal{}
}
