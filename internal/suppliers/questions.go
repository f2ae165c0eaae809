package suppliers

import (
	"strings"
	"time"
)

// The security questionnaire an operator sends to a supplier's organisation: ciiguard's own
// template of questions on the CII supply-chain duties. A template is versioned; a
// questionnaire keeps a copy of the questions of the version it was sent with, so a later
// version never changes what a supplier was asked or how its answers were scored.

// Question is one question of a template. Expect is the answer that meets the duty ("yes" or
// "no"); a question without one asks for information and is never a finding.
type Question struct {
	Key    string `json:"key"`
	Topic  string `json:"topic"`
	Zh     string `json:"zh"`
	En     string `json:"en"`
	Expect string `json:"expect,omitempty"`
	// Weight counts the question in the score: 2 for the duties whose breach the law
	// punishes or which put CII at risk directly (certification, the review, incidents,
	// maintenance and data from abroad), 1 for the rest.
	Weight int `json:"weight"`
	// BasisZh and BasisEn cite what the question checks, with the instrument's version and
	// article and how sure the citation is.
	BasisZh string `json:"basis_zh"`
	BasisEn string `json:"basis_en"`
	// Kind is how the question is answered (KindYesNo, KindText, KindChoice,
	// KindNumber, KindDate: answerkinds.go); empty in the default
	// template and in questionnaires sent before operators imported their own, where a
	// question with an Expect is answered yes or no and one without takes a note only.
	Kind string `json:"kind,omitempty"`
	// OnlyIn is "zh" or "en" when the operator's template asked the question in that
	// language only: the other language's text is a copy, which the pages label.
	OnlyIn string `json:"only_in,omitempty"`
	// Options are what a choice question offers (KindChoice); its answer is an option's
	// number, 1-based.
	Options []Option `json:"options,omitempty"`
}

// Answer kinds of a question.
const (
	KindYesNo = "yes_no" // answered yes, no or not applicable, with a note and evidence
	KindText  = "text"   // answered with a note only
)

// AsksYesNo says the question is answered yes, no or not applicable.
func (q Question) AsksYesNo() bool { return q.AnswerKind() == KindYesNo }

// Copied says the question's text in lang ("zh-CN" or "en") is a copy of the other
// language's, because the operator's template gave only that one.
func (q Question) Copied(lang string) bool {
	return q.OnlyIn != "" && !strings.HasPrefix(lang, q.OnlyIn)
}

// Template is a versioned set of questions.
type Template struct {
	ID        string     `json:"id"`
	Version   string     `json:"version"`
	TitleZh   string     `json:"title_zh"`
	TitleEn   string     `json:"title_en"`
	Questions []Question `json:"questions"`
}

