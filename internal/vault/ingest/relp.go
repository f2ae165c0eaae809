package ingest

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"time"

	"ciiguard/internal/vault"
)

// RELP, the Reliable Event Logging Protocol of rsyslog (omrelp/imrelp, librelp), carries
// syslog over TCP with an acknowledgement per message, so a sender knows which messages
// the receiver has and resends the others after a broken connection. A frame is
//
//	TXNR SP COMMAND SP DATALEN [SP DATA] LF
//
// with TXNR a transaction number of at most 9 digits, COMMAND 1–32 letters, DATALEN at
// most 9 digits and DATA exactly DATALEN bytes (omitted, with its space, when DATALEN is
// 0). The client opens a session ("open", offering relp_version and commands=syslog),
// sends "syslog" frames and ends with "close"; the server answers each with an "rsp"
// frame of the same TXNR whose data starts with a status: "200 OK", or "500 reason".
//
// This listener answers "200 OK" to a syslog frame only once its event is durable in the
// vault (Sink.Append returned), so that a kill of the server at any moment loses nothing
// the sender was told was delivered: what was not acknowledged is resent when the sender
// reconnects (it may then be stored twice, never not at all).

// Limits of RELP frames.
const (
	// relpMaxData is the largest DATA accepted: librelp's default maximum frame, twice
	// MaxMessage. Longer frames end the session (the framing cannot be trusted after them).
	relpMaxData = 128 << 10
	relpMaxCmd  = 32
	relpMaxNum  = 9
)

// relpFrame is one parsed RELP frame.
type relpFrame struct {
	txnr uint64
	cmd  string
	data []byte
}

var (
	// errIncomplete means more bytes are needed to finish the frame.
	errIncomplete = errors.New("incomplete RELP frame")
	// errRELPFrame is a frame that breaks the grammar; the session ends.
	errRELPFrame = errors.New("malformed RELP frame")
)

// parseRELPFrame parses the frame at the start of b and returns it with the number of
// bytes it took. It returns errIncomplete when b is a valid beginning of a frame but
// ends too soon, and an error wrapping errRELPFrame when b cannot begin a frame. The
// returned data aliases b.
func parseRELPFrame(b []byte) (relpFrame, int, error) {
	var f relpFrame
	i := 0
	num := func(what string) (uint64, error) {
		start := i
		var n uint64
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			if i-start == relpMaxNum {
				return 0, fmt.Errorf("%w: %s has more than %d digits", errRELPFrame, what, relpMaxNum)
			}
			n = n*10 + uint64(b[i]-'0')
			i++
		}
		if i == len(b) {
			return 0, errIncomplete
		}
		if i == start {
			return 0, fmt.Errorf("%w: %s is not a number", errRELPFrame, what)
		}
		return n, nil
	}
	sp := func(what string) error {
		if i == len(b) {
			return errIncomplete
		}
		if b[i] != ' ' {
			return fmt.Errorf("%w: want a space after %s", errRELPFrame, what)
		}
		i++
		return nil
	}
	var err error
	if f.txnr, err = num("TXNR"); err != nil {
		return f, 0, err
	}
	if err := sp("TXNR"); err != nil {
		return f, 0, err
	}
	start := i
	for i < len(b) && (b[i] >= 'a' && b[i] <= 'z' || b[i] >= 'A' && b[i] <= 'Z') {
		if i-start == relpMaxCmd {
			return f, 0, fmt.Errorf("%w: command longer than %d letters", errRELPFrame, relpMaxCmd)
		}
		i++
	}
	if i == len(b) {
		return f, 0, errIncomplete
	}
	if i == start {
		return f, 0, fmt.Errorf("%w: no command", errRELPFrame)
	}
	f.cmd = string(b[start:i])
	if err := sp("COMMAND"); err != nil {
		return f, 0, err
	}
	n, err := num("DATALEN")
	if err != nil {
		return f, 0, err
	}
	if n > relpMaxData {
		return f, 0, fmt.Errorf("%w: DATALEN %d is larger than %d", errRELPFrame, n, relpMaxData)
	}
	if n > 0 || b[i] == ' ' {
		// librelp writes "0 " before the trailer of an empty frame in some versions;
		// a space is always allowed here.
		if err := sp("DATALEN"); err != nil {
			return f, 0, err
		}
	}
	if uint64(len(b)-i) < n+1 {
		return f, 0, errIncomplete
	}
	f.data = b[i : i+int(n)]
	i += int(n)
	if b[i] != '\n' {
		return f, 0, fmt.Errorf("%w: DATA is not followed by LF", errRELPFrame)
	}
	return f, i + 1, nil
}

// relpReaderSize holds the largest frame with room to spare.
const relpReaderSize = relpMaxData + 256

// readRELPFrame reads one frame from r (made with relpReaderSize). The frame's data is a
// copy.
func readRELPFrame(r *bufio.Reader) (relpFrame, error) {
	for {
		b, _ := r.Peek(r.Buffered())
		f, n, err := parseRELPFrame(b)
		if err == nil {
			f.data = append([]byte(nil), f.data...)
			_, _ = r.Discard(n)
			return f, nil
		}
		if !errors.Is(err, errIncomplete) {
			return f, err
		}
		if r.Buffered() >= r.Size() {
			return f, fmt.Errorf("%w: frame larger than the buffer", errRELPFrame)
		}
		if _, err := r.Peek(r.Buffered() + 1); err != nil {
			if errors.Is(err, io.EOF) && r.Buffered() > 0 {
				return f, io.ErrUnexpectedEOF
			}
			return f, err
		}
	}
}

