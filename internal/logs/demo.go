package logs

import (
	"context"
	"fmt"
	"strings"
	"time"

	"ciiguard/internal/auth"
	"ciiguard/internal/kernel"
	"ciiguard/internal/store"
	"ciiguard/internal/vault"
	"ciiguard/internal/vault/ingest"
	"ciiguard/internal/vault/loggen"
)

// Demo volume: a day of logs from loggen's 20 devices at about a third of an event per
// second, which keeps `ciiguard demo` starting in about a second.
const (
	demoSpan   = 24 * time.Hour
	demoRate   = 0.3 // events per second of log time
	demoSeed   = 20260101
	demoBatch  = 4096
	demoSubnet = "10.20.0."
)

// SeedDemo implements kernel.DemoSeeder: it registers the demo operator's 20 devices
// (firewalls, IDS, VPN gateways, bastion hosts, WAFs) as syslog sources, a SIEM
// forwarder as an HTTP source, fills the vault with a day of their logs and signs a
// checkpoint, so the first visit shows real logs, a histogram and a verifiable tree head.
func (m *Module) SeedDemo(ctx context.Context, d kernel.Demo) error {
	ctx = store.WithOrg(ctx, d.Operator.ID)
	hosts := loggen.Hosts()
	byHost := map[string]int64{}
	admin := d.Users[auth.Admin]
	p := auth.Principal{User: admin, Org: d.Operator, Role: auth.Admin}
	for i, h := range hosts {
		kind := KindUDP
		switch {
		case strings.HasPrefix(h, "bastion"), strings.HasPrefix(h, "waf"):
			kind = KindTLS
		case strings.HasPrefix(h, "ids"), strings.HasPrefix(h, "vpn"):
			kind = KindTCP
		}
		src, _, err := m.CreateSource(ctx, p, NewSource{Name: h, Kind: kind, Sender: fmt.Sprintf("%s%d", demoSubnet, 11+i)})
		if err != nil {
			return fmt.Errorf("demo log source %s: %w", h, err)
		}
		byHost[h] = src.ID
	}
	if _, _, err := m.CreateSource(ctx, p, NewSource{Name: "siem-forwarder", Kind: KindHTTP}); err != nil {
		return fmt.Errorf("demo HTTP log source: %w", err)
	}
	end := m.now().UTC().Truncate(time.Minute)
	g := loggen.New(demoSeed, end.Add(-demoSpan), demoRate)
	counts := map[int64]*pendingCount{}
	batch := make([]vault.Event, 0, demoBatch)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		if _, err := m.v.Append(ctx, d.Operator.ID, batch); err != nil {
			return fmt.Errorf("demo logs: %w", err)
		}
		batch = batch[:0]
		return nil
	}
	for {
		line, at := g.Next()
		if !at.Before(end) {
			break
		}
		// Devices deliver within a second or two of their own clock.
		received := at.Add(time.Duration(len(line)%1500) * time.Millisecond)
		ev := ingest.Parse(line, received)
		ev.SourceID = byHost[ev.Host]
		if ev.SourceID == 0 {
			continue // every loggen host is registered; this guards against a new one
		}
		c := counts[ev.SourceID]
		if c == nil {
			c = &pendingCount{org: d.Operator.ID}
			counts[ev.SourceID] = c
		}
		c.n++
		c.last = received
		batch = append(batch, ev)
		if len(batch) == demoBatch {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := flush(); err != nil {
		return err
	}
	if err := m.addCounts(ctx, counts); err != nil {
		return err
	}
	if _, err := m.v.Checkpoint(ctx, d.Operator.ID); err != nil {
		return fmt.Errorf("demo checkpoint: %w", err)
	}
	return nil
}
