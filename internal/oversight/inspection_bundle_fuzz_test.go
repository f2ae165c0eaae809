package oversight_test

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"testing"
	"time"
	"unicode/utf8"

	"ciiguard/internal/oversight"
)

// handBundle writes a reproduction by the format's description (the package doc of
// inspection_bundle.go), not by the code that writes them: a header, n system records,
// one evidence file each record cites, and the end record signed with priv.
func handBundle(t testing.TB, priv ed25519.PrivateKey, n int, file []byte) []byte {
	t.Helper()
	pub := priv.Public().(ed25519.PublicKey)
	fp := sha256.Sum256(pub)
	fileSum := sha256.Sum256(file)
	fileHex := hex.EncodeToString(fileSum[:])
	var b bytes.Buffer
	line := func(v any) []byte {
		j, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		b.Write(j)
		b.WriteByte('\n')
		return j
	}
	header := line(map[string]any{"type": "header", "format": "ciiguard-inspection-bundle/1", "inspection_id": 7, "ref": "示检〔2026〕7号", "basis": "CIIR 2021 Arts 26–28",
		"regulator_id": 2, "regulator_name_zh": "示例监管局", "operator_id": 1, "operator_name_zh": "示例运营者", "areas": []string{"systems", "evidence"},
		"systems": []string{"甲系统"}, "period_from": "2026-11-01", "period_to": "2026-11-30", "created": "2026-12-01T00:00:00Z", "created_by": "inspector",
		"public_key": base64.StdEncoding.EncodeToString(pub), "key_fingerprint": hex.EncodeToString(fp[:])})
	digest := sha256.New()
	items := 0
	item := func(v any) {
		sum := sha256.Sum256(line(v))
		digest.Write(sum[:])
		items++
	}
	for i := range n {
		item(map[string]any{"type": "record", "record": map[string]any{"area": "systems", "id": fmt.Sprint(i + 1), "title_zh": fmt.Sprintf("系统%d", i), "title_en": fmt.Sprintf("System %d", i),
			"fields": []map[string]string{{"label_zh": "安全责任人", "label_en": "Responsible person", "value": "张三"}}, "data": map[string]any{"id": i + 1}, "evidence": []string{fileHex}}})
	}
	item(map[string]any{"type": "file", "sha256": fileHex, "name": "测评报告.pdf", "size": len(file), "content": base64.StdEncoding.EncodeToString(file)})
	hs := sha256.Sum256(header)
	dig := hex.EncodeToString(digest.Sum(nil))
	text := fmt.Sprintf("ciiguard-inspection-bundle-end/1\ninspection 7\nheader %s\nitems %d\ndigest %s\n", hex.EncodeToString(hs[:]), items, dig)
	line(map[string]any{"type": "end", "items": items, "counts": map[string]int{"record": n, "file": 1}, "header_sha256": hex.EncodeToString(hs[:]), "items_sha256": dig,
		"signature": base64.StdEncoding.EncodeToString(ed25519.Sign(priv, []byte(text)))})
	return b.Bytes()
}

func testKey() ed25519.PrivateKey { return ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, 32)) }

// TestHandBundleVerifies: a bundle written by hand from the format's description
// verifies, and a record citing a file the bundle lacks does not.
func TestHandBundleVerifies(t *testing.T) {
	t.Parallel()
	priv := testKey()
	b := handBundle(t, priv, 3, []byte("%PDF-1.7 测评"))
	fp := sha256.Sum256(priv.Public().(ed25519.PublicKey))
	rep, err := oversight.VerifyBundle(bytes.NewReader(b), hex.EncodeToString(fp[:]))
	if err != nil || rep.Records != 3 || rep.Files != 1 || rep.InspectionID != 7 {
		t.Fatalf("hand-written bundle: %+v %v", rep, err)
	}
	other := handBundle(t, ed25519.NewKeyFromSeed(bytes.Repeat([]byte{8}, 32)), 3, []byte("x"))
	if _, err := oversight.VerifyBundle(bytes.NewReader(other), hex.EncodeToString(fp[:])); err == nil {
		t.Error("a bundle signed with another key verifies against the pinned fingerprint")
	}
}

// FuzzVerifyBundle: the verifier never panics on any input, and anything it accepts under
// the seed's key fingerprint holds exactly the seed's header and items (only the end
// record's JSON spelling may differ).
func FuzzVerifyBundle(f *testing.F) {
	priv := testKey()
	seed := handBundle(f, priv, 2, []byte("evidence"))
	fp := sha256.Sum256(priv.Public().(ed25519.PublicKey))
	want := hex.EncodeToString(fp[:])
	body := seed[:bytes.LastIndexByte(seed[:len(seed)-1], '\n')+1]
	f.Add(seed)
	f.Add(seed[:len(seed)/2])
	f.Add([]byte("{}\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if _, err := oversight.VerifyBundle(bytes.NewReader(b), want); err != nil {
			return
		}
		if !bytes.HasPrefix(b, body) || bytes.Count(b[len(body):], []byte("\n")) != 1 {
			t.Fatalf("accepted a bundle other than the seed: %q", b)
		}
	})
}

// BenchmarkVerifyBundle verifies a reproduction of 10,000 records citing one 1 MiB file.
func BenchmarkVerifyBundle(b *testing.B) {
	file := bytes.Repeat([]byte("0123456789abcdef"), 1<<16)
	bundle := handBundle(b, testKey(), 10000, file)
	b.SetBytes(int64(len(bundle)))
	b.ResetTimer()
	for b.Loop() {
		if _, err := oversight.VerifyBundle(bytes.NewReader(bundle), ""); err != nil {
			b.Fatal(err)
		}
	}
}

// FuzzParseLogRange: a log range typed by an inspector never panics the parser, and one it
// accepts lies inside the period under inspection, ends after it starts, and carries a
// query of at most 500 characters.
func FuzzParseLogRange(f *testing.F) {
	x := &oversight.Inspection{PeriodFrom: "2026-11-30", PeriodTo: "2026-12-01",
		From: time.Date(2026, 11, 29, 16, 0, 0, 0, time.UTC), To: time.Date(2026, 12, 1, 16, 0, 0, 0, time.UTC)}
	f.Add("2026-12-01T08:00", "2026-12-01T09:00", "host:fw-01")
	f.Add("2026-11-30T00:00:00+08:00", "2026-12-02T00:00:00+08:00", "")
	f.Add("2026-12-01", "2026-11-30", "((")
	f.Fuzz(func(t *testing.T, from, to, q string) {
		lr, err := oversight.ParseLogRange(x, from, to, q)
		if err != nil {
			return
		}
		if lr.From.Before(x.From) || lr.To.After(x.To) || !lr.To.After(lr.From) || utf8.RuneCountInString(lr.Query) > 500 {
			t.Fatalf("accepted %q %q %q as %+v outside the period %s – %s", from, to, q, lr, x.From, x.To)
		}
	})
}
