package oversight

// Sectors and provinces are the regulator's own vocabulary for its registry. They are
// kept here rather than read from the operator's profile: the profile is the operator's
// private record, and a registry entry's sector and province are what the regulator
// recorded (or, for a province, what the credit code's registration authority says).

// Named is a code with its name in both languages.
type Named struct {
	Code string `json:"code"`
	ZH   string `json:"name_zh"`
	EN   string `json:"name_en"`
}

// Sectors are the CII sectors of CIIR 2021 Art. 2 (draft Art. 18 plus defence science
// and technology industry), with the same codes as the scope capability and the catalog.
var Sectors = []Named{
	{"government", "政府机关", "Government agencies"},
	{"energy", "能源", "Energy"},
	{"finance", "金融", "Finance"},
	{"transport", "交通", "Transport"},
	{"water", "水利", "Water conservancy"},
	{"healthcare", "卫生医疗", "Healthcare"},
	{"education", "教育", "Education"},
	{"social_insurance", "社会保障", "Social insurance"},
	{"environment", "环境保护", "Environmental protection"},
	{"public_utilities", "公用事业", "Public utilities"},
	{"telecom", "电信网", "Telecommunications networks"},
	{"broadcasting", "广播电视网", "Broadcasting networks"},
	{"internet", "互联网", "Internet"},
	{"cloud_bigdata", "云计算、大数据等大型公共信息网络服务", "Cloud, big data and other large public information services"},
	{"defence_industry", "国防科研生产", "Defence research and production"},
	{"defence_science", "国防科技工业", "Defence science and technology industry"},
	{"large_equipment", "大型装备", "Large equipment"},
	{"chemicals", "化工", "Chemicals"},
	{"food_drugs", "食品药品", "Food and drugs"},
	{"news", "新闻单位", "News units"},
	{"other", "其他重要行业和领域", "Other important sectors"},
}

// Provinces are the 31 province-level divisions of the mainland with their GB/T 2260
// codes, the first two digits of the administrative division code in positions 3–8 of a
// unified social credit code.
var Provinces = []Named{
	{"11", "北京市", "Beijing"}, {"12", "天津市", "Tianjin"}, {"13", "河北省", "Hebei"}, {"14", "山西省", "Shanxi"},
	{"15", "内蒙古自治区", "Inner Mongolia"}, {"21", "辽宁省", "Liaoning"}, {"22", "吉林省", "Jilin"},
	{"23", "黑龙江省", "Heilongjiang"}, {"31", "上海市", "Shanghai"}, {"32", "江苏省", "Jiangsu"}, {"33", "浙江省", "Zhejiang"},
	{"34", "安徽省", "Anhui"}, {"35", "福建省", "Fujian"}, {"36", "江西省", "Jiangxi"}, {"37", "山东省", "Shandong"},
	{"41", "河南省", "Henan"}, {"42", "湖北省", "Hubei"}, {"43", "湖南省", "Hunan"}, {"44", "广东省", "Guangdong"},
	{"45", "广西壮族自治区", "Guangxi"}, {"46", "海南省", "Hainan"}, {"50", "重庆市", "Chongqing"}, {"51", "四川省", "Sichuan"},
	{"52", "贵州省", "Guizhou"}, {"53", "云南省", "Yunnan"}, {"54", "西藏自治区", "Xizang"}, {"61", "陕西省", "Shaanxi"},
	{"62", "甘肃省", "Gansu"}, {"63", "青海省", "Qinghai"}, {"64", "宁夏回族自治区", "Ningxia"}, {"65", "新疆维吾尔自治区", "Xinjiang"},
}

func find(list []Named, code string) (Named, bool) {
	for _, n := range list {
		if n.Code == code {
			return n, true
		}
	}
	return Named{}, false
}

func codes(list []Named) []string {
	out := make([]string, len(list))
	for i, n := range list {
		out[i] = n.Code
	}
	return out
}

// provinceOfUSCC is the province of a credit code's registration authority (positions
// 3–4), "" when the code carries none we know (a central authority's 100000, say).
func provinceOfUSCC(code string) string {
	if len(code) < 4 {
		return ""
	}
	if _, ok := find(Provinces, code[2:4]); ok {
		return code[2:4]
	}
	return ""
}
