package vault

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Object layout in the store (keys relative to its prefix):
//
//	org/ID/seg-B.dat       the segment's block frames, locked
//	org/ID/seg-B.idx       its index frames, locked
//	org/ID/roots/seg-B     the 32-byte roots of its blocks, locked
//	org/ID/cp/SIZE.note    signed checkpoints, locked
//	org/ID/purged.json     the purge record (unlocked; it changes)
//
// A segment is uploaded once it is complete (the next one was started),
// objects first and then marked uploaded, so a node that lists org/ID/
// finds every sealed block's root and index and can serve, verify and
// continue the log from there.

// remoteTimeout bounds one object request made on behalf of a reader that
// brought no context (block reads go through io.ReaderAt).
const remoteTimeout = 2 * time.Minute

func (l *Log) objKey(name string) string { return "org/" + strconv.FormatInt(l.org, 10) + "/" + name }

func (v *Vault) lockFor(org int64) time.Duration {
	if v.opts.LockFor != nil {
		return v.opts.LockFor(org)
	}
	return MinRetention
}

// readRemote serves a read of an evicted segment from the block frame
// that holds it: from the disk cache, or one range request for the frame
// (the index gives its offset and length) that then goes into the cache.
func (l *Log) readRemote(seg *segment, p []byte, off int64) (int, error) {
	m := seg.blockAt(off)
	if m == nil {
		return 0, io.EOF // past the last block: what a local file answers
	}
	rel := off - m.off
	if rel+int64(len(p)) > m.flen {
		return 0, fmt.Errorf("read %s at %d+%d: crosses the end of block %d", segName(seg.first), off, len(p), m.no)
	}
	key := fmt.Sprintf("%d/%s.%d", l.org, segName(seg.first), m.no)
	path := filepath.Join(l.dir, "cache", fmt.Sprintf("%s.%d", segName(seg.first), m.no))
	if l.v.cache.has(key) {
		if f, err := os.Open(path); err == nil {
			n, err := f.ReadAt(p, rel)
			f.Close()
			if err == nil {
				return n, nil
			}
		}
		l.v.cache.drop(key) // evicted meanwhile: fetch again
	}
	ctx, cancel := context.WithTimeout(context.Background(), remoteTimeout)
	defer cancel()
	frame, err := l.v.store.GetRange(ctx, l.objKey(segName(seg.first)+".dat"), m.off, m.flen)
	l.v.stats.objectGets.Add(1)
	if err != nil {
		return 0, fmt.Errorf("fetch block %d of %s: %w", m.no, segName(seg.first), err)
	}
	l.v.stats.objectBytesIn.Add(uint64(len(frame)))
	// A cache file needs no fsync: a torn one fails its frame checksum
	// (and its length check above) and is fetched again.
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err == nil && os.WriteFile(path, frame, 0o640) == nil {
		l.v.cache.add(key, m.flen, func() { _ = os.Remove(path) })
	}
	return copy(p, frame[rel:]), nil
}

// uploadJob asks the uploader to store one complete segment.
type uploadJob struct {
	l   *Log
	seg *segment
}

// enqueueUpload hands a complete segment to the uploader. The queue is
// unbounded in effect (a full channel is drained by a goroutine) because
// the writer must not wait for the object store; a crash loses only the
// queue, which the next open rebuilds by listing the store.
func (l *Log) enqueueUpload(seg *segment) {
	if l.v.store == nil {
		return
	}
	select {
	case l.v.uploads <- uploadJob{l, seg}:
	default:
		go func() {
			select {
			case l.v.uploads <- uploadJob{l, seg}:
			case <-l.v.stop:
			}
		}()
	}
}

