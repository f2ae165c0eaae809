package scope

import (
	"regexp"
	"strings"

	"ciiguard/internal/problem"
)

// csvHeadersZH are the column headers the CSV export writes for a Chinese page, and that
// the import accepts beside the English column names, so that a file exported in Chinese
// re-imports unchanged. They are part of the file format: renaming one breaks the files
// users already hold, so they live here, not in the message catalogue.
var csvHeadersZH = map[string]string{
	"name":                        "系统名称",
	"name_en":                     "英文名称",
	"owner":                       "责任部门",
	"responsible_person":          "安全责任人",
	"sector":                      "所属行业领域",
	"purpose":                     "用途",
	"location":                    "部署位置",
	"data_held":                   "承载的数据",
	"mlps_level":                  "安全保护等级",
	"graded_on":                   "定级日期",
	"go_live":                     "上线日期",
	"filing_number":               "备案证明编号",
	"filed_on":                    "备案日期",
	"last_mlps_test":              "最近一次等级测评",
	"last_self_inspection":        "最近一次自查",
	"cii_status":                  "关键信息基础设施状态",
	"identified_on":               "认定通知日期",
	"identification_doc":          "认定通知文号",
	"deidentified_on":             "撤销认定通知日期",
	"deidentification_doc":        "撤销认定通知文号",
	"major_change_on":             "重大变化报告日期",
	"holds_personal_info":         "存储个人信息",
	"holds_important_data":        "存储重要数据",
	"data_stored_abroad":          "有数据存储在境外",
	"maintenance_abroad":          "从境外运维",
	"maintenance_abroad_reported": "境外运维已事先报告",
	"id":                          "编号",
	"reidentification_due":        "重新认定期限",
	"assessment_sha256":           "自评估记录哈希",
	"updated_at":                  "更新时间",
}

// columnByZH maps a Chinese header back to its column name.
var columnByZH = func() map[string]string {
	m := make(map[string]string, len(csvHeadersZH))
	for name, zh := range csvHeadersZH {
		m[zh] = name
	}
	return m
}()

// CSVHeaderIn lists the column headers in lang: "zh-CN" gives the Chinese headers, any
// other language the column names.
func CSVHeaderIn(lang string) []string {
	out := CSVHeader()
	if lang != "zh-CN" {
		return out
	}
	for i, name := range out {
		out[i] = csvHeadersZH[name]
	}
	return out
}

// columnOf returns the column name of a header cell: a column name in any case, or its
// Chinese header.
func columnOf(h string) string {
	h = strings.TrimSpace(h)
	if name, ok := columnByZH[h]; ok {
		return name
	}
	return strings.ToLower(h)
}

// columnNumber is the field of a header cell with no name ("column 3").
var columnNumber = regexp.MustCompile(`^column (\d+)$`)

// LocalRowErrors returns errs as a page in lang shows them: the reasons translated by tr
// and, in Chinese, the fields named by their Chinese headers.
func LocalRowErrors(errs []RowError, lang string, tr problem.Translator) []RowError {
	out := make([]RowError, len(errs))
	for i, e := range errs {
		e.Reason = e.In(tr)
		if lang == "zh-CN" {
			switch {
			case csvHeadersZH[e.Field] != "":
				e.Field = csvHeadersZH[e.Field]
			case e.Field == "file":
				e.Field = "文件"
			case e.Field == "row":
				e.Field = "整行"
			case columnNumber.MatchString(e.Field):
				e.Field = "第 " + columnNumber.FindStringSubmatch(e.Field)[1] + " 列"
			}
		}
		out[i] = e
	}
	return out
}
