package suppliers

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"ciiguard/internal/problem"
)

// An operator's own questionnaire comes as a spreadsheet, one question a row, saved as CSV
// (UTF-8) or XLSX (its first sheet). The whole file is judged before anything is kept: each
// refusal names rows[LINE].COLUMN, LINE counting the header as 1 as the spreadsheet numbers
// it, so that the operator can find the cell.

// Limits of a questionnaire template file. An XLSX is a zip: the unzipped limits keep a
// small file from expanding into a large one in memory.
const (
	MaxTemplateBytes     = 512 << 10
	MaxTemplateQuestions = 200
	maxUnzipped          = 8 << 20
	maxQuestionText      = 1000
	maxKey               = 40
	maxWeight            = 10
)

// templateColumns are the template file's columns by their English names, with the
// Chinese header the import accepts as well.
var templateColumns = []struct{ name, zh string }{
	{"key", "编号"}, {"question_zh", "问题（中文）"}, {"question_en", "问题（英文）"}, {"kind", "回答方式"},
	{"options_zh", "选项（中文）"}, {"options_en", "选项（英文）"}, {"expect", "符合要求的回答"}, {"weight", "权重"}, {"basis_zh", "依据（中文）"}, {"basis_en", "依据（英文）"},
}

// keyPattern is what a question's key may be: it names the answer's form fields and its
// refusals (answers[KEY].answer), so it is kept to plain letters.
var keyPattern = regexp.MustCompile(`^[a-z0-9_]+$`)

// kindWords reads a kind given by its code or its Chinese name.
var kindWords = map[string]string{KindYesNo: KindYesNo, "是否": KindYesNo, "是/否": KindYesNo, KindText: KindText, "文字": KindText,
	KindChoice: KindChoice, "单选": KindChoice, "选择": KindChoice, KindNumber: KindNumber, "数字": KindNumber, "数值": KindNumber, KindDate: KindDate, "日期": KindDate}

// answerWords reads an expected answer given in English or Chinese.
var answerWords = map[string]string{"": "", AnswerYes: AnswerYes, "是": AnswerYes, AnswerNo: AnswerNo, "否": AnswerNo}

// noBasis stands for a question that cites no duty or article.
const noBasis = "—"

// sheetRow is a row of the file with its line number.
type sheetRow struct {
	line  int
	cells []string
}

// xlsxMagic starts every zip file, so every XLSX.
var xlsxMagic = []byte("PK\x03\x04")

// parseTemplate reads a template file, CSV or XLSX by its content, into its questions;
// every problem is added to v and no question is returned then.
func parseTemplate(r io.Reader, v *problem.Invalid) []Question {
	data, err := io.ReadAll(io.LimitReader(r, MaxTemplateBytes+1))
	switch {
	case err != nil:
		v.Add("file", "cannot be read: %v", err)
		return nil
	case len(data) > MaxTemplateBytes:
		v.Add("file", "is larger than %d bytes", MaxTemplateBytes)
		return nil
	}
	var rows []sheetRow
	if bytes.HasPrefix(data, xlsxMagic) {
		rows = xlsxRows(data, v)
	} else {
		rows = csvRows(data, v)
	}
	if len(v.Fields) > 0 {
		return nil
	}
	qs := templateQuestions(rows, v)
	if len(v.Fields) > 0 {
		return nil
	}
	return qs
}

// csvRows splits a CSV file into rows, the header first.
func csvRows(data []byte, v *problem.Invalid) []sheetRow {
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	if !utf8.Valid(data) {
		v.Add("file", "is not UTF-8 text: save it as \"CSV UTF-8\" or as XLSX")
		return nil
	}
	cr := csv.NewReader(bytes.NewReader(data))
	cr.FieldsPerRecord = -1
	var rows []sheetRow
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			line := len(rows) + 1
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = pe.Line
			}
			v.Add(rowField(line, "row"), "cannot be read as CSV: check its quotes")
			return nil
		}
		line, _ := cr.FieldPos(0)
		if len(rows) > MaxTemplateQuestions {
			v.Add("file", "has more than %d questions: split it", MaxTemplateQuestions)
			return nil
		}
		rows = append(rows, sheetRow{line: line, cells: rec})
	}
	return rows
}

