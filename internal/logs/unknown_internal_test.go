package logs

import (
	"fmt"
	"net"
	"strings"
	"testing"
	"time"
)

// TestUnknownSenderWarningsRateLimited holds the unknown-sender list to its bounds against
// a hand-written timeline: one warning per address and transport per ten minutes, at most
// twenty a minute for all senders together (the next one given says how many were held
// back), at most 256 entries (the longest silent forgotten first), and samples kept as
// one line of valid UTF-8 of at most 512 bytes.
func TestUnknownSenderWarningsRateLimited(t *testing.T) {
	u := newUnknownSenders()
	t0 := time.Date(2026, 12, 2, 8, 0, 0, 0, time.UTC)
	a := &net.UDPAddr{IP: net.ParseIP("192.0.2.1"), Port: 514}
	steps := []struct {
		at         time.Duration
		transport  string
		warn       bool
		count      uint64
		suppressed int
	}{
		{0, TransportUDP, true, 1, 0},
		{time.Second, TransportUDP, false, 2, 0},
		{time.Second, TransportTCP, true, 1, 0}, // another transport is another entry
		{9 * time.Minute, TransportUDP, false, 3, 0},
		{10 * time.Minute, TransportUDP, true, 4, 0},
	}
	for i, s := range steps {
		e, warn, sup := u.note(s.transport, a, []byte("line"), t0.Add(s.at))
		if warn != s.warn || e.Count != s.count || sup != s.suppressed {
			t.Errorf("step %d: warn %v count %d suppressed %d; want %v %d %d", i, warn, e.Count, sup, s.warn, s.count, s.suppressed)
		}
	}
	// A flood from many addresses within a minute: twenty warnings, then silence; the
	// first warning of the next minute says how many were held back.
	u = newUnknownSenders()
	warned := 0
	for i := range 100 {
		if _, w, _ := u.note(TransportUDP, &net.UDPAddr{IP: net.IPv4(198, 51, 100, byte(i))}, nil, t0.Add(time.Duration(i)*100*time.Millisecond)); w {
			warned++
		}
	}
	if warned != unknownWarnBurst {
		t.Errorf("%d warnings for 100 senders in ten seconds, want %d", warned, unknownWarnBurst)
	}
	if _, w, sup := u.note(TransportUDP, &net.UDPAddr{IP: net.IPv4(198, 51, 101, 1)}, nil, t0.Add(time.Minute+time.Second)); !w || sup != 80 {
		t.Errorf("next minute: warn %v suppressed %d, want true 80", w, sup)
	}
	// Bounded: 300 addresses leave 256, the oldest gone.
	u = newUnknownSenders()
	for i := range 300 {
		u.note(TransportTCP, &net.TCPAddr{IP: net.IPv4(203, 0, byte(i/256), byte(i%256))}, nil, t0.Add(time.Duration(i)*time.Second))
	}
	list := u.list(t0.Add(time.Hour), func(string) bool { return false })
	if len(list) != unknownMax || list[0].Address != "203.0.1.43" || list[len(list)-1].Address != "203.0.0.44" {
		t.Errorf("%d entries, newest %s, oldest %s; want %d, 203.0.1.43, 203.0.0.44", len(list), list[0].Address, list[len(list)-1].Address, unknownMax)
	}
	// Forgotten after a week of silence; known addresses are not listed.
	if l := u.list(t0.Add(8*24*time.Hour), func(string) bool { return false }); len(l) != 0 {
		t.Errorf("%d entries after a week of silence", len(l))
	}
	// Samples: control characters become spaces, a cut character is dropped.
	long := strings.Repeat("日", 200) // 600 bytes
	e, _, _ := u.note(TransportUDP, a, []byte("a\tb\x00c\n"), t0)
	if e.Sample != "a b c " {
		t.Errorf("sample %q", e.Sample)
	}
	e, _, _ = u.note(TransportUDP, a, []byte(long), t0)
	if e.Sample != strings.Repeat("日", 170) {
		t.Errorf("sample of %d bytes, %q…", len(e.Sample), fmt.Sprint(e.Sample[:9]))
	}
	if got := remoteIP(&net.TCPAddr{IP: net.ParseIP("::ffff:192.0.2.9"), Port: 1}); got != "192.0.2.9" {
		t.Errorf("remoteIP of a mapped address: %s", got)
	}
}
