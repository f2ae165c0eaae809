package catalog

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// articleRE parses the catalog's article notation: an article number, an optional paragraph
// after a dot (款) and an optional item in parentheses (项): "21", "21(3)", "59.1", "71.1(3)".
var articleRE = regexp.MustCompile(`^(\d+)(?:\.(\d+))?(?:\((\d+)\))?$`)

// taskRE matches the MIIT 2014 opinions' "task N" and "measure N".
var taskRE = regexp.MustCompile(`^(task|measure) (\d+)$`)

// Cite renders a citation the way lawyers write it: in Chinese
// 《网络安全法》（2016）第二十一条第（三）项, in English "CSL 2016 Art. 21(3)". version may name
// another instrument as "INSTR:version". An instrument the catalog does not carry is cited by
// its id in both languages.
func (c *Catalog) Cite(instrument string, ct Citation) Text {
	inst, ver := instrument, ct.Version
	if i := strings.Index(ver, ":"); i >= 0 {
		inst, ver = ver[:i], ver[i+1:]
	}
	name := inst
	if in, ok := c.instruments[inst]; ok {
		name = "《" + strings.TrimPrefix(in.Title.Zh, "中华人民共和国") + "》"
	}
	verZh, verEn := ver, ver
	if v, ok := c.VersionOf(inst, ver); ok && v.Draft {
		verZh = strings.TrimSuffix(ver, "-draft") + "年征求意见稿"
	}
	return Text{
		Zh: fmt.Sprintf("%s（%s）%s", name, verZh, articleZh(ct.Article)),
		En: fmt.Sprintf("%s %s %s", inst, verEn, articleEn(ct.Article)),
	}
}

// CitePenalty cites a penalty clause.
func (c *Catalog) CitePenalty(p *Penalty) Text { return c.Cite(p.Instrument, p.Citation()) }

func articleZh(a string) string {
	if m := articleRE.FindStringSubmatch(a); m != nil {
		n, _ := strconv.Atoi(m[1])
		s := "第" + chineseNumber(n) + "条"
		if m[2] != "" {
			p, _ := strconv.Atoi(m[2])
			s += "第" + chineseNumber(p) + "款"
		}
		if m[3] != "" {
			i, _ := strconv.Atoi(m[3])
			s += "第（" + chineseNumber(i) + "）项"
		}
		return s
	}
	if m := taskRE.FindStringSubmatch(a); m != nil {
		n, _ := strconv.Atoi(m[2])
		if m[1] == "task" {
			return "重点任务" + chineseNumber(n)
		}
		return "保障措施" + chineseNumber(n)
	}
	if a == "annex" {
		return "附件"
	}
	if a == "whole" {
		return "全文" // a notice whose section numbers are not confirmed is cited whole
	}
	return a
}

func articleEn(a string) string {
	if m := articleRE.FindStringSubmatch(a); m != nil {
		s := "Art. " + m[1]
		if m[2] != "" {
			s += "(" + m[2] + ")"
		}
		if m[3] != "" {
			s += "(" + m[3] + ")"
		}
		return s
	}
	if a == "whole" {
		return "(whole text)"
	}
	return a
}

// chineseNumber writes 1–9999 in Chinese numerals as statutes number articles: 十, 二十一,
// 一百零五, 一百一十.
func chineseNumber(n int) string {
	digits := []string{"零", "一", "二", "三", "四", "五", "六", "七", "八", "九"}
	if n <= 0 || n >= 10000 {
		return strconv.Itoa(n)
	}
	if n < 10 {
		return digits[n]
	}
	if n < 20 {
		return "十" + strings.TrimPrefix(digits[n%10], "零")
	}
	units := []string{"", "十", "百", "千"}
	var parts []string
	s := strconv.Itoa(n)
	zero := false
	for i, ch := range s {
		d := int(ch - '0')
		pos := len(s) - 1 - i
		if d == 0 {
			zero = true
			continue
		}
		if zero && len(parts) > 0 {
			parts = append(parts, "零")
		}
		zero = false
		parts = append(parts, digits[d]+units[pos])
	}
	out := strings.Join(parts, "")
	return out
}
