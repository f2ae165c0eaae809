package logs

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sync/atomic"

	"github.com/gaissmai/bart"

	"ciiguard/internal/audit"
	"ciiguard/internal/auth"
	"ciiguard/internal/problem"
	"ciiguard/internal/store"
	"ciiguard/internal/vault/ingest"
)

// A syslog listener knows a sender only by its source address, so an address belongs to
// one organisation and one source, whatever the transport: the log_senders table holds
// each registered network once, with its owner, a syslog source may use only a network its
// own organisation holds, and its messages are taken over UDP, TCP, TLS and RELP alike
// (a device that moves from UDP to RELP needs no new registration). A network overlapping another organisation's (equal, inside or
// around it) is refused with one message that names neither the owner nor its network,
// and the attempt is a security event in the requester's audit trail.

// Default confirmation limits: an IPv4 /24 is one ordinary subnet; an IPv6 /56 is what one
// site is commonly assigned (RIPE-690), so anything wider spans sites.
const (
	DefaultConfirmWiderV4 = 24
	DefaultConfirmWiderV6 = 56
)

// Hard limits: no network wider than these is registered even with confirmation; one
// source does not speak for a whole /15 or a whole IPv6 allocation.
const (
	widestV4 = 16
	widestV6 = 48
)

// errRangeRefused is the answer to any sender that overlaps another organisation's. It
// says nothing of whose, nor of which network, so that registering cannot map the other
// organisations' networks.
var errRangeRefused = &problem.Conflict{Field: "sender", Reason: "this address range cannot be registered; ask your installation operator"}

// senderLockKey serialises sender registrations on PostgreSQL (an advisory lock), so two
// organisations registering overlapping networks at once cannot both pass the overlap
// check; SQLite has a single writer already.
const senderLockKey = 0x63696973656e64 // "ciisend"

// senderLimits are the confirmation limits in force.
type senderLimits struct{ v4, v6 int }

// check validates the limits set by flags; unset (zero) limits take the defaults.
func (l *senderLimits) check() error {
	if l.v4 == 0 {
		l.v4 = DefaultConfirmWiderV4
	}
	if l.v6 == 0 {
		l.v6 = DefaultConfirmWiderV6
	}
	if l.v4 < widestV4 || l.v4 > 32 {
		return fmt.Errorf("--syslog-confirm-wider-v4 %d: want a prefix length from %d to 32", l.v4, widestV4)
	}
	if l.v6 < widestV6 || l.v6 > 128 {
		return fmt.Errorf("--syslog-confirm-wider-v6 %d: want a prefix length from %d to 128", l.v6, widestV6)
	}
	return nil
}

// checkWidth refuses a network wider than the hard limit, and one wider than the
// confirmation limit unless an administrator confirmed it. It returns who confirmed ("" for
// a network that needed no confirmation).
func (l senderLimits) checkWidth(p netip.Prefix, confirm bool, who auth.Principal, label string) (string, error) {
	widest, limit := widestV4, l.v4
	if p.Addr().Is6() {
		widest, limit = widestV6, l.v6
	}
	switch {
	case p.Bits() < widest:
		return "", problem.Field("sender", "prefix /%d is too wide; register the senders' own addresses or a narrower network", p.Bits())
	case p.Bits() >= limit:
		return "", nil
	case !confirm:
		return "", problem.Field("confirm_wide", "network /%d is wider than /%d: an administrator must confirm it (confirm_wide)", p.Bits(), limit)
	case who.Role != auth.Admin:
		return "", problem.Field("confirm_wide", "only an administrator can confirm a network wider than /%d", limit)
	}
	return label, nil
}

