package app

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"ciiguard/internal/audit"
	"ciiguard/internal/auth"
	"ciiguard/internal/kernel"
	"ciiguard/internal/store"
)

// DemoPassword is the password of every demo user. The demo serves on loopback with
// throwaway data; real installations create users with `ciiguard user add`.
const DemoPassword = "ciiguard-demo-2026"

// demoUsers are the demo logins, one per role.
var demoUsers = []struct {
	Role  auth.Role
	Kind  auth.OrgKind
	Email string
	Name  string
}{
	{auth.Admin, auth.Operator, "admin@grid.demo", "王敏 Wang Min"},
	{auth.SecurityManager, auth.Operator, "security@grid.demo", "李强 Li Qiang"},
	{auth.SystemOwner, auth.Operator, "owner@grid.demo", "张伟 Zhang Wei"},
	{auth.Analyst, auth.Operator, "analyst@grid.demo", "刘洋 Liu Yang"},
	{auth.Auditor, auth.Operator, "auditor@grid.demo", "陈静 Chen Jing"},
	{auth.RegulatorAdmin, auth.Regulator, "admin@regulator.demo", "赵磊 Zhao Lei"},
	{auth.RegulatorAnalyst, auth.Regulator, "analyst@regulator.demo", "孙丽 Sun Li"},
	{auth.Inspector, auth.Regulator, "inspector@regulator.demo", "周杰 Zhou Jie"},
	{auth.SupplierUser, auth.Supplier, "user@supplier.demo", "吴芳 Wu Fang"},
}

// DemoLogin is one printed demo login.
type DemoLogin struct {
	Email, Role, Org string
}

// SeedDemo creates the demo organisations and users, then lets every module add its demo
// records. On a data directory seeded before, it only lists the logins.
func (a *App) SeedDemo(ctx context.Context) ([]DemoLogin, error) {
	var logins []DemoLogin
	names := map[auth.OrgKind]string{}
	_, err := a.Auth.UserByEmail(ctx, demoUsers[0].Email)
	switch {
	case err == nil:
		orgs, err := a.Auth.ListOrgs(ctx, "")
		if err != nil {
			return nil, err
		}
		for _, o := range orgs {
			names[o.Kind] = o.NameEN
		}
		for _, u := range demoUsers {
			logins = append(logins, DemoLogin{Email: u.Email, Role: string(u.Role), Org: names[u.Kind]})
		}
		return logins, nil
	case !errors.Is(err, store.ErrNotFound):
		return nil, err
	}
	ctx = audit.WithActor(ctx, audit.Actor{Label: "demo seed"})
	d := kernel.Demo{Users: map[auth.Role]auth.User{}}
	orgs := []struct {
		dst *auth.Org
		org auth.Org
	}{
		{&d.Operator, auth.Org{Kind: auth.Operator, NameZH: "示例电网有限公司", NameEN: "Example Grid Co., Ltd.", USCC: "91110000MA00000012"}},
		{&d.Regulator, auth.Org{Kind: auth.Regulator, NameZH: "示例能源监管局（演示）", NameEN: "Example Energy Regulator (demo)"}},
		{&d.Supplier, auth.Org{Kind: auth.Supplier, NameZH: "示例安全设备有限公司", NameEN: "Example Security Devices Co., Ltd."}},
	}
	for _, o := range orgs {
		created, err := a.Auth.CreateOrg(ctx, o.org)
		if err != nil {
			return nil, fmt.Errorf("demo organisation %s: %w", o.org.NameEN, err)
		}
		*o.dst = created
		names[created.Kind] = created.NameEN
	}
	orgOf := map[auth.OrgKind]int64{auth.Operator: d.Operator.ID, auth.Regulator: d.Regulator.ID, auth.Supplier: d.Supplier.ID}
	for _, u := range demoUsers {
		created, err := a.Auth.CreateUser(ctx, auth.NewUser{OrgID: orgOf[u.Kind], Email: u.Email, Name: u.Name, Role: u.Role, Password: DemoPassword})
		if err != nil {
			return nil, fmt.Errorf("demo user %s: %w", u.Email, err)
		}
		d.Users[u.Role] = created
		logins = append(logins, DemoLogin{Email: u.Email, Role: string(u.Role), Org: names[u.Kind]})
	}
	for _, m := range a.Modules {
		if s, ok := m.(kernel.DemoSeeder); ok {
			if err := s.SeedDemo(ctx, d); err != nil {
				return nil, fmt.Errorf("demo data of %s: %w", m.Name(), err)
			}
		}
	}
	return logins, nil
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
