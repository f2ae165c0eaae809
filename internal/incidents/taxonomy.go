package incidents

// Kind is a category or subcategory of the national incident classification.
type Kind struct {
	Code   string
	Zh, En string
	Sub    []Kind
}

// Types is the classification of GB/T 20986-2023 (信息安全技术 网络安全事件分类分级指南): its
// ten categories, each with the subcategories ciiguard offers (the standard's common ones and
// "other"), ransomware among the malicious programs with the IRM's extra report items.
var Types = []Kind{
	{"malware", "恶意程序事件", "Malicious program", []Kind{
		{"virus", "计算机病毒事件", "Computer virus", nil}, {"worm", "网络蠕虫事件", "Network worm", nil},
		{"trojan", "特洛伊木马事件", "Trojan horse", nil}, {"botnet", "僵尸网络事件", "Botnet", nil},
		{"ransomware", "勒索软件事件", "Ransomware", nil}, {"mining", "挖矿病毒事件", "Cryptomining malware", nil},
		{"other", "其他恶意程序事件", "Other malicious program", nil}}},
	{"attack", "网络攻击事件", "Network attack", []Kind{
		{"ddos", "拒绝服务攻击事件", "Denial of service", nil}, {"exploit", "漏洞利用事件", "Vulnerability exploitation", nil},
		{"intrusion", "网络入侵事件", "Intrusion", nil}, {"phishing", "网络钓鱼事件", "Phishing", nil},
		{"defacement", "网页篡改事件", "Web defacement", nil}, {"other", "其他网络攻击事件", "Other network attack", nil}}},
	{"data", "数据安全事件", "Data security", []Kind{
		{"leak", "数据泄露事件", "Data leak", nil}, {"tamper", "数据篡改事件", "Data tampering", nil},
		{"loss", "数据丢失事件", "Data loss", nil}, {"misuse", "数据滥用事件", "Data misuse", nil},
		{"other", "其他数据安全事件", "Other data security", nil}}},
	{"content", "信息内容安全事件", "Information content security", []Kind{{"other", "信息内容安全事件", "Information content", nil}}},
	{"equipment", "设备设施故障事件", "Equipment and facility failure", []Kind{
		{"hardware", "软硬件自身故障", "Hardware or software fault", nil}, {"facility", "外围保障设施故障", "Supporting facility failure", nil},
		{"other", "其他设备设施故障", "Other equipment failure", nil}}},
	{"improper", "违规操作事件", "Improper operation", []Kind{{"other", "违规操作事件", "Improper operation", nil}}},
	{"hidden", "安全隐患事件", "Hidden danger", []Kind{{"other", "安全隐患事件", "Hidden danger", nil}}},
	{"abnormal", "异常行为事件", "Abnormal behaviour", []Kind{{"other", "异常行为事件", "Abnormal behaviour", nil}}},
	{"force_majeure", "不可抗力事件", "Force majeure", []Kind{{"other", "不可抗力事件", "Force majeure", nil}}},
	{"other", "其他事件", "Other", []Kind{{"other", "其他事件", "Other", nil}}},
}

// TypeOf returns the category of code (the zero Kind when unknown).
func TypeOf(code string) Kind {
	for _, t := range Types {
		if t.Code == code {
			return t
		}
	}
	return Kind{}
}

// SubtypeOf returns the subcategory sub of category typ.
func SubtypeOf(typ, sub string) Kind {
	for _, s := range TypeOf(typ).Sub {
		if s.Code == sub {
			return s
		}
	}
	return Kind{}
}

// IsRansomware says whether the subtype carries the IRM's ransom items.
func IsRansomware(typ, sub string) bool { return typ == "malware" && sub == "ransomware" }
