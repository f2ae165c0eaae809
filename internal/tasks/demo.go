package tasks

import (
	"context"
	"fmt"
	"strings"
	"time"

	"ciiguard/internal/audit"
	"ciiguard/internal/auth"
	"ciiguard/internal/calendar"
	"ciiguard/internal/kernel"
	"ciiguard/internal/rules"
	"ciiguard/internal/store"
)

// SeedDemo implements kernel.DemoSeeder: the demo operator gets a task under way for its
// most urgent system gap, owned by its cybersecurity manager, and a task its system owner
// closed with evidence and an attestation that now waits for a second person's review.
// It runs after the obligations capability evaluated the demo (app.Modules' order).
func (m *Module) SeedDemo(ctx context.Context, d kernel.Demo) error {
	ctx = store.WithOrg(ctx, d.Operator.ID)
	fs, err := m.obl.CurrentFindings(ctx)
	if err != nil {
		return err
	}
	var urgent, attestable *rules.Finding
	for i := range fs {
		f := &fs[i]
		if f.SubjectKind != rules.SubjectSystem {
			continue
		}
		if urgent == nil && f.Status == rules.StatusOverdue {
			urgent = f
		}
		if attestable == nil && f.Status == rules.StatusNeedsAttestation {
			attestable = f
		}
	}
	as := func(role auth.Role) (context.Context, auth.User) {
		u := d.Users[role]
		return audit.WithActor(ctx, audit.Actor{UserID: u.ID, OrgID: u.OrgID, Label: u.Name}), u
	}
	today := m.now().In(calendar.Shanghai)
	if urgent != nil {
		sctx, sec := as(auth.SecurityManager)
		t, err := m.Create(sctx, NewTask{ObligationID: urgent.ObligationID, SubjectKind: "system", SubjectID: urgent.SubjectID,
			Title: "整改逾期事项：" + m.title(ctx, urgent.ObligationID), OwnerID: sec.ID, Due: today.AddDate(0, 0, 14).Format(time.DateOnly)})
		if err != nil {
			return fmt.Errorf("demo task: %w", err)
		}
		if _, err := m.SetStatus(sctx, t.ID, StatusInProgress); err != nil {
			return err
		}
		if err := m.Comment(sctx, t.ID, "已与测评机构约定本月内完成，待出具报告后上传。"); err != nil {
			return err
		}
	}
	if attestable != nil {
		octx, owner := as(auth.SystemOwner)
		t, err := m.Create(octx, NewTask{ObligationID: attestable.ObligationID, SubjectKind: "system", SubjectID: attestable.SubjectID,
			Title: "提交证明材料：" + m.title(ctx, attestable.ObligationID), OwnerID: owner.ID, Due: today.AddDate(0, 0, 7).Format(time.DateOnly)})
		if err != nil {
			return fmt.Errorf("demo task: %w", err)
		}
		sha, err := m.ev.Store(octx, "证明材料（2026 年 11 月核验）", strings.NewReader("演示证明材料：相关制度与记录已于 2026 年 11 月核验。\n"))
		if err != nil {
			return err
		}
		if err := m.Attach(octx, t.ID, sha); err != nil {
			return err
		}
		if _, err := m.Close(octx, t.ID, CloseTask{Attest: true, Statement: "相关制度与记录已核验，材料见附件。"}); err != nil {
			return fmt.Errorf("demo task attestation: %w", err)
		}
	}
	return nil
}

// title is a duty's Chinese title, or its id.
func (m *Module) title(ctx context.Context, ob string) string {
	if cat, err := m.obl.Catalog(ctx); err == nil {
		if o, ok := cat.Obligation(ob); ok {
			return o.Title.Zh
		}
	}
	return ob
}