// xlsxRows reads the first sheet of an XLSX file. excelize is outside code reading outside
// input: a panic in it is a refusal of the file, never a crash of the request.
func xlsxRows(data []byte, v *problem.Invalid) (rows []sheetRow) {
	defer func() {
		if p := recover(); p != nil {
			v.Add("file", "cannot be read as XLSX: %v", p)
			rows = nil
		}
	}()
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: maxUnzipped, UnzipXMLSizeLimit: maxUnzipped})
	if err != nil {
		v.Add("file", "cannot be read as XLSX: %v", err)
		return nil
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		v.Add("file", "cannot be read as XLSX: %v", "it has no sheet")
		return nil
	}
	all, err := f.GetRows(sheets[0])
	if err != nil {
		v.Add("file", "cannot be read as XLSX: %v", err)
		return nil
	}
	if len(all) > MaxTemplateQuestions+1 {
		v.Add("file", "has more than %d questions: split it", MaxTemplateQuestions)
		return nil
	}
	for i, cells := range all {
		rows = append(rows, sheetRow{line: i + 1, cells: cells})
	}
	return rows
}

// templateQuestions judges the header and every row; rows without any text are skipped.
func templateQuestions(rows []sheetRow, v *problem.Invalid) []Question {
	for len(rows) > 0 && blank(rows[0].cells) {
		rows = rows[1:]
	}
	if len(rows) == 0 {
		v.Add("file", "is empty: the first line must name the columns")
		return nil
	}
	head := rows[0]
	known := map[string]string{}
	for _, c := range templateColumns {
		known[c.name], known[c.zh] = c.name, c.name
	}
	cols := make([]string, len(head.cells))
	seen := map[string]bool{}
	for i, h := range head.cells {
		name, ok := known[strings.TrimSpace(h)]
		switch {
		case !ok && strings.TrimSpace(h) == "":
			continue // an empty header cell names no column; its cells must stay empty
		case !ok:
			v.Add(rowField(head.line, fmt.Sprintf("column %d", i+1)), "is not a column of a questionnaire template (%s)", templateColumnNames())
		case seen[name]:
			v.Add(rowField(head.line, name), "is named twice")
		}
		cols[i], seen[name] = name, true
	}
	for _, req := range []string{"key", "kind"} {
		if !seen[req] {
			v.Add(rowField(head.line, req), "column is required")
		}
	}
	if !seen["question_zh"] && !seen["question_en"] {
		v.Add(rowField(head.line, "question_zh"), "column is required: give the questions in Chinese, in English or both")
	}
	if len(v.Fields) > 0 {
		return nil
	}
	var qs []Question
	keys := map[string]int{}
	for _, row := range rows[1:] {
		if blank(row.cells) {
			continue
		}
		c := map[string]string{}
		for i, s := range row.cells {
			s = strings.TrimSpace(s)
			switch {
			case i >= len(cols) || cols[i] == "":
				if s != "" {
					v.Add(rowField(row.line, fmt.Sprintf("column %d", i+1)), "has text under no column")
				}
			default:
				c[cols[i]] = s
			}
		}
		q, ok := templateQuestion(row.line, c, v)
		if !ok {
			continue
		}
		if first, dup := keys[q.Key]; dup {
			v.Add(rowField(row.line, "key"), "is the key of row %d as well: keys must differ", first)
			continue
		}
		keys[q.Key] = row.line
		qs = append(qs, q)
	}
	if len(qs) == 0 && len(v.Fields) == 0 {
		v.Add("file", "has no questions after the header")
	}
	return qs
}

