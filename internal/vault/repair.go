package vault

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// Loss is a run of sequence numbers whose events a repair could not keep.
// Known is false when the damage reached the end of the WAL with an
// unreadable header: then every number from First on was lost, how many is
// unknown, and the log continues at First.
type Loss struct {
	First  uint64 `json:"first"`
	Count  uint64 `json:"count"`
	Known  bool   `json:"known"`
	Reason string `json:"reason"`
	// Offset and Length locate the damaged bytes in the WAL before repair.
	Offset int64 `json:"offset"`
	Length int64 `json:"length"`
}

// String names the lost sequence numbers.
func (l Loss) String() string { return lostRange(l.First, l.Count, l.Known) }

// RepairReport says what a repair did. Losses lists exactly which sequence
// numbers were lost; Quarantine names the files that keep the damaged
// bytes and the WAL as it was.
type RepairReport struct {
	OrgID      int64     `json:"org_id"`
	At         time.Time `json:"at"`
	Losses     []Loss    `json:"losses"`
	Quarantine []string  `json:"quarantine"`
	Size       uint64    `json:"size"` // tree size after the repair
	// Placeholders is how many events record a loss in the log itself:
	// each lost sequence number of a known run holds an event saying so,
	// so the events after it keep the numbers they were acknowledged with.
	Placeholders uint64 `json:"placeholders"`
}

// Repair takes an organisation's log that a damaged WAL stopped back into
// service. It keeps the WAL as it was and the damaged bytes in DIR/org/ID/
// quarantine/, rewrites the WAL from its intact frames, and puts in place
// of every lost event of a known run a placeholder event (source 0, app
// ciiguard-vault, msgid wal-loss) saying what was lost and where its bytes
// are, so later events keep their numbers and the loss is in the log
// itself. A log that is not damaged is left alone (empty report). progress,
// if not nil, receives one line per step.
func (v *Vault) Repair(orgID int64, progress func(string)) (*RepairReport, error) {
	say := func(format string, args ...any) {
		if progress != nil {
			progress(fmt.Sprintf(format, args...))
		}
	}
	rep := &RepairReport{OrgID: orgID, At: v.now().UTC()}
	if v.readOnly {
		return rep, ErrReadOnly
	}
	for round := 0; ; round++ {
		say("opening the log of organisation %d", orgID)
		v.mu.Lock()
		delete(v.stopped, orgID)
		v.mu.Unlock()
		l, err := v.log(orgID, false)
		var de *WALDamageError
		if !errors.As(err, &de) {
			if err != nil {
				return rep, fmt.Errorf("vault: repair organisation %d: %w", orgID, err)
			}
			if l != nil {
				rep.Size = l.Size()
			}
			if round == 0 {
				say("the log opens: nothing to repair")
			} else {
				say("the log opens: %d events", rep.Size)
			}
			return rep, nil
		}
		if round >= 3 {
			return rep, fmt.Errorf("vault: repair organisation %d: still damaged after %d rounds: %w", orgID, round, err)
		}
		say("damaged: %s at offset %d (%d bytes): %s; %s", de.File, de.Offset, de.Length, de.Reason, de.Lost())
		if err := v.repairWAL(orgID, rep, say); err != nil {
			return rep, fmt.Errorf("vault: repair organisation %d: %w", orgID, err)
		}
	}
}

