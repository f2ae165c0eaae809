package app

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"ciiguard/internal/audit"
	"ciiguard/internal/auth"
	"ciiguard/internal/kernel"
	"ciiguard/internal/kernel/uscc"
	"ciiguard/internal/scope"
	"ciiguard/internal/store"
)

// DemoPassword is the password of every demo user. The demo serves on loopback with
// throwaway data; real installations create users with `ciiguard user add`.
const DemoPassword = "ciiguard-demo-2026"

// The demo organisations. otherOperator is a second operator with the same roles as the
// first, so that tests can check that a user who holds a permission in its own
// organisation still gets 404 for the other's records.
const (
	gridOperator  = "grid"
	otherOperator = "water"
	regulatorOrg  = "regulator"
	supplierOrg   = "supplier"
	operationsOrg = "installation"
	appStoreOrg   = "appstore"
)

// demoWaterUSCC is the water company's code: organisation code MA0WATR0 in Beijing, its
// two check characters computed (GB 11714, GB 32100), so the demo shows a code the
// profile form accepts. The grid's is the one its scope profile holds (scope.DemoUSCC).
var demoWaterUSCC = uscc.Complete("91110000MA0WATR0")

// demoUsers are the demo logins, one per role and organisation.
var demoUsers = []struct {
	Role  auth.Role
	Org   string
	Email string
	Name  string
}{
	{auth.Admin, gridOperator, "admin@grid.demo", "王敏 Wang Min"},
	{auth.SecurityManager, gridOperator, "security@grid.demo", "李强 Li Qiang"},
	{auth.SystemOwner, gridOperator, "owner@grid.demo", "张伟 Zhang Wei"},
	{auth.Analyst, gridOperator, "analyst@grid.demo", "刘洋 Liu Yang"},
	{auth.Auditor, gridOperator, "auditor@grid.demo", "陈静 Chen Jing"},
	{auth.RegulatorAdmin, regulatorOrg, "admin@regulator.demo", "赵磊 Zhao Lei"},
	{auth.RegulatorAnalyst, regulatorOrg, "analyst@regulator.demo", "孙丽 Sun Li"},
	{auth.Inspector, regulatorOrg, "inspector@regulator.demo", "周杰 Zhou Jie"},
	{auth.SupplierUser, supplierOrg, "user@supplier.demo", "吴芳 Wu Fang"},
	{auth.Admin, otherOperator, "admin@water.demo", "何军 He Jun"},
	{auth.SecurityManager, otherOperator, "security@water.demo", "高平 Gao Ping"},
	{auth.SystemOwner, otherOperator, "owner@water.demo", "林娜 Lin Na"},
	{auth.Analyst, otherOperator, "analyst@water.demo", "郭涛 Guo Tao"},
	{auth.Auditor, otherOperator, "auditor@water.demo", "马丽 Ma Li"},
	{auth.Operations, operationsOrg, "ops@ciiguard.demo", "运维值班"},
	{auth.Admin, appStoreOrg, "admin@appstore.demo", "钱进"},
	{auth.SecurityManager, appStoreOrg, "security@appstore.demo", "冯洁"},
	{auth.SystemOwner, appStoreOrg, "reviewer@appstore.demo", "韩冰"},
	{auth.Analyst, appStoreOrg, "service@appstore.demo", "曹宇"},
}

// OtherOperatorEmail returns the demo login of role in the second operator organisation
// (Example Water Co.), which has no other demo records: tests use it as the other tenant.
func OtherOperatorEmail(role auth.Role) string {
	for _, u := range demoUsers {
		if u.Org == otherOperator && u.Role == role {
			return u.Email
		}
	}
	return ""
}

// DemoLogin is one printed demo login.
type DemoLogin struct {
	Email, Role, Org string
}

