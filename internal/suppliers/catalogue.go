package suppliers

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"ciiguard/internal/problem"
)

// The certification duty of CSL 2016 Art. 23 (2025 Art. 25) does not reach every network
// product: it reaches those on the catalogue of critical network equipment and dedicated
// network security products (网络关键设备和网络安全专用产品目录) that the CAC publishes with
// MIIT, the MPS and CNCA. The first batch was announced in 2017 (announcement No. 1 of 2017);
// the catalogue was replaced on 3 July 2023, the 2017 list repealed the same day. The table
// below is that catalogue as data: each entry names its instrument, edition and where ciiguard
// confirmed it, and an entry we could not confirm says so. A product record names its
// category (and, for equipment, its performance figures), and the duty follows the entry.

// Instruments the catalogue's entries cite.
const (
	catalogue2023 = "CAC, MIIT, MPS, CNCA: Announcement adjusting the Catalogue of Critical Network Equipment and Dedicated Network Security Products (2023-07-03) / 国家互联网信息办公室 工业和信息化部 公安部 国家认证认可监督管理委员会《关于调整〈网络关键设备和网络安全专用产品目录〉的公告》（2023年7月3日）"
	catalogue2017 = "CAC, MIIT, MPS, CNCA: Catalogue of Critical Network Equipment and Dedicated Network Security Products (first batch), Announcement No. 1 of 2017 — repealed 2023-07-03 / 《网络关键设备和网络安全专用产品目录（第一批）》（2017年第1号公告，2023年7月3日废止）"
)

// Where an entry was confirmed, each naming the copy read and its address. The 2023 text was
// read in a republished copy of the announcement (its first five security products and the
// four equipment ranges: the copy ends there); an English summary of the same announcement
// counts 4 kinds of equipment and 34 security products, which CCIA's guide corroborates (it
// covers "30 categories of the catalogue, except" four it names, 30 + 4 = 34). So 25 of the
// 34 were not read: the four named only by CCIA are secondary, and the 2017 categories below
// are unconfirmed as entries of the 2023 catalogue.
const (
	srcAnnouncementCopy = "confirmed: the 2023 announcement as republished, category, range and description read in the Chinese text (http://en.vscbcorp.com/NewsDetail.aspx?ID=217, newsletter of 2023-07-13); the count of 4 equipment and 34 security products in an English summary (https://www.bestao-consulting.com/detail?id=1482, 2023-07-19)"
	srcIndustryGuide    = "secondary: named as a category of the catalogue, one of four its guide leaves out, by CCIA's Guide to Dedicated Network Security Products, 3rd edition (press release of 2026-01-09, republished in the chainreactors/picker repository's daily feed archive); the 2023 text's description was not seen"
	srcUnconfirmed      = "unconfirmed: a category of the 2017 first batch, which had 4 kinds of equipment and 11 security products (https://www.bestao-consulting.com/detail?id=1482); whether and under which name the 2023 catalogue keeps it was not seen (the 2023 firewall description may cover it)"
	srcUnconfirmedWAF   = "unconfirmed for 2023: WAF is the third security product of the 2017 first batch, with a throughput range, in an English copy of the 2017 annex (https://www.bestao-consulting.com/detail?id=740, after 数据备份一体机 and 防火墙（硬件）); whether the 2023 catalogue keeps it as an entry of its own was not seen (its firewall description may cover it)"
)

// The same sources in Chinese, for the catalogue page.
const (
	srcAnnouncementCopyZh = "已核实：2023年公告转载本，类别、范围和描述见其中文原文（http://en.vscbcorp.com/NewsDetail.aspx?ID=217，2023年7月13日通讯）；网络关键设备4类、网络安全专用产品34类的数量见英文摘要（https://www.bestao-consulting.com/detail?id=1482，2023年7月19日）"
	srcIndustryGuideZh    = "次级来源：中国网络安全产业联盟（CCIA）《网络安全专用产品指南》（第三版）称其为目录类别（该指南未收录的四类之一；2026年1月9日新闻稿，转载于 chainreactors/picker 仓库的每日资讯存档）；未见2023年原文对其的描述"
	srcUnconfirmedZh      = "未核实：2017年第一批目录的类别（第一批共网络关键设备4类、网络安全专用产品11类，https://www.bestao-consulting.com/detail?id=1482）；未见2023年目录是否保留及以何名称保留（2023年防火墙的描述可能涵盖）"
	srcUnconfirmedWAFZh   = "2023年目录未核实：2017年附件英文本列为第三类网络安全专用产品（列于数据备份一体机、防火墙（硬件）之后，附吞吐量范围，https://www.bestao-consulting.com/detail?id=740）；未见2023年目录是否单列（其防火墙描述可能涵盖）"
)

