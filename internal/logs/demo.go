package logs

import (
	"context"
	"fmt"
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
		src, _, err := m.CreateSource(ctx, p, NewSource{Name: h, Kind: KindSyslog, Sender: fmt.Sprintf("%s%d", demoSubnet, 11+i)})
		if err != nil {
			return fmt.Errorf("demo log source %s: %w", h, err)
		}
		byHost[h] = src.ID
	}
	if _, _, err := m.CreateSource(ctx, p, NewSource{Name: "siem-forwarder", Kind: KindHTTP}); err != nil {
		return fmt.Errorf("demo HTTP log source: %w", err)
	}
	end := m.now().UTC().Truncate(time.Minute)
	if err := m.seedPastContact(ctx, d.Operator.ID, hosts[0], byHost[hosts[0]], end); err != nil {
		return err
	}
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

// DemoC2Address is the outside address the demo operator's core firewall let an internal
// host connect to about three months before the demo starts: the threat capability's demo
// notification names it, and its retro-hunt finds these events.
const DemoC2Address = "198.51.100.23"

// seedPastContact appends three firewall events of one outbound HTTPS session to
// DemoC2Address, 92 days before end, ahead of the day of generated logs.
func (m *Module) seedPastContact(ctx context.Context, org int64, host string, source int64, end time.Time) error {
	at := end.Add(-92 * 24 * time.Hour).Add(3*time.Hour + 17*time.Minute)
	var evs []vault.Event
	for i, msg := range []string{
		"%ASA-6-302013: Built outbound TCP connection 381992 for outside:" + DemoC2Address + "/443 (" + DemoC2Address + "/443) to inside:10.20.1.15/51544 (10.20.1.15/51544)",
		"%ASA-6-302014: Teardown TCP connection 381992 for outside:" + DemoC2Address + "/443 to inside:10.20.1.15/51544 duration 0:04:12 bytes 48213 TCP FINs",
		"%ASA-6-302013: Built outbound TCP connection 382410 for outside:" + DemoC2Address + "/443 (" + DemoC2Address + "/443) to inside:10.20.1.15/51602 (10.20.1.15/51602)",
	} {
		t := at.Add(time.Duration(i) * 7 * time.Minute)
		line := fmt.Sprintf("<166>1 %s %s - - - - %s", t.Format(time.RFC3339), host, msg)
		ev := ingest.Parse([]byte(line), t.Add(time.Second))
		ev.SourceID = source
		evs = append(evs, ev)
	}
	if _, err := m.v.Append(ctx, org, evs); err != nil {
		return fmt.Errorf("demo logs: past contact: %w", err)
	}
	return nil
}
