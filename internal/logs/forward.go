package logs

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"ciiguard/internal/vault"
	"ciiguard/internal/web"
)

// ForwardedHeader marks a request that a node forwarded to an organisation's log writer
// (docs/scale-out.md): a node never forwards such a request again, so two nodes that
// disagree about the writer for a moment cannot bounce a request between them.
const ForwardedHeader = "X-Ciiguard-Forwarded"

// forwardTimeout bounds a forwarded request: the writer's own append deadline and a
// margin for the extra hop.
const forwardTimeout = appendDeadline + 10*time.Second

// notWriterRetryAfter is the Retry-After, in seconds, of a 503 answered because the
// organisation's writer cannot be reached: a takeover takes about a lease (10 s by
// default), so senders should come back soon, not in minutes.
const notWriterRetryAfter = 1

// forwardClient sends forwarded requests; redirects go back to the client as they are.
// The writer must begin its answer within forwardTimeout; the answer itself may stream
// for longer (an export of six months), bounded by the client staying connected.
var forwardClient = &http.Client{
	Transport: func() http.RoundTripper {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.ResponseHeaderTimeout = forwardTimeout
		return t
	}(),
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

// hopHeaders are the hop-by-hop headers (RFC 9110 7.6.1) a forwarder drops.
var hopHeaders = map[string]bool{"Connection": true, "Keep-Alive": true, "Proxy-Authenticate": true,
	"Proxy-Authorization": true, "Te": true, "Trailer": true, "Transfer-Encoding": true, "Upgrade": true}

// forward answers r through the organisation's log writer when err says that this node
// is not it (*vault.NotWriterError with the writer's URL): the same method, path, query,
// headers (credentials included) and body go to the writer, and its answer — for ingest,
// its acknowledgement — is the client's. A request already forwarded, or a writer that
// advertised no URL or cannot be reached, gets err back with Retry-After set, which the
// web layer answers 503. Any other err is returned as it is.
func (m *Module) forward(w http.ResponseWriter, r *http.Request, body []byte, err error) error {
	var nw *vault.NotWriterError
	if !errors.As(err, &nw) {
		return err
	}
	w.Header().Set("Retry-After", strconv.Itoa(notWriterRetryAfter))
	if nw.URL == "" || r.Header.Get(ForwardedHeader) != "" {
		return err
	}
	ctx := r.Context()
	if len(body) > 0 {
		// A write: its whole exchange is bounded, as the writer's append is.
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, forwardTimeout)
		defer cancel()
	}
	var rd io.Reader = http.NoBody
	if len(body) > 0 {
		rd = bytes.NewReader(body)
	}
	out, rerr := http.NewRequestWithContext(ctx, r.Method, nw.URL+r.URL.RequestURI(), rd)
	if rerr != nil {
		return fmt.Errorf("forward to the log writer %s at %s: %v: %w", nw.Holder, nw.URL, rerr, err)
	}
	for k, vs := range r.Header {
		if !hopHeaders[k] {
			out.Header[k] = vs
		}
	}
	out.Header.Set(ForwardedHeader, "1")
	res, ferr := forwardClient.Do(out)
	if ferr != nil {
		return fmt.Errorf("forward to the log writer %s at %s: %v: %w", nw.Holder, nw.URL, ferr, err)
	}
	defer res.Body.Close()
	w.Header().Del("Retry-After")
	for k, vs := range res.Header {
		if !hopHeaders[k] {
			w.Header()[k] = vs
		}
	}
	w.WriteHeader(res.StatusCode)
	if _, err := io.Copy(w, res.Body); err != nil {
		// The status is sent: all that is left is to say so in the log.
		m.d.Log.Warn("copying the log writer's answer to a forwarded request", "writer", nw.Holder, "path", r.URL.Path, "err", err)
	}
	return nil
}

// forwardable wraps a handler of a request without a body that reads an organisation's
// log (search, histogram, checkpoint, proofs, export): when this node is not the log's
// writer and has not begun to answer, the request is forwarded to the writer.
func (m *Module) forwardable(h web.HandlerFunc) web.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		tw := &touchedWriter{ResponseWriter: w}
		err := h(tw, r)
		if err == nil || tw.touched {
			return err
		}
		return m.forward(w, r, nil, err)
	}
}

// forwardableBody wraps a handler of a small write that needs the organisation's log
// (purge, signing a checkpoint, starting a verify): the body is kept so that, when this
// node is not the log's writer, the same request goes to the writer. A form the CSRF check
// has already read is sent on as its fields, encoded again (same fields and values); a
// multipart form is not forwarded (503, as before forwarding existed).
func (m *Module) forwardableBody(h web.HandlerFunc) web.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		var body []byte
		switch {
		case r.MultipartForm != nil:
			// Not forwarded (below).
		case r.PostForm != nil:
			body = []byte(r.PostForm.Encode())
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		default:
			b, err := io.ReadAll(r.Body)
			if err != nil {
				var mbe *http.MaxBytesError
				if errors.As(err, &mbe) {
					return err
				}
				return fmt.Errorf("read the request body: %w", err)
			}
			body = b
			r.Body = io.NopCloser(bytes.NewReader(b))
		}
		tw := &touchedWriter{ResponseWriter: w}
		err := h(tw, r)
		if err == nil || tw.touched {
			return err
		}
		if r.MultipartForm != nil {
			var nw *vault.NotWriterError
			if errors.As(err, &nw) {
				w.Header().Set("Retry-After", strconv.Itoa(notWriterRetryAfter))
			}
			return err
		}
		return m.forward(w, r, body, err)
	}
}

// touchedWriter notes whether a handler began its answer.
type touchedWriter struct {
	http.ResponseWriter
	touched bool
}

func (t *touchedWriter) WriteHeader(code int) {
	t.touched = true
	t.ResponseWriter.WriteHeader(code)
}

func (t *touchedWriter) Write(b []byte) (int, error) {
	t.touched = true
	return t.ResponseWriter.Write(b)
}

// Unwrap gives http.ResponseController the underlying writer (flushes of exports).
func (t *touchedWriter) Unwrap() http.ResponseWriter { return t.ResponseWriter }
