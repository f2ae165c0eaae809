package audit

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"time"

	"ciiguard/internal/store"
)

// The chain alone cannot show that its newest entries were deleted: whoever can write the
// database can also rewind audit_head. So the heads are anchored outside it, in each
// organisation's security-log vault, a signed append-only log: at least every
// AnchorInterval, each organisation whose entries changed gets an anchor holding the
// sequence number and hash of its newest entry. Because every entry's hash covers all
// entries before it, an anchor pins the whole chain up to it; VerifyAnchored then names
// any anchored entry that is missing (truncation) or whose hash differs (rewriting).

// AnchorInterval is how often changed heads are anchored.
const AnchorInterval = time.Minute

// Anchor is one chain head as recorded outside the database.
type Anchor struct {
	OrgID int64
	Seq   int64
	Hash  string
	// At is when the anchor was written.
	At time.Time
	// Signed says whether a signed checkpoint of the log already covers the anchor.
	Signed bool
}

// AnchorLog keeps anchors outside the database. The security-logs capability implements
// it with its vault; the composition of the two is done by whoever runs the Anchorer.
type AnchorLog interface {
	// AppendAnchors appends each anchor to its organisation's log.
	AppendAnchors(ctx context.Context, anchors []Anchor) error
	// Anchors returns every anchor still held, of every organisation.
	Anchors(ctx context.Context) ([]Anchor, error)
}

// Anchorer writes changed chain heads to an AnchorLog.
type Anchorer struct {
	db  *store.DB
	log AnchorLog
	now func() time.Time

	mu sync.Mutex
	// seen is the highest sequence number already anchored (or found unchanged); only
	// organisations with entries after it are anchored again.
	seen int64
}

// NewAnchorer returns an Anchorer of db's chain into log. The first round anchors every
// organisation's newest entry, so a restarted server re-states its heads at once.
func NewAnchorer(db *store.DB, log AnchorLog, now func() time.Time) *Anchorer {
	if now == nil {
		now = time.Now
	}
	return &Anchorer{db: db, log: log, now: now}
}

// Once anchors the newest entry of every organisation that has entries after the last
// round, and returns how many anchors it wrote. Entries of no organisation (a failed
// sign-in to an unknown account) have no log of their own; the chain pins them with the
// next anchored entry of any organisation.
func (a *Anchorer) Once(ctx context.Context) (int, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	var heads []Anchor
	var top int64
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		rows, err := tx.Query(`SELECT l.org_id, l.seq, l.hash FROM audit_log l
			JOIN (SELECT org_id, MAX(seq) AS seq FROM audit_log WHERE seq > $1 AND org_id > 0 GROUP BY org_id) m ON l.seq = m.seq
			ORDER BY l.seq`, a.seen)
		if err != nil {
			return fmt.Errorf("audit anchor: read heads: %w", err)
		}
		defer rows.Close()
		at := a.now().UTC()
		for rows.Next() {
			h := Anchor{At: at}
			if err := rows.Scan(&h.OrgID, &h.Seq, &h.Hash); err != nil {
				return fmt.Errorf("audit anchor: read heads: %w", err)
			}
			heads = append(heads, h)
			top = max(top, h.Seq)
		}
		return rows.Err()
	})
	if err != nil || len(heads) == 0 {
		return 0, err
	}
	if err := a.log.AppendAnchors(ctx, heads); err != nil {
		return 0, fmt.Errorf("audit anchor: %w", err)
	}
	a.seen = top
	return len(heads), nil
}

// AnchorReport is what VerifyAnchored found.
type AnchorReport struct {
	Entries int64 // entries whose chain was checked
	Anchors int   // anchors compared with the database
	// Newest is the anchor with the highest sequence number (zero when there is none).
	Newest Anchor
	// Unsigned counts anchors not yet covered by a signed checkpoint.
	Unsigned int
}

// VerifyAnchored walks the chain as Verify does and compares it with the anchors: every
// anchored entry must exist with the anchored hash and organisation. A *Break names the
// first entry that does not hold.
func VerifyAnchored(ctx context.Context, db *store.DB, anchors []Anchor) (AnchorReport, error) {
	rep := AnchorReport{Anchors: len(anchors)}
	sorted := append([]Anchor(nil), anchors...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Seq < sorted[j].Seq })
	for _, an := range sorted {
		if !an.Signed {
			rep.Unsigned++
		}
	}
	if len(sorted) > 0 {
		rep.Newest = sorted[len(sorted)-1]
	}
	n, err := verify(ctx, db, func(e *Entry) error {
		for len(sorted) > 0 && sorted[0].Seq <= e.Seq {
			an := sorted[0]
			sorted = sorted[1:]
			switch {
			case an.Seq < e.Seq:
				return &Break{Seq: an.Seq, Reason: fmt.Sprintf("entry missing, yet the vault anchored it on %s", an.At.Format(time.RFC3339))}
			case an.Hash != e.Hash || an.OrgID != e.OrgID:
				return &Break{Seq: e.Seq, Reason: fmt.Sprintf("entry differs from the one anchored in the vault on %s (this entry or one before it was rewritten)", an.At.Format(time.RFC3339))}
			}
		}
		return nil
	})
	rep.Entries = n
	if err != nil {
		return rep, err
	}
	if len(sorted) > 0 {
		last := sorted[len(sorted)-1]
		return rep, &Break{Seq: n + 1, Reason: fmt.Sprintf("the trail ends at entry %d, but the vault anchored entry %d on %s: entries were removed from the end and the head rewound", n, last.Seq, last.At.Format(time.RFC3339))}
	}
	return rep, nil
}