// SeedDemo creates the demo organisations and users, then lets every module add its demo
// records. On a data directory seeded before, it only lists the logins.
func (a *App) SeedDemo(ctx context.Context) ([]DemoLogin, error) {
	var logins []DemoLogin
	_, err := a.Auth.UserByEmail(ctx, demoUsers[0].Email)
	switch {
	case err == nil:
		for _, u := range demoUsers {
			du, err := a.Auth.UserByEmail(ctx, u.Email)
			if err != nil {
				return nil, fmt.Errorf("demo user %s: %w", u.Email, err)
			}
			o, err := a.Auth.GetOrg(ctx, du.OrgID)
			if err != nil {
				return nil, fmt.Errorf("organisation of demo user %s: %w", u.Email, err)
			}
			logins = append(logins, DemoLogin{Email: u.Email, Role: string(u.Role), Org: o.NameEN})
		}
		return logins, nil
	case !errors.Is(err, store.ErrNotFound):
		return nil, err
	}
	ctx = audit.WithActor(ctx, audit.Actor{Label: "demo seed"})
	d := kernel.Demo{Users: map[auth.Role]auth.User{}, AppStoreUsers: map[auth.Role]auth.User{}}
	var water, ops auth.Org
	orgs := []struct {
		key string
		dst *auth.Org
		org auth.Org
	}{
		{gridOperator, &d.Operator, auth.Org{Kind: auth.Operator, NameZH: "示例电网有限公司", NameEN: "Example Grid Co., Ltd.", USCC: scope.DemoUSCC}},
		{regulatorOrg, &d.Regulator, auth.Org{Kind: auth.Regulator, NameZH: "示例能源监管局（演示）", NameEN: "Example Energy Regulator (demo)"}},
		{supplierOrg, &d.Supplier, auth.Org{Kind: auth.Supplier, NameZH: "示例安全设备有限公司", NameEN: "Example Security Devices Co., Ltd."}},
		{operationsOrg, &ops, auth.Org{Kind: auth.Installation, NameZH: "本系统运维（演示）", NameEN: "Installation operations (demo)"}},
		{otherOperator, &water, auth.Org{Kind: auth.Operator, NameZH: "示例水务有限公司", NameEN: "Example Water Co., Ltd.", USCC: demoWaterUSCC}},
		{appStoreOrg, &d.AppStore, auth.Org{Kind: auth.Operator, NameZH: "示例应用市场", NameEN: "Example App Market", USCC: "91110000MA00000077"}},
	}
	byKey := map[string]auth.Org{}
	for _, o := range orgs {
		created, err := a.Auth.CreateOrg(ctx, o.org)
		if err != nil {
			return nil, fmt.Errorf("demo organisation %s: %w", o.org.NameEN, err)
		}
		*o.dst = created
		byKey[o.key] = created
	}
	// Every demo user has the same, published password: hash it once (argon2id costs about
	// 0.15 s of two cores), not once per user and installation.
	hash, err := demoHash()
	if err != nil {
		return nil, err
	}
	for _, u := range demoUsers {
		org := byKey[u.Org]
		created, err := a.Auth.CreateUser(ctx, auth.NewUser{OrgID: org.ID, Email: u.Email, Name: u.Name, Role: u.Role, PasswordHash: hash})
		if err != nil {
			return nil, fmt.Errorf("demo user %s: %w", u.Email, err)
		}
		switch u.Org {
		case otherOperator:
		case appStoreOrg:
			d.AppStoreUsers[u.Role] = created
		default:
			d.Users[u.Role] = created
		}
		logins = append(logins, DemoLogin{Email: u.Email, Role: string(u.Role), Org: org.NameEN})
	}
	for _, m := range demoOrder(a.Modules) {
		if err := m.(kernel.DemoSeeder).SeedDemo(ctx, d); err != nil {
			return nil, fmt.Errorf("demo data of %s: %w", m.Name(), err)
		}
	}
	if err := a.seedAppStoreProfile(ctx, d.AppStore); err != nil {
		return nil, err
	}
	return logins, nil
}

// demoOrder lists the modules that seed demo data, each after the modules it names as
// kernel.DemoAfter, otherwise in the installation's order. A cycle is seeded in the
// installation's order rather than not at all.
func demoOrder(mods []kernel.Module) []kernel.Module {
	present := map[string]bool{}
	var todo []kernel.Module
	for _, m := range mods {
		if _, ok := m.(kernel.DemoSeeder); ok {
			present[m.Name()] = true
			todo = append(todo, m)
		}
	}
	done := map[string]bool{}
	ready := func(m kernel.Module) bool {
		a, ok := m.(kernel.DemoAfter)
		if !ok {
			return true
		}
		for _, n := range a.DemoAfter() {
			if present[n] && !done[n] {
				return false
			}
		}
		return true
	}
	var out []kernel.Module
	for len(todo) > 0 {
		next := -1
		for i, m := range todo {
			if ready(m) {
				next = i
				break
			}
		}
		if next < 0 {
			next = 0 // a cycle
		}
		m := todo[next]
		out, done[m.Name()] = append(out, m), true
		todo = append(todo[:next], todo[next+1:]...)
	}
	return out
}

// FormatLogins renders the demo logins as a table for the terminal.
func FormatLogins(url string, logins []DemoLogin) string {
	var b strings.Builder
	fmt.Fprintf(&b, "\nciiguard demo is running at %s\n\nSign in as any of these (password %q):\n\n", url, DemoPassword)
	for _, l := range logins {
		fmt.Fprintf(&b, "  %-26s %-18s %s\n", l.Email, l.Role, l.Org)
	}
	b.WriteString("\nPress Ctrl-C to stop.\n")
	return b.String()
}

// demoHash is DemoPassword's hash, computed once per process.
var demoHash = sync.OnceValues(func() (string, error) { return auth.HashPassword(DemoPassword) })