// claimSender makes p's network the organisation's, or refuses it when it overlaps another
// organisation's network. It runs in the source's transaction.
func claimSender(tx *store.Tx, org int64, p netip.Prefix, src Source, confirmedBy string) error {
	if tx.Dialect() == store.Postgres {
		if _, err := tx.Exec(`SELECT pg_advisory_xact_lock($1)`, int64(senderLockKey)); err != nil {
			return fmt.Errorf("lock sender networks: %w", err)
		}
	}
	rows, err := tx.Query(`SELECT network, org_id FROM log_senders`)
	if err != nil {
		return fmt.Errorf("read sender networks: %w", err)
	}
	defer rows.Close()
	own := false
	for rows.Next() {
		var s string
		var o int64
		if err := rows.Scan(&s, &o); err != nil {
			return fmt.Errorf("read sender networks: %w", err)
		}
		q, err := parseSender(s)
		if err != nil || !q.Overlaps(p) {
			continue
		}
		if o != org {
			return errRangeRefused
		}
		own = own || q == p
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read sender networks: %w", err)
	}
	if own {
		return nil
	}
	if _, err := tx.Exec(`INSERT INTO log_senders (network, org_id, created_at, created_by, confirmed_by) VALUES ($1, $2, $3, $4, $5)`,
		senderString(p), org, src.CreatedAt, src.CreatedBy, confirmedBy); err != nil {
		return fmt.Errorf("record sender network: %w", err)
	}
	return nil
}

// releaseSender gives a network up once none of the organisation's sources uses it.
func releaseSender(tx *store.Tx, org int64, sender string) error {
	if _, err := tx.Exec(`DELETE FROM log_senders WHERE network = $1 AND org_id = $2
		AND NOT EXISTS (SELECT 1 FROM log_sources WHERE org_id = $2 AND sender = $1 AND kind <> $3)`, sender, org, KindHTTP); err != nil {
		return fmt.Errorf("release sender network %s: %w", sender, err)
	}
	return nil
}

// recordRefusal writes the security event of a refused sender in its own transaction (the
// source's was rolled back) and tells the installation's log, which only its operator
// reads, that the network overlapped another organisation's.
func (m *Module) recordRefusal(ctx context.Context, org int64, ns NewSource) {
	m.d.Log.Warn("log sender refused: overlaps another organisation's network", "org", org, "kind", ns.Kind, "sender", ns.Sender)
	err := m.d.DB.Write(ctx, func(tx *store.Tx) error {
		return audit.Record(tx, org, "log_source", "", audit.SenderRefused, nil, nil,
			fmt.Sprintf("%s %s %s: overlaps a network registered elsewhere", ns.Kind, ns.Name, ns.Sender))
	})
	if err != nil {
		m.d.Log.Error("record refused log sender", "org", org, "err", err)
	}
}

// SyncSenders reloads the sender table when another node changed it since this node last
// loaded it; the flush loop calls it every few seconds.
func (m *Module) SyncSenders(ctx context.Context) error {
	var g int64
	if err := m.d.DB.Read(ctx, func(tx *store.Tx) error {
		return tx.QueryRow(`SELECT gen FROM log_sender_generation WHERE id = 1`).Scan(&g)
	}); err != nil {
		return fmt.Errorf("read the sender table's generation: %w", err)
	}
	if g == m.sendersGen.Load() {
		return nil
	}
	return m.refreshResolver(ctx)
}

