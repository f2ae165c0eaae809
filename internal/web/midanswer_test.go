package web_test

import (
	"bytes"
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"ciiguard/internal/auth"
)

// syncBuffer is a bytes.Buffer safe for the server's goroutines and the test.
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

// TestFailureAfterTheAnswerBegan has a handler fail after it has sent its status and part
// of its body (a stream whose source fails, or a client that went away). An error answer
// cannot follow any more: the client must not get a 200 whose body ends in a problem
// document, as if the stream were complete, and the server must not try to write a second
// status (net/http logs "superfluous response.WriteHeader"). The connection is cut
// instead, so the client sees the answer is incomplete.
func TestFailureAfterTheAnswerBegan(t *testing.T) {
	for _, api := range []bool{true, false} {
		s := newServer(t)
		handler := func(w http.ResponseWriter, r *http.Request) error {
			w.Header().Set("Content-Type", "application/x-ndjson")
			w.WriteHeader(http.StatusOK)
			_, _ = io.WriteString(w, "{\"line\":1}\n")
			if err := http.NewResponseController(w).Flush(); err != nil {
				return err
			}
			return errors.New("the source failed mid-stream")
		}
		if api {
			s.API("GET /api/v1/stream", auth.Public, handler)
		} else {
			s.Page("GET /stream", auth.Public, handler)
		}
		var serverLog syncBuffer
		hs := httptest.NewUnstartedServer(s)
		hs.Config.ErrorLog = log.New(&serverLog, "", 0)
		hs.Start()
		path := "/stream"
		if api {
			path = "/api/v1/stream"
		}
		res, err := http.Get(hs.URL + path)
		if err != nil {
			t.Fatalf("api=%v: %v", api, err)
		}
		body, readErr := io.ReadAll(res.Body)
		res.Body.Close()
		hs.Close()
		if res.StatusCode != http.StatusOK || !strings.HasPrefix(string(body), "{\"line\":1}\n") {
			t.Errorf("api=%v: %d %q, want the 200 and the line sent before the failure", api, res.StatusCode, body)
		}
		if string(body) != "{\"line\":1}\n" {
			t.Errorf("api=%v: an error answer was appended to the begun answer: %q", api, body)
		}
		if readErr == nil {
			t.Errorf("api=%v: the client read a complete-looking answer; the connection must be cut", api)
		}
		if l := serverLog.String(); strings.Contains(l, "superfluous") {
			t.Errorf("api=%v: the server wrote a second status: %s", api, l)
		}
	}
}
