package evidence_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"ciiguard/internal/app"
	"ciiguard/internal/app/apptest"
	"ciiguard/internal/auth"
	"ciiguard/internal/evidence"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
)

func TestUploadDownloadAndTenancy(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		env := apptest.Start(t, d)
		op := env.Login(t, "security@grid.demo")
		body := "MLPS level-3 test report 2026, dispatch automation system\n"
		sum := sha256.Sum256([]byte(body))
		want := hex.EncodeToString(sum[:])
		h := map[string]string{"X-CSRF-Token": op.CSRF, "Content-Type": "text/plain"}
		res, out := op.Do("POST", "/api/v1/evidence?name=report.txt", nil, h, body)
		var f evidence.File
		if err := json.Unmarshal([]byte(out), &f); err != nil || res.StatusCode != http.StatusCreated || f.SHA256 != want || f.Size != int64(len(body)) {
			t.Fatalf("upload: %d %s", res.StatusCode, out)
		}
		// The same bytes again are the same record.
		_, out2 := op.Do("POST", "/api/v1/evidence?name=copy.txt", nil, h, body)
		var f2 evidence.File
		_ = json.Unmarshal([]byte(out2), &f2)
		if f2.ID != f.ID || f2.Name != "report.txt" {
			t.Fatalf("second upload of the same bytes made a new record: %s", out2)
		}
		res, got := op.Do("GET", "/api/v1/evidence/"+want, nil, nil)
		if res.StatusCode != 200 || got != body || res.Header.Get("X-Content-SHA256") != want {
			t.Fatalf("download: %d %q", res.StatusCode, got)
		}
		// Another organisation cannot fetch it by hash, even knowing the hash.
		// The second operator's security manager may read evidence in its own organisation.
		other := env.Login(t, app.OtherOperatorEmail(auth.SecurityManager))
		for _, p := range []string{"/api/v1/evidence/" + want, "/evidence/" + want} {
			if res, _ := other.Do("GET", p, nil, nil); res.StatusCode != http.StatusNotFound {
				t.Fatalf("another operator fetching %s: %d, want 404", p, res.StatusCode)
			}
		}
		if _, body := other.Do("GET", "/api/v1/evidence", nil, nil); strings.Contains(body, want) {
			t.Fatal("another operator lists the evidence")
		}
		aud := env.Login(t, "auditor@grid.demo")
		if res, _ := aud.Do("GET", "/api/v1/evidence/"+want, nil, nil); res.StatusCode != 200 {
			t.Fatalf("auditor of the same organisation: %d", res.StatusCode)
		}
		if res, _ := op.Do("GET", "/api/v1/evidence/"+strings.Repeat("0", 64), nil, nil); res.StatusCode != http.StatusNotFound {
			t.Fatalf("unknown hash: %d", res.StatusCode)
		}
		if res, _ := op.Do("POST", "/api/v1/evidence", nil, h, body); res.StatusCode != http.StatusBadRequest {
			t.Fatalf("upload without a name: %d", res.StatusCode)
		}
	})
}

func TestBlobsRefuseOversizeAndKeepNothing(t *testing.T) {
	dir := t.TempDir()
	b, err := evidence.NewBlobs(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := b.Put(strings.NewReader(strings.Repeat("x", 11)), 10); err != evidence.ErrTooLarge {
		t.Fatalf("oversize put: %v", err)
	}
	sum, n, err := b.Put(strings.NewReader("0123456789"), 10)
	if err != nil || n != 10 || !evidence.ValidSHA256(sum) {
		t.Fatalf("put at the limit: %s %d %v", sum, n, err)
	}
	if _, err := b.Open("../../etc/passwd"); err == nil {
		t.Fatal("Open accepted a path instead of a hash")
	}
}

// multipartFile builds an upload form with the session's CSRF token and one file.
func multipartFile(t *testing.T, csrf, name string, size int) (string, string) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	if err := w.WriteField("_csrf", csrf); err != nil {
		t.Fatal(err)
	}
	fw, err := w.CreateFormFile("file", name)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fw.Write(bytes.Repeat([]byte("x"), size)); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.String(), w.FormDataContentType()
}

// TestUploadFormSizes uploads through the page form, which must take files up to the
// evidence limit (well past the 1 MiB of ordinary forms) and refuse a larger one as too
// large, not as a forged form.
func TestUploadFormSizes(t *testing.T) {
	env := apptest.Start(t, store.SQLite)
	op := env.Login(t, "security@grid.demo")
	cases := []struct {
		name string
		size int
		want int
	}{
		{"small", 10, http.StatusSeeOther},
		{"3 MiB", 3 << 20, http.StatusSeeOther},
		{"over the evidence limit", evidence.MaxFileSize + 2<<20, http.StatusRequestEntityTooLarge},
	}
	for _, c := range cases {
		body, ct := multipartFile(t, op.CSRF, c.name+".bin", c.size)
		res, out := op.Do("POST", "/evidence", nil, map[string]string{"Content-Type": ct}, body)
		if res.StatusCode != c.want {
			t.Errorf("%s: %d, want %d\n%.300s", c.name, res.StatusCode, c.want, out)
		}
	}
	// An ordinary form over its 1 MiB limit is too large too, not a CSRF failure.
	res, _ := op.Do("POST", "/lang", nil, map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, "lang=en&x="+strings.Repeat("a", 2<<20))
	if res.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("oversize ordinary form: %d, want 413", res.StatusCode)
	}
}