// Catalogue groups.
const (
	GroupEquipment = "equipment" // 网络关键设备
	GroupSecurity  = "security"  // 网络安全专用产品
)

// CategoryNotListed is what a person chooses for a product that is on no entry of the
// catalogue: it then needs no certificate, whatever its kind.
const CategoryNotListed = "not_listed"

// Threshold is one figure of an equipment entry's range: the product falls in the range
// when its figure reaches Value (at least, or at most when AtMost).
type Threshold struct {
	Metric string  `json:"metric"` // the figure's code, a key of a product's catalogue_specs
	Zh     string  `json:"zh"`
	En     string  `json:"en"`
	UnitZh string  `json:"unit_zh"`
	UnitEn string  `json:"unit_en"`
	Value  float64 `json:"value"`
	AtMost bool    `json:"at_most,omitempty"`
}

// Reached says figure v falls in the range.
func (t Threshold) Reached(v float64) bool {
	if t.AtMost {
		return v <= t.Value
	}
	return v >= t.Value
}

// Range writes the threshold as the catalogue does: "整系统吞吐量（双向）≥ 12 Tbps".
func (t Threshold) Range(zh bool) string {
	op := "≥"
	if t.AtMost {
		op = "≤"
	}
	name, unit := t.En, t.UnitEn
	if zh {
		name, unit = t.Zh, t.UnitZh
	}
	return fmt.Sprintf("%s %s %s %s", name, op, trimFloat(t.Value), unit)
}

func trimFloat(v float64) string {
	return strings.TrimRight(strings.TrimRight(fmt.Sprintf("%.4f", v), "0"), ".")
}

// CatalogueEntry is one category of the catalogue.
type CatalogueEntry struct {
	Code       string      `json:"code"`
	Group      string      `json:"group"` // equipment or security
	Zh         string      `json:"zh"`
	En         string      `json:"en"`
	Thresholds []Threshold `json:"thresholds,omitempty"` // equipment: the range; none for security products
	// DescZh and DescEn describe an entry an installation added (the built-in entries'
	// descriptions are the instrument's text, which ciiguard does not copy).
	DescZh     string `json:"description_zh,omitempty"`
	DescEn     string `json:"description_en,omitempty"`
	Instrument string `json:"instrument"`
	Edition    string `json:"edition"` // "2023", or "2017" for an entry seen only in the first batch
	Source     string `json:"source"`  // where ciiguard confirmed it
	SourceZh   string `json:"source_zh,omitempty"`
	Confirmed  bool   `json:"confirmed"`
}

