package obligations

import (
	"context"
	_ "embed"
	"fmt"

	"ciiguard/internal/audit"
	"ciiguard/internal/auth"
	"ciiguard/internal/kernel"
)

// demoPolicy is the demo operator's own rules: one attestation duty with a deadline the
// demo's substation monitoring system (major change two months before seeding) has
// passed, so a first visit has an overdue duty a person closes with evidence.
//
//go:embed demo_policy.yaml
var demoPolicy []byte

// DemoPolicyName is the file name the demo policy is stored under.
const DemoPolicyName = "示例电网网络安全管理办法.yaml"

// seedDemoPolicy stores the demo operator's own rules as its cybersecurity manager would
// upload them.
func (m *Module) seedDemoPolicy(ctx context.Context, d kernel.Demo) error {
	if u, ok := d.Users[auth.SecurityManager]; ok {
		ctx = audit.WithActor(ctx, audit.Actor{UserID: u.ID, OrgID: u.OrgID, Label: u.Name})
	}
	if _, err := m.AddPolicy(ctx, DemoPolicyName, demoPolicy); err != nil {
		return fmt.Errorf("demo policy: %w", err)
	}
	return nil
}
