// Package auth holds ciiguard's organisations, users, roles and the one permission table
// that decides who may do what; passwords (argon2id), browser sessions, API tokens, CSRF
// tokens and login rate limits.
package auth

import (
	"fmt"
	"slices"
	"sort"
	"sync"
)

// OrgKind is what an organisation is in the regime.
type OrgKind string

// The kinds of organisation. Installation is the team that runs this ciiguard
// installation (not a party in the regime): its users see installation-wide operational
// data such as metrics, and nothing of any tenant.
const (
	Operator     OrgKind = "operator"
	Regulator    OrgKind = "regulator"
	Supplier     OrgKind = "supplier"
	Installation OrgKind = "installation"
)

// OrgKinds lists every kind, for validation and forms.
var OrgKinds = []OrgKind{Operator, Regulator, Supplier, Installation}

// Role is a user's role within its organisation.
type Role string

// The roles. Each belongs to exactly one organisation kind.
const (
	Admin            Role = "admin"
	SecurityManager  Role = "security_manager"
	SystemOwner      Role = "system_owner"
	Analyst          Role = "analyst"
	Auditor          Role = "auditor"
	RegulatorAdmin   Role = "regulator_admin"
	RegulatorAnalyst Role = "regulator_analyst"
	Inspector        Role = "inspector"
	SupplierUser     Role = "supplier_user"
	// Operations runs the installation: it reads installation-wide metrics. Only the CLI
	// creates such users (in an organisation of kind installation, which the CLI alone
	// creates), so no tenant's administrator can grant it.
	Operations Role = "operations"
)

// LogSender is the role of the API token issued for an HTTP log source: it may append
// events to that one source and nothing else. It is a token-only role: no user holds it
// and no one can ask for it on the tokens page; the logs capability issues it.
const LogSender Role = "log_sender"

// tokenOnlyRoles are the roles only tokens hold, by organisation kind.
var tokenOnlyRoles = map[OrgKind][]Role{Operator: {LogSender}}

// RolesByKind says which roles an organisation of each kind may give its users.
var RolesByKind = map[OrgKind][]Role{
	Operator:  {Admin, SecurityManager, SystemOwner, Analyst, Auditor},
	Regulator: {RegulatorAdmin, RegulatorAnalyst, Inspector},
	Supplier:  {SupplierUser},
	// An installation organisation holds only the operations role.
	Installation: {Operations},
}

// AllRoles lists every role in a stable order.
func AllRoles() []Role {
	var out []Role
	for _, k := range OrgKinds {
		out = append(out, RolesByKind[k]...)
	}
	return out
}

// ValidRole checks that role r may be held in an organisation of kind k.
func ValidRole(k OrgKind, r Role) error {
	if !slices.Contains(RolesByKind[k], r) {
		return fmt.Errorf("role %q is not a role of a %s organisation (allowed: %v)", r, k, RolesByKind[k])
	}
	return nil
}

// Permission names one thing a user may do.
type Permission string

// Public is the pseudo-permission of pages anyone may see (login, health).
const Public Permission = "public"

// Signed-in is the pseudo-permission of pages every signed-in user may see.
const SignedIn Permission = "signed_in"

// Kernel permissions; capabilities register their own with Grant.
const (
	ViewDashboard Permission = "dashboard.view"
	ManageUsers   Permission = "users.manage"
	ManageTokens  Permission = "tokens.manage"
	ReadAudit     Permission = "audit.read"
)

// The permission table. It is filled at start-up (kernel entries below, capabilities'
// entries when they register) and read-only afterwards.
var (
	tableMu sync.RWMutex
	table   = map[Permission][]Role{}
)

func init() {
	Grant(ViewDashboard, AllRoles()...)
	Grant(ManageUsers, Admin, RegulatorAdmin)
	// Operations makes its own scrape token for Prometheus.
	Grant(ManageTokens, Admin, SecurityManager, RegulatorAdmin, Operations)
	// Operations reads its own organisation's trail: installation-wide changes it makes
	// (such as loading a holiday schedule) are recorded there.
	Grant(ReadAudit, Admin, SecurityManager, Auditor, RegulatorAdmin, Operations)
}

// Grant adds roles to the table entry of permission p. Capabilities call it when they
// register, never while serving.
func Grant(p Permission, roles ...Role) {
	tableMu.Lock()
	defer tableMu.Unlock()
	for _, r := range roles {
		if !slices.Contains(table[p], r) {
			table[p] = append(table[p], r)
		}
	}
}

// Allowed reports whether role r holds permission p.
func Allowed(r Role, p Permission) bool {
	switch p {
	case Public:
		return true
	case SignedIn:
		return r != ""
	}
	tableMu.RLock()
	defer tableMu.RUnlock()
	return slices.Contains(table[p], r)
}

// Table returns a copy of the permission table, permissions sorted, for the UI and tests.
func Table() map[Permission][]Role {
	tableMu.RLock()
	defer tableMu.RUnlock()
	out := make(map[Permission][]Role, len(table))
	for p, rs := range table {
		out[p] = slices.Clone(rs)
	}
	return out
}

// Permissions lists the registered permissions in order.
func Permissions() []Permission {
	t := Table()
	out := make([]Permission, 0, len(t))
	for p := range t {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// TokenRoleOf reports whether an API token of role r may act in an organisation of kind
// k: any user role of that kind, or a token-only role of that kind.
func TokenRoleOf(k OrgKind, r Role) bool {
	return ValidRole(k, r) == nil || slices.Contains(tokenOnlyRoles[k], r)
}