// relpBuffered reports whether a whole frame (or broken framing) is already buffered.
func relpBuffered(r *bufio.Reader) bool {
	b, _ := r.Peek(r.Buffered())
	_, _, err := parseRELPFrame(b)
	return !errors.Is(err, errIncomplete)
}

// appendRELP writes a frame.
func appendRELP(w *bufio.Writer, txnr uint64, cmd, data string) {
	w.WriteString(strconv.FormatUint(txnr, 10))
	w.WriteByte(' ')
	w.WriteString(cmd)
	w.WriteByte(' ')
	w.WriteString(strconv.Itoa(len(data)))
	if data != "" {
		w.WriteByte(' ')
		w.WriteString(data)
	}
	w.WriteByte('\n')
}

// relpOpenAnswer is the server's half of the open handshake.
const relpOpenAnswer = "200 OK\nrelp_version=0\nrelp_software=ciiguard\ncommands=syslog"

// ListenRELP accepts syslog over RELP on addr. A message is acknowledged ("200 OK") only
// once the sink made it durable; when the sink refuses a batch, its messages are answered
// "500" and the sender keeps them. A sender the resolver does not know is answered "500"
// on its first message, which is kept as the unknown sender's sample, and disconnected.
func ListenRELP(addr string, res Resolver, sink Sink) (*Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("ingest: listen relp %s: %w", addr, err)
	}
	l := newListener(res, sink)
	l.ln = ln
	l.serve = l.serveRELP
	l.refuse = l.refuseRELP
	l.start()
	return l, nil
}

// relpPending is a syslog frame parsed and waiting for its batch to be appended.
type relpPending struct{ txnr uint64 }

func (l *Listener) serveRELP(c net.Conn, org, src int64) {
	r := bufio.NewReaderSize(c, relpReaderSize)
	w := bufio.NewWriter(c)
	opened := false
	batch := make([]vault.Event, 0, batchMax)
	var pending []relpPending
	// flush appends the batch and answers its frames: 200 only after Append returned.
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		status := "200 OK"
		if _, err := l.sink.Append(l.ctx, org, batch); err != nil {
			l.appendErrs.Add(1)
			l.relpRefused.Add(uint64(len(batch)))
			if l.ErrorLog != nil {
				l.ErrorLog(fmt.Errorf("ingest: relp: append %d events for org %d: %w", len(batch), org, err))
			}
			status = "500 the log vault did not store the message; retry later"
		} else {
			l.relpAcked.Add(uint64(len(batch)))
		}
		for _, p := range pending {
			appendRELP(w, p.txnr, "rsp", status)
		}
		batch, pending = batch[:0], pending[:0]
		return w.Flush()
	}
	for {
		f, err := readRELPFrame(r)
		if err != nil {
			// Frames read but not answered are not acknowledged: the sender resends them.
			if !errors.Is(err, io.EOF) && !errors.Is(err, net.ErrClosed) && !errors.Is(err, io.ErrUnexpectedEOF) {
				l.framing.Add(1)
				if errors.Is(err, errRELPFrame) {
					batch = batch[:0]
					appendRELP(w, 0, "serverclose", "")
					_ = w.Flush()
				}
			}
			return
		}
		if f.cmd != "syslog" {
			if err := flush(); err != nil {
				return
			}
		}
		switch f.cmd {
		case "syslog":
			if !opened {
				appendRELP(w, f.txnr, "rsp", "500 the session is not open")
				if w.Flush() != nil {
					return
				}
				continue
			}
			msg := f.data
			if len(msg) > MaxMessage {
				msg = msg[:MaxMessage]
			}
			ev := Parse(msg, l.now())
			ev.SourceID = src
			l.count(&ev)
			batch = append(batch, ev)
			pending = append(pending, relpPending{f.txnr})
			if len(batch) >= batchMax || !relpBuffered(r) {
				if err := flush(); err != nil {
					return
				}
			}
		case "open":
			if opened || !offersSyslog(f.data) {
				appendRELP(w, f.txnr, "rsp", "500 want one open offering commands=syslog")
				_ = w.Flush()
				return
			}
			opened = true
			l.relpSessions.Add(1)
			appendRELP(w, f.txnr, "rsp", relpOpenAnswer)
			if w.Flush() != nil {
				return
			}
		case "close":
			appendRELP(w, f.txnr, "rsp", "")
			_ = w.Flush()
			return
		default:
			appendRELP(w, f.txnr, "rsp", "500 command not supported: "+f.cmd)
			if w.Flush() != nil {
				return
			}
		}
	}
}

// offersSyslog reports whether an open frame's offers include the syslog command.
func offersSyslog(data []byte) bool {
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "commands="); ok {
			for _, c := range strings.Split(v, ",") {
				if strings.TrimSpace(c) == "syslog" {
					return true
				}
			}
		}
	}
	return false
}

// refuseRELP answers an unknown sender: it completes the open handshake so that the
// sender sends its first message, keeps that as the sample, answers it 500 and closes.
func (l *Listener) refuseRELP(c net.Conn) []byte {
	_ = c.SetDeadline(time.Now().Add(unknownWait))
	r := bufio.NewReaderSize(c, relpReaderSize)
	w := bufio.NewWriter(c)
	for range 4 {
		f, err := readRELPFrame(r)
		if err != nil {
			return nil
		}
		switch f.cmd {
		case "open":
			appendRELP(w, f.txnr, "rsp", relpOpenAnswer)
		case "syslog":
			appendRELP(w, f.txnr, "rsp", "500 this sender's address is not registered as a log source")
			appendRELP(w, 0, "serverclose", "")
			_ = w.Flush()
			return f.data
		default:
			appendRELP(w, f.txnr, "rsp", "")
			_ = w.Flush()
			return nil
		}
		if w.Flush() != nil {
			return nil
		}
	}
	return nil
}
