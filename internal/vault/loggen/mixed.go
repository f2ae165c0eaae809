package loggen

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"time"
)

// Mixed generates the traffic of a larger site for search and ingest
// benchmarks: perimeter and data-centre firewalls (Cisco ASA connection
// build/teardown and denies, FortiGate traffic logs), remote-access VPN
// (AnyConnect on the ASA and OpenVPN), IDS alerts (Suricata) and Windows
// security events forwarded as syslog (NXLog style, one line per event).
//
// Values are drawn the way they are distributed in real logs, so that a
// search for one of them is as selective as it would be on real data:
// internal addresses (20,000) and external ones (500,000) and user
// accounts (5,000) follow Zipf laws, so a few are everywhere and most are
// rare; destination ports are mostly a dozen well-known ones with a long
// Zipf tail over 1024-65535; source ports are ephemeral (uniform over the
// Linux or Windows range); byte counts are log-normal; session ids count
// up per device. The same seed always yields the same lines. Mixed is not
// safe for concurrent use.
type Mixed struct {
	r      *rand.Rand
	now    time.Time
	meanNs float64
	sess   []uint64
	zipfIn *rand.Zipf
	zipfEx *rand.Zipf
	zipfUs *rand.Zipf
	zipfPt *rand.Zipf
	total  int
}

type mixedHost struct {
	name   string
	kind   int
	weight int
}

const (
	mkASA = iota
	mkForti
	mkVPN
	mkOpenVPN
	mkIDS
	mkWin
)

// mixedHosts: firewalls carry most of the volume, then Windows domain
// controllers and member servers, then VPN and IDS.
var mixedHosts = func() []mixedHost {
	var hs []mixedHost
	add := func(prefix string, n, kind, weight int) {
		for i := 1; i <= n; i++ {
			hs = append(hs, mixedHost{fmt.Sprintf("%s%02d", prefix, i), kind, weight})
		}
	}
	add("asa-edge-", 4, mkASA, 60)
	add("fgt-dc-", 6, mkForti, 25)
	add("fgt-branch-", 12, mkForti, 8)
	add("vpn-asa-", 2, mkVPN, 15)
	add("ovpn-", 2, mkOpenVPN, 6)
	add("suricata-", 3, mkIDS, 6)
	add("DC", 4, mkWin, 25)
	add("SRV-APP-", 20, mkWin, 3)
	return hs
}()

var mixedHostTotal = func() int {
	t := 0
	for _, h := range mixedHosts {
		t += h.weight
	}
	return t
}()

var surnames = []string{"zhang", "wang", "li", "zhao", "liu", "chen", "yang", "huang", "zhou", "wu", "xu", "sun",
	"ma", "zhu", "hu", "guo", "he", "lin", "gao", "luo", "zheng", "liang", "xie", "song", "tang", "han", "feng", "deng", "cao", "peng"}
var givenNames = []string{"wei", "na", "fang", "yang", "jie", "min", "lei", "li", "tao", "xia", "gang", "hui", "jun",
	"hong", "bin", "ping", "yan", "feng", "jing", "qiang", "yu", "xin", "hao", "ting", "chao", "lan", "bo", "kai", "rui", "yue"}

// mixedUsers holds 5,000 account names: surname.given plus a number for
// the repeats, as directory services assign them, and a few service
// accounts at the head of the Zipf law.
var mixedUsers = func() []string {
	us := []string{"svc-backup", "svc-sql", "administrator", "svc-monitor", "svc-deploy"}
	for i := 0; len(us) < 5000; i++ {
		s, g := surnames[i%len(surnames)], givenNames[(i/len(surnames))%len(givenNames)]
		name := s + "." + g
		if k := i / (len(surnames) * len(givenNames)); k > 0 {
			name += strconv.Itoa(k)
		}
		us = append(us, name)
	}
	return us
}()

var wellKnown = []struct {
	port   int
	proto  string
	weight int
}{{443, "tcp", 40}, {80, "tcp", 12}, {53, "udp", 14}, {22, "tcp", 3}, {3389, "tcp", 2}, {8443, "tcp", 3},
	{123, "udp", 2}, {445, "tcp", 3}, {3306, "tcp", 1}, {1433, "tcp", 1}, {25, "tcp", 2}, {993, "tcp", 1}, {389, "tcp", 2}, {88, "tcp", 2}}

