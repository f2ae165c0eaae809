package vault

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/transparency-dev/formats/log"
	"golang.org/x/mod/sumdb/note"
)

// Options tune a Vault. The zero value is usable: Open fills defaults.
type Options struct {
	// BlockBits is log2 of the events per block (default 14: 16384). Blocks
	// are complete, aligned Merkle subtrees, so only one root per block is
	// stored. It is fixed when an organisation's log is created; reopening
	// with another value is refused.
	BlockBits uint
	// SegmentBlocks is how many blocks a segment holds before a new one is
	// started (default 64). Segments are the unit of retention.
	SegmentBlocks uint64
	// SegmentMaxAge starts a new segment when the current one is older
	// (default 24h), so purging is never held back by one giant segment.
	SegmentMaxAge time.Duration
	// CheckpointInterval signs a checkpoint for every log that grew, this
	// often (0: only on explicit Checkpoint calls).
	CheckpointInterval time.Duration
	// CheckpointKeep is how far apart the ticker's checkpoints stay in the
	// history (default 1h): signing every second puts an acknowledged event
	// under a signature within about a second, and each new one replaces the
	// previous unless that one is the first this long after the last kept.
	// Checkpoints asked for with Checkpoint are always kept.
	CheckpointKeep time.Duration
	// MaxBatch caps the events written by one group commit (default 65536).
	MaxBatch int
	// QueueDepth is how many Append calls may wait for the writer before
	// Append blocks (default 256): this is the back-pressure point.
	QueueDepth int
	// KeyName names the signing key in the signed note (default
	// "ciiguard-vault"); it appears in the verifier key.
	KeyName string
	// Now replaces time.Now (tests).
	Now func() time.Time
	// Store, when set, keeps complete segments, their indexes, block roots
	// and checkpoints in object storage, locked until the organisation's
	// retention ends (see ObjectStore); local disk is then a cache of
	// sealed segments, CacheBytes large. Nil: local disk only.
	Store ObjectStore
	// CacheBytes bounds the local disk used by sealed segments the store
	// also holds (default 8 GiB). The segment being written and segments
	// not yet uploaded are not counted and never evicted.
	CacheBytes int64
	// LockFor is how long after its newest reception time a segment's
	// objects are locked: the organisation's retention (default
	// MinRetention, six months). Objects stay undeletable that long.
	LockFor func(org int64) time.Duration
	// Frames, when set, keeps the write-ahead frames outside the node
	// instead of in each log's WAL file, and makes a node write an
	// organisation's log only while it holds that organisation's writer
	// lease (see FrameStore). It needs Store. Nil: the WAL file.
	Frames FrameStore
	// Logger receives what the vault does by itself that an operator
	// should know of, such as cutting an incomplete last WAL frame at open
	// (default slog.Default()).
	Logger *slog.Logger
}

// MinRetention is the shortest time network logs must be kept: six months
// under CSL 2016 Art. 21(3) and CSL (2025 amendment) Art. 23(3). Six calendar
// months back from a day are 181 to 184 days (1 January back to 1 July is 184),
// so 184 days keep six months of logs on every day of the year. Purge refuses
// cutoffs that would remove younger events.
const MinRetention = 184 * 24 * time.Hour

// Vault manages one log per organisation under a directory, with one
// Ed25519 signing key for the installation.
type Vault struct {
	dir      string
	opts     Options
	signer   note.Signer
	verifier note.Verifier
	vkey     string
	// seed is the signing key's Ed25519 seed, from which NodeKey derives
	// the secrets the nodes of a cluster share.
	seed []byte

	mu   sync.Mutex
	logs map[int64]*Log
	// readOnly vaults (OpenReadOnly) never write: no log is created,
	// nothing is cut, sealed or signed, and no writer runs.
	readOnly bool
	// stopped holds, per organisation, the *WALDamageError that keeps its
	// log from opening, so that every request answers it at once instead
	// of re-reading the files.
	stopped map[int64]error
	// notWriter remembers, per organisation, that another node holds its
	// writer lease (shared frames), for notWriterFor.
	notWriter map[int64]notWriterMemo
	closed    bool
	stop      chan struct{}
	bg        sync.WaitGroup

	stats counters
	lock  *os.File // held while open; see lockDir

	store   ObjectStore    // nil: local disk only
	cache   *diskCache     // local copies of stored data (nil without store)
	uploads chan uploadJob // complete segments for the uploader
}

