package threat

// Sector is a CIIR Art. 2 sector as the organisation profile records it (rules.Org.Sectors):
// a notification names the sectors whose operators it reaches.
type Sector struct {
	Code   string
	Zh, En string
}

// Sectors are the sector codes of the organisation profile (the scope capability's list,
// which the rules engine's Chinese names follow), in the order the publish form shows them.
var Sectors = []Sector{
	{"energy", "能源", "Energy"}, {"telecom", "电信网", "Telecom networks"}, {"finance", "金融", "Finance"},
	{"transport", "交通", "Transport"}, {"water", "水利", "Water"}, {"public_utilities", "公用事业", "Public utilities"},
	{"government", "政府机关", "Government"}, {"broadcasting", "广播电视网", "Broadcasting networks"},
	{"internet", "互联网", "Internet"}, {"cloud_bigdata", "云计算、大数据等大型公共信息网络服务", "Cloud and big-data public network services"},
	{"healthcare", "卫生医疗", "Healthcare"}, {"education", "教育", "Education"}, {"social_insurance", "社会保障", "Social insurance"},
	{"environment", "环境保护", "Environmental protection"}, {"chemicals", "化工", "Chemicals"}, {"large_equipment", "大型装备", "Large equipment"},
	{"food_drugs", "食品药品", "Food and drugs"}, {"news", "新闻单位（广播电台、电视台、通讯社等）", "News organisations"},
	{"defence_industry", "国防科研生产", "Defence research and production"}, {"defence_science", "国防科技工业", "Defence science and industry"},
	{"other", "其他重要行业和领域", "Other important sectors"},
}

// SectorOf returns the sector of code, ok false when it is none.
func SectorOf(code string) (Sector, bool) {
	for _, s := range Sectors {
		if s.Code == code {
			return s, true
		}
	}
	return Sector{}, false
}

// Collection is a set of indicators an organisation keeps, by where they came from.
type Collection struct {
	Code   string `json:"code"`
	Zh, En string `json:"-"`
}

// The collections every organisation has. The four MIIT 2014 task-3 databases (Trojans and
// botnet command-and-control, mobile-internet malware, phishing sites, malicious addresses
// and domains), the organisation's own private one; notifications add "regulator:<sector>".
var Collections = []Collection{
	{"miit_c2", "木马和僵尸网络控制端库", "Trojan and botnet C2 database"},
	{"miit_mobile", "移动互联网恶意程序库", "Mobile malware database"},
	{"miit_phishing", "钓鱼网站库", "Phishing site database"},
	{"miit_malicious", "恶意IP地址和域名库", "Malicious IP and domain database"},
	{"private", "本单位私有情报", "Own private collection"},
}

// CollectionOf returns the collection of code: a fixed one, or a regulator's notifications
// for a sector ("regulator:energy").
func CollectionOf(code string) (Collection, bool) {
	for _, c := range Collections {
		if c.Code == code {
			return c, true
		}
	}
	if len(code) > len("regulator:") && code[:len("regulator:")] == "regulator:" {
		if s, ok := SectorOf(code[len("regulator:"):]); ok {
			return Collection{Code: code, Zh: "监管部门预警通报（" + s.Zh + "）", En: "Regulator's notifications (" + s.En + ")"}, true
		}
	}
	return Collection{}, false
}
