// Package ingest receives logs for the vault: syslog over UDP, TCP, TLS
// and RELP (RFC 5424 and RFC 3164 messages; RFC 6587 octet-counting and
// newline framing; RFC 5425 TLS transport; rsyslog's RELP, whose messages
// are acknowledged only once durable) and JSON lines, turning each message
// into a vault.Event and handing batches to a Sink (the vault).
//
// Nothing received from a known sender is dropped for being malformed: a
// line that does not parse is stored as a raw event and counted.
// Back-pressure: TCP and TLS connections are read only as fast as the sink
// accepts (Append blocks when storage falls behind, so the kernel's TCP
// window slows the sender); UDP has no flow control, so datagrams that do
// not fit the bounded queue are dropped and counted.
package ingest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	syslog "github.com/leodido/go-syslog/v4"
	"github.com/leodido/go-syslog/v4/rfc3164"
	"github.com/leodido/go-syslog/v4/rfc5424"

	"ciiguard/internal/vault"
)

// The go-syslog machines are not safe for concurrent use and the library's
// parsers serialise on a mutex; a pool gives each goroutine its own.
var (
	pool5424 = sync.Pool{New: func() any { return rfc5424.NewMachine() }}
	pool3164 = sync.Pool{New: func() any { return rfc3164.NewMachine(rfc3164.WithYear(rfc3164.CurrentYear{})) }}
)

// Parse turns one syslog line into an event. RFC 5424 is tried when the
// version field is present, then RFC 3164; a line neither accepts is kept
// whole as a raw event (Format "raw", Raw set, facility and severity taken
// from a leading <PRI> when there is one). received is the reception time.
// Parse never fails and does not retain line.
func Parse(line []byte, received time.Time) vault.Event {
	line = bytes.TrimRight(line, "\r\n\x00")
	ev := vault.Event{Received: received, Facility: -1, Severity: -1, Format: vault.FormatRaw}
	pri, rest, hasPri := splitPRI(line)
	if hasPri && len(rest) >= 2 && rest[0] == '1' && rest[1] == ' ' {
		m := pool5424.Get().(syslog.Machine)
		msg, err := m.Parse(line)
		pool5424.Put(m)
		if err == nil {
			if sm, ok := msg.(*rfc5424.SyslogMessage); ok && sm.Valid() {
				fill(&ev, &sm.Base)
				ev.Format = vault.FormatRFC5424
				if sm.StructuredData != nil && len(*sm.StructuredData) > 0 {
					ev.Raw = bytes.Clone(line) // keep structured data
				}
				return ev
			}
		}
	}
	if hasPri {
		m := pool3164.Get().(syslog.Machine)
		msg, err := m.Parse(line)
		pool3164.Put(m)
		if err == nil {
			if sm, ok := msg.(*rfc3164.SyslogMessage); ok && sm.Valid() {
				fill(&ev, &sm.Base)
				ev.Format = vault.FormatRFC3164
				if sm.Timestamp != nil {
					ev.Time = fixYear(*sm.Timestamp, received)
				}
				return ev
			}
		}
		ev.Facility, ev.Severity = pri/8, pri%8
	}
	ev.Message = string(line)
	ev.Raw = bytes.Clone(line)
	return ev
}

// splitPRI reads "<N>" with 0 <= N <= 191 at the start of line.
func splitPRI(line []byte) (int, []byte, bool) {
	if len(line) < 3 || line[0] != '<' {
		return 0, line, false
	}
	end := bytes.IndexByte(line[:min(len(line), 5)], '>')
	if end < 2 {
		return 0, line, false
	}
	n, err := strconv.Atoi(string(line[1:end]))
	if err != nil || n < 0 || n > 191 {
		return 0, line, false
	}
	return n, line[end+1:], true
}

func fill(ev *vault.Event, b *syslog.Base) {
	if b.Facility != nil {
		ev.Facility = int(*b.Facility)
	}
	if b.Severity != nil {
		ev.Severity = int(*b.Severity)
	}
	if b.Timestamp != nil {
		ev.Time = *b.Timestamp
	}
	str := func(p *string) string {
		if p == nil || *p == "-" {
			return ""
		}
		return *p
	}
	ev.Host, ev.App, ev.ProcID, ev.MsgID = str(b.Hostname), str(b.Appname), str(b.ProcID), str(b.MsgID)
	if b.Message != nil {
		ev.Message = *b.Message
	}
}

// fixYear corrects RFC 3164 timestamps, which carry no year: take the
// reception year, and the year before when that would put the event more
// than two days in the future (a December line received in January).
func fixYear(t, received time.Time) time.Time {
	t = time.Date(received.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), t.Location())
	if t.Sub(received) > 48*time.Hour {
		t = t.AddDate(-1, 0, 0)
	}
	return t
}

// JSON field names understood by ParseJSON.
var jsonFields = map[string]bool{"time": true, "host": true, "app": true, "procid": true, "msgid": true,
	"severity": true, "facility": true, "message": true}

