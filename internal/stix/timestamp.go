package stix

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Timestamp is a STIX timestamp (section 3.2): RFC 3339 in UTC with a "Z", with as many
// fractional-second digits as it was read with, so that a round trip writes the same
// text. Timestamps made by Now or At carry milliseconds, the precision created and
// modified must have.
type Timestamp struct {
	time.Time
	// Digits is the number of fractional-second digits written (0-9).
	Digits int
}

// At returns t as a timestamp in UTC with millisecond precision.
func At(t time.Time) Timestamp { return Timestamp{Time: t.UTC().Truncate(time.Millisecond), Digits: 3} }

// Now is At(time.Now()).
func Now() Timestamp { return At(time.Now()) }

// ParseTimestamp reads a STIX timestamp. The specification requires upper-case "T" and
// "Z" and UTC; an offset other than Z is refused.
func ParseTimestamp(s string) (Timestamp, error) {
	if len(s) < 20 || !strings.HasSuffix(s, "Z") || s[10] != 'T' {
		return Timestamp{}, fmt.Errorf("timestamp %q: want YYYY-MM-DDTHH:MM:SS[.s+]Z in UTC", s)
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return Timestamp{}, fmt.Errorf("timestamp %q: %w", s, err)
	}
	digits := 0
	if i := strings.IndexByte(s, '.'); i > 0 {
		digits = len(s) - i - 2
	}
	if digits > 9 {
		return Timestamp{}, fmt.Errorf("timestamp %q: more than 9 fractional digits", s)
	}
	return Timestamp{Time: t.UTC(), Digits: digits}, nil
}

// String writes the timestamp with its digits.
func (t Timestamp) String() string {
	s := t.UTC().Format("2006-01-02T15:04:05")
	if t.Digits > 0 {
		frac := fmt.Sprintf("%09d", t.Nanosecond())
		s += "." + frac[:t.Digits]
	}
	return s + "Z"
}

// MillisecondPrecise reports whether the timestamp was written to at least the
// millisecond, as created and modified must be (section 3.2).
func (t Timestamp) MillisecondPrecise() bool { return t.Digits >= 3 }

// MarshalJSON implements json.Marshaler.
func (t Timestamp) MarshalJSON() ([]byte, error) { return json.Marshal(t.String()) }

// UnmarshalJSON implements json.Unmarshaler.
func (t *Timestamp) UnmarshalJSON(b []byte) error {
	var s string
	// A timestamp has no escapes: its quotes are cut off instead of a second decoder run,
	// three times per indicator of a feed. Anything else goes through the decoder.
	if n := len(b); n >= 2 && b[0] == '"' && b[n-1] == '"' && bytes.IndexByte(b[1:n-1], '\\') < 0 && bytes.IndexByte(b[1:n-1], '"') < 0 {
		s = string(b[1 : n-1])
	} else if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("timestamp: %w", err)
	}
	p, err := ParseTimestamp(s)
	if err != nil {
		return err
	}
	*t = p
	return nil
}