// templateQuestion judges one row's cells.
func templateQuestion(line int, c map[string]string, v *problem.Invalid) (Question, bool) {
	before := len(v.Fields)
	f := func(col string) string { return rowField(line, col) }
	q := Question{Key: c["key"], Zh: c["question_zh"], En: c["question_en"], BasisZh: c["basis_zh"], BasisEn: c["basis_en"], Topic: "custom"}
	switch {
	case q.Key == "":
		v.Add(f("key"), "is required")
	case len(q.Key) > maxKey || !keyPattern.MatchString(q.Key):
		v.Add(f("key"), "must be 1 to %d lower-case letters, digits or underscores", maxKey)
	}
	if q.Zh == "" && q.En == "" {
		v.Add(f("question_zh"), "is required: give the question in Chinese, in English or both")
	}
	v.Text(f("question_zh"), q.Zh, false, maxQuestionText)
	v.Text(f("question_en"), q.En, false, maxQuestionText)
	v.Text(f("basis_zh"), q.BasisZh, false, maxName)
	v.Text(f("basis_en"), q.BasisEn, false, maxName)
	kind, ok := kindWords[strings.ToLower(c["kind"])]
	switch {
	case c["kind"] == "":
		v.Add(f("kind"), "is required (yes_no, text, choice, number, date)")
	case !ok:
		v.Add(f("kind"), "is not an answer kind (yes_no, text, choice, number, date)")
	}
	q.Kind = kind
	q.Options = templateOptions(kind, c["options_zh"], c["options_en"], f, v)
	var expect string
	switch {
	case kind == KindText && c["expect"] != "":
		v.Add(f("expect"), "is not for a text question: a text answer is not scored")
	case kind == KindYesNo || kind == "":
		if expect, ok = answerWords[strings.ToLower(c["expect"])]; !ok {
			v.Add(f("expect"), "is not yes or no")
		}
	case c["expect"] != "" && (kind != KindChoice || len(q.Options) > 0):
		expect = parseExpectation(kind, c["expect"], q.Options, v, f("expect"))
	}
	q.Expect = expect
	switch w := c["weight"]; {
	case w == "" && expect != "":
		q.Weight = 1
	case w == "" || w == "0":
	case expect == "":
		v.Add(f("weight"), "counts only with an expected answer: give expect, or leave the weight empty")
	default:
		n, err := strconv.Atoi(w)
		if err != nil || n < 1 || n > maxWeight {
			v.Add(f("weight"), "is not a whole number from 1 to %d", maxWeight)
		}
		q.Weight = n
	}
	if len(v.Fields) > before {
		return Question{}, false
	}
	// One language missing: the other's text stands in, and the pages say so.
	switch {
	case q.Zh == "":
		q.Zh, q.OnlyIn = q.En, "en"
	case q.En == "":
		q.En, q.OnlyIn = q.Zh, "zh"
	}
	switch {
	case q.BasisZh == "" && q.BasisEn == "":
		q.BasisZh, q.BasisEn = noBasis, noBasis
	case q.BasisZh == "":
		q.BasisZh = q.BasisEn
	case q.BasisEn == "":
		q.BasisEn = q.BasisZh
	}
	return q, true
}

// templateOptions reads a choice question's options, given in Chinese, English or both
// (the same number in each, in the same order); other kinds take none.
func templateOptions(kind, zh, en string, f func(string) string, v *problem.Invalid) []Option {
	zs, es := splitOptions(zh), splitOptions(en)
	if kind != KindChoice {
		if len(zs)+len(es) > 0 {
			v.Add(f("options_zh"), "are only for a choice question")
		}
		return nil
	}
	switch {
	case len(zs) == 0 && len(es) == 0:
		v.Add(f("options_zh"), "is required for a choice: the options separated by |")
		return nil
	case len(zs) > 0 && len(es) > 0 && len(zs) != len(es):
		v.Add(f("options_en"), "gives %d options, but there are %d options in Chinese: give each option in both, in the same order", len(es), len(zs))
		return nil
	case max(len(zs), len(es)) > maxOptions:
		v.Add(f("options_zh"), "has more than %d options", maxOptions)
		return nil
	}
	out := make([]Option, max(len(zs), len(es)))
	for i := range out {
		if i < len(zs) {
			out[i].Zh = zs[i]
		}
		if i < len(es) {
			out[i].En = es[i]
		}
		// One language missing: the other's text stands in, as for the question.
		if out[i].Zh == "" {
			out[i].Zh = out[i].En
		}
		if out[i].En == "" {
			out[i].En = out[i].Zh
		}
		v.Text(f("options_zh"), out[i].Zh, false, maxName)
		v.Text(f("options_en"), out[i].En, false, maxName)
	}
	return out
}

func blank(cells []string) bool {
	for _, s := range cells {
		if strings.TrimSpace(s) != "" {
			return false
		}
	}
	return true
}

func templateColumnNames() string {
	n := make([]string, len(templateColumns))
	for i, c := range templateColumns {
		n[i] = c.name
	}
	return strings.Join(n, ", ")
}