// DefaultTemplate is ciiguard's questionnaire, written by us (no instrument prescribes one):
// each question asks whether the supplier meets a duty of the CII supply chain, citing it.
var DefaultTemplate = Template{
	ID: "ciiguard-supply-chain", Version: "2026.1",
	TitleZh: "关键信息基础设施供应链安全问卷（ciiguard 默认模板）",
	TitleEn: "CII supply-chain security questionnaire (ciiguard's default template)",
	Questions: []Question{
		{Key: "certification", Topic: "certification", Expect: "yes", Weight: 2,
			Zh:      "您向本单位提供的网络关键设备和网络安全专用产品，是否均已按国家标准的强制性要求通过安全认证或安全检测，且证书在有效期内？",
			En:      "Are all critical network equipment and dedicated security products you supply to us certified or tested against the mandatory national standards, with certificates still valid?",
			BasisZh: "《网络安全法》（2016）第二十三条、（2025年修正）第二十五条", BasisEn: "Cybersecurity Law 2016 Art. 23, 2025 amended text Art. 25"},
		{Key: "review_outcome", Topic: "review", Expect: "no", Weight: 2,
			Zh:      "您提供的产品或服务是否曾在网络安全审查中被认定影响或可能影响国家安全，或审查通过后又被撤销？",
			En:      "Has a product or service you supply ever been found in a cybersecurity review to affect or possibly affect national security, or had a clearance revoked?",
			BasisZh: "《网络安全审查办法》（2022）第五条；《关键信息基础设施安全保护条例》（2021）第十九条", BasisEn: "Cybersecurity Review Measures 2022 Art. 5; CII Security Protection Regulation 2021 Art. 19"},
		{Key: "review_commitments", Topic: "review", Expect: "yes", Weight: 1,
			Zh:      "您是否承诺配合网络安全审查，不利用提供产品和服务的便利非法获取用户数据、非法控制和操纵用户设备，不无正当理由中断产品供应或必要的技术支持服务？",
			En:      "Do you undertake to cooperate with the cybersecurity review, not to use your products or services to obtain user data unlawfully or to control or manipulate users' equipment, and not to interrupt supply or necessary technical support without good reason?",
			BasisZh: "《网络安全审查办法》（2022）第十五条、第十九条（已核）；承诺内容见第六条（条号待核）", BasisEn: "Cybersecurity Review Measures 2022 Arts. 15 and 19 (confirmed); the undertakings' Art. 6 (article number unconfirmed)"},
		{Key: "agreement", Topic: "agreement", Expect: "yes", Weight: 1,
			Zh:      "您是否已与本单位签订有效的安全保密协议，明确技术支持和安全保密义务与责任？",
			En:      "Have you signed a security and confidentiality agreement with us, in force, setting out technical support and the security and confidentiality duties and liabilities?",
			BasisZh: "《关键信息基础设施安全保护条例》（2021）第二十条；《网络安全法》（2016）第三十六条", BasisEn: "CII Security Protection Regulation 2021 Art. 20; Cybersecurity Law 2016 Art. 36"},
		{Key: "incident_reporting", Topic: "incidents", Expect: "yes", Weight: 2,
			Zh:      "发生涉及本单位的网络安全事件时，您是否有书面流程在发现后立即向本单位报告？",
			En:      "Do you have a written procedure to report a cybersecurity incident that concerns us to us as soon as it is discovered?",
			BasisZh: "《网络安全事件报告管理办法》（2025）运营者以合同约定供应商报告事件（二手资料）", BasisEn: "Measures for Reporting Network Security Incidents 2025: operators bind their vendors by contract to report incidents (secondary source)"},
		{Key: "vulnerability_handling", Topic: "vulnerabilities", Expect: "yes", Weight: 1,
			Zh:      "您是否建立了产品安全漏洞的接收渠道，并在发现或获知漏洞后2日内向工业和信息化部网络安全威胁和漏洞信息共享平台报送？",
			En:      "Do you run a channel to receive vulnerability reports for your products, and report a vulnerability to MIIT's threat and vulnerability information sharing platform within 2 days of learning of it?",
			BasisZh: "《网络产品安全漏洞管理规定》（2021）第七条（二手资料）", BasisEn: "Provisions on the Management of Security Vulnerabilities of Network Products 2021 Art. 7 (secondary source)"},
		{Key: "vulnerability_notice", Topic: "vulnerabilities", Expect: "yes", Weight: 1,
			Zh:      "发现您产品中的漏洞时，您是否及时告知本单位并提供修补或缓解措施？",
			En:      "When a vulnerability is found in your product, do you tell us promptly and provide a fix or mitigation?",
			BasisZh: "《网络安全法》（2016）第二十二条；《网络产品安全漏洞管理规定》（2021）第七条（二手资料）", BasisEn: "Cybersecurity Law 2016 Art. 22; PVP 2021 Art. 7 (secondary source)"},
		{Key: "maintenance_in_china", Topic: "maintenance", Expect: "yes", Weight: 2,
			Zh:      "您对本单位系统的运行维护是否全部在中国境内进行（如需境外远程维护，事先告知本单位以便向保护工作部门和公安机关报告）？",
			En:      "Is all operation and maintenance of our systems done from inside China (maintenance from abroad announced to us beforehand so that we can report it to the department and the public security organs)?",
			BasisZh: "《关键信息基础设施安全保护条例（征求意见稿）》（2017）第三十四条——正式文本未保留，作为建议", BasisEn: "CII Security Protection Regulation draft 2017 Art. 34 — not kept in the final text: recommended"},
		{Key: "data_access_abroad", Topic: "data", Expect: "no", Weight: 2,
			Zh:      "是否有人员或系统从境外访问本单位系统中的个人信息或重要数据？",
			En:      "Does anyone or any system access personal information or important data in our systems from abroad?",
			BasisZh: "《个人信息保护法》第三十八条、第四十条；《网络安全法》（2016）第三十七条；《促进和规范数据跨境流动规定》（2024）", BasisEn: "PIPL Arts. 38 and 40; Cybersecurity Law 2016 Art. 37; Provisions on cross-border data flows 2024"},
		{Key: "sub_suppliers", Topic: "supply_chain", Expect: "yes", Weight: 1,
			Zh:      "您能否提供为本单位产品或服务提供关键部件、软件或服务的下级供应商清单（含所在国家或地区）？",
			En:      "Can you list the sub-suppliers of key components, software or services of what you supply to us, with their countries?",
			BasisZh: "《网络安全审查办法》（2022）第十条供应链安全风险（ciiguard 的问题）", BasisEn: "Cybersecurity Review Measures 2022 Art. 10, supply-chain risk (ciiguard's question)"},
		{Key: "notes", Topic: "other", Weight: 0,
			Zh: "其他需要说明的情况（可选）", En: "Anything else we should know (optional)",
			BasisZh: "—", BasisEn: "—"},
	},
}

// Answers a supplier may give: yes, no, or not applicable (with a note saying why).
const (
	AnswerYes = "yes"
	AnswerNo  = "no"
	AnswerNA  = "na"
)

// Answer is a supplier's answer to one question, with a note and where its evidence is (a
// certificate number, a document's name: the supplier's files stay in its organisation).
type Answer struct {
	Key      string `json:"key"`
	Answer   string `json:"answer"`
	Note     string `json:"note"`
	Evidence string `json:"evidence"`
}

// Meets says the answer is the one the question expects; a question that expects nothing,
// or an answer of not applicable, neither meets nor fails. on is the day of the answer,
// from which a date question's expectation counts.
func (q Question) Meets(a Answer, on time.Time) (counted, met bool) {
	if q.Expect == "" || a.Answer == AnswerNA || a.Answer == "" {
		return false, false
	}
	return true, q.meetsKind(a.Answer, on)
}

// Score is the weighted share of the counted answers that meet their questions, 0–100
// rounded to the nearest whole number (half up); -1 when no answer counts. on is the day of
// the answers.
func Score(qs []Question, as []Answer, on time.Time) int {
	by := map[string]Answer{}
	for _, a := range as {
		by[a.Key] = a
	}
	total, met := 0, 0
	for _, q := range qs {
		counted, ok := q.Meets(by[q.Key], on)
		if !counted {
			continue
		}
		total += q.Weight
		if ok {
			met += q.Weight
		}
	}
	if total == 0 {
		return -1
	}
	return (met*200 + total) / (2 * total)
}
