// Package loggen generates realistic, reproducible security syslog lines —
// firewall, IDS, VPN, bastion and WAF events from 20 hosts — for tests,
// benchmarks and the demo. The same seed always yields the same lines.
//
// Lines are RFC 3164 (most devices) or RFC 5424 (the bastions and WAF),
// 150–200 bytes on average, with the skew real traffic has: a few internal
// hosts and external addresses account for most connections, most traffic
// is allowed, and rare events (IDS alerts, failed logins) are rare.
package loggen

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"time"
)

// Generator produces lines; it is not safe for concurrent use.
type Generator struct {
	r      *rand.Rand
	now    time.Time
	meanNs float64
	connID [20]uint64
	zipfIn *rand.Zipf
	zipfEx *rand.Zipf
	zipfUs *rand.Zipf
}

type host struct {
	name string
	kind int
}

const (
	kindASA = iota
	kindForti
	kindIDS
	kindVPN
	kindBastion
	kindWAF
)

var hosts = []host{
	{"fw-edge-01", kindASA}, {"fw-edge-02", kindASA}, {"fw-edge-03", kindASA}, {"fw-edge-04", kindASA},
	{"fw-dc-01", kindForti}, {"fw-dc-02", kindForti}, {"fw-dc-03", kindForti}, {"fw-branch-01", kindForti},
	{"fw-branch-02", kindForti}, {"fw-branch-03", kindForti},
	{"ids-core-01", kindIDS}, {"ids-core-02", kindIDS}, {"ids-dmz-01", kindIDS},
	{"vpn-gw-01", kindVPN}, {"vpn-gw-02", kindVPN},
	{"bastion-01", kindBastion}, {"bastion-02", kindBastion}, {"bastion-03", kindBastion},
	{"waf-01", kindWAF}, {"waf-02", kindWAF},
}

// host weights: firewalls dominate volume.
var hostWeights = []int{12, 12, 10, 8, 9, 9, 7, 5, 4, 3, 3, 2, 2, 3, 2, 1, 1, 1, 3, 3}

var users = []string{"zhang.wei", "li.na", "wang.fang", "liu.yang", "chen.jie", "yang.min", "zhao.lei", "huang.li",
	"zhou.tao", "wu.xia", "xu.gang", "sun.hui", "ma.jun", "zhu.hong", "hu.bin", "guo.ping", "he.yan", "lin.feng",
	"gao.jing", "luo.qiang", "ops", "admin", "backup", "deploy", "monitor", "dba", "root", "svc-ci", "svc-report", "audit"}

var services = []struct {
	port  int
	proto string
}{{443, "tcp"}, {80, "tcp"}, {53, "udp"}, {22, "tcp"}, {3389, "tcp"}, {8443, "tcp"}, {123, "udp"}, {445, "tcp"},
	{3306, "tcp"}, {1433, "tcp"}, {25, "tcp"}, {993, "tcp"}}

var serviceWeights = []int{40, 15, 15, 5, 3, 5, 3, 3, 3, 2, 3, 3}

var idsSigs = []struct {
	sid      int
	msg, cls string
	prio     int
}{
	{2001219, "ET SCAN Potential SSH Scan", "Attempted Information Leak", 2},
	{2024897, "ET USER_AGENTS Go HTTP Client User-Agent", "Potentially Bad Traffic", 3},
	{2010935, "ET SCAN Suspicious inbound to MSSQL port 1433", "Potentially Bad Traffic", 2},
	{2027865, "ET INFO Observed DNS Query to .cloud TLD", "Potentially Bad Traffic", 3},
	{2019401, "ET POLICY Vulnerable Java Version 1.8.x Detected", "Potential Corporate Privacy Violation", 2},
	{2030358, "ET EXPLOIT Possible Apache log4j RCE Attempt", "Attempted Administrator Privilege Gain", 1},
	{2008578, "ET SCAN Sipvicious Scan", "Attempted Information Leak", 2},
	{2402000, "ET DROP Dshield Block Listed Source", "Misc Attack", 2},
}

var wafRules = []string{"942100 SQL Injection Attack Detected via libinjection", "941100 XSS Attack Detected via libinjection",
	"930120 OS File Access Attempt", "920350 Host header is a numeric IP address", "913100 Found User-Agent associated with security scanner"}

