package ingest

import (
	"errors"
	"strings"
	"testing"
	"time"

	"ciiguard/internal/vault"
)

func TestParse(t *testing.T) {
	recv := time.Date(2026, 11, 25, 5, 0, 0, 0, time.UTC)
	tests := []struct {
		name, line                     string
		format, host, app, proc, msgid string
		fac, sev                       int
		msg                            string
		raw                            bool
		tm                             time.Time
	}{
		{name: "rfc5424", line: `<165>1 2026-11-25T04:59:58.123Z fw1 sshd 4242 ID47 - Failed password for root from 10.0.0.9`,
			format: "rfc5424", host: "fw1", app: "sshd", proc: "4242", msgid: "ID47", fac: 20, sev: 5,
			msg: "Failed password for root from 10.0.0.9", tm: time.Date(2026, 11, 25, 4, 59, 58, 123e6, time.UTC)},
		{name: "rfc5424 structured data kept raw", line: `<14>1 2026-11-25T04:59:58Z h a - - [x@1 k="v"] hi`,
			format: "rfc5424", host: "h", app: "a", fac: 1, sev: 6, msg: "hi", raw: true},
		{name: "rfc3164", line: "<34>Nov 25 04:59:58 bastion1 sshd[812]: Accepted publickey for ops",
			format: "rfc3164", host: "bastion1", app: "sshd", proc: "812", fac: 4, sev: 2, msg: "Accepted publickey for ops",
			tm: time.Date(2026, 11, 25, 4, 59, 58, 0, time.UTC)},
		{name: "rfc3164 last year's December", line: "<34>Dec 31 23:59:59 h app: m",
			format: "rfc3164", host: "h", app: "app", fac: 4, sev: 2, msg: "m", tm: time.Date(2025, 12, 31, 23, 59, 59, 0, time.UTC)},
		{name: "garbage with PRI", line: "<13>this is not syslog at all", format: "raw", fac: 1, sev: 5,
			msg: "<13>this is not syslog at all", raw: true},
		{name: "no PRI", line: "plain text line\r\n", format: "raw", fac: -1, sev: -1, msg: "plain text line", raw: true},
		{name: "bad PRI", line: "<999>1 x", format: "raw", fac: -1, sev: -1, msg: "<999>1 x", raw: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ev := Parse([]byte(tc.line), recv)
			if ev.Format != tc.format || ev.Host != tc.host || ev.App != tc.app || ev.ProcID != tc.proc ||
				ev.MsgID != tc.msgid || ev.Facility != tc.fac || ev.Severity != tc.sev || ev.Message != tc.msg ||
				(ev.Raw != nil) != tc.raw {
				t.Fatalf("got %+v", ev)
			}
			if !tc.tm.IsZero() && !ev.Time.Equal(tc.tm) {
				t.Fatalf("time %v, want %v", ev.Time, tc.tm)
			}
			if !ev.Received.Equal(recv) {
				t.Fatalf("received %v", ev.Received)
			}
		})
	}
}

func TestParseJSON(t *testing.T) {
	tests := []struct {
		line  string
		want  vault.Event
		field string // expected error field
	}{
		{line: `{"time":"2026-01-02T03:04:05Z","host":"fw1","app":"x","severity":"err","facility":"local4","message":"m"}`,
			want: vault.Event{Time: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), Host: "fw1", App: "x", Severity: 3, Facility: 20, Message: "m", Format: "json"}},
		{line: `{"time":1767323045.5,"severity":4,"message":"m","extra":{"a":1}}`,
			want: vault.Event{Time: time.Unix(1767323045, 5e8).UTC(), Severity: 4, Facility: -1, Message: "m", Format: "json",
				Raw: []byte(`{"time":1767323045.5,"severity":4,"message":"m","extra":{"a":1}}`)}},
		{line: `{"host":"h"}`, field: "message"},
		{line: `{"message":1}`, field: "message"},
		{line: `{"message":"m","severity":9}`, field: "severity"},
		{line: `{"message":"m","facility":"nope"}`, field: "facility"},
		{line: `{"message":"m","time":"yesterday"}`, field: "time"},
		{line: `{"message":"m","host":5}`, field: "host"},
		{line: `[1,2]`, field: "(line)"},
		{line: `{"message":"m"} {}`, field: "(line)"},
	}
	for _, tc := range tests {
		ev, err := ParseJSON([]byte(tc.line))
		if tc.field != "" {
			var fe *FieldError
			if !errors.As(err, &fe) || fe.Field != tc.field {
				t.Errorf("%s: error %v, want one for field %s", tc.line, err, tc.field)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tc.line, err)
			continue
		}
		if !ev.Time.Equal(tc.want.Time) || ev.Host != tc.want.Host || ev.App != tc.want.App || ev.Severity != tc.want.Severity ||
			ev.Facility != tc.want.Facility || ev.Message != tc.want.Message || ev.Format != tc.want.Format || string(ev.Raw) != string(tc.want.Raw) {
			t.Errorf("%s: got %+v", tc.line, ev)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"<165>1 2026-11-25T04:59:58.123Z fw1 sshd 4242 ID47 - msg", "<34>Nov 25 04:59:58 h a[1]: m",
		"<13>", "<", "<1>1 ", "plain", "<191>Dec 31 23:59:59 h app: " + strings.Repeat("x", 100)} {
		f.Add([]byte(s))
	}
	recv := time.Date(2026, 11, 25, 5, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, b []byte) {
		ev := Parse(b, recv)
		if ev.Format == vault.FormatRaw && ev.Raw == nil && len(strings.TrimRight(string(b), "\r\n\x00")) > 0 {
			t.Fatalf("raw event without raw bytes for %q", b)
		}
		if ev.Severity < -1 || ev.Severity > 7 || ev.Facility < -1 || ev.Facility > 23 {
			t.Fatalf("severity/facility out of range: %+v", ev)
		}
	})
}

func FuzzParseJSON(f *testing.F) {
	f.Add([]byte(`{"time":"2026-01-02T03:04:05Z","host":"fw1","severity":"err","message":"m"}`))
	f.Add([]byte(`{"time":1.5,"message":"m","x":[1]}`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		ev, err := ParseJSON(b)
		if err != nil {
			var fe *FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("error without field: %v", err)
			}
			return
		}
		if ev.Severity < -1 || ev.Severity > 7 || ev.Facility < -1 || ev.Facility > 23 {
			t.Fatalf("severity/facility out of range: %+v", ev)
		}
	})
}