// uploader stores queued segments one at a time, retrying with back-off
// while the store fails; the error is logged (without credentials: the
// store's errors carry none) and counted.
func (v *Vault) uploader() {
	defer v.bg.Done()
	for {
		select {
		case <-v.stop:
			return
		case j := <-v.uploads:
			wait := time.Second
			for !j.l.gone.Load() { // a retired log's segments are the next writer's to store
				err := j.l.uploadSegment(j.seg)
				if err == nil {
					break
				}
				v.stats.uploadErrors.Add(1)
				v.opts.Logger.Error("vault: upload to object storage failed; retrying", "org", j.l.org, "segment", segName(j.seg.first), "retry_in", wait, "err", err)
				select {
				case <-v.stop:
					return
				case <-time.After(wait):
				}
				wait = min(2*wait, time.Minute)
			}
		}
	}
}

// uploadSegment writes a complete segment's objects, locked until
// retainUntil, then the checkpoints it completes, and marks it uploaded:
// from then on its local copy is only a cache entry.
func (l *Log) uploadSegment(seg *segment) error {
	if !seg.dat.local() {
		// Read from the store at open (pulled, or evicted before a crash
		// lost the queue): it is there already.
		l.markUploaded(seg)
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	go func() {
		select {
		case <-l.v.stop:
			cancel() // Close does not wait for a slow store
		case <-ctx.Done():
		}
	}()
	until := retainUntil(seg, l.v.lockFor(l.org))
	if now := time.Now(); until.Before(now.Add(time.Second)) {
		// Uploaded after its retention ended (a long outage): the store
		// refuses a past date; a short lock keeps the write a locked one.
		until = now.Add(time.Second)
	}
	name := segName(seg.first)
	for _, ext := range []string{".dat", ".idx"} {
		if err := l.putFile(ctx, name+ext, filepath.Join(l.dir, name+ext), until); err != nil {
			return err
		}
	}
	l.mu.RLock()
	roots := bytes.Join(func() [][]byte {
		out := make([][]byte, 0, len(seg.blocks))
		for i := seg.first; i < seg.end(); i++ {
			out = append(out, l.roots[i][:])
		}
		return out
	}(), nil)
	var cps []string
	for _, c := range l.cps {
		if c.size <= seg.end()<<l.bits {
			cps = append(cps, c.file)
		}
	}
	l.mu.RUnlock()
	if err := l.putObject(ctx, "roots/"+name, roots, until); err != nil {
		return err
	}
	for _, c := range cps {
		if l.cpStored(c) {
			continue
		}
		err := l.putFile(ctx, "cp/"+c, filepath.Join(l.dir, "cp", c), until)
		if errors.Is(err, os.ErrNotExist) {
			continue // a ticker's checkpoint replaced meanwhile
		}
		if err != nil {
			return err
		}
		l.markCPStored(c)
	}
	l.markUploaded(seg)
	// The frames of stored segments are needed by no recovery; a failed
	// drop only leaves them to the next upload's.
	if err := l.wal.uploaded(l.uploadedBefore()); err != nil {
		l.v.opts.Logger.Warn("vault: dropping write-ahead frames of stored segments failed", "org", l.org, "err", err)
	}
	return nil
}

func (l *Log) putFile(ctx context.Context, key, path string, until time.Time) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("upload %s: %w", key, err)
	}
	return l.putObject(ctx, key, b, until)
}

// putObject writes a locked object. One that exists was written by an
// upload that did not finish marking (a crash, a retry): the store keeps
// the first version, which Verify reads.
func (l *Log) putObject(ctx context.Context, key string, b []byte, until time.Time) error {
	err := l.v.store.Put(ctx, l.objKey(key), bytes.NewReader(b), int64(len(b)), until)
	l.v.stats.objectPuts.Add(1)
	if err != nil && !errors.Is(err, ErrObjectExists) {
		return fmt.Errorf("upload %s: %w", key, err)
	}
	return nil
}

func (l *Log) cpStored(name string) bool {
	l.cacheMu.Lock()
	defer l.cacheMu.Unlock()
	return l.cpUp[name]
}

func (l *Log) markCPStored(name string) {
	l.cacheMu.Lock()
	defer l.cacheMu.Unlock()
	l.cpUp[name] = true
}

