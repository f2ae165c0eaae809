package logs

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"

	"ciiguard/internal/audit"
	"ciiguard/internal/kernel"
	"ciiguard/internal/vault"
)

// Audit anchors are ordinary events of the organisation's log, written by ciiguard itself:
// source 0 (no registered source has id 0, and ingest always sets the sender's source, so
// no sender can forge one), app ciiguard-audit, message "audit anchor seq=N hash=H". They
// show in searches like any event and are covered by the log's signed checkpoints.
const (
	anchorApp    = "ciiguard-audit"
	anchorMsgID  = "audit-anchor"
	anchorPrefix = "audit anchor "
)

// AppendAnchors implements audit.AnchorLog: each anchor becomes an event of its
// organisation's log.
func (m *Module) AppendAnchors(ctx context.Context, anchors []audit.Anchor) error {
	byOrg := map[int64][]vault.Event{}
	var orgs []int64
	for _, a := range anchors {
		if byOrg[a.OrgID] == nil {
			orgs = append(orgs, a.OrgID)
		}
		byOrg[a.OrgID] = append(byOrg[a.OrgID], vault.Event{
			Time: a.At, Host: "ciiguard", App: anchorApp, MsgID: anchorMsgID,
			Facility: 13, Severity: 6, // log audit, informational
			Message: fmt.Sprintf("%sseq=%d hash=%s", anchorPrefix, a.Seq, a.Hash), Format: vault.FormatRaw,
		})
	}
	for _, org := range orgs {
		if _, err := m.v.Append(ctx, org, byOrg[org]); err != nil {
			return fmt.Errorf("append audit anchors to the log of organisation %d: %w", org, err)
		}
	}
	return nil
}

// Anchors implements audit.AnchorLog: every anchor still in the vault (retention may have
// purged old ones). The newest anchor of each organisation that a signed checkpoint
// covers is proved included in that checkpoint, so a vault whose tail was cut or whose
// anchor was altered is an error here, not a silently shorter list.
func (m *Module) Anchors(ctx context.Context) ([]audit.Anchor, error) {
	orgs, err := m.v.Orgs()
	if err != nil {
		return nil, err
	}
	var out []audit.Anchor
	for _, org := range orgs {
		size, root, err := m.latestSigned(org)
		if err != nil {
			return nil, err
		}
		proved := false
		q := vault.Query{Expr: "app:" + anchorApp, Sources: []int64{0}, Limit: 10000}
		for {
			page, err := m.v.Search(ctx, org, q)
			if err != nil {
				return nil, fmt.Errorf("read audit anchors of organisation %d: %w", org, err)
			}
			for i := range page.Events {
				ev := &page.Events[i]
				a, ok := parseAnchor(ev)
				if !ok {
					continue
				}
				a.Signed = ev.Seq < size
				if a.Signed && !proved {
					// Newest first: this is the newest signed anchor.
					if err := m.proveIncluded(ctx, org, ev, size, root); err != nil {
						return nil, err
					}
					proved = true
				}
				out = append(out, a)
			}
			if page.Next == "" {
				break
			}
			q.Cursor = page.Next
		}
	}
	return out, nil
}

// latestSigned returns the size and root of the organisation's newest signed checkpoint,
// its signature checked with the vault's key; size 0 when there is none.
func (m *Module) latestSigned(org int64) (uint64, [32]byte, error) {
	cps, err := m.v.Checkpoints(org)
	if err != nil || len(cps) == 0 {
		return 0, [32]byte{}, err
	}
	size, root, err := vault.OpenCheckpoint(cps[len(cps)-1], m.v.PublicKey(), vault.Origin(org))
	if err != nil {
		return 0, [32]byte{}, fmt.Errorf("newest checkpoint of organisation %d: %w", org, err)
	}
	return size, root, nil
}

func (m *Module) proveIncluded(ctx context.Context, org int64, ev *vault.Event, size uint64, root [32]byte) error {
	p, err := m.v.InclusionProof(ctx, org, ev.Seq, size)
	if err != nil {
		return fmt.Errorf("audit anchor %d of organisation %d: %w", ev.Seq, org, err)
	}
	leaf := vault.LeafHash(vault.LeafData(ev))
	if err := proof.VerifyInclusion(rfc6962.DefaultHasher, ev.Seq, size, leaf[:], p, root[:]); err != nil {
		return fmt.Errorf("audit anchor %d of organisation %d is not in the signed checkpoint of size %d: the vault was altered: %w", ev.Seq, org, size, err)
	}
	return nil
}

// parseAnchor reads an anchor event; ok is false for anything else (an event that only
// looks like one is not from source 0 and not returned by the search).
func parseAnchor(ev *vault.Event) (audit.Anchor, bool) {
	if ev.SourceID != 0 || ev.App != anchorApp || ev.MsgID != anchorMsgID {
		return audit.Anchor{}, false
	}
	rest, ok := strings.CutPrefix(ev.Message, anchorPrefix)
	if !ok {
		return audit.Anchor{}, false
	}
	a := audit.Anchor{OrgID: ev.OrgID, At: ev.Time.UTC()}
	for _, f := range strings.Fields(rest) {
		k, v, _ := strings.Cut(f, "=")
		switch k {
		case "seq":
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return audit.Anchor{}, false
			}
			a.Seq = n
		case "hash":
			a.Hash = v
		}
	}
	return a, a.Seq > 0 && a.Hash != ""
}

// anchorLoop anchors the audit chain's changed heads every audit.AnchorInterval (or the
// module's test interval).
func (m *Module) anchorLoop(ctx context.Context) {
	defer m.wg.Done()
	every := m.anchorEvery
	if every <= 0 {
		every = audit.AnchorInterval
	}
	t := time.NewTicker(every)
	defer t.Stop()
	a := audit.NewAnchorer(m.d.DB, m, m.now)
	for {
		// Once per interval across the installation's nodes. A node that anchors after
		// another anchors the heads it has not seen itself again: a repeated anchor of
		// the same head is harmless, a missed one is not.
		period := m.now().UTC().Truncate(every).Format(time.RFC3339Nano)
		if _, err := kernel.RunOnce(ctx, m.d.Jobs, "logs.anchor", period, func(ctx context.Context) error {
			_, err := a.Once(ctx)
			return err
		}); err != nil && ctx.Err() == nil {
			m.d.Log.Error("anchor the audit trail in the log vault", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