var uris = []string{"/api/v1/login", "/api/v1/orders", "/index.php", "/admin/config", "/static/app.js", "/api/v2/report/export",
	"/wp-login.php", "/.env", "/api/v1/users/search", "/portal/home"}

// New returns a generator whose first line is at start and which emits on
// average perSecond lines per second of log time.
func New(seed uint64, start time.Time, perSecond float64) *Generator {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	g := &Generator{r: r, now: start.UTC(), meanNs: 1e9 / perSecond}
	g.zipfIn = rand.NewZipf(r, 1.1, 4, 3999)
	g.zipfEx = rand.NewZipf(r, 1.05, 8, 19999)
	g.zipfUs = rand.NewZipf(r, 1.3, 2, uint64(len(users)-1))
	for i := range g.connID {
		g.connID[i] = uint64(100000000 + i*7919)
	}
	return g
}

// Hosts returns the names of the 20 simulated devices.
func Hosts() []string {
	out := make([]string, len(hosts))
	for i, h := range hosts {
		out[i] = h.name
	}
	return out
}

func (g *Generator) pick(weights []int) int {
	total := 0
	for _, w := range weights {
		total += w
	}
	n := g.r.IntN(total)
	for i, w := range weights {
		if n < w {
			return i
		}
		n -= w
	}
	return len(weights) - 1
}

func (g *Generator) internal() string {
	n := g.zipfIn.Uint64()
	return "10." + strconv.Itoa(20+int(n>>12)) + "." + strconv.Itoa(int(n>>8)&15) + "." + strconv.Itoa(int(n&255))
}

func (g *Generator) external() string {
	n := g.zipfEx.Uint64()*2654435761 + 17
	return strconv.Itoa(int(1+n%223)) + "." + strconv.Itoa(int(n>>8)%256) + "." + strconv.Itoa(int(n>>16)%256) + "." + strconv.Itoa(int(n>>24)%254+1)
}

func (g *Generator) ephemeral() int { return 32768 + g.r.IntN(28232) }

// flowBytes draws a byte count from a log-normal distribution, as real
// flow sizes are: mostly small (DNS, handshakes), with a long tail.
func (g *Generator) flowBytes(port int, mu float64) int {
	if port == 53 || port == 123 {
		mu = 4.5
	}
	return int(math.Exp(mu + 1.4*g.r.NormFloat64()))
}

func (g *Generator) user() string { return users[g.zipfUs.Uint64()] }

// Next returns the next line and its timestamp.
func (g *Generator) Next() ([]byte, time.Time) {
	return g.AppendNext(nil)
}