// markUploaded makes the local copy of an uploaded segment a cache entry.
func (l *Log) markUploaded(seg *segment) {
	d := seg.dat
	d.mu.Lock()
	d.uploaded = true
	local := d.f != nil
	d.mu.Unlock()
	if !local {
		return
	}
	path := filepath.Join(l.dir, segName(seg.first)+".dat")
	l.v.cache.add(d.cacheKey(), seg.datSize, func() {
		d.mu.Lock()
		defer d.mu.Unlock()
		if d.f != nil {
			_ = d.f.Close()
			d.f = nil
		}
		// The .idx stays: it is small and lists the blocks at open.
		if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
			l.v.opts.Logger.Warn("vault: cache eviction", "org", l.org, "err", err)
		}
	})
}

// attachStore runs after recovery: it lists what the store holds,
// marks stored segments uploaded, queues the complete ones it lacks and
// notes objects of purged segments whose deletion is still owed.
func (l *Log) attachStore() error {
	ctx, cancel := context.WithTimeout(context.Background(), remoteTimeout)
	defer cancel()
	objs, err := l.v.store.List(ctx, l.objKey(""))
	if err != nil {
		return fmt.Errorf("list object storage: %w", err)
	}
	have := map[string]bool{}
	for _, o := range objs {
		have[strings.TrimPrefix(o.Key, l.objKey(""))] = true
	}
	for k := range have {
		if c, ok := strings.CutPrefix(k, "cp/"); ok {
			l.cpUp[c] = true
		}
		if strings.HasPrefix(k, "seg-") {
			first, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimSuffix(strings.TrimPrefix(k, "seg-"), ".dat"), ".idx"), 10, 64)
			if err == nil && l.purge.isPurged(first) {
				l.deletesOwed = append(l.deletesOwed, k)
			}
		}
	}
	for _, s := range l.segs {
		if s == l.cur {
			continue
		}
		n := segName(s.first)
		if have[n+".dat"] && have[n+".idx"] && have["roots/"+n] {
			l.markUploaded(s)
		} else {
			l.enqueueUpload(s)
		}
	}
	return nil
}

// deleteObjects removes a purged segment's objects through the store.
// A refusal (the lock has not expired: the store's answer is in the
// error) is returned and the object is remembered, so the next purge
// tries again; nothing is dropped silently.
func (l *Log) deleteObjects(ctx context.Context, keys []string) error {
	var errs []error
	var owed []string
	for _, k := range keys {
		if err := l.v.store.Delete(ctx, l.objKey(k)); err != nil {
			errs = append(errs, fmt.Errorf("object storage refused to delete %s: %w", k, err))
			owed = append(owed, k)
		}
	}
	l.deletesOwed = owed
	return errors.Join(errs...)
}

// storePurgeState copies purged.json to the store (unlocked: it grows
// with every purge) so a node starting empty knows what was purged.
func (l *Log) storePurgeState(ctx context.Context, b []byte) error {
	if err := l.v.store.Put(ctx, l.objKey("purged.json"), bytes.NewReader(b), int64(len(b)), time.Time{}); err != nil {
		return fmt.Errorf("vault: purge: store purge record: %w", err)
	}
	return nil
}

