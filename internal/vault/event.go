package vault

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Event is one log record kept in an organisation's log.
//
// Seq is assigned by Append and is also the event's leaf index in the
// organisation's Merkle tree. Facility and Severity use -1 for "unknown" so
// that a missing priority is never confused with kern/emerg (0).
type Event struct {
	Seq      uint64    `json:"seq"`
	OrgID    int64     `json:"org_id"`
	SourceID int64     `json:"source_id"`
	Received time.Time `json:"received"`
	// Time is the sender's timestamp; Append sets it to Received when the
	// sender gave none, so every stored event has a usable time for search.
	Time     time.Time `json:"time"`
	Host     string    `json:"host,omitempty"`
	App      string    `json:"app,omitempty"`
	ProcID   string    `json:"procid,omitempty"`
	MsgID    string    `json:"msgid,omitempty"`
	Facility int       `json:"facility"`
	Severity int       `json:"severity"`
	Message  string    `json:"message"`
	// Raw holds the original bytes when the line could not be parsed, when
	// parsing would lose information (structured data, unknown JSON fields,
	// invalid UTF-8), or when the caller wants byte-exact fidelity.
	Raw []byte `json:"raw,omitempty"`
	// Format names how the event was parsed: rfc5424, rfc3164, json or raw.
	Format string `json:"format"`
}

// Formats accepted in Event.Format.
const (
	FormatRFC5424 = "rfc5424"
	FormatRFC3164 = "rfc3164"
	FormatJSON    = "json"
	FormatRaw     = "raw"
)

// leafVersion is the first byte of every leaf; bump it if the canonical
// encoding ever changes so old and new leaves can never be confused.
const leafVersion = 1

// maxFieldLen bounds every string field so one hostile sender cannot make a
// single event (and so a block) arbitrarily large.
const maxFieldLen = 64 << 10

// MaxFieldBytes is the longest text field of a stored event; a longer message is cut,
// its original bytes kept in Raw.
const MaxFieldBytes = maxFieldLen

// MaxEventBytes is the largest event the vault stores, counted as its original bytes (an
// ingested line, say); a sender must refuse or split anything larger.
const MaxEventBytes = 4 * maxFieldLen

var (
	minTime = time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)
	maxTime = time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC)
)

// normalize makes an event storable: UTC times inside the range that fits
// int64 nanoseconds, valid UTF-8 text (the original bytes go to Raw so
// nothing is lost), bounded field sizes and a known format. It runs before
// hashing, so the stored, hashed and served forms are the same.
func normalize(ev *Event, org int64, now time.Time) error {
	ev.OrgID = org
	if ev.Received.IsZero() {
		ev.Received = now
	}
	// Reception time is kept to the millisecond: finer is noise for logs
	// (order is given by Seq) and costs about a byte per event on disk.
	ev.Received = clampTime(ev.Received, now).Truncate(time.Millisecond)
	if ev.Time.IsZero() || ev.Time.Before(minTime) || !ev.Time.Before(maxTime) {
		ev.Time = ev.Received
	}
	ev.Time = ev.Time.UTC()
	if ev.Facility < -1 || ev.Facility > 23 {
		ev.Facility = -1
	}
	if ev.Severity < -1 || ev.Severity > 7 {
		ev.Severity = -1
	}
	switch ev.Format {
	case FormatRFC5424, FormatRFC3164, FormatJSON, FormatRaw:
	case "":
		ev.Format = FormatRaw
	default:
		return fmt.Errorf("event format %q: want rfc5424, rfc3164, json or raw", ev.Format)
	}
	// Text fields must be valid UTF-8 so JSON exports round-trip to the
	// same leaf bytes; keep the original message bytes in Raw when the
	// cleanup would otherwise lose them.
	if ev.Raw == nil && (!utf8.ValidString(ev.Message) || len(ev.Message) > maxFieldLen) {
		ev.Raw = []byte(ev.Message)
	}
	for _, f := range []*string{&ev.Host, &ev.App, &ev.ProcID, &ev.MsgID, &ev.Message} {
		if len(*f) > maxFieldLen {
			*f = (*f)[:maxFieldLen]
		}
		if !utf8.ValidString(*f) {
			*f = strings.ToValidUTF8(*f, "\uFFFD")
		}
	}
	if len(ev.Raw) > MaxEventBytes {
		return fmt.Errorf("event raw bytes: %d bytes exceed the %d byte limit", len(ev.Raw), MaxEventBytes)
	}
	return nil
}

func clampTime(t, now time.Time) time.Time {
	if t.Before(minTime) || !t.Before(maxTime) {
		return now.UTC()
	}
	return t.UTC()
}

// LeafData returns the canonical serialization of ev that is hashed into the
// Merkle tree (leaf hash = SHA-256(0x00 || LeafData)). The sequence number is
// not part of it: it is the leaf index, which every proof already binds.
//
//	byte    version (1)
//	varint  org id, source id                       (zig-zag, as encoding/binary)
//	varint  received, time                          (Unix nanoseconds, UTC)
//	varint  facility, severity                      (-1 = unknown)
//	string  format, host, app, procid, msgid, message
//	bytes   raw
//
// where string and bytes are a uvarint length followed by that many bytes.
func LeafData(ev *Event) []byte {
	return appendLeafData(make([]byte, 0, leafDataCap(ev)), ev)
}

