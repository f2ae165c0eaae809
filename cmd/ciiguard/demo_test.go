package main

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestExposedAddresses classifies bound addresses by hand: only loopback stays quiet.
func TestExposedAddresses(t *testing.T) {
	for addr, want := range map[string]bool{
		"127.0.0.1:8080": false, "127.0.0.2:8080": false, "[::1]:8080": false,
		"0.0.0.0:8080": true, "[::]:8080": true, "192.168.1.20:8080": true, "[2001:db8::1]:443": true,
		"example.org:80": true, "garbage": true,
	} {
		if got := exposed(addr); got != want {
			t.Errorf("exposed(%q) = %v, want %v", addr, got, want)
		}
	}
}

// syncBuffer is a bytes.Buffer safe for the server's goroutines to write to while the test
// reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestDemoOnNetworkWarns runs the demo on every interface and checks that it says, in the
// log and in a banner in both languages, that its accounts share one password.
func TestDemoOnNetworkWarns(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var out, errb syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"demo", "--addr", "0.0.0.0:0"}, strings.NewReader(""), &out, &errb)
	}()
	deadline := time.After(3 * time.Minute)
	for !strings.Contains(out.String(), "Press Ctrl-C") {
		select {
		case err := <-done:
			t.Fatalf("demo stopped: %v\n%s", err, errb.String())
		case <-deadline:
			cancel()
			t.Fatalf("demo did not start in 3 minutes:\n%s", errb.String())
		case <-time.After(100 * time.Millisecond):
		}
	}
	time.Sleep(100 * time.Millisecond) // the warning follows the logins
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("demo: %v", err)
	}
	got := errb.String()
	for _, want := range []string{"level=WARN", "non-loopback", "WARNING", "shares the password", "警告", "共用同一密码"} {
		if !strings.Contains(got, want) {
			t.Errorf("stderr of a demo on 0.0.0.0 lacks %q:\n%s", want, got)
		}
	}
}