var facilityNames = map[string]int{"kern": 0, "user": 1, "mail": 2, "daemon": 3, "auth": 4, "syslog": 5,
	"lpr": 6, "news": 7, "uucp": 8, "cron": 9, "authpriv": 10, "ftp": 11, "ntp": 12, "security": 13,
	"console": 14, "solaris-cron": 15, "local0": 16, "local1": 17, "local2": 18, "local3": 19,
	"local4": 20, "local5": 21, "local6": 22, "local7": 23}

var severityNames = map[string]int{"emerg": 0, "emergency": 0, "alert": 1, "crit": 2, "critical": 2,
	"err": 3, "error": 3, "warning": 4, "warn": 4, "notice": 5, "info": 6, "informational": 6, "debug": 7}

// FieldError is a JSON line problem with the field that caused it.
type FieldError struct {
	Field, Reason string
}

// Error formats the problem as "field: reason".
func (e *FieldError) Error() string { return e.Field + ": " + e.Reason }

// ParseJSON parses one JSON object of a JSON-lines stream:
//
//	{"time":"2026-01-02T03:04:05Z","host":"fw1","app":"sshd","severity":3,"facility":"auth","message":"..."}
//
// time is RFC 3339 or Unix seconds (may be fractional) and defaults to the
// reception time; severity and facility are numbers or syslog names;
// message is required. Unknown fields are allowed and kept: the whole line
// is stored in Raw. Errors are *FieldError naming the field and reason.
func ParseJSON(line []byte) (vault.Event, error) {
	ev := vault.Event{Facility: -1, Severity: -1, Format: vault.FormatJSON}
	line = bytes.TrimSpace(line)
	d := json.NewDecoder(bytes.NewReader(line))
	d.UseNumber()
	var m map[string]json.RawMessage
	if err := d.Decode(&m); err != nil {
		return ev, &FieldError{"(line)", "not a JSON object: " + err.Error()}
	}
	if d.More() {
		return ev, &FieldError{"(line)", "more than one JSON value on the line"}
	}
	str := func(k string) (string, error) {
		raw, ok := m[k]
		if !ok {
			return "", nil
		}
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", &FieldError{k, "must be a string"}
		}
		return s, nil
	}
	var err error
	for k, dst := range map[string]*string{"host": &ev.Host, "app": &ev.App, "procid": &ev.ProcID, "msgid": &ev.MsgID} {
		if *dst, err = str(k); err != nil {
			return ev, err
		}
	}
	raw, ok := m["message"]
	if !ok {
		return ev, &FieldError{"message", "missing"}
	}
	// null would decode as "" and store an empty event; the message is required.
	if err := json.Unmarshal(raw, &ev.Message); err != nil || string(raw) == "null" {
		return ev, &FieldError{"message", "must be a string"}
	}
	if raw, ok := m["time"]; ok {
		if ev.Time, err = jsonTime(raw); err != nil {
			return ev, err
		}
	}
	if raw, ok := m["severity"]; ok {
		if ev.Severity, err = jsonCode(raw, "severity", severityNames, 7); err != nil {
			return ev, err
		}
	}
	if raw, ok := m["facility"]; ok {
		if ev.Facility, err = jsonCode(raw, "facility", facilityNames, 23); err != nil {
			return ev, err
		}
	}
	for k := range m {
		if !jsonFields[k] {
			ev.Raw = bytes.Clone(line)
			break
		}
	}
	// A message too long for its field is kept whole as the line it came in, which is
	// never longer than what was sent (decoding can lengthen it: each invalid byte becomes
	// a three-byte U+FFFD).
	if ev.Raw == nil && len(ev.Message) > vault.MaxFieldBytes {
		ev.Raw = bytes.Clone(line)
	}
	return ev, nil
}

func jsonTime(raw json.RawMessage) (time.Time, error) {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return t, &FieldError{"time", fmt.Sprintf("%q is not an RFC 3339 time", s)}
		}
		return t, nil
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		f, err := n.Float64()
		if err != nil || f < 0 || f > 7e9 {
			return time.Time{}, &FieldError{"time", fmt.Sprintf("%s is not a plausible Unix time in seconds", n)}
		}
		sec := int64(f)
		return time.Unix(sec, int64((f-float64(sec))*1e9)).UTC(), nil
	}
	return time.Time{}, &FieldError{"time", "must be an RFC 3339 string or Unix seconds"}
}

func jsonCode(raw json.RawMessage, field string, names map[string]int, hi int) (int, error) {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		if v, ok := names[strings.ToLower(s)]; ok {
			return v, nil
		}
		if v, err := strconv.Atoi(s); err == nil && v >= 0 && v <= hi {
			return v, nil
		}
		return 0, &FieldError{field, fmt.Sprintf("%q is not a %s name or number", s, field)}
	}
	var n json.Number
	if json.Unmarshal(raw, &n) != nil {
		return 0, &FieldError{field, "must be a number or name"}
	}
	v, err := strconv.Atoi(n.String())
	if err != nil || v < 0 || v > hi {
		return 0, &FieldError{field, fmt.Sprintf("%s is outside 0..%d", n, hi)}
	}
	return v, nil
}
