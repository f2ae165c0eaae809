package ingest

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"ciiguard/internal/vault"
)

// Sink stores events; *vault.Vault implements it. Append must return only
// once events are durable and should block when storage is behind. It must
// not keep evs after it returns: a stream listener reuses the slice for its
// next batch (the vault copies what it keeps).
type Sink interface {
	Append(ctx context.Context, orgID int64, evs []vault.Event) (first uint64, err error)
}

// Resolver maps a sender's address to the organisation and registered
// source it belongs to.
//
// Senders it does not know are counted and dropped, never stored:
// syslog has no authentication, so storing them would let anyone on the
// network fill an organisation's log (and disk), and attributing them to
// some tenant would put one organisation's data, or noise, in another's
// tamper-evident record, which cannot be taken out again.
type Resolver interface {
	Resolve(remote net.Addr) (orgID, sourceID int64, ok bool)
}

// Limits shared by all listeners.
const (
	// MaxMessage is the largest syslog message accepted; longer
	// newline-framed input is split, longer octet-counted frames end the
	// connection (the framing is lost).
	MaxMessage = 64 << 10
	// batchMax is the most events one Append carries.
	batchMax = 1024
	// udpQueue is how many parsed datagrams wait for the sink.
	udpQueue = 16384
	// unknownWait is how long an unknown stream sender is read for its sample line.
	unknownWait = 3 * time.Second
	// unknownConcurrent bounds the unknown stream senders read at once; beyond it they
	// are closed unread (and still counted).
	unknownConcurrent = 64
	// sampleMax is the most bytes of an unknown sender's message handed to Unknown.
	sampleMax = 1024
	// unknownDrain is the most an unknown stream sender is read (and discarded) before
	// its connection is closed.
	unknownDrain = 1 << 20
)

// Stats are a listener's cumulative counters.
type Stats struct {
	Messages      uint64 // messages received from known senders
	Unparsed      uint64 // of those, kept raw because they did not parse
	UnknownSender uint64 // messages (UDP) or connections (TCP/TLS/RELP) refused
	UDPDropped    uint64 // datagrams dropped because the queue was full
	AppendErrors  uint64 // batches the sink refused (UDP/TCP/TLS: their events are lost; RELP: answered 500)
	Connections   uint64 // TCP/TLS/RELP connections accepted
	FramingErrors uint64 // connections closed because framing was broken
	RELPSessions  uint64 // RELP sessions opened
	RELPAcked     uint64 // RELP messages acknowledged (200) once durable
	RELPRefused   uint64 // RELP messages answered 500 because the sink refused them
}

// Listener is a running syslog listener.
type Listener struct {
	res  Resolver
	sink Sink
	now  func() time.Time

	ln     net.Listener
	pc     net.PacketConn
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	connMu sync.Mutex
	conns  map[net.Conn]struct{}

	messages, unparsed, unknown, udpDropped, appendErrs, conns_, framing atomic.Uint64
	relpSessions, relpAcked, relpRefused                                 atomic.Uint64

	// serve handles a known sender's connection; refuse reads an unknown
	// one's first message (its sample) and answers it as the protocol
	// allows.
	serve   func(c net.Conn, org, src int64)
	refuse  func(c net.Conn) []byte
	refusal chan struct{}

	// ErrorLog, if set, receives sink errors (which are otherwise only
	// counted). Set it before traffic arrives.
	ErrorLog func(error)
	// Unknown, if set, is told of every message (UDP) or connection
	// (TCP, TLS, RELP) from a sender the resolver does not know, with the
	// first message as far as it was read in time (up to sampleMax bytes;
	// nil when none came; it is only valid during the call). It must not
	// block. Set it before traffic arrives.
	Unknown func(remote net.Addr, sample []byte)
}

// Addr is the address the listener is bound to.
func (l *Listener) Addr() net.Addr {
	if l.ln != nil {
		return l.ln.Addr()
	}
	return l.pc.LocalAddr()
}

