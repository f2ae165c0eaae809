package incidents

import (
	"fmt"
	"strings"
	"time"

	"ciiguard/internal/calendar"
)

// Report kinds (IRM 2025 Arts. 7 and 8).
const (
	KindFirst    = "first"    // 首报
	KindFollowUp = "followup" // 续报
	KindSummary  = "summary"  // 总结报告
)

// Item is one numbered item of a report in the regulator's form.
type Item struct {
	Key      string
	Zh, En   string // the item's heading
	Required bool   // must be filled before sending (a first report may leave the rest to follow)
}

// The items of a first or follow-up report, IRM 2025 Art. 7 para. 1; a first report may carry
// only the first two and mark the rest to follow (para. 2).
var eventItems = []Item{
	{"unit", "单位名称及受影响的设施", "Organisation and affected facility", true},
	{"event", "事件发生时间、地点、类型、级别、影响和危害、已采取的措施及效果", "Time, place, type, grade, impact and harm of the incident; measures taken and their effect", true},
	{"trend", "事态发展趋势及可能造成的影响", "Likely development and possible further impact", false},
	{"cause", "初步判定的事件原因", "Initial assessment of the cause", false},
	{"tracing", "溯源线索（攻击者、攻击路径、存在的漏洞等）", "Tracing leads (attacker, attack path, vulnerabilities)", false},
	{"next", "下一步应对措施及需要支持的事项", "Next steps and help requested", false},
	{"scene", "事件现场保护情况", "How the scene is preserved", false},
	{"other", "其他应当报告的情况", "Other matters to report", false},
}

// The items of a summary report, IRM 2025 Art. 8: every one is required.
var summaryItems = []Item{
	{"unit", "单位名称及受影响的设施", "Organisation and affected facility", true},
	{"cause", "事件原因", "Cause of the incident", true},
	{"response", "应急处置措施", "Response and handling", true},
	{"harm", "事件危害", "Harm caused", true},
	{"accountability", "责任追究情况", "Accountability", true},
	{"remediation", "整改措施", "Remediation", true},
	{"lessons", "经验教训", "Lessons learned", true},
}

// ItemsOf returns the items of a report kind.
func ItemsOf(kind string) []Item {
	if kind == KindSummary {
		return summaryItems
	}
	return eventItems
}

// KindZh and KindEn name a report kind.
func KindZh(kind string) string {
	return map[string]string{KindFirst: "首报", KindFollowUp: "续报", KindSummary: "总结报告"}[kind]
}

// KindEn names a report kind in English.
func KindEn(kind string) string {
	return map[string]string{KindFirst: "First report", KindFollowUp: "Follow-up report", KindSummary: "Summary report"}[kind]
}

// ToFollowZh and ToFollowEn mark an item of a first report left for a later report.
const (
	ToFollowZh = "待续报"
	ToFollowEn = "To follow"
)

// Content is a report's text in both languages, item by item, and the items left to follow.
type Content struct {
	Zh       map[string]string `json:"zh"`
	En       map[string]string `json:"en"`
	ToFollow []string          `json:"to_follow,omitempty"`
}

// Text returns an item's text in lang (zh-CN or en).
func (c Content) Text(lang, key string) string {
	if lang == "en" {
		return c.En[key]
	}
	return c.Zh[key]
}

// Following says whether an item is left to follow.
func (c Content) Following(key string) bool {
	for _, k := range c.ToFollow {
		if k == key {
			return true
		}
	}
	return false
}

// Missing lists the items of kind that the Chinese text leaves empty and that are not marked
// to follow (a required item may never be). The Chinese text is the report the authority
// receives; the English one is the organisation's own reading copy and may lag behind.
func (c Content) Missing(kind string) []string {
	var out []string
	for _, it := range ItemsOf(kind) {
		filled := strings.TrimSpace(c.Zh[it.Key]) != ""
		if filled {
			continue
		}
		if it.Required || !c.Following(it.Key) {
			out = append(out, it.Key)
		}
	}
	return out
}

// Draft generates a report of kind from the incident record in both languages. What the
// record does not know is left empty and, in a first or follow-up report, marked to follow.
func Draft(kind, orgZh, orgEn string, in *Incident, th Thresholds) Content {
	c := Content{Zh: map[string]string{}, En: map[string]string{}}
	var sysZh, sysEn []string
	for _, s := range in.Systems {
		mark := ""
		markEn := ""
		if s.CII {
			mark, markEn = "（关键信息基础设施）", " (CII)"
		}
		sysZh = append(sysZh, s.Name+mark)
		sysEn = append(sysEn, s.Name+markEn)
	}
	if len(sysZh) == 0 {
		sysZh, sysEn = []string{"未指定系统"}, []string{"no system named"}
	}
	c.Zh["unit"] = fmt.Sprintf("%s；受影响设施：%s", orgZh, strings.Join(sysZh, "、"))
	c.En["unit"] = fmt.Sprintf("%s; affected facilities: %s", orgEn, strings.Join(sysEn, ", "))
	ez, ee := eventText(in, th)
	if kind == KindSummary {
		c.Zh["harm"], c.En["harm"] = ez, ee
		c.Zh["response"], c.En["response"] = in.Measures, in.Measures
		return c
	}
	c.Zh["event"], c.En["event"] = ez, ee
	if kind == KindFirst || kind == KindFollowUp {
		for _, it := range eventItems[2:] {
			c.ToFollow = append(c.ToFollow, it.Key)
		}
	}
	return c
}