// AppendNext appends the next line to dst.
func (g *Generator) AppendNext(dst []byte) ([]byte, time.Time) {
	g.now = g.now.Add(time.Duration(g.r.ExpFloat64() * g.meanNs))
	hi := g.pick(hostWeights)
	h := hosts[hi]
	g.connID[hi] += 1 + uint64(g.r.IntN(3))
	ts := g.now
	stamp3164 := ts.Format(time.Stamp)
	svc := services[g.pick(serviceWeights)]
	switch h.kind {
	case kindASA:
		src, dst2 := g.internal(), g.external()
		if g.r.IntN(10) < 8 {
			sp := g.ephemeral() // no NAT: mapped and real ports agree
			return fmt.Appendf(dst, "<166>%s %s %%ASA-6-302013: Built outbound %s connection %d for outside:%s/%d (%s/%d) to inside:%s/%d (%s/%d)",
				stamp3164, h.name, upper(svc.proto), g.connID[hi], dst2, svc.port, dst2, svc.port, src, sp, src, sp), ts
		}
		return fmt.Appendf(dst, "<164>%s %s %%ASA-4-106023: Deny %s src outside:%s/%d dst inside:%s/%d by access-group \"outside_access_in\" [0x%x, 0x0]",
			stamp3164, h.name, svc.proto, g.external(), g.ephemeral(), src, svc.port, 0x5a000000+g.r.IntN(40)), ts
	case kindForti:
		action, lvl, pri := "accept", "notice", 189
		if g.r.IntN(10) >= 8 {
			action, lvl, pri = "deny", "warning", 188
		}
		return fmt.Appendf(dst, "<%d>%s %s devname=%s logid=0000000013 type=traffic subtype=forward level=%s srcip=%s srcport=%d dstip=%s dstport=%d proto=%d action=%s policyid=%d sentbyte=%d rcvdbyte=%d",
			pri, stamp3164, h.name, h.name, lvl, g.internal(), g.ephemeral(), g.external(), svc.port, protoNum(svc.proto),
			action, 1+g.r.IntN(60), g.flowBytes(svc.port, 6), g.flowBytes(svc.port, 8)), ts
	case kindIDS:
		s := idsSigs[g.r.IntN(len(idsSigs))]
		return fmt.Appendf(dst, "<%d>%s %s suricata[2211]: [1:%d:%d] %s [Classification: %s] [Priority: %d] {%s} %s:%d -> %s:%d",
			32+s.prio, stamp3164, h.name, s.sid, 1+g.r.IntN(5), s.msg, s.cls, s.prio, upper(svc.proto), g.external(), g.ephemeral(), g.internal(), svc.port), ts
	case kindVPN:
		u, ip := g.user(), g.external()
		if g.r.IntN(20) == 0 {
			return fmt.Appendf(dst, "<36>%s %s openvpn[1187]: %s:%d TLS Auth Error: Auth Username/Password verification failed for peer user '%s'",
				stamp3164, h.name, ip, g.ephemeral(), u), ts
		}
		return fmt.Appendf(dst, "<38>%s %s openvpn[1187]: %s/%s:%d MULTI_sva: pool returned IPv4=172.16.%d.%d, IPv6=(Not enabled) user=%s",
			stamp3164, h.name, u, ip, g.ephemeral(), g.r.IntN(8), 2+g.r.IntN(250), u), ts
	case kindBastion:
		u, ip := g.user(), g.internal()
		stamp := ts.Format("2006-01-02T15:04:05.000000Z07:00")
		switch n := g.r.IntN(10); {
		case n < 6:
			return fmt.Appendf(dst, "<86>1 %s %s sshd %d - - Accepted publickey for %s from %s port %d ssh2: ED25519 SHA256:%s",
				stamp, h.name, 20000+g.r.IntN(9000), u, ip, g.ephemeral(), fingerprint(u)), ts
		case n < 8:
			return fmt.Appendf(dst, "<86>1 %s %s sshd %d - - pam_unix(sshd:session): session closed for user %s after %ds from %s",
				stamp, h.name, 20000+g.r.IntN(9000), u, g.r.IntN(7200), ip), ts
		default:
			return fmt.Appendf(dst, "<84>1 %s %s sshd %d - - Failed password for invalid user %s from %s port %d ssh2",
				stamp, h.name, 20000+g.r.IntN(9000), users[g.r.IntN(len(users))], g.external(), g.ephemeral()), ts
		}
	default:
		stamp := ts.Format("2006-01-02T15:04:05.000Z07:00")
		if g.r.IntN(8) == 0 {
			return fmt.Appendf(dst, "<116>1 %s %s modsecurity - WAF - client=%s rule=\"%s\" uri=%s action=block status=403",
				stamp, h.name, g.external(), wafRules[g.r.IntN(len(wafRules))], uris[g.r.IntN(len(uris))]), ts
		}
		return fmt.Appendf(dst, "<118>1 %s %s nginx - ACCESS - client=%s method=GET uri=%s status=200 bytes=%d rt=%.3f ua=\"Mozilla/5.0\"",
			stamp, h.name, g.external(), uris[g.r.IntN(len(uris))], g.flowBytes(443, 8), math.Round(g.r.ExpFloat64()*80)/1000), ts
	}
}

func upper(s string) string {
	if s == "tcp" {
		return "TCP"
	}
	return "UDP"
}

func protoNum(s string) int {
	if s == "tcp" {
		return 6
	}
	return 17
}

// fingerprint is a stable fake key fingerprint per user.
func fingerprint(u string) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	h := uint64(1469598103934665603)
	for i := 0; i < len(u); i++ {
		h = (h ^ uint64(u[i])) * 1099511628211
	}
	b := make([]byte, 43)
	for i := range b {
		b[i] = alphabet[h%64]
		h = h*6364136223846793005 + 1442695040888963407
	}
	return string(b)
}