// repairWAL rewrites one organisation's WAL from its intact frames. The
// log is not open (it is stopped), so nothing else writes the files.
func (v *Vault) repairWAL(org int64, rep *RepairReport, say func(string, ...any)) error {
	dir := filepath.Join(v.dir, "org", strconv.FormatInt(org, 10))
	path := filepath.Join(dir, "wal")
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("read wal: %w", err)
	}
	rb, err := os.ReadFile(filepath.Join(dir, "roots"))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("read roots: %w", err)
	}
	sealedNext := uint64(len(rb)/32) << v.opts.BlockBits
	s := scanWAL(b, sealedNext)

	// Keep the WAL as it was and the damaged stretches on their own.
	qdir := filepath.Join(dir, "quarantine")
	if err := os.MkdirAll(qdir, 0o750); err != nil {
		return fmt.Errorf("create quarantine: %w", err)
	}
	stamp := rep.At.Format("20060102T150405Z")
	base := filepath.Join(qdir, fmt.Sprintf("wal-%s-%d", stamp, len(rep.Quarantine)/3))
	var damaged []byte
	type manifestEntry struct {
		Loss
		QuarantineOffset int    `json:"quarantine_offset"`
		SHA256           string `json:"sha256"`
	}
	var manifest []manifestEntry
	var losses []Loss
	for _, bad := range s.bad {
		loss := Loss{First: bad.first, Count: bad.n, Known: bad.known, Reason: bad.reason, Offset: int64(bad.off), Length: int64(bad.end - bad.off)}
		sum := sha256.Sum256(b[bad.off:bad.end])
		manifest = append(manifest, manifestEntry{Loss: loss, QuarantineOffset: len(damaged), SHA256: hex.EncodeToString(sum[:])})
		damaged = append(damaged, b[bad.off:bad.end]...)
		if bad.known && bad.first+bad.n <= sealedNext {
			continue // its events are sealed in blocks (or it held none): nothing lost
		}
		if bad.known && bad.first < sealedNext {
			loss.Count -= sealedNext - loss.First
			loss.First = sealedNext
		}
		losses = append(losses, loss)
	}
	if s.torn >= 0 {
		damaged = append(damaged, b[s.torn:]...)
	}
	mj, err := json.MarshalIndent(map[string]any{"org_id": org, "at": rep.At, "wal_bytes": len(b), "damaged": manifest, "incomplete_last_frame_at": s.torn}, "", "  ")
	if err != nil {
		return fmt.Errorf("quarantine manifest: %w", err)
	}
	for _, f := range []struct {
		name string
		data []byte
	}{{base + ".wal", b}, {base + ".damaged", damaged}, {base + ".json", append(mj, '\n')}} {
		if err := writeFileSync(f.name, f.data); err != nil {
			return fmt.Errorf("write quarantine %s: %w", filepath.Base(f.name), err)
		}
		rep.Quarantine = append(rep.Quarantine, f.name)
	}
	if err := syncDir(qdir); err != nil {
		return err
	}
	say("kept the WAL as it was in %s, the %d damaged bytes in %s", base+".wal", len(damaged), base+".damaged")

	// The events of the intact frames, by sequence number.
	byseq := map[uint64][]byte{}
	end := sealedNext
	for _, f := range s.frames {
		d := decoder{b: f.payload}
		for i := uint64(0); i < f.count; i++ {
			data := d.bytes()
			if d.err != nil {
				break
			}
			if seq := f.first + i; seq >= sealedNext {
				byseq[seq] = data
				end = max(end, seq+1)
			}
		}
	}
	// A known loss past the last intact frame still takes its numbers.
	for _, loss := range losses {
		if loss.Known {
			end = max(end, loss.First+loss.Count)
		}
	}
	// Events no frame and no damaged stretch accounts for (a removed
	// frame) are lost too.
	var prev *Event
	var out []byte
	var run []Event
	var runData [][]byte
	flush := func() {
		if len(run) > 0 {
			out = appendWALFrame(out, run, runData)
			run, runData = nil, nil
		}
	}
	for seq := sealedNext; seq < end; seq++ {
		data, ok := byseq[seq]
		var ev Event
		if ok {
			pe, err := ParseLeafData(data)
			if err != nil || pe.OrgID != org {
				ok = false
			} else {
				ev = pe
			}
		}
		if !ok {
			loss := lossFor(losses, seq)
			if loss == nil {
				losses = append(losses, Loss{First: seq, Count: 1, Known: true, Reason: "no intact frame holds it"})
				loss = &losses[len(losses)-1]
			}
			if ev, err = placeholder(org, seq, loss, base, rep.At, prev); err != nil {
				return err
			}
			data = LeafData(&ev)
			rep.Placeholders++
		}
		ev.Seq = seq
		run = append(run, ev)
		runData = append(runData, data)
		prev = &run[len(run)-1]
		if len(run) >= 4096 {
			flush()
		}
	}
	flush()
	rep.Losses = append(rep.Losses, mergeLosses(losses)...)
	tmp := path + ".repair"
	if err := writeFileSync(tmp, out); err != nil {
		return fmt.Errorf("write repaired wal: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("replace wal: %w", err)
	}
	if err := syncDir(dir); err != nil {
		return err
	}
	for _, l := range rep.Losses {
		say("lost: %s (%s)", l, l.Reason)
	}
	say("rewrote the WAL: %d events after the sealed blocks, %d of them placeholders for lost events", end-sealedNext, rep.Placeholders)
	return nil
}

func lossFor(losses []Loss, seq uint64) *Loss {
	for i := range losses {
		if l := &losses[i]; seq >= l.First && (!l.Known || seq < l.First+l.Count) {
			return l
		}
	}
	return nil
}

// mergeLosses joins adjacent single-event losses found as gaps.
func mergeLosses(in []Loss) []Loss {
	var out []Loss
	for _, l := range in {
		if n := len(out); n > 0 && out[n-1].Known && l.Known && out[n-1].First+out[n-1].Count == l.First && out[n-1].Reason == l.Reason && l.Offset == 0 && out[n-1].Offset == 0 {
			out[n-1].Count += l.Count
			continue
		}
		out = append(out, l)
	}
	return out
}

// placeholder is the event that takes a lost event's sequence number. It
// is received at the time of the event before it (or of the repair), so
// searches of that time find the loss.
func placeholder(org int64, seq uint64, loss *Loss, quarantine string, at time.Time, prev *Event) (Event, error) {
	recv := at
	if prev != nil {
		recv = prev.Received
	}
	ev := Event{OrgID: org, Seq: seq, SourceID: 0, Received: recv, Time: recv, Host: "ciiguard", App: "ciiguard-vault",
		MsgID: "wal-loss", Facility: -1, Severity: 2, Format: FormatRaw,
		Message: fmt.Sprintf("event %d lost: %s at write-ahead log offset %d (%d bytes, part of %s); the bytes are kept in %s.damaged; repaired %s",
			seq, loss.Reason, loss.Offset, loss.Length, loss.String(), filepath.Base(quarantine), at.Format(time.RFC3339))}
	if err := normalize(&ev, org, at); err != nil {
		return ev, fmt.Errorf("placeholder of event %d: %w", seq, err)
	}
	ev.Seq = seq
	return ev, nil
}
