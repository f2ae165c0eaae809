package oversight

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"slices"
	"time"

	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"

	"ciiguard/internal/audit"
	"ciiguard/internal/kernel"
	"ciiguard/internal/store"
	"ciiguard/internal/vault"
)

// A reproduction (复制, CIIR 2021 Art. 27's "retrieve and reproduce") is one NDJSON file
// a department keeps and checks offline with `ciiguard bundle verify`:
//
//	{"type":"header", ...}        the inspection, the installation's Ed25519 public key
//	{"type":"record", ...}        each record of each area in scope (kernel.InspectionRecord)
//	{"type":"file", ...}          each evidence file a record cites, its bytes in base64
//	{"type":"log_event", ...}     each event of the log ranges the inspectors read, with its
//	                              RFC 9162 inclusion proof and the vault's signed checkpoint
//	{"type":"end", ...}           the count of item lines, the SHA-256 of the header line,
//	                              the SHA-256 over every item line's SHA-256 in order, and an
//	                              Ed25519 signature over all of that (InspectionEndText)
//
// As in the vault's own bundles (ciiguard-vault-bundle/2), the end record is signed, so a
// line dropped, added, moved or changed anywhere — even with the plain count edited to
// match — fails verification. The key is the installation's (kernel.InstallationKey, the
// one whose fingerprint reports print): the reader compares the fingerprint the verifier
// prints with the one the installation publishes.

// InspectionBundleFormat is the first line's format.
const InspectionBundleFormat = "ciiguard-inspection-bundle/1"

// inspectionEndFormat is the first line of the end record's signed text.
const inspectionEndFormat = "ciiguard-inspection-bundle-end/1"

// Bundle limits.
const (
	// maxBundleEvents is the most log events one reproduction holds.
	maxBundleEvents = 2000
	// maxBundleLine is the longest line a verifier reads: a 50 MiB evidence file in
	// base64 and its JSON.
	maxBundleLine = 80 << 20
)

type bundleHeader struct {
	Type           string    `json:"type"`
	Format         string    `json:"format"`
	InspectionID   int64     `json:"inspection_id"`
	Ref            string    `json:"ref"`
	Basis          string    `json:"basis"`
	RegulatorID    int64     `json:"regulator_id"`
	RegulatorZH    string    `json:"regulator_name_zh"`
	OperatorID     int64     `json:"operator_id"`
	OperatorZH     string    `json:"operator_name_zh"`
	Areas          []string  `json:"areas"`
	Systems        []string  `json:"systems"`
	PeriodFrom     string    `json:"period_from"`
	PeriodTo       string    `json:"period_to"`
	Created        time.Time `json:"created"`
	CreatedBy      string    `json:"created_by"`
	PublicKey      string    `json:"public_key"` // base64, Ed25519
	KeyFingerprint string    `json:"key_fingerprint"`
}

type bundleRecord struct {
	Type   string                  `json:"type"`
	Record kernel.InspectionRecord `json:"record"`
}

type bundleFile struct {
	Type    string `json:"type"`
	SHA256  string `json:"sha256"`
	Name    string `json:"name"`
	Size    int64  `json:"size"`
	Content string `json:"content"` // base64
}

type bundleLogEvent struct {
	Type  string            `json:"type"`
	Proof kernel.EventProof `json:"proof"`
}

type bundleEnd struct {
	Type      string         `json:"type"`
	Items     int            `json:"items"`
	Counts    map[string]int `json:"counts"`
	Header    string         `json:"header_sha256"`
	Digest    string         `json:"items_sha256"`
	Signature string         `json:"signature"` // base64 Ed25519 over InspectionEndText
}

// InspectionEndText is what the end record signs:
//
//	ciiguard-inspection-bundle-end/1
//	inspection ID
//	header HEX
//	items N
//	digest HEX
func InspectionEndText(inspection int64, headerSHA string, items int, digest string) string {
	return fmt.Sprintf("%s\ninspection %d\nheader %s\nitems %d\ndigest %s\n", inspectionEndFormat, inspection, headerSHA, items, digest)
}

// lineWriter writes item lines and keeps the digest of their hashes.
type lineWriter struct {
	w      *bufio.Writer
	line   hash.Hash
	digest hash.Hash
	items  int
	counts map[string]int
}

