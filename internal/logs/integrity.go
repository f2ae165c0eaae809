package logs

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"ciiguard/internal/audit"
	"ciiguard/internal/problem"
	"ciiguard/internal/store"
	"ciiguard/internal/vault"
	"ciiguard/internal/web"
)

// CheckpointInfo is a signed checkpoint with its body decoded for display.
type CheckpointInfo struct {
	Origin string `json:"origin"`
	Size   uint64 `json:"size"`
	Root   string `json:"root"` // base64, as in the note
	// RootHex is the same root in hex, for people comparing by eye.
	RootHex string `json:"root_hex"`
	// Note is the whole signed note: body and signature lines.
	Note        string `json:"note"`
	VerifierKey string `json:"verifier_key"`
}

// Checkpoint signs (or returns, when the log has not grown) the checkpoint for the
// context's organisation's current size. Signing is not a change of records, so reading
// the integrity page may sign one.
func (m *Module) Checkpoint(ctx context.Context) (CheckpointInfo, error) {
	org, err := orgOf(ctx)
	if err != nil {
		return CheckpointInfo{}, err
	}
	note, err := m.v.Checkpoint(ctx, org)
	if err != nil {
		return CheckpointInfo{}, fmt.Errorf("sign checkpoint: %w", err)
	}
	return m.describeCheckpoint(org, note)
}

func (m *Module) describeCheckpoint(org int64, note []byte) (CheckpointInfo, error) {
	size, root, err := vault.OpenCheckpoint(note, m.v.PublicKey(), vault.Origin(org))
	if err != nil {
		return CheckpointInfo{}, fmt.Errorf("read own checkpoint: %w", err)
	}
	return CheckpointInfo{Origin: vault.Origin(org), Size: size, Root: base64.StdEncoding.EncodeToString(root[:]),
		RootHex: hex.EncodeToString(root[:]), Note: string(note), VerifierKey: m.v.PublicKey()}, nil
}

// Proof is an RFC 9162 proof with what a verifier needs besides the hashes. An inclusion
// proof always has seq, a consistency proof always has from and to — even 0, so that a
// verifier never has to guess a missing field (pointers: nil is "not this kind").
type Proof struct {
	Seq      *uint64  `json:"seq,omitempty"`
	From     *uint64  `json:"from,omitempty"`
	To       *uint64  `json:"to,omitempty"`
	TreeSize uint64   `json:"tree_size"`
	Leaf     string   `json:"leaf,omitempty"`      // base64 leaf data (vault.LeafData)
	LeafHash string   `json:"leaf_hash,omitempty"` // base64 SHA-256(0x00 || leaf)
	Hashes   []string `json:"hashes"`              // base64, in RFC 9162 order
	Root     string   `json:"root"`                // base64 root at TreeSize
	// Event is the event the leaf decodes to.
	Event *vault.Event `json:"event,omitempty"`
}

func uintParam(r *http.Request, name string, required bool, v *problem.Invalid) (uint64, bool) {
	s := r.URL.Query().Get(name)
	if s == "" {
		if required {
			v.Add(name, "is required")
		}
		return 0, false
	}
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		v.Add(name, "must be a non-negative integer")
		return 0, false
	}
	return n, true
}

func b64(hs [][]byte) []string {
	out := make([]string, len(hs))
	for i, h := range hs {
		out[i] = base64.StdEncoding.EncodeToString(h)
	}
	return out
}

// InclusionProof proves event seq is in the context's organisation's tree of the given
// size (0: the current size).
func (m *Module) InclusionProof(ctx context.Context, seq, size uint64) (Proof, error) {
	org, err := orgOf(ctx)
	if err != nil {
		return Proof{}, err
	}
	cur, err := m.v.Size(org)
	if err != nil {
		return Proof{}, fmt.Errorf("log size: %w", err)
	}
	if size == 0 {
		size = cur
	}
	v := &problem.Invalid{}
	if size > cur {
		v.Add("size", "is larger than the log (%d events)", cur)
	}
	if seq >= size {
		v.Add("seq", "must be below the tree size %d", size)
	}
	if err := v.Err(); err != nil {
		return Proof{}, err
	}
	ev, err := m.v.Get(ctx, org, seq)
	if errors.Is(err, vault.ErrPurged) {
		return Proof{}, problem.Field("seq", "this event was removed by retention; its proof is gone with it")
	}
	if err != nil {
		return Proof{}, fmt.Errorf("read event %d: %w", seq, err)
	}
	hashes, err := m.v.InclusionProof(ctx, org, seq, size)
	if errors.Is(err, vault.ErrPurged) {
		return Proof{}, problem.Field("seq", "this event was removed by retention; its proof is gone with it")
	}
	if err != nil {
		return Proof{}, fmt.Errorf("inclusion proof of %d in %d: %w", seq, size, err)
	}
	root, err := m.v.RootHash(ctx, org, size)
	if err != nil {
		return Proof{}, fmt.Errorf("root at %d: %w", size, err)
	}
	leaf := vault.LeafData(&ev)
	lh := vault.LeafHash(leaf)
	return Proof{Seq: &seq, TreeSize: size, Leaf: base64.StdEncoding.EncodeToString(leaf), LeafHash: base64.StdEncoding.EncodeToString(lh[:]),
		Hashes: b64(hashes), Root: base64.StdEncoding.EncodeToString(root[:]), Event: &ev}, nil
}