// NewMixed returns a generator whose first line is at start and which
// emits on average perSecond lines per second of log time.
func NewMixed(seed uint64, start time.Time, perSecond float64) *Mixed {
	r := rand.New(rand.NewPCG(seed, seed^0x5851f42d4c957f2d))
	g := &Mixed{r: r, now: start.UTC(), meanNs: 1e9 / perSecond, sess: make([]uint64, len(mixedHosts))}
	g.zipfIn = rand.NewZipf(r, 1.1, 2, 19999)
	g.zipfEx = rand.NewZipf(r, 1.02, 4, 499999)
	g.zipfUs = rand.NewZipf(r, 1.2, 3, uint64(len(mixedUsers)-1))
	g.zipfPt = rand.NewZipf(r, 1.3, 2, 64511)
	for i := range g.sess {
		g.sess[i] = uint64(1_000_000_000 + i*104729*97)
	}
	for _, w := range wellKnown {
		g.total += w.weight
	}
	return g
}

func (g *Mixed) internal() string { return internalAddr(g.zipfIn.Uint64()) }

// internalAddr is the internal address of Zipf rank n (0: the busiest).
func internalAddr(rank uint64) string {
	n := rank * 2654435761 % 20000
	return "10." + strconv.Itoa(16+int(n/5000)) + "." + strconv.Itoa(int(n/250)%20*10+int(n%7)) + "." + strconv.Itoa(1+int(n%250))
}

func (g *Mixed) external() string { return externalAddr(g.zipfEx.Uint64()) }

// externalAddr is the external address of Zipf rank n.
func externalAddr(rank uint64) string {
	n := rank*0x9E3779B1 + 0x1234567
	a := 1 + int(n%223)
	if a == 10 || a == 127 {
		a++
	}
	return strconv.Itoa(a) + "." + strconv.Itoa(int(n>>8)%256) + "." + strconv.Itoa(int(n>>16)%256) + "." + strconv.Itoa(int(n>>24)%254+1)
}

// service is a destination port and protocol: 95% well-known, the rest a
// Zipf tail over the registered and dynamic ports.
func (g *Mixed) service() (int, string) {
	if g.r.IntN(20) == 0 {
		p := tailPort(g.zipfPt.Uint64())
		if g.r.IntN(3) == 0 {
			return p, "udp"
		}
		return p, "tcp"
	}
	n := g.r.IntN(g.total)
	for _, w := range wellKnown {
		if n < w.weight {
			return w.port, w.proto
		}
		n -= w.weight
	}
	return 443, "tcp"
}

// tailPort is the destination port of Zipf rank n in the long tail.
func tailPort(rank uint64) int { return 1024 + int(rank*40503%64511) }

// Term is a search term for benchmarks; the Zipf rank it was drawn from
// decides how rare it is.
type Term struct {
	Kind  string // ip, ip-pair, port4, port5, number, user, word
	Value string // as the user would type it: "10.17.3.4", "zhang.wei3"
}

// MixedTerms returns rare terms of the Mixed data for search benchmarks:
// an internal and an external address of middling rank, both together, a
// 4-digit and a 5-digit destination port from the tail, a user of middling
// rank and a rare word. Numbers of five or more digits that occur once
// (session ids, record ids) are taken from the data itself by the caller.
func MixedTerms() []Term {
	ts := []Term{
		{"ip", internalAddr(3000)},
		{"ip", externalAddr(2000)},
		{"ip-pair", internalAddr(40) + " " + externalAddr(30)},
		{"user", mixedUsers[1500]},
		{"word", "log4j"},
	}
	var p4, p5 bool
	for r := uint64(200); !(p4 && p5); r++ {
		p := tailPort(r)
		if p < 10000 && !p4 {
			ts, p4 = append(ts, Term{"port4", strconv.Itoa(p)}), true
		}
		if p >= 10000 && !p5 {
			ts, p5 = append(ts, Term{"port5", strconv.Itoa(p)}), true
		}
	}
	return ts
}

