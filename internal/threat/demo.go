package threat

import (
	"context"
	"fmt"
	"time"

	"ciiguard/internal/audit"
	"ciiguard/internal/auth"
	"ciiguard/internal/kernel"
	"ciiguard/internal/store"
)

// DemoC2Address is the address of the demo notification. The logs capability's demo puts
// three firewall events of a session to it into the demo operator's vault 92 days before
// the demo day (logs.DemoC2Address; a capability cannot import another, so it is repeated).
const DemoC2Address = "198.51.100.23"

// SeedDemo implements kernel.DemoSeeder: the demo regulator's analyst publishes a
// notification about a botnet controller to the demo operator's sector; the retro-hunt finds
// the operator's firewall talking to it three months ago, which opens an incident. The
// notification waits for the operator's acknowledgement and answer.
func (m *Module) SeedDemo(ctx context.Context, d kernel.Demo) error {
	an, ok := d.Users[auth.RegulatorAnalyst]
	if !ok {
		return nil
	}
	org, _, err := m.inv.Facts(store.WithOrg(ctx, d.Operator.ID))
	if err != nil {
		return fmt.Errorf("threat demo: the operator's sectors: %w", err)
	}
	sector := "energy"
	if len(org.Sectors) > 0 {
		sector = org.Sectors[0]
	}
	rctx := store.WithOrg(audit.WithActor(ctx, audit.Actor{UserID: an.ID, OrgID: an.OrgID, Label: an.Email + " (" + string(an.Role) + ")"}), d.Regulator.ID)
	deadline := m.Now().Add(5 * 24 * time.Hour).UTC().Format(time.RFC3339)
	if _, err := m.publish(rctx, NewNotification{
		TitleZH:  "关于境外僵尸网络控制服务器活动的预警通报",
		TitleEN:  "Warning: a foreign botnet command-and-control server is active",
		Summary:  "监测发现境外僵尸网络控制服务器 " + DemoC2Address + " 近期对能源行业单位开展控制连接，请各单位排查与下列指标的通信。",
		Severity: "high", Sectors: []string{sector},
		Actions:  "1. 在边界防火墙阻断下列地址和域名；2. 排查最近六个月与其通信的内网主机并处置；3. 于期限前反馈排查和处置情况。",
		Deadline: deadline, TLP: "amber", Format: FormatList,
		Indicators: DemoC2Address + "\nupdate.c2-relay.example\n",
	}, false); err != nil {
		return fmt.Errorf("threat demo: publish: %w", err)
	}
	if err := m.RunQueued(ctx); err != nil {
		return fmt.Errorf("threat demo: retro-hunt: %w", err)
	}
	return nil
}