// Stats returns the listener's counters.
func (l *Listener) Stats() Stats {
	return Stats{Messages: l.messages.Load(), Unparsed: l.unparsed.Load(), UnknownSender: l.unknown.Load(),
		UDPDropped: l.udpDropped.Load(), AppendErrors: l.appendErrs.Load(), Connections: l.conns_.Load(),
		FramingErrors: l.framing.Load(), RELPSessions: l.relpSessions.Load(), RELPAcked: l.relpAcked.Load(),
		RELPRefused: l.relpRefused.Load()}
}

// Close stops accepting, closes open connections and waits for in-flight
// batches to be appended.
func (l *Listener) Close() error {
	var err error
	if l.ln != nil {
		err = l.ln.Close()
	}
	if l.pc != nil {
		err = l.pc.Close()
	}
	l.connMu.Lock()
	for c := range l.conns {
		c.Close()
	}
	l.connMu.Unlock()
	l.wg.Wait()
	l.cancel()
	return err
}

func newListener(res Resolver, sink Sink) *Listener {
	ctx, cancel := context.WithCancel(context.Background())
	return &Listener{res: res, sink: sink, now: time.Now, ctx: ctx, cancel: cancel, conns: map[net.Conn]struct{}{},
		refusal: make(chan struct{}, unknownConcurrent)}
}

// noteUnknown counts an unknown sender's message or connection and tells Unknown.
func (l *Listener) noteUnknown(remote net.Addr, sample []byte) {
	l.unknown.Add(1)
	if l.Unknown != nil {
		if len(sample) > sampleMax {
			sample = sample[:sampleMax]
		}
		l.Unknown(remote, sample)
	}
}

func (l *Listener) appendBatch(org int64, evs []vault.Event) {
	if _, err := l.sink.Append(l.ctx, org, evs); err != nil {
		l.appendErrs.Add(1)
		if l.ErrorLog != nil {
			l.ErrorLog(fmt.Errorf("ingest: append %d events for org %d: %w", len(evs), org, err))
		}
	}
}

func (l *Listener) count(ev *vault.Event) {
	l.messages.Add(1)
	if ev.Format == vault.FormatRaw {
		l.unparsed.Add(1)
	}
}

// ListenTCP accepts syslog over TCP with RFC 6587 framing: each message
// may be octet-counted ("LEN SP MSG") or newline-terminated; the framing
// is detected per message.
func ListenTCP(addr string, res Resolver, sink Sink) (*Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("ingest: listen tcp %s: %w", addr, err)
	}
	return serveStream(ln, res, sink), nil
}

// ListenTLS accepts syslog over TLS (RFC 5425, octet-counted; newline
// framing is accepted too). Pass a config with ClientAuth set to require
// client certificates if senders should be authenticated beyond their
// address.
func ListenTLS(addr string, cfg *tls.Config, res Resolver, sink Sink) (*Listener, error) {
	if cfg == nil {
		return nil, errors.New("ingest: listen tls: no TLS config")
	}
	ln, err := tls.Listen("tcp", addr, cfg)
	if err != nil {
		return nil, fmt.Errorf("ingest: listen tls %s: %w", addr, err)
	}
	return serveStream(ln, res, sink), nil
}

func serveStream(ln net.Listener, res Resolver, sink Sink) *Listener {
	l := newListener(res, sink)
	l.ln = ln
	l.serve = l.serveConn
	l.refuse = refuseStream
	l.start()
	return l
}

// refuseStream reads an unknown TCP or TLS sender's first message, as its sample, and
// then discards what else it sends (at most unknownDrain bytes, within unknownWait), so
// that a sender that says what it has and stops sees an orderly close rather than a
// reset of unread data.
func refuseStream(c net.Conn) []byte {
	_ = c.SetDeadline(time.Now().Add(unknownWait))
	r := bufio.NewReaderSize(io.LimitReader(c, unknownDrain), 4096)
	var scratch []byte
	msg, _ := readFrame(r, &scratch)
	msg = bytes.Clone(msg)
	_, _ = io.Copy(io.Discard, r)
	return msg
}