func (g *Mixed) linuxEphemeral() int { return 32768 + g.r.IntN(28232) }
func (g *Mixed) winEphemeral() int   { return 49152 + g.r.IntN(16384) }
func (g *Mixed) user() string        { return mixedUsers[g.zipfUs.Uint64()] }
func (g *Mixed) bytes(mu float64) int {
	return int(math.Exp(mu + 1.6*g.r.NormFloat64()))
}

func (g *Mixed) host() int {
	n := g.r.IntN(mixedHostTotal)
	for i, h := range mixedHosts {
		if n < h.weight {
			return i
		}
		n -= h.weight
	}
	return 0
}

// MixedHosts returns the names of the simulated devices.
func MixedHosts() []string {
	out := make([]string, len(mixedHosts))
	for i, h := range mixedHosts {
		out[i] = h.name
	}
	return out
}

// AppendNext appends the next line (without a newline) to dst and
// returns it with the line's timestamp.
func (g *Mixed) AppendNext(dst []byte) ([]byte, time.Time) {
	g.now = g.now.Add(time.Duration(g.r.ExpFloat64() * g.meanNs))
	ts := g.now
	hi := g.host()
	h := mixedHosts[hi]
	g.sess[hi] += 1 + uint64(g.r.IntN(4))
	st := ts.Format(time.Stamp)
	switch h.kind {
	case mkASA:
		return g.asa(dst, st, h.name, g.sess[hi]), ts
	case mkForti:
		return g.forti(dst, ts, h.name, g.sess[hi]), ts
	case mkVPN:
		return g.anyconnect(dst, st, h.name), ts
	case mkOpenVPN:
		return g.openvpn(dst, st, h.name), ts
	case mkIDS:
		return g.suricata(dst, st, h.name), ts
	default:
		return g.windows(dst, st, h.name, g.sess[hi]), ts
	}
}

func (g *Mixed) asa(dst []byte, st, host string, sess uint64) []byte {
	port, proto := g.service()
	P := "TCP"
	if proto == "udp" {
		P = "UDP"
	}
	in, ex := g.internal(), g.external()
	switch n := g.r.IntN(20); {
	case n < 9:
		return fmt.Appendf(dst, "<166>%s %s : %%ASA-6-302013: Built outbound %s connection %d for outside:%s/%d (%s/%d) to inside:%s/%d (%s/%d)",
			st, host, P, sess, ex, port, ex, port, in, g.linuxEphemeral(), "198.51.100.7", g.linuxEphemeral())
	case n < 17:
		d := g.r.ExpFloat64() * 40
		return fmt.Appendf(dst, "<166>%s %s : %%ASA-6-302014: Teardown %s connection %d for outside:%s/%d to inside:%s/%d duration %d:%02d:%02d bytes %d TCP FINs",
			st, host, P, sess, ex, port, in, g.linuxEphemeral(), int(d)/3600, int(d)/60%60, int(d)%60, g.bytes(8))
	default:
		return fmt.Appendf(dst, "<164>%s %s : %%ASA-4-106023: Deny %s src outside:%s/%d dst inside:%s/%d by access-group \"outside_access_in\" [0x%x, 0x0]",
			st, host, proto, g.external(), g.linuxEphemeral(), in, port, 0x6ba3c000+g.r.IntN(64))
	}
}

func (g *Mixed) forti(dst []byte, ts time.Time, host string, sess uint64) []byte {
	port, proto := g.service()
	pn := 6
	if proto == "udp" {
		pn = 17
	}
	action, level, pri := "accept", "notice", 189
	if g.r.IntN(10) >= 8 {
		action, level, pri = "deny", "warning", 188
	}
	return fmt.Appendf(dst, "<%d>%s %s date=%s time=%s devname=\"%s\" devid=\"FG100F%07d\" logid=\"0000000013\" type=\"traffic\" subtype=\"forward\" level=\"%s\" srcip=%s srcport=%d srcintf=\"port%d\" dstip=%s dstport=%d dstintf=\"wan1\" sessionid=%d proto=%d action=\"%s\" policyid=%d service=\"%s/%d\" duration=%d sentbyte=%d rcvdbyte=%d",
		pri, ts.Format(time.Stamp), host, ts.Format("2006-01-02"), ts.Format("15:04:05"), host, len(host)*7919, level, g.internal(), g.linuxEphemeral(),
		1+g.r.IntN(8), g.external(), port, sess, pn, action, 1+g.r.IntN(120), proto, port, g.r.IntN(600), g.bytes(7), g.bytes(8.5))
}