type counters struct {
	events, appendCalls, commits, fsyncs, blocks, blockBytes atomic.Uint64
	checkpoints, searches, blocksRead, blocksSkipped         atomic.Uint64
	objectPuts, objectGets, objectBytesIn, uploadErrors      atomic.Uint64
}

// Stats are cumulative counters since Open, for monitoring.
type Stats struct {
	EventsAppended uint64 // events made durable
	AppendCalls    uint64
	Commits        uint64 // group commits (one WAL write + fsync each)
	Fsyncs         uint64
	BlocksSealed   uint64
	BlockBytes     uint64 // compressed block bytes written
	Checkpoints    uint64
	Searches       uint64
	BlocksRead     uint64 // blocks decompressed (search, proofs, verify)
	BlocksSkipped  uint64 // blocks skipped by index (time, fields, bloom)
	ObjectPuts     uint64 // objects written to the object store
	ObjectGets     uint64 // block frames fetched from it
	ObjectBytesIn  uint64 // bytes of those frames
	UploadErrors   uint64 // failed uploads (each retried)
	CacheBytes     int64  // local bytes of stored data held as cache
	CacheEntries   int
}

// Stats returns a snapshot of the counters.
func (v *Vault) Stats() Stats {
	s := &v.stats
	st := Stats{
		EventsAppended: s.events.Load(), AppendCalls: s.appendCalls.Load(), Commits: s.commits.Load(),
		Fsyncs: s.fsyncs.Load(), BlocksSealed: s.blocks.Load(), BlockBytes: s.blockBytes.Load(),
		Checkpoints: s.checkpoints.Load(), Searches: s.searches.Load(), BlocksRead: s.blocksRead.Load(),
		BlocksSkipped: s.blocksSkipped.Load(), ObjectPuts: s.objectPuts.Load(), ObjectGets: s.objectGets.Load(),
		ObjectBytesIn: s.objectBytesIn.Load(), UploadErrors: s.uploadErrors.Load(),
	}
	st.CacheBytes, st.CacheEntries = v.cache.usage()
	return st
}

const keyFile = "vault.key"

// Open opens (creating if needed) the vault in dir. On first start it
// generates the Ed25519 signing key and stores it in dir/vault.key with
// mode 0600.
func Open(dir string, opts Options) (*Vault, error) {
	opts, err := withDefaults(opts)
	if err != nil {
		return nil, err
	}
	if opts.Frames != nil && opts.Store == nil {
		return nil, errors.New("vault: shared write-ahead frames need object storage: a new writer rebuilds the log from both")
	}
	if err := os.MkdirAll(filepath.Join(dir, "org"), 0o750); err != nil {
		return nil, fmt.Errorf("vault: create %s: %w", dir, err)
	}
	lock, err := lockDir(dir)
	if err != nil {
		return nil, err
	}
	if err = checkLayout(dir, opts.BlockBits); err != nil {
		lock.Close()
		return nil, err
	}
	skey, err := loadOrCreateKey(filepath.Join(dir, keyFile), opts.KeyName)
	if err != nil {
		lock.Close()
		return nil, err
	}
	v := &Vault{dir: dir, opts: opts, logs: map[int64]*Log{}, stopped: map[int64]error{}, stop: make(chan struct{}), lock: lock}
	if v.signer, err = note.NewSigner(skey); err != nil {
		return nil, fmt.Errorf("vault: signing key in %s: %w", keyFile, err)
	}
	v.vkey, err = verifierFromSigner(skey)
	if err != nil {
		return nil, err
	}
	if v.seed, err = signerSeed(skey); err != nil {
		return nil, err
	}
	if v.verifier, err = note.NewVerifier(v.vkey); err != nil {
		return nil, fmt.Errorf("vault: verifier key: %w", err)
	}
	if opts.CheckpointInterval > 0 {
		v.bg.Add(1)
		go v.checkpointLoop()
	}
	if opts.Store != nil {
		v.store, v.cache, v.uploads = opts.Store, newDiskCache(opts.CacheBytes), make(chan uploadJob, 1024)
		v.bg.Add(1)
		go v.uploader()
	}
	return v, nil
}

