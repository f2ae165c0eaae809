package stix

import (
	"maps"
	"slices"
	"testing"
	"time"

	"ciiguard/internal/vault/loggen"
)

// nonEmpty is the observation's values without the paths a reused Observed keeps empty.
func nonEmpty(o Observed) map[string][]string {
	out := map[string][]string{}
	for k, vs := range o.Values {
		if len(vs) > 0 {
			out[k] = vs
		}
	}
	return out
}

// TestObserveIntoReused: one Observed reused over lines of every kind, each line after one
// that showed other observables (a URL, an e-mail address, a hash, an IPv6 address, then a
// line with none), observes exactly what a fresh ObserveText does, and a pattern whose path
// an earlier line had does not match a later line without it.
func TestObserveIntoReused(t *testing.T) {
	lines := []string{
		"GET http://c1.evil9.example/gate.php from 203.0.113.9 user=a@b.example",
		"sha256=9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08 on 2001:db8::1",
		"plain words and a port 8443 only",
		"login from 198.51.100.23 to vpn.corp.example",
		"",
	}
	g := loggen.New(7, time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC), 50)
	for range 200 {
		l, _ := g.Next()
		lines = append(lines, string(l))
	}
	var o Observed
	for i, l := range lines {
		at := time.Unix(int64(i), 0)
		ObserveTextInto(&o, l, at)
		want := ObserveText(l, at)
		if !maps.EqualFunc(nonEmpty(o), nonEmpty(want), slices.Equal) || !o.Time.Equal(at) {
			t.Fatalf("line %d %q: reused %v, fresh %v", i, l, nonEmpty(o), nonEmpty(want))
		}
	}
	p, err := ParsePattern("[url:value = 'http://c1.evil9.example/gate.php']")
	if err != nil {
		t.Fatal(err)
	}
	x := NewIndex()
	x.Add(p)
	hits := 0
	for _, l := range lines[:3] {
		ObserveTextInto(&o, l, time.Time{})
		x.Match(&o, func(int) { hits++ })
	}
	if hits != 1 {
		t.Errorf("the URL pattern matched %d of the first three lines, want only the first", hits)
	}
}