func (g *Mixed) anyconnect(dst []byte, st, host string) []byte {
	u, ip := g.user(), g.external()
	switch n := g.r.IntN(10); {
	case n < 4:
		return fmt.Appendf(dst, "<166>%s %s : %%ASA-6-113039: Group <GP-Staff> User <%s> IP <%s> AnyConnect parent session started.", st, host, u, ip)
	case n < 8:
		return fmt.Appendf(dst, "<166>%s %s : %%ASA-6-722051: Group <GP-Staff> User <%s> IP <%s> IPv4 Address <172.20.%d.%d> IPv6 address <::> assigned to session",
			st, host, u, ip, g.r.IntN(16), 2+g.r.IntN(250))
	case n < 9:
		return fmt.Appendf(dst, "<166>%s %s : %%ASA-4-113019: Group = GP-Staff, Username = %s, IP = %s, Session disconnected. Session Type: SSL, Duration: %dh:%02dm:%02ds, Bytes xmt: %d, Bytes rcv: %d, Reason: User Requested",
			st, host, u, ip, g.r.IntN(9), g.r.IntN(60), g.r.IntN(60), g.bytes(13), g.bytes(11))
	default:
		return fmt.Appendf(dst, "<163>%s %s : %%ASA-3-113015: AAA user authentication Rejected : reason = Invalid password : server = 10.16.0.5 : user = %s : user IP = %s", st, host, u, ip)
	}
}

func (g *Mixed) openvpn(dst []byte, st, host string) []byte {
	u, ip := g.user(), g.external()
	if g.r.IntN(15) == 0 {
		return fmt.Appendf(dst, "<36>%s %s openvpn[1187]: %s:%d TLS Auth Error: Auth Username/Password verification failed for peer", st, host, ip, g.linuxEphemeral())
	}
	return fmt.Appendf(dst, "<38>%s %s openvpn[1187]: %s/%s:%d MULTI_sva: pool returned IPv4=172.21.%d.%d, IPv6=(Not enabled)",
		st, host, u, ip, g.linuxEphemeral(), g.r.IntN(8), 2+g.r.IntN(250))
}

var mixedSigs = []struct {
	sid  int
	msg  string
	cls  string
	prio int
	w    int
}{
	{2001219, "ET SCAN Potential SSH Scan", "Attempted Information Leak", 2, 30},
	{2024897, "ET USER_AGENTS Go HTTP Client User-Agent", "Potentially Bad Traffic", 3, 25},
	{2010935, "ET SCAN Suspicious inbound to MSSQL port 1433", "Potentially Bad Traffic", 2, 15},
	{2027865, "ET INFO Observed DNS Query to .cloud TLD", "Potentially Bad Traffic", 3, 20},
	{2019401, "ET POLICY Vulnerable Java Version 1.8.x Detected", "Potential Corporate Privacy Violation", 2, 5},
	{2034647, "ET EXPLOIT Apache log4j RCE Attempt (CVE-2021-44228)", "Attempted Administrator Privilege Gain", 1, 1},
	{2008578, "ET SCAN Sipvicious Scan", "Attempted Information Leak", 2, 3},
	{2402000, "ET DROP Dshield Block Listed Source", "Misc Attack", 2, 10},
}

func (g *Mixed) suricata(dst []byte, st, host string) []byte {
	t := 0
	for _, s := range mixedSigs {
		t += s.w
	}
	n := g.r.IntN(t)
	s := mixedSigs[0]
	for _, c := range mixedSigs {
		if n < c.w {
			s = c
			break
		}
		n -= c.w
	}
	port, proto := g.service()
	P := "TCP"
	if proto == "udp" {
		P = "UDP"
	}
	return fmt.Appendf(dst, "<%d>%s %s suricata[2211]: [1:%d:%d] %s [Classification: %s] [Priority: %d] {%s} %s:%d -> %s:%d",
		32+s.prio, st, host, s.sid, 1+g.r.IntN(5), s.msg, s.cls, s.prio, P, g.external(), g.linuxEphemeral(), g.internal(), port)
}