// ConsistencyProof proves the context's organisation's tree of size from is a prefix of
// the tree of size to.
func (m *Module) ConsistencyProof(ctx context.Context, from, to uint64) (Proof, error) {
	org, err := orgOf(ctx)
	if err != nil {
		return Proof{}, err
	}
	cur, err := m.v.Size(org)
	if err != nil {
		return Proof{}, fmt.Errorf("log size: %w", err)
	}
	v := &problem.Invalid{}
	if to > cur {
		v.Add("to", "is larger than the log (%d events)", cur)
	}
	if from > to {
		v.Add("from", "must not be larger than to")
	}
	if err := v.Err(); err != nil {
		return Proof{}, err
	}
	hashes, err := m.v.ConsistencyProof(ctx, org, from, to)
	if errors.Is(err, vault.ErrPurged) {
		return Proof{}, problem.Field("from", "hashes this proof needs were removed by retention; use sizes of signed checkpoints")
	}
	if err != nil {
		return Proof{}, fmt.Errorf("consistency proof %d→%d: %w", from, to, err)
	}
	root, err := m.v.RootHash(ctx, org, to)
	if err != nil {
		return Proof{}, fmt.Errorf("root at %d: %w", to, err)
	}
	return Proof{From: &from, To: &to, TreeSize: to, Hashes: b64(hashes), Root: base64.StdEncoding.EncodeToString(root[:])}, nil
}

func (m *Module) apiCheckpoint(w http.ResponseWriter, r *http.Request) error {
	cp, err := m.Checkpoint(r.Context())
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, cp)
}

func (m *Module) apiPubkey(w http.ResponseWriter, r *http.Request) error {
	return web.JSON(w, http.StatusOK, map[string]string{"verifier_key": m.v.PublicKey()})
}

func (m *Module) apiInclusion(w http.ResponseWriter, r *http.Request) error {
	v := &problem.Invalid{}
	seq, _ := uintParam(r, "seq", true, v)
	size, _ := uintParam(r, "size", false, v)
	if err := v.Err(); err != nil {
		return err
	}
	p, err := m.InclusionProof(r.Context(), seq, size)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, p)
}

func (m *Module) apiConsistency(w http.ResponseWriter, r *http.Request) error {
	v := &problem.Invalid{}
	from, _ := uintParam(r, "from", true, v)
	to, _ := uintParam(r, "to", true, v)
	if err := v.Err(); err != nil {
		return err
	}
	p, err := m.ConsistencyProof(r.Context(), from, to)
	if err != nil {
		return err
	}
	return web.JSON(w, http.StatusOK, p)
}

// apiExport streams an export bundle of the matching events. The export is recorded in
// the audit trail as a read, because a bundle carries the logs out of the installation.
func (m *Module) apiExport(w http.ResponseWriter, r *http.Request) error {
	sp, err := m.parseSearch(r.URL.Query(), 1)
	if err != nil {
		return err
	}
	org, err := orgOf(r.Context())
	if err != nil {
		return err
	}
	q := sp.query()
	q.Limit, q.Cursor = 0, ""
	err = m.d.DB.Write(r.Context(), func(tx *store.Tx) error {
		return audit.Record(tx, org, "log_export", "", audit.Read, nil, nil,
			fmt.Sprintf("query %q from %s to %s source %d", sp.Q, sp.From.Format(time.RFC3339), sp.To.Format(time.RFC3339), sp.Source))
	})
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/x-ndjson")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="vault-bundle-org%d-%s.ndjson"`, org, m.now().UTC().Format("20060102T150405Z")))
	if err := m.v.ExportBundle(r.Context(), org, q, w); err != nil {
		// Headers are gone; the missing end record tells the verifier the bundle is cut.
		m.d.Log.Error("export bundle", "org", org, "err", err)
	}
	return nil
}

// integrityView is what the integrity page shows.
type integrityView struct {
	Manage     bool
	Checkpoint CheckpointInfo
	History    []signedCheckpoint
	Size       uint64
	Verify     *verifyJob // the last "verify now", nil before the first
	// From and To are the default range of the bundle export form: the last day.
	From, To string
}

// signedCheckpoint is a stored checkpoint as the page lists it.
type signedCheckpoint struct {
	CheckpointInfo
	SignedAt time.Time
}

func (m *Module) integrityPage(w http.ResponseWriter, r *http.Request) error {
	v := m.d.Web.NewView(r, "nav.vault_integrity", "/vault/integrity")
	org, err := orgOf(r.Context())
	if err != nil {
		return err
	}
	iv := &integrityView{Manage: v.Can(string(Manage))}
	if iv.Checkpoint, err = m.Checkpoint(r.Context()); err != nil {
		return err
	}
	iv.Size = iv.Checkpoint.Size
	hist, err := m.v.CheckpointHistory(org, 20)
	if err != nil {
		return fmt.Errorf("list checkpoints: %w", err)
	}
	for _, h := range hist {
		ci, err := m.describeCheckpoint(org, h.Note)
		if err != nil {
			return err
		}
		iv.History = append(iv.History, signedCheckpoint{CheckpointInfo: ci, SignedAt: h.SignedAt})
	}
	if iv.Verify = m.verifyJobOf(org); iv.Verify != nil && iv.Verify.Running() {
		v.Refresh = 2
	}
	now := m.now().UTC()
	iv.To = now.Add(time.Minute).Truncate(time.Minute).Format("2006-01-02T15:04")
	iv.From = now.Add(-defaultWindow).Truncate(time.Minute).Format("2006-01-02T15:04")
	v.Data = iv
	return m.pages.Render(w, r, "integrity.html", v)
}

func (m *Module) checkpointSign(w http.ResponseWriter, r *http.Request) error {
	cp, err := m.Checkpoint(r.Context())
	if err != nil {
		return err
	}
	return web.Redirect(w, r, "/vault/integrity", m.d.Web.Messages.T(web.RequestLang(r), "vault.checkpoint_signed", web.FormatNum(web.RequestLang(r), int64(cp.Size))))
}