// refreshResolver rebuilds the sender table of the syslog listeners from every
// organisation's networks and sources; it runs at start, after every change here and
// when SyncSenders sees a change made on another node.
func (m *Module) refreshResolver(ctx context.Context) error {
	owners := &bart.Table[int64]{}
	var gen int64
	t := &senderTable{nets: &bart.Table[senderEntry]{}}
	taken := map[netip.Prefix]int64{}
	err := m.d.DB.Read(ctx, func(tx *store.Tx) error {
		// The generation is read before the table: a change committed after this read
		// moves the generation past the one kept, and the next SyncSenders reloads.
		if err := tx.QueryRow(`SELECT gen FROM log_sender_generation WHERE id = 1`).Scan(&gen); err != nil {
			return fmt.Errorf("read the sender table's generation: %w", err)
		}
		// Oldest first: should rows from before the overlap check still overlap, the
		// first registration keeps the addresses.
		rows, err := tx.Query(`SELECT network, org_id FROM log_senders ORDER BY created_at, network`)
		if err != nil {
			return fmt.Errorf("read syslog sender networks: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var s string
			var org int64
			if err := rows.Scan(&s, &org); err != nil {
				return fmt.Errorf("read syslog sender networks: %w", err)
			}
			p, err := parseSender(s)
			if err != nil {
				m.d.Log.Warn("unusable sender network", "network", s)
				continue
			}
			if overlapsOther(owners, p, org) {
				m.d.Log.Warn("sender network overlaps an older one of another organisation; it receives nothing", "network", s, "org", org)
				continue
			}
			owners.Insert(p, org)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		// Lowest id first, so that of two sources of one organisation with the same
		// network (one per transport, before sources took every transport) the older
		// one receives.
		srows, err := tx.Query(`SELECT id, org_id, sender FROM log_sources WHERE kind <> $1 ORDER BY id`, KindHTTP)
		if err != nil {
			return fmt.Errorf("read syslog senders: %w", err)
		}
		defer srows.Close()
		for srows.Next() {
			var e senderEntry
			var sender string
			if err := srows.Scan(&e.source, &e.org, &sender); err != nil {
				return fmt.Errorf("read syslog senders: %w", err)
			}
			p, err := parseSender(sender)
			if err != nil {
				m.d.Log.Warn("log source with unusable sender", "source", e.source, "sender", sender)
				continue
			}
			if o, ok := owners.Get(p); !ok || o != e.org {
				m.d.Log.Warn("log source's network belongs to no network of its organisation; it receives nothing", "source", e.source, "sender", sender)
				continue
			}
			if older, dup := taken[p]; dup {
				m.d.Log.Warn("log source has the same sender as an older source; it receives nothing", "source", e.source, "older", older, "sender", sender)
				continue
			}
			taken[p] = e.source
			t.nets.Insert(p, e)
		}
		return srows.Err()
	})
	if err != nil {
		return err
	}
	m.res.table.Store(t)
	m.sendersGen.Store(gen)
	return nil
}

// Resolver is the sender table the syslog listeners resolve senders with.
func (m *Module) Resolver() ingest.Resolver { return m.res }

// overlapsOther reports whether p overlaps a network of owners held by another
// organisation than org.
func overlapsOther(owners *bart.Table[int64], p netip.Prefix, org int64) bool {
	if !owners.OverlapsPrefix(p) {
		return false
	}
	for _, o := range owners.Supernets(p) {
		if o != org {
			return true
		}
	}
	for _, o := range owners.Subnets(p) {
		if o != org {
			return true
		}
	}
	return false
}

type senderEntry struct {
	org, source int64
}

// senderTable maps a sender network to its source, for every transport; the longest
// prefix wins, so a host registered inside a network of the same organisation gets its
// own source.
type senderTable struct {
	nets *bart.Table[senderEntry]
}

// resolver holds the current sender table; listeners read it on every connection or
// datagram without locking. It is the ingest.Resolver of every syslog listener.
type resolver struct {
	table atomic.Pointer[senderTable]
}

// Resolve implements ingest.Resolver.
func (r *resolver) Resolve(remote net.Addr) (int64, int64, bool) {
	t := r.table.Load()
	if t == nil {
		return 0, 0, false
	}
	var ip netip.Addr
	switch a := remote.(type) {
	case *net.TCPAddr:
		ip, _ = netip.AddrFromSlice(a.IP)
	case *net.UDPAddr:
		ip, _ = netip.AddrFromSlice(a.IP)
	case *net.IPAddr:
		ip, _ = netip.AddrFromSlice(a.IP)
	default:
		ap, err := netip.ParseAddrPort(remote.String())
		if err != nil {
			return 0, 0, false
		}
		ip = ap.Addr()
	}
	if !ip.IsValid() {
		return 0, 0, false
	}
	e, ok := t.nets.Lookup(ip.Unmap().WithZone(""))
	return e.org, e.source, ok
}

// isRangeRefused reports whether err is the overlap refusal.
func isRangeRefused(err error) bool { return errors.Is(err, errRangeRefused) }