func (lw *lineWriter) Write(p []byte) (int, error) {
	lw.line.Write(p)
	return lw.w.Write(p)
}

// end closes an item line of kind.
func (lw *lineWriter) end(kind string) error {
	if _, err := lw.w.Write([]byte{'\n'}); err != nil {
		return err
	}
	lw.digest.Write(lw.line.Sum(nil))
	lw.line.Reset()
	lw.items++
	lw.counts[kind]++
	return nil
}

func (lw *lineWriter) item(kind string, v any) error {
	b, err := jsonLine(v)
	if err != nil {
		return err
	}
	if _, err := lw.Write(b); err != nil {
		return err
	}
	return lw.end(kind)
}

// jsonLine is v as one JSON line without its newline, HTML left unescaped.
func jsonLine(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// Reproduce writes the signed reproduction of an open inspection to a temporary file,
// records the read with the file's SHA-256 (in both trails), and returns the file,
// positioned at its start, for the caller to send and remove.
func (s *Service) Reproduce(ctx context.Context, id int64) (*os.File, string, error) {
	x, err := s.readable(ctx, id)
	if err != nil {
		return nil, "", err
	}
	if s.key == nil {
		return nil, "", errors.New("reproduce: the installation has no signing key")
	}
	pub, err := s.key.PublicKey()
	if err != nil {
		return nil, "", fmt.Errorf("reproduce: %w", err)
	}
	f, err := os.CreateTemp("", "ciiguard-inspection-*.ndjson")
	if err != nil {
		return nil, "", fmt.Errorf("reproduce: %w", err)
	}
	fail := func(err error) (*os.File, string, error) {
		f.Close()
		os.Remove(f.Name())
		return nil, "", err
	}
	all := sha256.New()
	bw := bufio.NewWriterSize(io.MultiWriter(f, all), 1<<16)
	hdr := bundleHeader{Type: "header", Format: InspectionBundleFormat, InspectionID: x.ID, Ref: x.Ref, Basis: x.Basis, RegulatorID: x.RegulatorID,
		RegulatorZH: x.RegulatorZH, OperatorID: x.OperatorID, OperatorZH: x.OperatorZH, Areas: x.Areas, Systems: x.Systems,
		PeriodFrom: x.PeriodFrom, PeriodTo: x.PeriodTo, Created: s.now(), CreatedBy: readerLabel(ctx),
		PublicKey: base64.StdEncoding.EncodeToString(pub), KeyFingerprint: hexSHA(pub)}
	headerLine, err := jsonLine(hdr)
	if err != nil {
		return fail(fmt.Errorf("reproduce: %w", err))
	}
	if _, err := bw.Write(append(headerLine, '\n')); err != nil {
		return fail(fmt.Errorf("reproduce: %w", err))
	}
	lw := &lineWriter{w: bw, line: sha256.New(), digest: sha256.New(), counts: map[string]int{}}
	if err := s.writeItems(ctx, x, lw); err != nil {
		return fail(err)
	}
	hs := sha256.Sum256(headerLine)
	end := bundleEnd{Type: "end", Items: lw.items, Counts: lw.counts, Header: hex.EncodeToString(hs[:]), Digest: hex.EncodeToString(lw.digest.Sum(nil))}
	sig, err := s.key.Sign([]byte(InspectionEndText(x.ID, end.Header, end.Items, end.Digest)))
	if err != nil {
		return fail(fmt.Errorf("reproduce: sign: %w", err))
	}
	end.Signature = base64.StdEncoding.EncodeToString(sig)
	endLine, err := jsonLine(end)
	if err != nil {
		return fail(fmt.Errorf("reproduce: %w", err))
	}
	if _, err := bw.Write(append(endLine, '\n')); err != nil {
		return fail(fmt.Errorf("reproduce: %w", err))
	}
	if err := bw.Flush(); err != nil {
		return fail(fmt.Errorf("reproduce: %w", err))
	}
	sum := hex.EncodeToString(all.Sum(nil))
	if err := s.recordRead(ctx, x, Read{Area: "", What: ReadReproduce, Detail: "SHA-256 " + sum, Items: lw.items}); err != nil {
		return fail(err)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return fail(fmt.Errorf("reproduce: %w", err))
	}
	return f, sum, nil
}

func readerLabel(ctx context.Context) string { return audit.ActorFrom(ctx).Label }

// writeItems writes the records of every area in scope, the evidence files they cite,
// and the events of the log ranges read, each event with its proof.
func (s *Service) writeItems(ctx context.Context, x *Inspection, lw *lineWriter) error {
	var cited []string
	for _, key := range x.Areas {
		if key == AreaLogs {
			continue
		}
		a, err := s.area(x, key)
		if err != nil {
			continue // an area whose capability this installation no longer has
		}
		recs, err := a.InspectionRecords(ctx, x.OperatorID, scopeOf(x), maxAreaRecords)
		if err != nil {
			return fmt.Errorf("reproduce %s: %w", key, err)
		}
		for _, r := range recs {
			if err := lw.item("record", bundleRecord{Type: "record", Record: r}); err != nil {
				return fmt.Errorf("reproduce: %w", err)
			}
			for _, h := range r.Evidence {
				if !slices.Contains(cited, h) {
					cited = append(cited, h)
				}
			}
		}
	}
	for _, h := range cited {
		if err := s.writeFile(ctx, x, h, lw); err != nil {
			return err
		}
	}
	if !slices.Contains(x.Areas, AreaLogs) || s.logs == nil {
		return nil
	}
	octx := store.WithOrg(ctx, x.OperatorID)
	seen := map[uint64]bool{}
	n := 0
	for _, r := range x.Reads {
		lr, ok := rangeOfDetail(r.Detail)
		if r.What != ReadLogs || !ok {
			continue
		}
		q := vault.Query{Expr: lr.Query, From: lr.From, To: lr.To, Limit: maxLogPage}
		for n < maxBundleEvents {
			page, err := s.logs.ScanEvents(octx, q)
			if err != nil {
				return fmt.Errorf("reproduce logs: %w", err)
			}
			for _, ev := range page.Events {
				if seen[ev.Seq] || n >= maxBundleEvents {
					continue
				}
				seen[ev.Seq] = true
				p, err := s.logs.ProveEvent(octx, ev.Seq)
				if errors.Is(err, store.ErrNotFound) {
					continue // removed by retention since, or not yet under a checkpoint
				}
				if err != nil {
					return fmt.Errorf("reproduce logs: %w", err)
				}
				if err := lw.item("log_event", bundleLogEvent{Type: "log_event", Proof: p}); err != nil {
					return fmt.Errorf("reproduce: %w", err)
				}
				n++
			}
			if page.Next == "" {
				break
			}
			q.Cursor = page.Next
		}
	}
	return nil
}

// writeFile writes one evidence file's line, its bytes streamed in base64.
func (s *Service) writeFile(ctx context.Context, x *Inspection, sum string, lw *lineWriter) error {
	if s.content == nil {
		return nil
	}
	rc, meta, err := s.content.OpenEvidence(store.WithOrg(ctx, x.OperatorID), sum)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("reproduce evidence %s: %w", sum, err)
	}
	defer rc.Close()
	name, _ := json.Marshal(meta.Name)
	if _, err := fmt.Fprintf(lw, `{"type":"file","sha256":%q,"name":%s,"size":%d,"content":"`, meta.SHA256, name, meta.Size); err != nil {
		return fmt.Errorf("reproduce: %w", err)
	}
	enc := base64.NewEncoder(base64.StdEncoding, lw)
	if _, err := io.Copy(enc, rc); err != nil {
		return fmt.Errorf("reproduce evidence %s: %w", sum, err)
	}
	if err := enc.Close(); err != nil {
		return fmt.Errorf("reproduce: %w", err)
	}
	if _, err := lw.Write([]byte(`"}`)); err != nil {
		return fmt.Errorf("reproduce: %w", err)
	}
	return lw.end("file")
}

