package main

import (
	"strings"
	"testing"
	"time"
)

// TestNodeFlags: a --node-url other nodes could not use and a lease too short to renew are
// refused naming the flag; a good URL loses its trailing slash (paths are appended to it).
func TestNodeFlags(t *testing.T) {
	for _, c := range []struct {
		url   string
		lease time.Duration
		want  string // refusal prefix; empty: accepted
		clean string
	}{
		{url: "", lease: 10 * time.Second},
		{url: "http://10.0.0.5:8080/", lease: 10 * time.Second, clean: "http://10.0.0.5:8080"},
		{url: "https://web-1.example.cn", lease: time.Second, clean: "https://web-1.example.cn"},
		{url: "10.0.0.5:8080", lease: 10 * time.Second, want: `--node-url "10.0.0.5:8080": want an http:// or https:// base URL`},
		{url: "ftp://web-1", lease: 10 * time.Second, want: `--node-url "ftp://web-1"`},
		{url: "http://", lease: 10 * time.Second, want: `--node-url "http://"`},
		{url: "http://web-1/?x=1", lease: 10 * time.Second, want: `--node-url "http://web-1/?x=1"`},
		{url: "", lease: 500 * time.Millisecond, want: "--vault-lease 500ms: want at least 1s"},
	} {
		t.Run(c.url+" "+c.lease.String(), func(t *testing.T) {
			n := nodeFlags{url: c.url, vaultLease: c.lease}
			err := n.check()
			if c.want != "" {
				if err == nil || !strings.HasPrefix(err.Error(), c.want) {
					t.Fatalf("check: %v; want a refusal starting %q", err, c.want)
				}
				return
			}
			if err != nil || n.url != c.clean {
				t.Fatalf("check: %v, URL %q; want accepted as %q", err, n.url, c.clean)
			}
		})
	}
}
