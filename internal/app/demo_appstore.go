package app

import (
	"context"
	"fmt"

	"ciiguard/internal/audit"
	"ciiguard/internal/auth"
	"ciiguard/internal/scope"
	"ciiguard/internal/store"
)

// seedAppStoreProfile gives the demo app store operator its scope profile: an internet
// platform whose profile says app_store, so that the catalog's app-store duties apply to
// it. The scope capability seeds only the demo grid operator's profile, and no capability
// may reach another's records, so the composition root does this one.
func (a *App) seedAppStoreProfile(ctx context.Context, org auth.Org) error {
	for _, m := range a.Modules {
		sm, ok := m.(*scope.Module)
		if !ok || sm.Service() == nil {
			continue
		}
		octx := audit.WithActor(store.WithOrg(ctx, org.ID), audit.Actor{OrgID: org.ID, Label: "demo seed"})
		_, err := sm.Service().SaveProfile(octx, scope.ProfileInput{USCC: org.USCC, Sectors: []string{"internet"}, Region: "北京市",
			Regulators: []string{"北京市互联网信息办公室", "北京市通信管理局"}, AppStore: true, PISubjects: 32_000_000, DataSecurityOfficerNamed: true})
		if err != nil {
			return fmt.Errorf("demo app store profile: %w", err)
		}
	}
	return nil
}