var processes = []string{`C:\Windows\System32\svchost.exe`, `C:\Windows\System32\lsass.exe`, `C:\Program Files\Microsoft SQL Server\MSSQL15.MSSQLSERVER\MSSQL\Binn\sqlservr.exe`,
	`C:\Windows\System32\cmd.exe`, `C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe`, `C:\Windows\explorer.exe`, `C:\Program Files\Veeam\Backup\VeeamAgent.exe`}

func (g *Mixed) windows(dst []byte, st, host string, rec uint64) []byte {
	u := g.user()
	logon := fmt.Sprintf("0x%X", 0x100000+g.r.IntN(0x3fffffff))
	switch n := g.r.IntN(100); {
	case n < 40:
		return fmt.Appendf(dst, "<14>%s %s Microsoft-Windows-Security-Auditing[4]: 4624: An account was successfully logged on. Subject: Security ID: S-1-5-18 Account Name: %s$ Account Domain: CORP Logon ID: 0x3E7 Logon Type: %d New Logon: Security ID: S-1-5-21-3623811015-3361044348-30300820-%d Account Name: %s Account Domain: CORP Logon ID: %s Network Information: Workstation Name: WS-%04d Source Network Address: %s Source Port: %d Authentication Package: Kerberos EventRecordID=%d",
			st, host, host, []int{3, 3, 3, 2, 10, 5}[g.r.IntN(6)], 1000+g.zipfUs.Uint64(), u, logon, g.r.IntN(4000), g.internal(), g.winEphemeral(), rec)
	case n < 50:
		return fmt.Appendf(dst, "<12>%s %s Microsoft-Windows-Security-Auditing[4]: 4625: An account failed to log on. Logon Type: 3 Account For Which Logon Failed: Account Name: %s Account Domain: CORP Failure Information: Failure Reason: Unknown user name or bad password. Status: 0xC000006D Sub Status: 0xC000006A Network Information: Workstation Name: WS-%04d Source Network Address: %s Source Port: %d EventRecordID=%d",
			st, host, u, g.r.IntN(4000), g.internal(), g.winEphemeral(), rec)
	case n < 75:
		return fmt.Appendf(dst, "<14>%s %s Microsoft-Windows-Security-Auditing[4]: 4634: An account was logged off. Subject: Account Name: %s Account Domain: CORP Logon ID: %s Logon Type: 3 EventRecordID=%d",
			st, host, u, logon, rec)
	case n < 85:
		return fmt.Appendf(dst, "<14>%s %s Microsoft-Windows-Security-Auditing[4]: 4769: A Kerberos service ticket was requested. Account Information: Account Name: %s@CORP.EXAMPLE.CN Account Domain: CORP.EXAMPLE.CN Service Information: Service Name: %s$ Network Information: Client Address: ::ffff:%s Client Port: %d Additional Information: Ticket Options: 0x40810000 Ticket Encryption Type: 0x12 Failure Code: 0x0 EventRecordID=%d",
			st, host, u, mixedHosts[g.r.IntN(len(mixedHosts))].name, g.internal(), g.winEphemeral(), rec)
	case n < 95:
		p := processes[g.r.IntN(len(processes))]
		return fmt.Appendf(dst, "<14>%s %s Microsoft-Windows-Security-Auditing[4]: 4688: A new process has been created. Creator Subject: Account Name: %s Account Domain: CORP Logon ID: %s Process Information: New Process ID: 0x%x New Process Name: %s Token Elevation Type: %%%%1936 Creator Process ID: 0x%x EventRecordID=%d",
			st, host, u, logon, 0x400+g.r.IntN(0xfc00), p, 0x400+g.r.IntN(0xfc00), rec)
	default:
		return fmt.Appendf(dst, "<14>%s %s Microsoft-Windows-Security-Auditing[4]: 4672: Special privileges assigned to new logon. Subject: Account Name: %s Account Domain: CORP Logon ID: %s Privileges: SeSecurityPrivilege SeBackupPrivilege SeRestorePrivilege SeDebugPrivilege EventRecordID=%d",
			st, host, u, logon, rec)
	}
}
