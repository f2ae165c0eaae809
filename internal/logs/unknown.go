package logs

import (
	"context"
	"net"
	"net/http"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"ciiguard/internal/web"
)

// Syslog transports, as the listeners, the unknown-sender list and the metrics name them.
const (
	TransportUDP  = "udp"
	TransportTCP  = "tcp"
	TransportTLS  = "tls"
	TransportRELP = "relp"
)

// Bounds of the unknown-sender list: it lives in memory, so a flood of spoofed UDP
// addresses can neither grow it without bound nor flood the server log.
const (
	unknownMax       = 256                // addresses × transports remembered; the longest silent is forgotten first
	unknownKeep      = 7 * 24 * time.Hour // entries not heard from for this long are forgotten
	unknownWarnEvery = 10 * time.Minute   // one warning per address and transport per this interval
	unknownWarnBurst = 20                 // at most this many warnings a minute for all senders together
	unknownSampleMax = 512                // bytes of the sample line kept
)

// UnknownSender is a sender whose syslog messages (or connections) were refused because
// no source is registered for its address: the sources page shows it with a "register"
// action, since such senders are usually a device configured before its source was.
type UnknownSender struct {
	Address   string    `json:"address"`
	Transport string    `json:"transport"`
	Count     uint64    `json:"count"` // messages (UDP) or connections (TCP, TLS, RELP) refused
	FirstSeen time.Time `json:"first_seen"`
	LastSeen  time.Time `json:"last_seen"`
	// Sample is the sender's latest message as far as it was read (at most 512 bytes;
	// empty when the sender sent nothing in time).
	Sample string `json:"sample"`

	warned time.Time
}

// unknownSenders remembers refused senders since the server started, and what was refused
// since the list was last stored (pending), which the flush adds to the list all nodes
// share (unknown_store.go).
type unknownSenders struct {
	mu      sync.Mutex
	byKey   map[[2]string]*UnknownSender
	pending map[[2]string]*UnknownSender
	window  time.Time // start of the current warning minute
	warns   int       // warnings given in it
	dropped int       // warnings suppressed in it, said in the next one given
}

func newUnknownSenders() *unknownSenders {
	return &unknownSenders{byKey: map[[2]string]*UnknownSender{}, pending: map[[2]string]*UnknownSender{}}
}

// note records one refused message or connection; it returns whether to log a warning
// now, and how many warnings were suppressed before it.
func (u *unknownSenders) note(transport string, remote net.Addr, sample []byte, now time.Time) (e UnknownSender, warn bool, suppressed int) {
	addr := remoteIP(remote)
	u.mu.Lock()
	defer u.mu.Unlock()
	var clean string
	if len(sample) > 0 {
		clean = cleanSample(sample)
	}
	// Both are bounded: a flood of spoofed addresses keeps the most recent; the refusals
	// still count in the metrics.
	s := count(u.byKey, addr, transport, clean, now)
	count(u.pending, addr, transport, clean, now)
	if now.Sub(s.warned) < unknownWarnEvery {
		return *s, false, 0
	}
	if now.Sub(u.window) >= time.Minute {
		u.window, u.warns = now, 0
	}
	if u.warns >= unknownWarnBurst {
		u.dropped++
		return *s, false, 0
	}
	u.warns++
	s.warned = now
	suppressed, u.dropped = u.dropped, 0
	return *s, true, suppressed
}

// count adds one refusal of the sender at addr over transport to m, with its sample when it
// has one, and returns the sender's entry.
func count(m map[[2]string]*UnknownSender, addr, transport, sample string, now time.Time) *UnknownSender {
	key := [2]string{addr, transport}
	s := m[key]
	if s == nil {
		if len(m) >= unknownMax {
			evictOldest(m)
		}
		s = &UnknownSender{Address: addr, Transport: transport, FirstSeen: now}
		m[key] = s
	}
	s.Count++
	s.LastSeen = now
	if sample != "" {
		s.Sample = sample
	}
	return s
}

// evictOldest forgets the sender of m heard from longest ago.
func evictOldest(m map[[2]string]*UnknownSender) {
	var oldest [2]string
	var at time.Time
	for k, s := range m {
		if at.IsZero() || s.LastSeen.Before(at) {
			oldest, at = k, s.LastSeen
		}
	}
	delete(m, oldest)
}