// BundleReport describes a reproduction that verified.
type BundleReport struct {
	InspectionID   int64
	Ref            string
	RegulatorZH    string
	OperatorID     int64
	OperatorZH     string
	Created        time.Time
	KeyFingerprint string
	Records        int
	Files          int
	LogEvents      int
	// VaultKeys are the log vault verifier keys the events' checkpoints were checked with.
	VaultKeys []string
}

// strictJSON decodes one JSON value, refusing unknown fields and trailing data.
func strictJSON(b []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	if err := d.Decode(v); err != nil {
		return err
	}
	if d.More() {
		return errors.New("trailing data")
	}
	return nil
}

// VerifyBundle checks a reproduction offline: the header's key against its fingerprint
// (and against wantFingerprint, when given), every evidence file against its SHA-256,
// every log event against its leaf, its inclusion proof and the vault's signed checkpoint
// (RFC 9162, github.com/transparency-dev/merkle), every file a record cites present, and
// the signed end record against the header and every item line. The first failure is
// returned with its line number.
func VerifyBundle(r io.Reader, wantFingerprint string) (BundleReport, error) {
	var rep BundleReport
	br := bufio.NewReaderSize(r, 1<<16)
	line := 0
	next := func() ([]byte, error) {
		var b []byte
		for {
			chunk, err := br.ReadSlice('\n')
			b = append(b, chunk...)
			if len(b) > maxBundleLine {
				return nil, fmt.Errorf("bundle line %d: longer than %d bytes", line+1, maxBundleLine)
			}
			if err == bufio.ErrBufferFull {
				continue
			}
			if err == io.EOF {
				if len(b) == 0 {
					return nil, fmt.Errorf("bundle ends after line %d without its end record: it was truncated", line)
				}
				return nil, fmt.Errorf("bundle line %d: no newline at the end: the bundle was truncated", line+1)
			}
			if err != nil {
				return nil, fmt.Errorf("bundle line %d: %w", line+1, err)
			}
			line++
			return b[:len(b)-1], nil
		}
	}
	b, err := next()
	if err != nil {
		return rep, err
	}
	var hdr bundleHeader
	if err := strictJSON(b, &hdr); err != nil || hdr.Type != "header" {
		return rep, fmt.Errorf("bundle line 1: not an inspection bundle header: %v", err)
	}
	if hdr.Format != InspectionBundleFormat {
		return rep, fmt.Errorf("bundle line 1: format %q, want %q", hdr.Format, InspectionBundleFormat)
	}
	pub, err := base64.StdEncoding.DecodeString(hdr.PublicKey)
	if err != nil || len(pub) != ed25519.PublicKeySize {
		return rep, errors.New("bundle line 1: public_key is not a base64 Ed25519 key")
	}
	if fp := hexSHA(pub); fp != hdr.KeyFingerprint {
		return rep, fmt.Errorf("bundle line 1: key_fingerprint %s is not the SHA-256 of the public key (%s)", hdr.KeyFingerprint, fp)
	}
	if wantFingerprint != "" && wantFingerprint != hdr.KeyFingerprint {
		return rep, fmt.Errorf("bundle line 1: signed with key %s, not the expected %s", hdr.KeyFingerprint, wantFingerprint)
	}
	headerSum := sha256.Sum256(b)
	rep = BundleReport{InspectionID: hdr.InspectionID, Ref: hdr.Ref, RegulatorZH: hdr.RegulatorZH, OperatorID: hdr.OperatorID, OperatorZH: hdr.OperatorZH,
		Created: hdr.Created, KeyFingerprint: hdr.KeyFingerprint}
	digest := sha256.New()
	items := 0
	cited, files := map[string]int{}, map[string]bool{}
	origin := vault.Origin(hdr.OperatorID)
	h := rfc6962.DefaultHasher
	for {
		b, err := next()
		if err != nil {
			return rep, err
		}
		var kind struct {
			Type string `json:"type"`
		}
		if err := json.Unmarshal(b, &kind); err != nil {
			return rep, fmt.Errorf("bundle line %d: %w", line, err)
		}
		if kind.Type == "end" {
			var end bundleEnd
			if err := strictJSON(b, &end); err != nil {
				return rep, fmt.Errorf("bundle line %d: %w", line, err)
			}
			sig, err := base64.StdEncoding.DecodeString(end.Signature)
			if err != nil {
				return rep, fmt.Errorf("bundle line %d: signature is not base64", line)
			}
			signed := InspectionEndText(hdr.InspectionID, end.Header, end.Items, end.Digest)
			if !ed25519.Verify(pub, []byte(signed), sig) {
				return rep, fmt.Errorf("bundle line %d: the end record's signature does not verify with the header's key", line)
			}
			want := InspectionEndText(hdr.InspectionID, hex.EncodeToString(headerSum[:]), items, hex.EncodeToString(digest.Sum(nil)))
			if signed != want {
				return rep, fmt.Errorf("bundle line %d: the signed end record does not match this bundle (a line dropped, added, moved or changed): it signs %q, the bundle holds %q", line, signed, want)
			}
			if end.Counts["record"] != rep.Records || end.Counts["file"] != rep.Files || end.Counts["log_event"] != rep.LogEvents {
				return rep, fmt.Errorf("bundle line %d: end record counts %v, the bundle holds %d records, %d files, %d log events", line, end.Counts, rep.Records, rep.Files, rep.LogEvents)
			}
			for sum, at := range cited {
				if !files[sum] {
					return rep, fmt.Errorf("bundle line %d: evidence file %s cited there is not in the bundle", at, sum)
				}
			}
			if _, err := br.ReadByte(); err != io.EOF {
				return rep, fmt.Errorf("bundle line %d: data after the end record", line+1)
			}
			return rep, nil
		}
		sum := sha256.Sum256(b)
		digest.Write(sum[:])
		items++
		switch kind.Type {
		case "record":
			var rec bundleRecord
			if err := strictJSON(b, &rec); err != nil {
				return rep, fmt.Errorf("bundle line %d: %w", line, err)
			}
			for _, e := range rec.Record.Evidence {
				if _, ok := cited[e]; !ok {
					cited[e] = line
				}
			}
			rep.Records++
		case "file":
			var f bundleFile
			if err := strictJSON(b, &f); err != nil {
				return rep, fmt.Errorf("bundle line %d: %w", line, err)
			}
			content, err := base64.StdEncoding.DecodeString(f.Content)
			if err != nil {
				return rep, fmt.Errorf("bundle line %d: content is not base64: %w", line, err)
			}
			got := sha256.Sum256(content)
			if hex.EncodeToString(got[:]) != f.SHA256 || int64(len(content)) != f.Size {
				return rep, fmt.Errorf("bundle line %d: file %q does not have its SHA-256 %s and size %d", line, f.Name, f.SHA256, f.Size)
			}
			files[f.SHA256] = true
			rep.Files++
		case "log_event":
			var le bundleLogEvent
			if err := strictJSON(b, &le); err != nil {
				return rep, fmt.Errorf("bundle line %d: %w", line, err)
			}
			p := le.Proof
			if p.Origin != origin {
				return rep, fmt.Errorf("bundle line %d: the event is from log %q, not the operator's %q", line, p.Origin, origin)
			}
			size, root, err := vault.OpenCheckpoint([]byte(p.Checkpoint), p.VerifierKey, origin)
			if err != nil {
				return rep, fmt.Errorf("bundle line %d: %w", line, err)
			}
			if size != p.TreeSize || !bytes.Equal(root[:], p.Root) {
				return rep, fmt.Errorf("bundle line %d: tree size and root differ from the signed checkpoint's", line)
			}
			if !bytes.Equal(vault.LeafData(&p.Event), p.Leaf) {
				return rep, fmt.Errorf("bundle line %d: event %d does not match its leaf data", line, p.Event.Seq)
			}
			if err := proof.VerifyInclusion(h, p.Event.Seq, size, h.HashLeaf(p.Leaf), p.Hashes, root[:]); err != nil {
				return rep, fmt.Errorf("bundle line %d: event %d: inclusion proof: %w", line, p.Event.Seq, err)
			}
			if !slices.Contains(rep.VaultKeys, p.VerifierKey) {
				rep.VaultKeys = append(rep.VaultKeys, p.VerifierKey)
			}
			rep.LogEvents++
		default:
			return rep, fmt.Errorf("bundle line %d: record type %q unknown", line, kind.Type)
		}
	}
}