// Catalogue is the built-in catalogue, in the order of the 2023 text, then the entries taken
// from secondary or unconfirmed sources.
var Catalogue = []CatalogueEntry{
	{Code: "router", Group: GroupEquipment, Zh: "路由器", En: "Router", Thresholds: []Threshold{
		{Metric: "throughput_tbps", Zh: "整系统吞吐量（双向）", En: "system throughput (bidirectional)", UnitZh: "Tbps", UnitEn: "Tbps", Value: 12},
		{Metric: "routing_table_entries", Zh: "整系统路由表容量", En: "system routing table capacity", UnitZh: "条", UnitEn: "entries", Value: 550000}},
		Instrument: catalogue2023, Edition: "2023", Source: srcAnnouncementCopy, SourceZh: srcAnnouncementCopyZh, Confirmed: true},
	{Code: "switch", Group: GroupEquipment, Zh: "交换机", En: "Switch", Thresholds: []Threshold{
		{Metric: "throughput_tbps", Zh: "整系统吞吐量（双向）", En: "system throughput (bidirectional)", UnitZh: "Tbps", UnitEn: "Tbps", Value: 30},
		{Metric: "packet_forwarding_gpps", Zh: "整系统包转发率", En: "system packet forwarding rate", UnitZh: "Gpps", UnitEn: "Gpps", Value: 10}},
		Instrument: catalogue2023, Edition: "2023", Source: srcAnnouncementCopy, SourceZh: srcAnnouncementCopyZh, Confirmed: true},
	{Code: "rack_server", Group: GroupEquipment, Zh: "服务器（机架式）", En: "Server (rack-mounted)", Thresholds: []Threshold{
		{Metric: "cpus", Zh: "CPU数量", En: "number of CPUs", UnitZh: "个", UnitEn: "CPUs", Value: 8},
		{Metric: "cores_per_cpu", Zh: "单CPU内核数", En: "cores per CPU", UnitZh: "个", UnitEn: "cores", Value: 14},
		{Metric: "memory_gb", Zh: "内存容量", En: "memory", UnitZh: "GB", UnitEn: "GB", Value: 256}},
		Instrument: catalogue2023, Edition: "2023", Source: srcAnnouncementCopy, SourceZh: srcAnnouncementCopyZh, Confirmed: true},
	{Code: "plc", Group: GroupEquipment, Zh: "可编程逻辑控制器（PLC设备）", En: "Programmable logic controller (PLC)", Thresholds: []Threshold{
		{Metric: "instruction_time_us", Zh: "控制器指令执行时间", En: "controller instruction execution time", UnitZh: "微秒", UnitEn: "μs", Value: 0.08, AtMost: true}},
		Instrument: catalogue2023, Edition: "2023", Source: srcAnnouncementCopy, SourceZh: srcAnnouncementCopyZh, Confirmed: true},
	{Code: "data_backup_recovery", Group: GroupSecurity, Zh: "数据备份与恢复产品", En: "Data backup and recovery product",
		Instrument: catalogue2023, Edition: "2023", Source: srcAnnouncementCopy, SourceZh: srcAnnouncementCopyZh, Confirmed: true},
	{Code: "firewall", Group: GroupSecurity, Zh: "防火墙", En: "Firewall",
		Instrument: catalogue2023, Edition: "2023", Source: srcAnnouncementCopy, SourceZh: srcAnnouncementCopyZh, Confirmed: true},
	{Code: "ids", Group: GroupSecurity, Zh: "入侵检测系统（IDS）", En: "Intrusion detection system (IDS)",
		Instrument: catalogue2023, Edition: "2023", Source: srcAnnouncementCopy, SourceZh: srcAnnouncementCopyZh, Confirmed: true},
	{Code: "ips", Group: GroupSecurity, Zh: "入侵防御系统（IPS）", En: "Intrusion prevention system (IPS)",
		Instrument: catalogue2023, Edition: "2023", Source: srcAnnouncementCopy, SourceZh: srcAnnouncementCopyZh, Confirmed: true},
	{Code: "network_terminal_isolation", Group: GroupSecurity, Zh: "网络和终端隔离产品", En: "Network and terminal isolation product",
		Instrument: catalogue2023, Edition: "2023", Source: srcAnnouncementCopy, SourceZh: srcAnnouncementCopyZh, Confirmed: true},
	{Code: "secure_network_storage", Group: GroupSecurity, Zh: "安全网络存储", En: "Secure network storage",
		Instrument: catalogue2023, Edition: "2023", Source: srcIndustryGuide, SourceZh: srcIndustryGuideZh},
	{Code: "traffic_control", Group: GroupSecurity, Zh: "网络型流量控制产品", En: "Network traffic control product",
		Instrument: catalogue2023, Edition: "2023", Source: srcIndustryGuide, SourceZh: srcIndustryGuideZh},
	{Code: "information_filtering", Group: GroupSecurity, Zh: "信息过滤产品", En: "Information filtering product",
		Instrument: catalogue2023, Edition: "2023", Source: srcIndustryGuide, SourceZh: srcIndustryGuideZh},
	{Code: "data_destruction_software", Group: GroupSecurity, Zh: "数据销毁软件产品", En: "Data destruction software",
		Instrument: catalogue2023, Edition: "2023", Source: srcIndustryGuide, SourceZh: srcIndustryGuideZh},
	{Code: "web_application_firewall", Group: GroupSecurity, Zh: "Web应用防火墙（WAF）", En: "Web application firewall (WAF)",
		Instrument: catalogue2017, Edition: "2017", Source: srcUnconfirmedWAF, SourceZh: srcUnconfirmedWAFZh},
	{Code: "isolation_exchange", Group: GroupSecurity, Zh: "安全隔离与信息交换产品（网闸）", En: "Security isolation and information exchange product (gateway)",
		Instrument: catalogue2017, Edition: "2017", Source: srcUnconfirmed, SourceZh: srcUnconfirmedZh},
	{Code: "anti_spam", Group: GroupSecurity, Zh: "反垃圾邮件产品", En: "Anti-spam product",
		Instrument: catalogue2017, Edition: "2017", Source: srcUnconfirmed, SourceZh: srcUnconfirmedZh},
	{Code: "network_audit", Group: GroupSecurity, Zh: "网络综合审计系统", En: "Network audit system",
		Instrument: catalogue2017, Edition: "2017", Source: srcUnconfirmed, SourceZh: srcUnconfirmedZh},
	{Code: "vulnerability_scanner", Group: GroupSecurity, Zh: "网络脆弱性扫描产品", En: "Network vulnerability scanner",
		Instrument: catalogue2017, Edition: "2017", Source: srcUnconfirmed, SourceZh: srcUnconfirmedZh},
	{Code: "secure_database", Group: GroupSecurity, Zh: "安全数据库系统", En: "Secure database system",
		Instrument: catalogue2017, Edition: "2017", Source: srcUnconfirmed, SourceZh: srcUnconfirmedZh},
	{Code: "website_recovery", Group: GroupSecurity, Zh: "网站恢复产品", En: "Website recovery product",
		Instrument: catalogue2017, Edition: "2017", Source: srcUnconfirmed, SourceZh: srcUnconfirmedZh},
}