// pullFromStore fills an organisation's directory from the store before
// recovery, for a node that did not write the log (or lost its disk): the
// roots, indexes, checkpoints and purge record. Block frames stay in the
// store and are fetched when read. Local data wins where both exist; a
// local roots file that is not a prefix of the stored roots is refused.
func (l *Log) pullFromStore() error {
	ctx, cancel := context.WithTimeout(context.Background(), remoteTimeout)
	defer cancel()
	objs, err := l.v.store.List(ctx, l.objKey(""))
	if err != nil {
		return fmt.Errorf("list object storage: %w", err)
	}
	path := filepath.Join(l.dir, "roots")
	local, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("read roots: %w", err)
	}
	// The listing's sizes say how many roots the store has; they are read
	// only when the local file has fewer (a writer's own node never does).
	var storedRoots int64
	for _, o := range objs {
		if strings.HasPrefix(strings.TrimPrefix(o.Key, l.objKey("")), "roots/seg-") {
			storedRoots += o.Size
		}
	}
	fetchRoots := storedRoots > int64(len(local))
	var roots []byte
	for _, o := range objs {
		k := strings.TrimPrefix(o.Key, l.objKey(""))
		switch {
		case strings.HasPrefix(k, "roots/seg-"):
			if !fetchRoots {
				continue
			}
			b, err := l.v.store.Get(ctx, o.Key)
			if err != nil {
				return err
			}
			first, err := strconv.ParseUint(strings.TrimPrefix(k, "roots/seg-"), 10, 64)
			if err != nil || first != uint64(len(roots)/32) || len(b)%32 != 0 {
				return fmt.Errorf("object storage: %s does not continue the roots at block %d", k, len(roots)/32)
			}
			roots = append(roots, b...)
		case strings.HasSuffix(k, ".idx") && !strings.Contains(k, "/"), strings.HasPrefix(k, "cp/"), k == "purged.json":
			path := filepath.Join(l.dir, filepath.FromSlash(k))
			if _, err := os.Stat(path); err == nil {
				continue
			}
			if _, err := os.Stat(strings.TrimSuffix(path, ".idx") + ".dat"); err == nil {
				continue // a local segment keeps its own index
			}
			b, err := l.v.store.Get(ctx, o.Key)
			if err != nil {
				return err
			}
			if err := writeFileSync(path, b); err != nil {
				return fmt.Errorf("write %s: %w", k, err)
			}
		}
	}
	if len(roots) <= len(local) {
		return nil
	}
	if !bytes.Equal(local[:len(local)-len(local)%32], roots[:len(local)-len(local)%32]) {
		return errors.New("the local roots file differs from the object store's roots: refusing to mix two logs")
	}
	if err := writeFileSync(path+".tmp", roots); err != nil {
		return fmt.Errorf("write roots: %w", err)
	}
	if err := os.Rename(path+".tmp", path); err != nil {
		return fmt.Errorf("write roots: %w", err)
	}
	return syncDir(l.dir)
}

// storedOrg reports whether the store holds anything of an organisation
// (a node that never wrote it locally may still serve it).
func (v *Vault) storedOrg(org int64) (bool, error) {
	ctx, cancel := context.WithTimeout(context.Background(), remoteTimeout)
	defer cancel()
	objs, err := v.store.List(ctx, "org/"+strconv.FormatInt(org, 10)+"/roots/")
	if err != nil {
		return false, fmt.Errorf("vault: list object storage: %w", err)
	}
	return len(objs) > 0, nil
}

// verifySources names the segments Verify reads, by first block, and
// which of them it reads from the object store: every segment the store
// holds is checked there — the copy that must survive — and the others
// (the one being written, those not yet uploaded) on local disk.
func (l *Log) verifySources(ctx context.Context) (map[uint64]string, map[uint64]bool, error) {
	names, err := l.segmentFiles()
	if err != nil {
		return nil, nil, err
	}
	first := map[uint64]string{}
	stored := map[uint64]bool{}
	add := func(base string) (uint64, bool) {
		f, err := strconv.ParseUint(strings.TrimPrefix(base, "seg-"), 10, 64)
		if err == nil {
			first[f] = base
		}
		return f, err == nil
	}
	for _, n := range names {
		add(n)
	}
	if l.v.store == nil {
		return first, stored, nil
	}
	objs, err := l.v.store.List(ctx, l.objKey("seg-"))
	if err != nil {
		return nil, nil, fmt.Errorf("list object storage: %w", err)
	}
	for _, o := range objs {
		base, ok := strings.CutSuffix(strings.TrimPrefix(o.Key, l.objKey("")), ".dat")
		if !ok {
			continue
		}
		if f, ok := add(base); ok {
			stored[f] = true
		}
	}
	return first, stored, nil
}

// readSegmentFile reads a segment's .dat or .idx whole, from the store or
// the local directory.
func (l *Log) readSegmentFile(ctx context.Context, name string, stored bool) ([]byte, error) {
	if stored {
		b, err := l.v.store.Get(ctx, l.objKey(name))
		l.v.stats.objectGets.Add(1)
		return b, err
	}
	return os.ReadFile(filepath.Join(l.dir, name))
}
