package vault

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

type appendReq struct {
	evs    []Event
	leaves [][32]byte
	data   [][]byte
	first  uint64
	err    error
	done   chan struct{}
}

func (l *Log) loadWAL() error {
	path := filepath.Join(l.dir, "wal")
	b, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("read wal: %w", err)
	}
	next := l.sealed << l.bits
	off := 0
	for off < len(b) {
		p, n, ferr := readFrame(b[off:], magicWAL)
		if ferr != nil {
			if errors.Is(ferr, errTorn) || off+frameHeader+int(binary.LittleEndian.Uint32(b[off+4:])) >= len(b) {
				break // torn tail of the last, unacknowledged commit
			}
			return fmt.Errorf("wal: record at offset %d is damaged and is not the last one: %w", off, ferr)
		}
		d := decoder{b: p}
		first := d.uvarint()
		cnt := d.uvarint()
		if d.err != nil {
			return fmt.Errorf("wal: record at offset %d: %w", off, d.err)
		}
		for i := uint64(0); i < cnt; i++ {
			data := d.bytes()
			if d.err != nil {
				return fmt.Errorf("wal: record at offset %d event %d: %w", off, i, d.err)
			}
			seq := first + i
			if seq < next {
				continue // already sealed into a block
			}
			if seq > next {
				return fmt.Errorf("wal: event %d follows %d: events are missing", seq, next-1)
			}
			ev, err := ParseLeafData(data)
			if err != nil {
				return fmt.Errorf("wal: event %d: %w", seq, err)
			}
			if ev.OrgID != l.org {
				return fmt.Errorf("wal: event %d belongs to org %d", seq, ev.OrgID)
			}
			ev.Seq = seq
			l.tail = append(l.tail, ev)
			l.tailLeaves = append(l.tailLeaves, LeafHash(data))
			next++
		}
		off += n
	}
	return nil
}

// rewriteWAL replaces the WAL with one record holding the current tail,
// atomically (write, fsync, rename), and reopens it for appending.
func (l *Log) rewriteWAL() error {
	path := filepath.Join(l.dir, "wal")
	tmp := path + ".tmp"
	var buf []byte
	if len(l.tail) > 0 {
		buf = l.walRecord(l.tail, nil)
	}
	if err := writeFileSync(tmp, buf); err != nil {
		return fmt.Errorf("rewrite wal: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("rewrite wal: %w", err)
	}
	if err := syncDir(l.dir); err != nil {
		return err
	}
	if l.wal != nil {
		if err := l.wal.Close(); err != nil {
			return fmt.Errorf("close old wal: %w", err)
		}
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0o640)
	if err != nil {
		return fmt.Errorf("open wal: %w", err)
	}
	l.wal = f
	return nil
}

// walRecord encodes events (with their leaf data, computed if nil).
func (l *Log) walRecord(evs []Event, data [][]byte) []byte {
	p := binary.AppendUvarint(nil, evs[0].Seq)
	p = binary.AppendUvarint(p, uint64(len(evs)))
	for i := range evs {
		var d []byte
		if data != nil {
			d = data[i]
		} else {
			d = LeafData(&evs[i])
		}
		p = binary.AppendUvarint(p, uint64(len(d)))
		p = append(p, d...)
	}
	return appendFrame(nil, magicWAL, p)
}

// writer is the log's single writing goroutine: it gathers every queued
// Append into one WAL write and one fsync (group commit), then publishes
// the events and seals full blocks.
func (l *Log) writer() {
	defer close(l.done)
	for req := range l.reqs {
		batch := []*appendReq{req}
		n := len(req.evs)
	gather:
		for n < l.v.opts.MaxBatch {
			select {
			case r, ok := <-l.reqs:
				if !ok {
					break gather
				}
				batch = append(batch, r)
				n += len(r.evs)
			default:
				break gather
			}
		}
		err := l.commit(batch)
		for _, r := range batch {
			r.err = err
			close(r.done)
		}
	}
}

func (l *Log) commit(batch []*appendReq) error {
	l.mu.RLock()
	failed := l.failed
	next := l.sizeLocked()
	l.mu.RUnlock()
	if failed != nil {
		return fmt.Errorf("vault: org %d log is out of service after a write error: %w", l.org, failed)
	}
	var rec []byte
	for _, r := range batch {
		r.first = next
		for i := range r.evs {
			r.evs[i].Seq = next
			next++
		}
		rec = append(rec, l.walRecord(r.evs, r.data)...)
	}
	fail := func(err error) error {
		l.mu.Lock()
		l.failed = err
		l.mu.Unlock()
		return fmt.Errorf("vault: org %d: %w", l.org, err)
	}
	if _, err := l.wal.Write(rec); err != nil {
		return fail(fmt.Errorf("write wal: %w", err))
	}
	if err := l.wal.Sync(); err != nil {
		return fail(fmt.Errorf("fsync wal: %w", err))
	}
	l.v.stats.commits.Add(1)
	l.v.stats.fsyncs.Add(1)
	l.mu.Lock()
	for _, r := range batch {
		l.tail = append(l.tail, r.evs...)
		l.tailLeaves = append(l.tailLeaves, r.leaves...)
		l.v.stats.events.Add(uint64(len(r.evs)))
	}
	l.mu.Unlock()
	sealedAny := false
	for uint64(len(l.tail)) >= l.blockSize() {
		if err := l.sealNext(); err != nil {
			return fail(err)
		}
		sealedAny = true
	}
	if sealedAny {
		if err := l.rewriteWAL(); err != nil {
			return fail(err)
		}
	}
	return nil
}

// append queues prepared events for the writer and waits for durability.
func (l *Log) append(ctx context.Context, req *appendReq) error {
	l.closeMu.RLock()
	if l.closed {
		l.closeMu.RUnlock()
		return errors.New("vault: closed")
	}
	select {
	case l.reqs <- req:
	case <-ctx.Done():
		l.closeMu.RUnlock()
		return fmt.Errorf("vault: append not queued: %w", ctx.Err())
	}
	l.closeMu.RUnlock()
	select {
	case <-req.done:
		return req.err
	case <-ctx.Done():
		// The events may still be committed; the caller cannot know.
		return fmt.Errorf("vault: append queued but not confirmed: %w", ctx.Err())
	}
}