// CatalogueEntryOf is the entry of code; ok is false for "" and codes not in the catalogue.
func CatalogueEntryOf(code string) (CatalogueEntry, bool) {
	for _, e := range Catalogue {
		if e.Code == code {
			return e, true
		}
	}
	return CatalogueEntry{}, false
}

// catalogueCodes lists the codes a product may name, for refusals.
func catalogueCodes() string {
	out := make([]string, 0, len(Catalogue)+1)
	for _, e := range Catalogue {
		out = append(out, e.Code)
	}
	return strings.Join(append(out, CategoryNotListed), ", ")
}

// Why a product needs a certificate or not: the CertBasis codes, each shown on the product
// page in both languages (suppliers.cert_why.CODE).
const (
	BasisListed           = "listed"            // a security product's category: on the catalogue
	BasisThresholdReached = "threshold_reached" // equipment with a figure in the range
	BasisThresholdUnknown = "threshold_unknown" // equipment, figures missing: counted, conservatively
	BasisBelowThreshold   = "below_threshold"   // equipment, every figure given and none in the range
	BasisNotListed        = "not_listed"        // the person said it is on no entry
	BasisTypeDefault      = "type_default"      // no category, a kind that used to need one: counted
	BasisNoDuty           = "no_duty"           // no category, a kind that never needed one
)

// CatalogueDuty says whether the catalogue puts product p under the certification duty, and
// why. The catalogue does not say whether a product must reach every figure of an equipment
// range or any one of them; ciiguard reads it the cautious way: one figure in the range puts
// the product on the catalogue, and it is off only when every figure is given and none is.
// A product without a category keeps what its kind said before the catalogue was modelled
// (critical equipment and security products need a certificate), labelled so on its page.
func CatalogueDuty(p Product) (needs bool, basis string) { return Effective{}.Duty(p) }

// rangeDuty applies entry e to a product with figures specs: a security product is on the
// catalogue; equipment as CatalogueDuty says.
func rangeDuty(e CatalogueEntry, specs map[string]float64) (needs bool, basis string) {
	if len(e.Thresholds) == 0 {
		return true, BasisListed
	}
	known := 0
	for _, t := range e.Thresholds {
		v, ok := specs[t.Metric]
		if !ok {
			continue
		}
		known++
		if t.Reached(v) {
			return true, BasisThresholdReached
		}
	}
	if known < len(e.Thresholds) {
		return true, BasisThresholdUnknown
	}
	return false, BasisBelowThreshold
}

// validCatalogue checks a product's category and figures against the effective catalogue
// cat: the category is one of its codes, not_listed or ""; each figure belongs to the
// category's range and is a positive finite number.
func validCatalogue(v *problem.Invalid, cat Effective, category string, specs map[string]float64) map[string]float64 {
	out := map[string]float64{}
	var e EffectiveEntry
	switch ok := false; {
	case category == "" || category == CategoryNotListed:
	default:
		if e, ok = cat.Entry(category); !ok {
			v.Add("catalogue_category", "is not a category of the catalogue (%s)", cat.codes())
			return out
		}
	}
	keys := make([]string, 0, len(specs))
	for k := range specs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		x := specs[k]
		field := "catalogue_specs." + k
		known := false
		for _, t := range e.Thresholds {
			known = known || t.Metric == k
		}
		switch {
		case !known:
			v.Add(field, "is not a figure of the category's range")
		case math.IsNaN(x) || math.IsInf(x, 0) || x <= 0:
			v.Add(field, "must be a positive number")
		default:
			out[k] = x
		}
	}
	return out
}

// InstrumentIn is the entry's instrument in one language: the built-in citations are written
// "English / 中文", and the page in Chinese shows the Chinese half only; an instrument an
// installation typed is shown as typed.
func (e CatalogueEntry) InstrumentIn(zh bool) string {
	en, cn, ok := strings.Cut(e.Instrument, " / ")
	switch {
	case !ok:
		return e.Instrument
	case zh:
		return cn
	}
	return en
}
