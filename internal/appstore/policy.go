package appstore

import (
	"fmt"
	"sort"
	"strings"
)

// Combo is a set of permissions that, requested together, the review flags for a
// reviewer's attention, with why.
type Combo struct {
	Permissions []string
	Why         string
}

// DefaultPolicy is the permission policy a platform starts with. It is this capability's
// own judgement of well-known abuse patterns, not a legal text: a platform replaces it
// with its own rules (one combination a line, "PERM+PERM: why").
const DefaultPolicy = `READ_SMS+INTERNET: 读取短信并联网，可窃取验证码 / reads SMS and goes online: can steal one-time codes
RECEIVE_SMS+SEND_SMS: 收发短信，常见于扣费和诈骗木马 / receives and sends SMS: premium-SMS and fraud trojans
BIND_ACCESSIBILITY_SERVICE+SYSTEM_ALERT_WINDOW: 无障碍服务加悬浮窗，可劫持界面 / accessibility service with overlays: can hijack the screen
READ_CONTACTS+SEND_SMS: 读取通讯录并发短信，可群发传播 / reads contacts and sends SMS: can spread by mass messages
RECORD_AUDIO+RECEIVE_BOOT_COMPLETED+INTERNET: 开机自启、录音并联网，可偷录 / starts at boot, records audio and goes online: covert recording
REQUEST_INSTALL_PACKAGES+INTERNET: 联网下载并安装其他应用 / downloads and installs other apps`

// maxPolicyLines bounds a policy.
const maxPolicyLines = 100

// ParsePolicy reads a policy, one combination a line: permissions joined by '+' (the
// android.permission. prefix may be left out), optionally ": why". An empty text is the
// default policy.
func ParsePolicy(text string) ([]Combo, error) {
	if strings.TrimSpace(text) == "" {
		text = DefaultPolicy
	}
	lines := strings.Split(text, "\n")
	if len(lines) > maxPolicyLines {
		return nil, fmt.Errorf("has more than %d lines", maxPolicyLines)
	}
	var out []Combo
	for i, line := range lines {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		perms, why, _ := strings.Cut(line, ":")
		var c Combo
		for _, p := range strings.Split(perms, "+") {
			p = strings.TrimSpace(p)
			if p == "" || strings.ContainsAny(p, " \t") {
				return nil, fmt.Errorf("line %d: %q is not a permission name", i+1, p)
			}
			c.Permissions = append(c.Permissions, qualify(p))
		}
		if len(c.Permissions) < 2 {
			return nil, fmt.Errorf("line %d: a combination needs at least two permissions joined by +", i+1)
		}
		c.Why = strings.TrimSpace(why)
		out = append(out, c)
	}
	return out, nil
}

// qualify adds the android.permission. prefix to a bare name.
func qualify(p string) string {
	if strings.Contains(p, ".") {
		return p
	}
	return "android.permission." + p
}

// Matches returns the combinations all of whose permissions perms holds.
func Matches(policy []Combo, perms []string) []Combo {
	have := map[string]bool{}
	for _, p := range perms {
		have[p] = true
	}
	var out []Combo
	for _, c := range policy {
		all := true
		for _, p := range c.Permissions {
			all = all && have[p]
		}
		if all {
			out = append(out, c)
		}
	}
	return out
}

// short is a permission without the android.permission. prefix.
func short(p string) string { return strings.TrimPrefix(p, "android.permission.") }

// undeclared returns the permissions the package requests that the developer did not
// declare, sorted.
func undeclared(requested, declared []string) []string {
	d := map[string]bool{}
	for _, p := range declared {
		d[qualify(p)] = true
	}
	var out []string
	for _, p := range requested {
		if !d[p] {
			out = append(out, p)
		}
	}
	sort.Strings(out)
	return out
}