// eventText writes item 2 of Art. 7 from the record.
func eventText(in *Incident, th Thresholds) (zh, en string) {
	var z, e []string
	det := in.DetectedAt.In(calendar.Shanghai).Format("2006-01-02 15:04")
	started := "不详"
	startedEn := "unknown"
	if in.StartedAt != nil {
		started = in.StartedAt.In(calendar.Shanghai).Format("2006-01-02 15:04")
		startedEn = started
	}
	z = append(z, fmt.Sprintf("发现时间：%s（北京时间）；发生时间：%s", det, started))
	e = append(e, fmt.Sprintf("Detected %s (China time); started %s", det, startedEn))
	if in.Place != "" {
		z = append(z, "地点："+in.Place)
		e = append(e, "Place: "+in.Place)
	}
	t, st := TypeOf(in.Type), SubtypeOf(in.Type, in.Subtype)
	z = append(z, fmt.Sprintf("类型：%s／%s（GB/T 20986-2023）", t.Zh, st.Zh))
	e = append(e, fmt.Sprintf("Type: %s / %s (GB/T 20986-2023)", t.En, st.En))
	g := th.Grade(in.Impact)
	gz, ge := "未达到较大事件标准", "no threshold of a relatively major incident reached"
	if g.Decisive != nil {
		gz, ge = g.Decisive.Describe()
	}
	z = append(z, fmt.Sprintf("级别：%s（依据：%s）", in.Grade().Zh(), gz))
	e = append(e, fmt.Sprintf("Grade: %s (criterion: %s)", in.Grade().En(), ge))
	if in.Raised > in.Computed {
		z = append(z, "级别经人工上调，理由："+in.ReasonText("zh-CN"))
		e = append(e, "Grade raised by a person, reason: "+in.ReasonText("en"))
	}
	iz, ie := impactText(in.Impact)
	z = append(z, "影响和危害："+iz)
	e = append(e, "Impact and harm: "+ie)
	if r := in.Ransom; r != nil {
		z = append(z, fmt.Sprintf("勒索情况：金额 %s；方式 %s；时间 %s", r.Amount, r.Method, r.Date))
		e = append(e, fmt.Sprintf("Ransom: amount %s; method %s; date %s", r.Amount, r.Method, r.Date))
	}
	if in.Measures != "" {
		z = append(z, "已采取的措施及效果："+in.Measures)
		e = append(e, "Measures taken and their effect: "+in.Measures)
	}
	return strings.Join(z, "。\n") + "。", strings.Join(e, ".\n") + "."
}

func impactText(im Impact) (zh, en string) {
	var z, e []string
	if im.PILeaked > 0 {
		s := ""
		se := ""
		if im.PISensitive {
			s, se = "（含敏感个人信息）", " (including sensitive personal information)"
		}
		z = append(z, fmt.Sprintf("%s人的个人信息泄露%s", groupDigits(im.PILeaked), s))
		e = append(e, fmt.Sprintf("personal information of %s people leaked%s", groupDigits(im.PILeaked), se))
	}
	if im.LossRMB > 0 {
		z = append(z, fmt.Sprintf("直接经济损失%s元", groupDigits(im.LossRMB)))
		e = append(e, fmt.Sprintf("direct economic loss RMB %s", groupDigits(im.LossRMB)))
	}
	if im.CIIFullDownMin > 0 {
		z = append(z, "关键信息基础设施整体中断"+durZh(im.CIIFullDownMin))
		e = append(e, "CII wholly out of service for "+durEn(im.CIIFullDownMin))
	}
	if im.CIIMainDownMin > 0 {
		z = append(z, "主要功能中断"+durZh(im.CIIMainDownMin))
		e = append(e, "main function out of service for "+durEn(im.CIIMainDownMin))
	}
	if im.PortalDownMin > 0 {
		z = append(z, "门户网站中断访问"+durZh(im.PortalDownMin))
		e = append(e, "portal website unreachable for "+durEn(im.PortalDownMin))
	}
	if im.PeopleAffected > 0 {
		z = append(z, fmt.Sprintf("影响%s人的工作生活", groupDigits(im.PeopleAffected)))
		e = append(e, fmt.Sprintf("%s people's work and life affected", groupDigits(im.PeopleAffected)))
	}
	if im.ProvinceSharePct > 0 {
		z = append(z, fmt.Sprintf("影响所在省份%d%%的人口", im.ProvinceSharePct))
		e = append(e, fmt.Sprintf("%d%% of the province's population affected", im.ProvinceSharePct))
	}
	if len(z) == 0 {
		return "尚未测得", "not yet measured"
	}
	return strings.Join(z, "；"), strings.Join(e, "; ")
}

func durZh(m int64) string {
	if m >= 60 {
		return fmt.Sprintf("%d小时%d分钟", m/60, m%60)
	}
	return fmt.Sprintf("%d分钟", m)
}

func durEn(m int64) string {
	return (time.Duration(m) * time.Minute).String()
}
