package vault

import (
	"fmt"
	"sort"
	"time"
)

// SegmentInfo describes one segment, live or purged, for the UI and for
// retention decisions.
type SegmentInfo struct {
	Name             string
	FirstSeq         uint64
	Events           uint64
	Blocks           int
	MinTime, MaxTime time.Time // sender time range
	MaxReceived      time.Time // purge compares this with the cutoff
	Bytes            int64     // data file size (0 when purged)
	Purged           bool
	PurgedAt         time.Time
	// With an object store: Stored once its objects are written (locked
	// until RetainUntil), Local while a copy is on this node's disk.
	Stored, Local bool
	RetainUntil   time.Time
}

// LogInfo summarises an organisation's log.
type LogInfo struct {
	OrgID          int64
	Size           uint64 // events (tree size)
	TailEvents     int    // events not yet sealed into a block (kept in the WAL)
	Segments       []SegmentInfo
	Checkpoints    int
	LastCheckpoint uint64 // size of the latest checkpoint
	// Damaged lists problems found when the log was opened; run Verify.
	Damaged []string
	// PendingUploads counts complete segments not yet in the object store.
	PendingUploads int
}

// Info describes an organisation's log; an organisation without a log
// gets a zero LogInfo.
func (v *Vault) Info(orgID int64) (LogInfo, error) {
	info := LogInfo{OrgID: orgID}
	l, err := v.log(orgID, false)
	if err != nil {
		return info, fmt.Errorf("vault: info: %w", err)
	}
	if l == nil {
		return info, nil
	}
	var lock time.Duration
	if l.v.store != nil {
		lock = l.v.lockFor(orgID)
	}
	l.mu.RLock()
	defer l.mu.RUnlock()
	info.Size = l.sizeLocked()
	info.TailEvents = len(l.tail)
	info.Checkpoints = len(l.cps)
	if n := len(l.cps); n > 0 {
		info.LastCheckpoint = l.cps[n-1].size
	}
	for _, p := range l.damaged {
		info.Damaged = append(info.Damaged, p.String())
	}
	for _, p := range l.purge.Segments {
		info.Segments = append(info.Segments, SegmentInfo{Name: segName(p.First), FirstSeq: p.First << l.bits,
			Events: p.Events, Blocks: int(p.End - p.First), MinTime: p.MinTime, MaxTime: p.MaxTime,
			MaxReceived: p.MaxRecv, Purged: true, PurgedAt: p.PurgedAt})
	}
	for _, s := range l.segs {
		si := SegmentInfo{Name: segName(s.first), FirstSeq: s.first << l.bits, Blocks: len(s.blocks), Bytes: s.datSize}
		for i, m := range s.blocks {
			si.Events += m.count
			if i == 0 || m.minTime < si.MinTime.UnixNano() {
				si.MinTime = timeFromNanos(m.minTime)
			}
			if m.maxTime > si.MaxTime.UnixNano() {
				si.MaxTime = timeFromNanos(m.maxTime)
			}
			if m.maxRecv > si.MaxReceived.UnixNano() {
				si.MaxReceived = timeFromNanos(m.maxRecv)
			}
		}
		if s.dat != nil {
			si.Local = s.dat.local()
			s.dat.mu.RLock()
			si.Stored = s.dat.uploaded
			s.dat.mu.RUnlock()
		}
		if l.v.store != nil && s.end() < l.sealed {
			si.RetainUntil = retainUntil(s, lock)
			if !si.Stored {
				info.PendingUploads++
			}
		}
		info.Segments = append(info.Segments, si)
	}
	sort.Slice(info.Segments, func(i, j int) bool { return info.Segments[i].FirstSeq < info.Segments[j].FirstSeq })
	return info, nil
}

// Log returns the organisation's log, creating it if needed. The Vault
// methods taking an organisation id are the main API; Log is for callers
// that hold on to one tenant.
func (v *Vault) Log(orgID int64) (*Log, error) {
	return v.log(orgID, true)
}

// OrgID is the organisation the log belongs to.
func (l *Log) OrgID() int64 { return l.org }

// Origin is the checkpoint origin line of this log.
func (l *Log) Origin() string { return Origin(l.org) }
