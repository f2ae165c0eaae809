// Package vault is ciiguard's security log vault: an append-only,
// compressed, searchable and tamper-evident store for network and
// security logs, kept per organisation.
//
// The Cybersecurity Law requires network operators to keep network logs
// for at least six months (CSL 2016 Art. 21(3); Art. 23(3) after the 2025
// amendment). The vault keeps them cheaply, finds them quickly, and lets
// anyone holding only the vault's public key check that no event was
// altered, dropped or inserted: every event is a leaf of a Merkle tree
// (RFC 9162 hashing), the tree head is signed periodically as a C2SP
// checkpoint, and the vault serves inclusion and consistency proofs.
//
// # Use
//
//	v, err := vault.Open(dir, vault.Options{CheckpointInterval: time.Hour})
//	first, err := v.Append(ctx, orgID, events) // durable on return
//	page, err := v.Search(ctx, orgID, vault.Query{Expr: `sev<=3 host:fw1 "denied tcp"`})
//	note, err := v.Checkpoint(ctx, orgID)
//	proof, err := v.InclusionProof(ctx, orgID, seq, size)
//	report, err := v.Verify(ctx, orgID, nil)
//	err = v.ExportBundle(ctx, orgID, query, w); rep, err := vault.VerifyBundle(r, v.PublicKey())
//
// Each organisation has its own directory, tree, segments and checkpoints,
// so retention purges whole files of one tenant and an inspector of one
// organisation can be given another's nothing.
//
// # Events and leaves
//
// Append normalises events before hashing (UTC times, reception time to
// the millisecond, sender time defaulting to reception time, valid UTF-8
// text with the original bytes kept in Raw) and assigns Seq, which is the
// leaf index. The leaf data is the canonical encoding documented at
// LeafData; leaf hash = SHA-256(0x00 || leaf data), interior node =
// SHA-256(0x01 || left || right), exactly RFC 9162 section 2.1.1.
//
// # Directory layout
//
//	DIR/layout                    "ciiguard-vault 1\nblock-bits N\n"; reopening with another N is refused
//	DIR/vault.key                 Ed25519 signer key in golang.org/x/mod/sumdb/note form, mode 0600
//	DIR/org/ID/wal                write-ahead log of the unsealed tail
//	DIR/org/ID/seg-B.dat          block frames of segment starting at block B (12 digits)
//	DIR/org/ID/seg-B.idx          one index frame per block of that segment
//	DIR/org/ID/roots              32-byte Merkle root of each sealed block, in block order
//	DIR/org/ID/cp/SIZE.note       signed checkpoint of tree size SIZE (20 digits)
//	DIR/org/ID/purged.json        purged segments and the inner hashes kept for checkpoints
//
// # Frames
//
// Every record in wal, .dat and .idx files is a frame:
//
//	magic [4]byte ("CGWL" wal, "CGBK" block, "CGIX" index) | u32 LE payload length | u32 LE CRC-32C(payload) | payload
//
// Integers inside payloads are Go encoding/binary varints (zig-zag for
// signed) unless marked u32/u64 (little endian); "string" is a uvarint
// length then bytes.
//
// WAL frames (version 2) carry their sequence range in a header with its
// own checksum:
//
//	"CGW2" | u32 payload length | u64 first seq | u32 count | u32 CRC-32C(payload) | u32 CRC-32C(header bytes 0..23) | payload
//
// payload: count × (uvarint length, leaf data). Every Append batch is one
// frame; a group commit writes the frames of its batches and fsyncs once
// before any Append returns. Version 1 frames ("CGWL", payload uvarint
// first seq, uvarint count, then the same) are still read; the WAL is
// rewritten in version 2 when the next block is sealed.
//
// # Blocks
//
// Events are grouped in blocks of exactly 2^N events (Options.BlockBits,
// default 14), so block k is the complete, aligned Merkle subtree over
// leaves [k·2^N, (k+1)·2^N). Only its root is stored (the roots file); the
// hashes below are recomputed from the events when a proof needs them, and
// the hashes above from the roots. The tree therefore costs 32 bytes per
// block, about 0.002 bytes per event (the locator in the index entry adds
// 0.074).
//
// Block payload, version 2 (written since the per-part index): byte 2,
// uvarint first seq, uvarint count, uvarint events per part (count/8
// rounded up: 2,048 by default), uvarint n parts, n × (uvarint part
// length, u32 CRC-32C of the part), u32 CRC-32C of the bytes so far; then
// the n parts back to back, each a run of columns as in version 1 over its
// events. Parts are compressed and indexed on their own so a search reads
// only the parts that may match (about 0.3 MB of messages each instead of
// a whole block's 2–5 MB); the frame CRC still covers everything.
//
// Block payload, version 1 (still read): byte version (1), uvarint first
// seq, uvarint count, uvarint column count (11), then per column: uvarint decompressed length,
// uvarint compressed length, zstd frame. Columns, in order:
//
//	0 received   varint delta of Unix ns from the previous event (first: from 0)
//	1 time       same, for the sender's time
//	2 source     varint source id
//	3 facsev     2 bytes per event: facility+1, severity+1 (0 = unknown)
//	4 format     dictionary column
//	5 host       dictionary column
//	6 app        dictionary column
//	7 procid     dictionary column
//	8 msgid      dictionary column
//	9 message    string per event
//	10 raw       uvarint length + bytes per event
//
// A dictionary column is uvarint n, n strings, then one uvarint index per
// event. The message and raw columns list events grouped by host — hosts
// in order of first appearance in the block, arrival order within a host —
// which the reader recomputes from the host column. Columns are compressed separately so a histogram decompresses
// only times.
//
// # Index entries
//
// One per block, in the segment's .idx file. Version 2 (written since the
// per-part index): the fields of version 1 below up to the source ids,
// then uvarint events per part, uvarint n parts, and per part: uvarint
// event count, varint min and max event time as offsets from the block's
// min time, uvarint severity mask, uvarint facility mask, and a Bloom
// filter: byte k probes, uvarint w, w u64 words. The filter holds every
// free-text token of the part — long numbers too — and, with a one-byte
// prefix, each host, app and source id; it has 12 bits per distinct key
// and 8 probes (about 0.3% false positives whatever the part's number of
// tokens), bit positions by double hashing of FNV-1a 64 scaled into the
// filter by multiplication.
//
// Version 3 (written since the locator): version 2, then uvarint n and n
// bytes of the block's locator — uvarint L, uvarint t (4), the 32-byte
// subtree root of each group of 2^L consecutive events (L = max(N−4,
// ⌈N/2⌉): 1,024 by default), then per group 1+L syndromes of t bytes, the
// XOR of the first t bytes of the group's leaf hashes (all of them, then
// those whose offset in the group has bit j set); see locator.go. Verify
// uses it only to say which event of a block changed; the block root stays
// the check.
//
// Version 1 (still read; Verify recomputes an entry in its own version):
// payload byte version (1),
// uvarint block number, uvarint frame offset in .dat, uvarint frame
// length, u32 CRC-32C of the block payload, uvarint event count, varint
// min/max reception and min/max event time (Unix ns), uvarint severity
// mask (bit s+1 for severity s, bit 0 unknown), uvarint facility mask,
// byte "more sources than listed", uvarint n + n varint source ids (at
// most 32), uvarint w + w u64 words of a Bloom filter.
//
// The version 1 filter (6 probes, about 9 bits per distinct key, bit
// positions modulo its size) covers the whole block and leaves out
// all-digit tokens of five or more digits, so a search for one reads every
// such block its other conditions leave.
//
// A token is a maximal run of ASCII letters, digits, '.', '_' and
// non-ASCII bytes, without leading or trailing dots, compared
// ASCII-case-insensitively.
//
// # Durability and recovery
//
// Append hashes and encodes in the caller's goroutine, then hands the
// batch to the organisation's writer, which gathers all waiting batches
// into one WAL write and one fsync (group commit) before acknowledging any
// of them. When the tail reaches a full block the writer seals it: block
// frame (fsync), index frame (fsync), root (fsync; this commits the
// block), then rewrites the WAL with the remaining tail atomically (write
// temporary, fsync, rename, fsync directory). On open, the number of roots
// is the number of committed blocks: bytes after them in .dat, .idx or
// roots are a torn seal and are cut off; WAL events already in blocks are
// skipped. Opening does not rewrite the WAL. Only an incomplete last WAL
// frame — the file ends before its header says the frame does, or only
// zero bytes follow the last intact frame — is cut, and the cut is logged
// with the frame's range: such a write never reached its fsync, so it was
// never acknowledged. A complete frame failing either checksum, wherever it
// is, and events no frame holds, stop the organisation's log with a
// *WALDamageError naming the file, offset and sequence numbers (HTTP 503),
// until `ciiguard vault repair` quarantines the damaged bytes. Damage
// anywhere else is not repaired: it is recorded and reported by Verify.
// Checkpoints are written to a temporary file and renamed, so they are
// never torn.
//
// # Checkpoints and proofs
//
// A checkpoint is the C2SP tlog-checkpoint body
//
//	ciiguard/vault/org/ID
//	SIZE
//	base64(root hash)
//
// signed as a golang.org/x/mod/sumdb/note with the installation's Ed25519
// key; PublicKey returns the verifier key. InclusionProof and
// ConsistencyProof return RFC 9162 proofs (lists of 32-byte hashes) that
// any RFC 9162 verifier checks, e.g. github.com/transparency-dev/merkle/proof.
//
// # Retention
//
// Purge removes whole segments all of whose events were received before
// the cutoff, except segments overlapping a legal hold and the segment
// being written, and refuses cutoffs younger than MinRetention. It first
// records the purge in purged.json (segment block range, event count, time
// range, purge time) together with, for every checkpoint whose size falls
// inside a purged block, the inner node hashes on and beside the paths of
// that checkpoint's last leaf and the next one. Block roots stay in the
// roots file. So Verify still recomputes every checkpoint, consistency
// proofs between checkpoints still work, and kept events keep their
// inclusion proofs; only proofs that need a purged event's own hash are
// gone.
//
// # Export bundles
//
// ExportBundle writes newline-delimited JSON:
//
//	{"type":"header","format":"ciiguard-vault-bundle/2","origin":...,"org_id":...,"query":...,
//	 "created":...,"verifier_key":...,"checkpoint":"<signed note text>"}
//	{"type":"event","index":SEQ,"event":{...},"leaf":"<base64 leaf data>","proof":["<base64 hash>",...]}
//	...                                                   (newest first, each index once)
//	{"type":"end","events":N,"newest":SEQ,"oldest":SEQ,"tree_size":SIZE,"header_sha256":HEX,
//	 "events_sha256":HEX,"signed":"<signed note of the end text>"}
//
// To check a bundle without this package: verify the checkpoint note with
// the verifier key (which the inspector obtains from the operator, not
// from the bundle), read size and root from its body, and for each event
// line check RFC 9162 inclusion of SHA-256(0x00 || leaf) at index SEQ in a
// tree of that size against the root; the leaf data decodes (LeafData) to
// the event shown. Then verify the end record's note with the same key:
// its text (see endText) repeats the count, the newest and oldest index,
// the tree size and root, the SHA-256 of the header line and the SHA-256
// over every event line's u64 big-endian index followed by its 32-byte leaf
// hash, in bundle order — so a dropped, repeated or moved line, or an
// edited header, fails. VerifyBundle does all of this; version 1 bundles,
// whose end record was unsigned, are refused.
//
// # Object storage
//
// With Options.Store, every complete segment (the writer started the next
// one) is uploaded by a background goroutine: seg-B.dat, seg-B.idx,
// roots/seg-B (the 32-byte roots of its blocks) and cp/SIZE.note for the
// checkpoints it completes, under org/ID/ in the store, each written once
// (If-None-Match) and locked in compliance mode until the segment's newest
// reception time plus Options.LockFor; purged.json is copied there
// unlocked after each purge. The local block file of an uploaded segment
// is then an entry of an LRU cache of Options.CacheBytes; once evicted,
// reads fetch the block frame holding the wanted bytes with one range
// request and cache it under org/ID/cache/. Only the .idx (listing the
// blocks at open) stays. A node opening an organisation it has no
// directory for, or with a shorter roots file, pulls roots, indexes,
// checkpoints and the purge record from the store first; the segment being
// written and the WAL tail are the writer's. Verify reads every stored
// segment from the store. The formats are those of the local files.
//
// # Verify
//
// Verify re-reads every segment, index and checkpoint from disk, checks
// frame checksums, decodes every block, recomputes leaf hashes, block
// roots and index entries and compares them with what is stored, and
// recomputes the tree root at every checkpoint size and checks the
// signature. Problems name the segment, block and event range: a changed
// event of a block whose index entry holds a locator (version 3) by its
// sequence number, or its group of 1,024 when several of the group changed;
// a part that no longer decodes with its events; else the block.
package vault