// withDefaults fills the zero fields of opts.
func withDefaults(opts Options) (Options, error) {
	if opts.BlockBits == 0 {
		opts.BlockBits = 14
	}
	if opts.BlockBits > 20 {
		return opts, fmt.Errorf("vault: BlockBits %d: at most 20", opts.BlockBits)
	}
	if opts.SegmentBlocks == 0 {
		opts.SegmentBlocks = 64
	}
	if opts.SegmentMaxAge == 0 {
		opts.SegmentMaxAge = 24 * time.Hour
	}
	if opts.CheckpointKeep <= 0 {
		opts.CheckpointKeep = time.Hour
	}
	if opts.MaxBatch <= 0 {
		opts.MaxBatch = 1 << 16
	}
	if opts.QueueDepth <= 0 {
		opts.QueueDepth = 256
	}
	if opts.KeyName == "" {
		opts.KeyName = "ciiguard-vault"
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.CacheBytes <= 0 {
		opts.CacheBytes = 8 << 30
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	return opts, nil
}

// checkLayout records the block size on first use and refuses to reopen a
// vault with another, which would misplace every tree node.
func checkLayout(dir string, bits uint) error {
	path := filepath.Join(dir, "layout")
	want := fmt.Sprintf("ciiguard-vault 1\nblock-bits %d\n", bits)
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		if err := writeFileSync(path, []byte(want)); err != nil {
			return fmt.Errorf("vault: write layout: %w", err)
		}
		return syncDir(dir)
	}
	if err != nil {
		return fmt.Errorf("vault: read layout: %w", err)
	}
	if string(b) != want {
		return fmt.Errorf("vault: %s was created with layout %q; options ask for %q", dir, b, want)
	}
	return nil
}

func loadOrCreateKey(path, name string) (string, error) {
	b, err := os.ReadFile(path)
	if err == nil {
		st, err := os.Stat(path)
		if err != nil {
			return "", fmt.Errorf("vault: stat signing key: %w", err)
		}
		if st.Mode().Perm()&0o077 != 0 {
			return "", fmt.Errorf("vault: signing key %s has mode %v; it must not be readable by group or others (chmod 600)", path, st.Mode().Perm())
		}
		return strings.TrimSpace(string(b)), nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return "", fmt.Errorf("vault: read signing key: %w", err)
	}
	skey, _, err := note.GenerateKey(rand.Reader, name)
	if err != nil {
		return "", fmt.Errorf("vault: generate signing key: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return "", fmt.Errorf("vault: create signing key: %w", err)
	}
	if _, err := f.WriteString(skey + "\n"); err != nil {
		f.Close()
		return "", fmt.Errorf("vault: write signing key: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return "", fmt.Errorf("vault: fsync signing key: %w", err)
	}
	if err := f.Close(); err != nil {
		return "", fmt.Errorf("vault: close signing key: %w", err)
	}
	return skey, syncDir(filepath.Dir(path))
}

// verifierFromSigner derives the note verifier key from a note signer key
// ("PRIVATE+KEY+name+hash+key"), which note does not expose directly.
func verifierFromSigner(skey string) (string, error) {
	parts := strings.SplitN(skey, "+", 5)
	if len(parts) != 5 || parts[0] != "PRIVATE" || parts[1] != "KEY" {
		return "", errors.New("vault: signing key file is not a note signer key")
	}
	priv, err := decodeB64(parts[4])
	if err != nil || len(priv) != 33 || priv[0] != 1 {
		return "", errors.New("vault: signing key is not an Ed25519 note key")
	}
	pub := ed25519Public(priv[1:])
	return note.NewEd25519VerifierKey(parts[2], pub)
}

// PublicKey returns the note verifier key ("name+hash+base64key") that
// anyone can use to check checkpoints and bundles.
func (v *Vault) PublicKey() string { return v.vkey }

// Origin returns the checkpoint origin line of an organisation's log.
func Origin(orgID int64) string { return "ciiguard/vault/org/" + strconv.FormatInt(orgID, 10) }

func (v *Vault) now() time.Time { return v.opts.Now() }

// log returns the organisation's log, opening it; create=false returns nil
// for an organisation that has never stored anything.
func (v *Vault) log(org int64, create bool) (*Log, error) {
	if org <= 0 {
		return nil, fmt.Errorf("vault: organisation id %d: must be positive", org)
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.closed {
		return nil, errors.New("vault: closed")
	}
	if create && v.readOnly {
		return nil, ErrReadOnly
	}
	if l := v.logs[org]; l != nil {
		if !l.writerLost() {
			return l, nil
		}
		delete(v.logs, org)
		v.retire(l)
	}
	if err := v.stopped[org]; err != nil {
		return nil, err
	}
	if m, ok := v.notWriter[org]; ok && time.Now().Before(m.until) {
		return nil, m.err
	}
	if !create || v.readOnly {
		if _, err := os.Stat(filepath.Join(v.dir, "org", strconv.FormatInt(org, 10))); errors.Is(err, os.ErrNotExist) {
			if v.store == nil || v.readOnly {
				return nil, nil
			}
			ok, err := v.storedOrg(org)
			if err == nil && !ok && v.opts.Frames != nil {
				ok, err = v.hasFrames(org)
			}
			if err != nil || !ok {
				return nil, err
			}
		}
	}
	l, err := openLog(v, org)
	var nw *NotWriterError
	if errors.As(err, &nw) {
		if v.notWriter == nil {
			v.notWriter = map[int64]notWriterMemo{}
		}
		v.notWriter[org] = notWriterMemo{err: nw, until: time.Now().Add(notWriterFor)}
	} else {
		delete(v.notWriter, org)
	}
	if errors.Is(err, ErrWALDamaged) {
		v.stopped[org] = err
		v.opts.Logger.Error("vault: an organisation's log is stopped", "org", org, "err", err)
	}
	if err != nil {
		return nil, err
	}
	v.logs[org] = l
	return l, nil
}

// Append stores events for an organisation and returns the sequence number
// of the first. It returns only after the events are durable (fsynced);
// concurrent callers share one fsync. It blocks while the writer is
// behind, which is how TCP senders are slowed down. The caller's slice is
// not modified. OrgID and Seq in the events are ignored; Received defaults
// to now and Time to Received.
func (v *Vault) Append(ctx context.Context, orgID int64, evs []Event) (uint64, error) {
	first, _, err := v.append(ctx, orgID, nil, evs)
	return first, err
}

// AppendOnce is Append for a batch a sender may send again (a retry after
// an answer it never got): when the log stored a batch under key.ID within
// BatchKeyWindow (on this node or on a writer before it), nothing is
// appended and the answer is that batch's first sequence number with
// replayed true; ErrBatchKeyReused when that batch's Sum or number of
// events differ. The key is durable exactly when the events are.
func (v *Vault) AppendOnce(ctx context.Context, orgID int64, key BatchKey, evs []Event) (first uint64, replayed bool, err error) {
	if key.ID == "" || len(key.ID) > MaxBatchKeyLen {
		return 0, false, fmt.Errorf("vault: batch key of %d bytes: 1 to %d", len(key.ID), MaxBatchKeyLen)
	}
	return v.append(ctx, orgID, &key, evs)
}

func (v *Vault) append(ctx context.Context, orgID int64, key *BatchKey, evs []Event) (uint64, bool, error) {
	if len(evs) == 0 {
		return 0, false, errors.New("vault: append of no events")
	}
	l, err := v.log(orgID, true)
	if err != nil {
		return 0, false, err
	}
	v.stats.appendCalls.Add(1)
	req := &appendReq{
		evs:    make([]Event, len(evs)),
		leaves: make([][32]byte, len(evs)),
		data:   make([][]byte, len(evs)),
		key:    key,
		done:   make(chan struct{}),
	}
	now := v.now()
	copy(req.evs, evs)
	for i := range req.evs {
		ev := &req.evs[i]
		if len(ev.Raw) > 0 {
			ev.Raw = append([]byte(nil), ev.Raw...)
		}
		if err := normalize(ev, orgID, now); err != nil {
			return 0, false, fmt.Errorf("vault: event %d of %d: %w", i, len(evs), err)
		}
	}
	// The leaf data of all events in one allocation (it lives only until
	// the WAL write), sized by leafDataCap so that it never moves.
	total := 0
	for i := range req.evs {
		total += leafDataCap(&req.evs[i])
	}
	buf := make([]byte, 0, total)
	for i := range req.evs {
		// Hash here, in the caller's goroutine, so hashing scales with
		// the number of senders instead of running on the writer.
		start := len(buf)
		buf = appendLeafData(buf, &req.evs[i])
		req.data[i] = buf[start:len(buf):len(buf)]
		req.leaves[i] = LeafHash(req.data[i])
	}
	if err := l.append(ctx, req); err != nil {
		if !errors.Is(err, ErrWriterLost) {
			return 0, false, err
		}
		// Fenced: nothing was stored. The log is reopened, which makes this
		// node the writer again if the lease is free, and the events go once more.
		l2, err2 := v.log(orgID, true)
		var nw *NotWriterError
		if errors.As(err2, &nw) {
			return 0, false, notWriterAgain(err, nw)
		}
		if err2 != nil {
			return 0, false, fmt.Errorf("%w; reopening the log: %w", err, err2)
		}
		req.done, req.err, req.replayed = make(chan struct{}), nil, false
		if err := l2.append(ctx, req); err != nil {
			return 0, false, err
		}
	}
	return req.first, req.replayed, nil
}

// Size returns the number of durable events of an organisation.
func (v *Vault) Size(orgID int64) (uint64, error) {
	l, err := v.log(orgID, false)
	if err != nil || l == nil {
		return 0, err
	}
	return l.Size(), nil
}

// Get returns one event by sequence number.
func (v *Vault) Get(ctx context.Context, orgID int64, seq uint64) (Event, error) {
	l, err := v.log(orgID, false)
	if err != nil {
		return Event{}, err
	}
	if l == nil {
		return Event{}, fmt.Errorf("vault: organisation %d has no log", orgID)
	}
	return l.event(seq)
}

// Checkpoint signs a checkpoint for the current size of the organisation's
// log (C2SP tlog-checkpoint in a signed note) and stores it. If the log
// has not grown since the last checkpoint, that one is returned.
func (v *Vault) Checkpoint(ctx context.Context, orgID int64) ([]byte, error) {
	l, err := v.log(orgID, true)
	if err != nil {
		return nil, err
	}
	return l.checkpoint()
}

// periodicCheckpoint is the ticker's checkpoint: it replaces the previous
// one the ticker signed unless that one is kept (see Options.CheckpointKeep),
// so the history holds about one checkpoint per CheckpointKeep and the newest.
func (l *Log) periodicCheckpoint() ([]byte, error) {
	if l.gone.Load() {
		return nil, nil // retired: the next writer signs
	}
	return l.sign(true)
}

func (l *Log) checkpoint() ([]byte, error) {
	return l.sign(false)
}

// sign signs and stores a checkpoint for the log's current size; when the log
// has not grown the last one is returned. A transient (ticker) checkpoint less
// than CheckpointKeep after the last kept one replaces the previous transient
// one once it is itself durable, so a crash between the two leaves one extra
// checkpoint, never none.
func (l *Log) sign(ticker bool) ([]byte, error) {
	l.cpMu.Lock()
	defer l.cpMu.Unlock()
	l.mu.RLock()
	size := l.sizeLocked()
	var last, kept *checkpoint
	if n := len(l.cps); n > 0 {
		last = l.cps[n-1]
	}
	for i := len(l.cps) - 1; i >= 0; i-- {
		if !l.cps[i].transient {
			kept = l.cps[i]
			break
		}
	}
	if last != nil && last.size == size {
		l.mu.RUnlock()
		return last.note, nil
	}
	root, err := rangeHash(l.node, 0, size)
	l.mu.RUnlock()
	if err != nil {
		return nil, fmt.Errorf("vault: checkpoint of org %d at size %d: %w", l.org, size, err)
	}
	body := log.Checkpoint{Origin: Origin(l.org), Size: size, Hash: root[:]}.Marshal()
	signed, err := note.Sign(&note.Note{Text: string(body)}, l.v.signer)
	if err != nil {
		return nil, fmt.Errorf("vault: sign checkpoint: %w", err)
	}
	name := fmt.Sprintf("%020d.note", size)
	dir := filepath.Join(l.dir, "cp")
	tmp := filepath.Join(dir, name+".tmp")
	if err := writeFileSync(tmp, signed); err != nil {
		return nil, fmt.Errorf("vault: write checkpoint: %w", err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, name)); err != nil {
		return nil, fmt.Errorf("vault: store checkpoint: %w", err)
	}
	if err := syncDir(dir); err != nil {
		return nil, err
	}
	l.v.stats.checkpoints.Add(1)
	now := l.v.opts.Now()
	cp := &checkpoint{size: size, root: root, note: signed, file: name, signed: now,
		transient: ticker && kept != nil && now.Sub(kept.signed) < l.v.opts.CheckpointKeep}
	l.mu.Lock()
	var replaced *checkpoint
	if last != nil && last.transient {
		replaced = last
		l.cps = l.cps[:len(l.cps)-1]
	}
	l.cps = append(l.cps, cp)
	l.mu.Unlock()
	if replaced != nil {
		if err := os.Remove(filepath.Join(dir, replaced.file)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return signed, fmt.Errorf("vault: remove superseded checkpoint %s: %w", replaced.file, err)
		}
	}
	return signed, nil
}

// Checkpoints returns every stored signed checkpoint of the organisation,
// oldest (smallest) first.
func (v *Vault) Checkpoints(orgID int64) ([][]byte, error) {
	l, err := v.log(orgID, false)
	if err != nil || l == nil {
		return nil, err
	}
	l.mu.RLock()
	defer l.mu.RUnlock()
	out := make([][]byte, len(l.cps))
	for i, c := range l.cps {
		out[i] = c.note
	}
	return out, nil
}

// openCheckpoint checks a signed checkpoint against the vault key and the
// organisation's origin.
func (v *Vault) openCheckpoint(signed []byte, org int64) (uint64, [32]byte, error) {
	return OpenCheckpoint(signed, v.vkey, Origin(org))
}

// OpenCheckpoint verifies a signed checkpoint with a note verifier key and
// returns its size and root hash. A non-empty origin must match.
func OpenCheckpoint(signed []byte, verifierKey, origin string) (uint64, [32]byte, error) {
	ver, err := note.NewVerifier(verifierKey)
	if err != nil {
		return 0, [32]byte{}, fmt.Errorf("verifier key: %w", err)
	}
	n, err := note.Open(signed, note.VerifierList(ver))
	if err != nil {
		return 0, [32]byte{}, fmt.Errorf("checkpoint signature: %w", err)
	}
	var cp log.Checkpoint
	rest, err := cp.Unmarshal([]byte(n.Text))
	if err != nil {
		return 0, [32]byte{}, fmt.Errorf("checkpoint body: %w", err)
	}
	if len(bytes.TrimSpace(rest)) != 0 {
		return 0, [32]byte{}, errors.New("checkpoint body: unexpected extension lines")
	}
	if origin != "" && cp.Origin != origin {
		return 0, [32]byte{}, fmt.Errorf("checkpoint origin %q, want %q", cp.Origin, origin)
	}
	if len(cp.Hash) != 32 {
		return 0, [32]byte{}, fmt.Errorf("checkpoint root hash has %d bytes", len(cp.Hash))
	}
	return cp.Size, [32]byte(cp.Hash), nil
}

// InclusionProof returns the RFC 9162 inclusion proof of event seq in the
// tree of size treeSize (seq < treeSize <= current size).
func (v *Vault) InclusionProof(ctx context.Context, orgID int64, seq, treeSize uint64) ([][]byte, error) {
	l, err := v.log(orgID, false)
	if err != nil {
		return nil, err
	}
	if l == nil {
		return nil, fmt.Errorf("vault: organisation %d has no log", orgID)
	}
	l.mu.RLock()
	defer l.mu.RUnlock()
	if treeSize > l.sizeLocked() {
		return nil, fmt.Errorf("vault: tree size %d exceeds log size %d", treeSize, l.sizeLocked())
	}
	p, err := inclusionProof(l.node, seq, treeSize)
	if err != nil {
		return nil, fmt.Errorf("vault: inclusion proof of %d in %d: %w", seq, treeSize, err)
	}
	return p, nil
}

// ConsistencyProof returns the RFC 9162 consistency proof between tree
// sizes a <= b (both at most the current size).
func (v *Vault) ConsistencyProof(ctx context.Context, orgID int64, a, b uint64) ([][]byte, error) {
	l, err := v.log(orgID, false)
	if err != nil {
		return nil, err
	}
	if l == nil {
		return nil, fmt.Errorf("vault: organisation %d has no log", orgID)
	}
	l.mu.RLock()
	defer l.mu.RUnlock()
	if b > l.sizeLocked() {
		return nil, fmt.Errorf("vault: tree size %d exceeds log size %d", b, l.sizeLocked())
	}
	p, err := consistencyProof(l.node, a, b)
	if err != nil {
		return nil, fmt.Errorf("vault: consistency proof %d..%d: %w", a, b, err)
	}
	return p, nil
}

// RootHash returns the tree root at a size (at most the current size).
func (v *Vault) RootHash(ctx context.Context, orgID int64, size uint64) ([32]byte, error) {
	l, err := v.log(orgID, false)
	if err != nil || l == nil {
		return emptyRoot, err
	}
	l.mu.RLock()
	defer l.mu.RUnlock()
	if size > l.sizeLocked() {
		return [32]byte{}, fmt.Errorf("vault: tree size %d exceeds log size %d", size, l.sizeLocked())
	}
	return rangeHash(l.node, 0, size)
}

func (v *Vault) checkpointLoop() {
	defer v.bg.Done()
	t := time.NewTicker(v.opts.CheckpointInterval)
	defer t.Stop()
	for {
		select {
		case <-v.stop:
			return
		case <-t.C:
			v.mu.Lock()
			logs := make([]*Log, 0, len(v.logs))
			for _, l := range v.logs {
				logs = append(logs, l)
			}
			v.mu.Unlock()
			for _, l := range logs {
				// A failed periodic checkpoint is retried next tick; the
				// error is visible through Checkpoint for callers who care.
				_, _ = l.periodicCheckpoint()
			}
		}
	}
}

// Orgs lists the organisations that have a log on disk.
func (v *Vault) Orgs() ([]int64, error) {
	ents, err := os.ReadDir(filepath.Join(v.dir, "org"))
	if err != nil {
		return nil, fmt.Errorf("vault: list organisations: %w", err)
	}
	var out []int64
	for _, e := range ents {
		if id, err := strconv.ParseInt(e.Name(), 10, 64); err == nil && e.IsDir() {
			out = append(out, id)
		}
	}
	return out, nil
}

// Close waits for queued appends, stops background work and closes files.
func (v *Vault) Close() error {
	v.mu.Lock()
	if v.closed {
		v.mu.Unlock()
		return nil
	}
	v.closed = true
	close(v.stop)
	logs := v.logs
	v.mu.Unlock()
	v.bg.Wait()
	var errs []error
	for _, l := range logs {
		errs = append(errs, l.close())
	}
	if v.lock != nil {
		errs = append(errs, v.lock.Close())
	}
	return errors.Join(errs...)
}