// list returns the senders heard from within unknownKeep that still resolve to no source,
// the most recent first.
func (u *unknownSenders) list(now time.Time, known func(addr string) bool) []UnknownSender {
	u.mu.Lock()
	out := make([]UnknownSender, 0, len(u.byKey))
	for k, s := range u.byKey {
		if now.Sub(s.LastSeen) > unknownKeep {
			delete(u.byKey, k)
			continue
		}
		out = append(out, *s)
	}
	u.mu.Unlock()
	return newestUnknown(out, known)
}

// newestUnknown drops the senders that resolve to a source by now and orders the rest the
// most recent first, at most unknownMax of them.
func newestUnknown(out []UnknownSender, known func(addr string) bool) []UnknownSender {
	out = slices.DeleteFunc(out, func(s UnknownSender) bool { return known(s.Address) })
	slices.SortFunc(out, func(a, b UnknownSender) int {
		if c := b.LastSeen.Compare(a.LastSeen); c != 0 {
			return c
		}
		return strings.Compare(a.Address+a.Transport, b.Address+b.Transport)
	})
	if len(out) > unknownMax {
		out = out[:unknownMax]
	}
	return out
}

// remoteIP is the sender's IP address, without port or zone, IPv4 unmapped.
func remoteIP(a net.Addr) string {
	var ip net.IP
	switch x := a.(type) {
	case *net.TCPAddr:
		ip = x.IP
	case *net.UDPAddr:
		ip = x.IP
	default:
		host, _, err := net.SplitHostPort(a.String())
		if err != nil {
			return a.String()
		}
		return host
	}
	if p, ok := netip.AddrFromSlice(ip); ok {
		return p.Unmap().WithZone("").String()
	}
	return ip.String()
}

// cleanSample keeps the start of a message as valid UTF-8 text on one line.
func cleanSample(b []byte) string {
	if len(b) > unknownSampleMax {
		b = b[:unknownSampleMax]
	}
	for i := 0; i < utf8.UTFMax-1 && len(b) > 0; i++ {
		if r, size := utf8.DecodeLastRune(b); r != utf8.RuneError || size != 1 {
			break
		}
		b = b[:len(b)-1] // a character cut by the bound
	}
	s := strings.ToValidUTF8(string(b), "\uFFFD")
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
}

// unknownHook is the listeners' ingest.Listener.Unknown for one transport: it counts the
// sender in the list and logs a warning at most every unknownWarnEvery per sender.
func (m *Module) unknownHook(transport string) func(net.Addr, []byte) {
	return func(remote net.Addr, sample []byte) {
		e, warn, suppressed := m.unknown.note(transport, remote, sample, m.now())
		if !warn {
			return
		}
		m.d.Log.Warn("syslog sender not registered: its messages are dropped; register its address as a log source",
			"transport", transport, "sender", e.Address, "refused", e.Count, "sample", e.Sample, "warnings_suppressed", suppressed)
	}
}

// UnknownSenders lists the senders the installation's listeners refused — on every node,
// from the list they share, with what this node refused since its last flush — for the
// sources page and the API; nil when the installation does not show them
// (--syslog-show-unknown=false). Should the shared list not be readable, the page still
// shows what this node refused, and the server log says why.
func (m *Module) UnknownSenders(ctx context.Context) []UnknownSender {
	if !m.showUnknown {
		return nil
	}
	now := m.now()
	known := func(addr string) bool {
		ip := net.ParseIP(addr)
		if ip == nil {
			return false
		}
		_, _, ok := m.res.Resolve(&net.IPAddr{IP: ip})
		return ok
	}
	stored, err := m.storedUnknown(ctx, now)
	if err != nil {
		m.d.Log.Warn("read the unknown syslog senders of every node; showing this node's", "err", err)
		return m.unknown.list(now, known)
	}
	return m.unknown.overlay(stored, now, known)
}

func (m *Module) apiUnknownSenders(w http.ResponseWriter, r *http.Request) error {
	list := m.UnknownSenders(r.Context())
	if list == nil {
		list = []UnknownSender{}
	}
	return web.JSON(w, http.StatusOK, map[string]any{"unknown_senders": list, "shown": m.showUnknown})
}

// TransportName is the transport as pages show it: UDP, TCP, TLS, RELP.
func (s UnknownSender) TransportName() string { return strings.ToUpper(s.Transport) }