// start runs the accept loop of a stream listener.
func (l *Listener) start() {
	ln, res := l.ln, l.res
	l.wg.Add(1)
	go func() {
		defer l.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				if errors.Is(err, net.ErrClosed) {
					return
				}
				time.Sleep(10 * time.Millisecond) // e.g. EMFILE: back off
				continue
			}
			org, src, ok := res.Resolve(c.RemoteAddr())
			if !ok {
				l.refuseConn(c)
				continue
			}
			l.conns_.Add(1)
			l.connMu.Lock()
			l.conns[c] = struct{}{}
			l.connMu.Unlock()
			l.wg.Add(1)
			go func() {
				defer l.wg.Done()
				l.serve(c, org, src)
				l.connMu.Lock()
				delete(l.conns, c)
				l.connMu.Unlock()
				c.Close()
			}()
		}
	}()
}

// refuseConn handles an unknown sender's connection beside the accept loop: it reads its
// sample (bounded in time and in how many are read at once) and closes it.
func (l *Listener) refuseConn(c net.Conn) {
	select {
	case l.refusal <- struct{}{}:
	default:
		l.noteUnknown(c.RemoteAddr(), nil)
		c.Close()
		return
	}
	l.connMu.Lock()
	l.conns[c] = struct{}{}
	l.connMu.Unlock()
	l.wg.Add(1)
	go func() {
		defer l.wg.Done()
		defer func() { <-l.refusal }()
		sample := l.refuse(c)
		l.noteUnknown(c.RemoteAddr(), bytes.TrimRight(sample, "\r\n\x00"))
		l.connMu.Lock()
		delete(l.conns, c)
		l.connMu.Unlock()
		c.Close()
	}()
}

func (l *Listener) serveConn(c net.Conn, org, src int64) {
	r := bufio.NewReaderSize(c, 128<<10)
	batch := make([]vault.Event, 0, batchMax)
	var scratch []byte
	for {
		msg, err := readFrame(r, &scratch)
		if len(bytes.TrimSpace(msg)) > 0 {
			ev := Parse(msg, l.now())
			ev.SourceID = src
			l.count(&ev)
			batch = append(batch, ev)
		}
		if err != nil {
			if len(batch) > 0 {
				l.appendBatch(org, batch)
			}
			if !errors.Is(err, io.EOF) && !errors.Is(err, net.ErrClosed) {
				l.framing.Add(1)
			}
			return
		}
		// Append when the batch is full or no complete message is
		// waiting: this groups bursts without delaying a lone message.
		if len(batch) >= batchMax || !frameBuffered(r) {
			l.appendBatch(org, batch)
			batch = batch[:0] // Append copies the events it keeps
		}
	}
}

var errFraming = errors.New("octet-counted frame length is invalid")

// readFrame reads one RFC 6587 frame: octet-counted if it starts with a
// digit, else up to a newline. The frame is valid only until the next read
// from r or the next use of *scratch: it points into r's buffer when the
// frame lies whole in it, else into *scratch, which is reused from frame to
// frame (Parse does not keep its line, so no per-line allocation is needed).
func readFrame(r *bufio.Reader, scratch *[]byte) ([]byte, error) {
	b, err := r.Peek(1)
	if err != nil {
		return nil, err
	}
	if b[0] >= '1' && b[0] <= '9' {
		n := 0
		for {
			c, err := r.ReadByte()
			if err != nil {
				return nil, err
			}
			if c == ' ' {
				break
			}
			if c < '0' || c > '9' || n > MaxMessage {
				return nil, errFraming
			}
			n = n*10 + int(c-'0')
		}
		if n > MaxMessage {
			return nil, errFraming
		}
		msg := slices.Grow((*scratch)[:0], n)[:n]
		*scratch = msg
		if _, err := io.ReadFull(r, msg); err != nil {
			return nil, err
		}
		return msg, nil
	}
	part, err := r.ReadSlice('\n')
	if err != bufio.ErrBufferFull {
		return part, err // the common case: the whole line is in r's buffer
	}
	msg := append((*scratch)[:0], part...)
	for len(msg) < MaxMessage {
		part, err = r.ReadSlice('\n')
		msg = append(msg, part...)
		if err != bufio.ErrBufferFull {
			break
		}
	}
	*scratch = msg
	if err == bufio.ErrBufferFull {
		return msg, nil // over-long line: store what we have, continue after it
	}
	return msg, err
}