// leafDataCap is an upper bound of the length of ev's leaf data.
func leafDataCap(ev *Event) int {
	return 1 + 6*binary.MaxVarintLen64 + 6*binary.MaxVarintLen32 + len(ev.Format) + len(ev.Host) +
		len(ev.App) + len(ev.ProcID) + len(ev.MsgID) + len(ev.Message) + len(ev.Raw) + binary.MaxVarintLen32
}

func appendLeafData(b []byte, ev *Event) []byte {
	b = append(b, leafVersion)
	b = binary.AppendVarint(b, ev.OrgID)
	b = binary.AppendVarint(b, ev.SourceID)
	b = binary.AppendVarint(b, ev.Received.UnixNano())
	b = binary.AppendVarint(b, ev.Time.UnixNano())
	b = binary.AppendVarint(b, int64(ev.Facility))
	b = binary.AppendVarint(b, int64(ev.Severity))
	for _, s := range [...]string{ev.Format, ev.Host, ev.App, ev.ProcID, ev.MsgID, ev.Message} {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	b = binary.AppendUvarint(b, uint64(len(ev.Raw)))
	return append(b, ev.Raw...)
}

// ParseLeafData decodes LeafData output. It rejects trailing bytes and
// anything that is not exactly what LeafData would produce, so that a
// verifier holding the leaf bytes knows the event they describe.
func ParseLeafData(b []byte) (Event, error) {
	var ev Event
	d := decoder{b: b}
	if v := d.byte(); v != leafVersion {
		return ev, fmt.Errorf("leaf version %d: only version %d is known", v, leafVersion)
	}
	ev.OrgID = d.varint()
	ev.SourceID = d.varint()
	ev.Received = time.Unix(0, d.varint()).UTC()
	ev.Time = time.Unix(0, d.varint()).UTC()
	ev.Facility = int(d.varint())
	ev.Severity = int(d.varint())
	ev.Format = d.str()
	ev.Host = d.str()
	ev.App = d.str()
	ev.ProcID = d.str()
	ev.MsgID = d.str()
	ev.Message = d.str()
	if raw := d.bytes(); len(raw) > 0 {
		ev.Raw = append([]byte(nil), raw...)
	}
	if d.err != nil {
		return ev, fmt.Errorf("leaf data: %w", d.err)
	}
	if len(d.b) != 0 {
		return ev, fmt.Errorf("leaf data: %d trailing bytes", len(d.b))
	}
	// Varints admit overlong forms; accept only the one encoding LeafData
	// produces so each event has exactly one leaf.
	if !bytes.Equal(LeafData(&ev), b) {
		return ev, errors.New("leaf data: not in canonical form")
	}
	return ev, nil
}

// LeafHash is the RFC 9162 leaf hash of data: SHA-256(0x00 || data).
func LeafHash(data []byte) [32]byte {
	h := sha256.New()
	h.Write([]byte{0})
	h.Write(data)
	var out [32]byte
	h.Sum(out[:0])
	return out
}

// nodeHash is the RFC 9162 interior hash: SHA-256(0x01 || left || right).
func nodeHash(l, r [32]byte) [32]byte {
	var buf [65]byte
	buf[0] = 1
	copy(buf[1:], l[:])
	copy(buf[33:], r[:])
	return sha256.Sum256(buf[:])
}

// emptyRoot is the RFC 9162 hash of the empty tree.
var emptyRoot = sha256.Sum256(nil)

// decoder reads the varint-based encodings used by leaves, blocks and index
// entries. It records the first error and returns zero values afterwards so
// callers check once at the end instead of after every field.
type decoder struct {
	b   []byte
	err error
}

var errShort = errors.New("truncated data")

func (d *decoder) fail(err error) {
	if d.err == nil {
		d.err = err
	}
	d.b = nil
}

func (d *decoder) byte() byte {
	if len(d.b) < 1 {
		d.fail(errShort)
		return 0
	}
	c := d.b[0]
	d.b = d.b[1:]
	return c
}

func (d *decoder) varint() int64 {
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.fail(errors.New("bad varint"))
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) uvarint() uint64 {
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.fail(errors.New("bad uvarint"))
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) bytes() []byte {
	n := d.uvarint()
	if d.err != nil {
		return nil
	}
	if n > uint64(len(d.b)) {
		d.fail(fmt.Errorf("length %d exceeds remaining %d bytes", n, len(d.b)))
		return nil
	}
	s := d.b[:n:n]
	d.b = d.b[n:]
	return s
}

func (d *decoder) str() string { return string(d.bytes()) }

func (d *decoder) u32() uint32 {
	if len(d.b) < 4 {
		d.fail(errShort)
		return 0
	}
	v := binary.LittleEndian.Uint32(d.b)
	d.b = d.b[4:]
	return v
}
