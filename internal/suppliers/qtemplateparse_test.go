package suppliers

import (
	"bytes"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"ciiguard/internal/problem"
)

// xlsxOf builds an XLSX file whose first sheet holds rows, as a spreadsheet program saves it.
func xlsxOf(t testing.TB, rows [][]string) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, r := range rows {
		cells := make([]any, len(r))
		for j, c := range r {
			cells[j] = c
		}
		cell, err := excelize.CoordinatesToCellName(1, i+1)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.SetSheetRow("Sheet1", cell, &cells); err != nil {
			t.Fatal(err)
		}
	}
	var b bytes.Buffer
	if err := f.Write(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// csvOf joins rows as CSV lines (the cases hold no commas or quotes).
func csvOf(rows [][]string) []byte {
	var b strings.Builder
	for _, r := range rows {
		b.WriteString(strings.Join(r, ",") + "\n")
	}
	return []byte(b.String())
}

// TestParseTemplate: a hand-written table of template files, each as CSV and as XLSX, with
// the questions a good one gives and the field and reason a bad one is refused on (the line
// counts the header as 1, as the spreadsheet numbers rows).
func TestParseTemplate(t *testing.T) {
	head := []string{"key", "question_zh", "question_en", "kind", "expect", "weight", "basis_zh", "basis_en"}
	good := [][]string{head,
		{"mfa", "是否对远程运维启用多因素认证？", "Is MFA required for remote maintenance?", "yes_no", "yes", "3", "等保2.0 8.1.4.1", "MLPS 2.0 8.1.4.1"},
		{"offshore", "", "Is any data stored outside China?", "yes_no", "no", "", "", ""},
		{"contact", "安全联系人及电话", "", "text", "", "", "", ""},
		{"", "", "", "", "", "", "", ""},
		{"iso", "是否持有 ISO 27001 证书？", "Do you hold ISO 27001?", "是否", "是", "", "", "ISO/IEC 27001"},
	}
	want := []Question{
		{Key: "mfa", Topic: "custom", Zh: "是否对远程运维启用多因素认证？", En: "Is MFA required for remote maintenance?", Kind: KindYesNo, Expect: "yes", Weight: 3, BasisZh: "等保2.0 8.1.4.1", BasisEn: "MLPS 2.0 8.1.4.1"},
		{Key: "offshore", Topic: "custom", Zh: "Is any data stored outside China?", En: "Is any data stored outside China?", OnlyIn: "en", Kind: KindYesNo, Expect: "no", Weight: 1, BasisZh: "—", BasisEn: "—"},
		{Key: "contact", Topic: "custom", Zh: "安全联系人及电话", En: "安全联系人及电话", OnlyIn: "zh", Kind: KindText, BasisZh: "—", BasisEn: "—"},
		{Key: "iso", Topic: "custom", Zh: "是否持有 ISO 27001 证书？", En: "Do you hold ISO 27001?", Kind: KindYesNo, Expect: "yes", Weight: 1, BasisZh: "ISO/IEC 27001", BasisEn: "ISO/IEC 27001"},
	}
	zhHead := []string{"编号", "问题（中文）", "回答方式", "符合要求的回答"}
	row := func(cells ...string) [][]string { return [][]string{head, cells} }
	bad := []struct {
		name          string
		rows          [][]string
		field, reason string
	}{
		{"no key column", [][]string{{"question_zh", "kind"}, {"问", "text"}}, "rows[1].key", "column is required"},
		{"no question column", [][]string{{"key", "kind"}, {"a", "text"}}, "rows[1].question_zh", "column is required"},
		{"unknown column", [][]string{{"key", "question_zh", "kind", "colour"}, {"a", "问", "text", "红"}}, "rows[1].column 4", "is not a column of a questionnaire template"},
		{"column twice", [][]string{{"key", "key", "question_zh", "kind"}}, "rows[1].key", "is named twice"},
		{"no rows", [][]string{head}, "file", "has no questions"},
		{"key missing", row("", "问", "", "text", "", "", "", ""), "rows[2].key", "is required"},
		{"key with capitals", row("MFA", "问", "", "text", "", "", "", ""), "rows[2].key", "lower-case letters"},
		{"key too long", row(strings.Repeat("k", 41), "问", "", "text", "", "", "", ""), "rows[2].key", "1 to 40"},
		{"no question", row("a", "", "", "text", "", "", "", ""), "rows[2].question_zh", "give the question in Chinese, in English or both"},
		{"question too long", row("a", strings.Repeat("问", 1001), "", "text", "", "", "", ""), "rows[2].question_zh", "at most 1000"},
		{"kind missing", row("a", "问", "", "", "", "", "", ""), "rows[2].kind", "is required (yes_no, text, choice, number, date)"},
		{"kind unknown", row("a", "问", "", "picture", "", "", "", ""), "rows[2].kind", "is not an answer kind"},
		{"expect not yes or no", row("a", "问", "", "yes_no", "maybe", "", "", ""), "rows[2].expect", "is not yes or no"},
		{"expect on a text question", row("a", "问", "", "text", "yes", "", "", ""), "rows[2].expect", "is not for a text question"},
		{"weight without expect", row("a", "问", "", "yes_no", "", "2", "", ""), "rows[2].weight", "counts only with an expected answer"},
		{"weight out of range", row("a", "问", "", "yes_no", "yes", "11", "", ""), "rows[2].weight", "from 1 to 10"},
		{"weight not a number", row("a", "问", "", "yes_no", "yes", "高", "", ""), "rows[2].weight", "from 1 to 10"},
		{"key twice", [][]string{head, {"a", "问一", "", "text", "", "", "", ""}, {"a", "问二", "", "text", "", "", "", ""}}, "rows[3].key", "is the key of row 2 as well"},
		{"text under no column", [][]string{{"key", "question_zh", "kind"}, {"a", "问", "text", "多余"}}, "rows[2].column 4", "has text under no column"},
		{"a bad row among good ones", [][]string{zhHead, {"a", "问一", "是否", "是"}, {"b", "问二", "是否", "也许"}}, "rows[3].expect", "is not yes or no"},
	}
	for _, format := range []string{"csv", "xlsx"} {
		file := func(rows [][]string) []byte {
			if format == "xlsx" {
				return xlsxOf(t, rows)
			}
			return csvOf(rows)
		}
		v := &problem.Invalid{}
		got := parseTemplate(bytes.NewReader(file(good)), v)
		if len(v.Fields) > 0 {
			t.Fatalf("%s: good file refused: %v", format, v.Fields)
		}
		if len(got) != len(want) {
			t.Fatalf("%s: %d questions, want %d: %+v", format, len(got), len(want), got)
		}
		for i := range want {
			if !reflect.DeepEqual(got[i], want[i]) {
				t.Errorf("%s: question %d\n got %+v\nwant %+v", format, i, got[i], want[i])
			}
		}
		for _, c := range bad {
			v := &problem.Invalid{}
			qs := parseTemplate(bytes.NewReader(file(c.rows)), v)
			if qs != nil {
				t.Errorf("%s %s: questions returned with refusals: %+v", format, c.name, qs)
			}
			found := false
			for _, fe := range v.Fields {
				found = found || (fe.Field == c.field && strings.Contains(fe.Reason, c.reason))
			}
			if !found {
				t.Errorf("%s %s: refusals %v, want %s: %s", format, c.name, v.Fields, c.field, c.reason)
			}
		}
	}
}

// TestParseTemplateFile: refusals of the file as a whole.
func TestParseTemplateFile(t *testing.T) {
	many := [][]string{{"key", "question_zh", "kind"}}
	for i := 0; i <= MaxTemplateQuestions; i++ {
		many = append(many, []string{"k" + strings.Repeat("x", i%30) + string(rune('a'+i%26)), "问", "text"})
	}
	for _, c := range []struct {
		name          string
		in            []byte
		field, reason string
	}{
		{"empty", nil, "file", "is empty"},
		{"not UTF-8", []byte("key,kind\n\xff\xfe\n"), "file", "is not UTF-8"},
		{"unclosed quote", []byte("key,question_zh,kind\n\"a,问,text\n"), "rows[2].row", "cannot be read as CSV"},
		{"too large", bytes.Repeat([]byte("a"), MaxTemplateBytes+1), "file", "is larger than"},
		{"a zip that is no workbook", []byte("PK\x03\x04 not really"), "file", "cannot be read as XLSX"},
		{"too many questions (CSV)", csvOf(many), "file", "has more than 200 questions"},
		{"too many questions (XLSX)", xlsxOf(t, many), "file", "has more than 200 questions"},
	} {
		v := &problem.Invalid{}
		parseTemplate(bytes.NewReader(c.in), v)
		found := false
		for _, fe := range v.Fields {
			found = found || (fe.Field == c.field && strings.Contains(fe.Reason, c.reason))
		}
		if !found {
			t.Errorf("%s: refusals %v, want %s: %s", c.name, v.Fields, c.field, c.reason)
		}
	}
}

var templateRefusal = regexp.MustCompile(`^(file|rows\[\d+\]\.[a-z_ 0-9]+)$`)

// FuzzParseTemplate feeds the template parser arbitrary bytes (CSV, and XLSX when they start
// as a zip): it never panics, every refusal names the file or a row's column, and what it
// returns are questions with distinct plain keys, a known kind and text in both languages.
func FuzzParseTemplate(f *testing.F) {
	for _, s := range []string{
		"key,question_zh,question_en,kind,expect,weight\nmfa,问,Q,yes_no,yes,2\nnote,,Note,text,,\n",
		"\ufeff编号,问题（中文）,回答方式\na,问,是否\n",
		"key,question_zh,kind\n\"a,问,text\n",
		"key,key\n",
		"\xff\xfe",
		"",
		"PK\x03\x04",
		"key,question_zh,kind,options_zh,options_en,expect\nt,问,choice,一|二,One|Two,二\nn,问,number,,,≥3\nd,问,date,,,365天内\ne,问,date,,,未过期\nr,问,number,,,1~5\n",
	} {
		f.Add([]byte(s))
	}
	f.Add(xlsxOf(f, [][]string{{"key", "question_en", "kind", "expect"}, {"a", "Q?", "yes_no", "no"}}))
	f.Fuzz(func(t *testing.T, data []byte) {
		v := &problem.Invalid{}
		qs := parseTemplate(bytes.NewReader(data), v)
		for _, fe := range v.Fields {
			if !templateRefusal.MatchString(fe.Field) {
				t.Fatalf("refusal on %q: %s", fe.Field, fe.Reason)
			}
		}
		if len(v.Fields) > 0 && qs != nil {
			t.Fatalf("questions with refusals: %v", v.Fields)
		}
		keys := map[string]bool{}
		for _, q := range qs {
			if !keyPattern.MatchString(q.Key) || keys[q.Key] || q.Zh == "" || q.En == "" || !validKindAndExpect(q) {
				t.Fatalf("a question that should have been refused: %+v", q)
			}
			keys[q.Key] = true
		}
	})
}

// validKindAndExpect says a kept question's kind, options and expectation are in the forms
// the scoring reads: an option number of its own, a comparison that reads back the same, a
// date expectation of the two kinds.
func validKindAndExpect(q Question) bool {
	if (q.Kind == KindChoice) != (len(q.Options) > 0) {
		return false
	}
	switch q.Kind {
	case KindYesNo:
		return q.Expect == "" || q.Expect == AnswerYes || q.Expect == AnswerNo
	case KindText:
		return q.Expect == ""
	case KindChoice:
		for _, v := range strings.Split(q.Expect, "|") {
			if n, err := strconv.Atoi(v); q.Expect != "" && (err != nil || n < 1 || n > len(q.Options)) {
				return false
			}
		}
		return true
	case KindNumber:
		v := &problem.Invalid{}
		again := parseComparison(q.Expect, v, "expect")
		return q.Expect == "" || (len(v.Fields) == 0 && again == q.Expect)
	case KindDate:
		return q.Expect == "" || q.Expect == expectNotPast || (q.WithinDays() >= 1 && q.WithinDays() <= 3660)
	}
	return false
}

// FuzzJudgeAnswer: any answer to a choice, number or date question is either refused with a
// reason or kept in a canonical form that is accepted again unchanged.
func FuzzJudgeAnswer(f *testing.F) {
	for _, s := range []string{"1", "3", "0", "-2.50", "1e3", "NaN", "Inf", "2026-02-29", "2028-02-29", "十二", " 7 "} {
		f.Add(s)
	}
	qs := []Question{{Kind: KindChoice, Options: []Option{{Zh: "一", En: "One"}, {Zh: "二", En: "Two"}}}, {Kind: KindNumber}, {Kind: KindDate}}
	f.Fuzz(func(t *testing.T, a string) {
		for _, q := range qs {
			v := &problem.Invalid{}
			canon := q.judgeAnswer(a, v, "answer")
			if len(v.Fields) > 0 {
				continue
			}
			if again := q.judgeAnswer(canon, v, "answer"); len(v.Fields) > 0 || again != canon {
				t.Fatalf("%s: %q kept as %q, which judges as %q %v", q.Kind, a, canon, again, v.Fields)
			}
		}
	})
}
