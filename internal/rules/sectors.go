package rules

import (
	"reflect"
	"strconv"
	"strings"
)

// sectorNames are the Chinese names of the sector codes of the fact model (org.sectors,
// system.sector), the CIIR Art. 2 sectors as the scope capability lists them, so that a
// reason in Chinese names the sector instead of showing its code. English reasons keep the
// code, which is what the API and the CSV files carry.
var sectorNames = map[string]string{
	"broadcasting":     "广播电视网",
	"chemicals":        "化工",
	"cloud_bigdata":    "云计算、大数据等大型公共信息网络服务",
	"defence_industry": "国防科研生产",
	"defence_science":  "国防科技工业",
	"education":        "教育",
	"energy":           "能源",
	"environment":      "环境保护",
	"finance":          "金融",
	"food_drugs":       "食品药品",
	"government":       "政府机关",
	"healthcare":       "卫生医疗",
	"internet":         "互联网",
	"large_equipment":  "大型装备",
	"news":             "新闻单位（广播电台、电视台、通讯社等）",
	"other":            "其他重要行业和领域",
	"public_utilities": "公用事业",
	"social_insurance": "社会保障",
	"telecom":          "电信网",
	"transport":        "交通",
	"water":            "水利",
}

// sectorValue renders a sector fact (one code or a list of codes) for a reason; ok is
// false for any other field.
func sectorValue(field string, v reflect.Value) (Text, bool) {
	if field != "sector" && field != "sectors" {
		return Text{}, false
	}
	one := func(code string) (string, string) {
		zh, ok := sectorNames[code]
		if !ok {
			zh = "“" + code + "”"
		}
		return zh, strconv.Quote(code)
	}
	switch v.Kind() {
	case reflect.String:
		if v.String() == "" {
			return Text{}, false
		}
		zh, en := one(v.String())
		return Text{Zh: zh, En: en}, true
	case reflect.Slice:
		if v.Len() == 0 {
			return Text{}, false
		}
		zh, en := make([]string, v.Len()), make([]string, v.Len())
		for i := range zh {
			zh[i], en[i] = one(v.Index(i).String())
		}
		return Text{Zh: strings.Join(zh, "、"), En: "[" + strings.Join(en, ", ") + "]"}, true
	}
	return Text{}, false
}