// frameBuffered reports whether a complete frame is already buffered.
func frameBuffered(r *bufio.Reader) bool {
	n := r.Buffered()
	if n == 0 {
		return false
	}
	b, _ := r.Peek(n)
	if b[0] >= '1' && b[0] <= '9' {
		ln := 0
		for i, c := range b {
			if c == ' ' {
				return len(b)-i-1 >= ln
			}
			if c < '0' || c > '9' {
				return true // broken framing: let readFrame report it
			}
			ln = ln*10 + int(c-'0')
			if ln > MaxMessage {
				return true
			}
		}
		return false
	}
	return bytes.IndexByte(b, '\n') >= 0
}

type udpItem struct {
	org int64
	ev  vault.Event
}

// ListenUDP receives one syslog message per datagram. Parsed messages go
// through a bounded queue to the sink; when it is full, datagrams are
// dropped and counted (UDP senders cannot be slowed down).
func ListenUDP(addr string, res Resolver, sink Sink) (*Listener, error) {
	pc, err := net.ListenPacket("udp", addr)
	if err != nil {
		return nil, fmt.Errorf("ingest: listen udp %s: %w", addr, err)
	}
	if u, ok := pc.(*net.UDPConn); ok {
		// A larger socket buffer absorbs bursts; failure only means the
		// system default stays.
		_ = u.SetReadBuffer(4 << 20)
	}
	l := newListener(res, sink)
	l.pc = pc
	q := make(chan udpItem, udpQueue)
	l.wg.Add(2)
	go func() {
		defer l.wg.Done()
		defer close(q)
		buf := make([]byte, 65536)
		for {
			n, from, err := pc.ReadFrom(buf)
			if err != nil {
				if errors.Is(err, net.ErrClosed) {
					return
				}
				continue
			}
			org, src, ok := res.Resolve(from)
			if !ok {
				l.noteUnknown(from, bytes.TrimRight(buf[:n], "\r\n\x00"))
				continue
			}
			ev := Parse(buf[:n], l.now())
			ev.SourceID = src
			l.count(&ev)
			select {
			case q <- udpItem{org, ev}:
			default:
				l.udpDropped.Add(1)
			}
		}
	}()
	go func() {
		defer l.wg.Done()
		byOrg := map[int64][]vault.Event{}
		for it := range q {
			byOrg[it.org] = append(byOrg[it.org], it.ev)
		drain:
			for n := 1; n < batchMax; n++ {
				select {
				case it, ok := <-q:
					if !ok {
						break drain
					}
					byOrg[it.org] = append(byOrg[it.org], it.ev)
				default:
					break drain
				}
			}
			for org, evs := range byOrg {
				l.appendBatch(org, evs)
				delete(byOrg, org)
			}
		}
	}()
	return l, nil
}

// StaticResolver maps exact sender IPs (and optionally one default) to
// organisation and source; handy for tests and single-tenant setups.
type StaticResolver struct {
	ByIP    map[string][2]int64 // ip -> {org, source}
	Default *[2]int64
}

// Resolve implements Resolver.
func (s StaticResolver) Resolve(remote net.Addr) (int64, int64, bool) {
	var ip string
	switch a := remote.(type) {
	case *net.TCPAddr:
		ip = a.IP.String()
	case *net.UDPAddr:
		ip = a.IP.String()
	default:
		host, _, err := net.SplitHostPort(remote.String())
		if err != nil {
			return 0, 0, false
		}
		ip = host
	}
	if v, ok := s.ByIP[ip]; ok {
		return v[0], v[1], true
	}
	if s.Default != nil {
		return s.Default[0], s.Default[1], true
	}
	return 0, 0, false
}
