package suppliers

import (
	"math"
	"strconv"
	"strings"
	"time"

	"ciiguard/internal/problem"
)

// Beyond yes/no and a note, an operator's own questions may be answered by choosing one of
// their options, with a number or with a day, as third-party questionnaires commonly ask
// ("which MLPS level", "within how many hours", "until when is the certificate valid").
// Each may expect an answer and is then scored like a yes/no question. The expectation is
// kept in a canonical form (Question.Expect) so that it reads the same whatever language
// the spreadsheet used:
//
//	choice  the numbers of the options that meet it, "2|3"
//	number  a comparison, ">=3", "<=24", "=0", or a closed range "3..10"
//	date    "not_past" (not before the day of the answer: a certificate still valid) or
//	        "within:N" (within N days before the day of the answer: a recent test)
const (
	KindChoice = "choice"
	KindNumber = "number"
	KindDate   = "date"
)

// Option is one answer a choice question offers.
type Option struct {
	Zh string `json:"zh"`
	En string `json:"en"`
}

// Date expectations.
const (
	expectNotPast = "not_past"
	expectWithin  = "within:"
)

// maxOptions bounds a choice question's options.
const maxOptions = 20

// AnswerKind is how the question is answered; questions of ciiguard's default template and
// of questionnaires sent before the kinds existed leave Kind empty and are answered yes/no
// when they expect an answer, with a note otherwise.
func (q Question) AnswerKind() string {
	switch {
	case q.Kind != "":
		return q.Kind
	case q.Expect != "":
		return KindYesNo
	}
	return KindText
}

// TakesAnswer says the question has an answer field (every kind but a note).
func (q Question) TakesAnswer() bool { return q.AnswerKind() != KindText }

// ChoiceOptions are the option numbers with their text, for the answer form.
func (q Question) ChoiceOptions() []NumberedOption {
	out := make([]NumberedOption, len(q.Options))
	for i, o := range q.Options {
		out[i] = NumberedOption{Value: strconv.Itoa(i + 1), Option: o}
	}
	return out
}

// NumberedOption is an option with the value the answer records for it.
type NumberedOption struct {
	Value string
	Option
}

// Shown is answer as a person reads it in Chinese (zh) or English: a choice's option by its
// text, yes/no/not applicable in Chinese, anything else as given.
func (q Question) Shown(answer string, zh bool) string {
	if q.AnswerKind() == KindChoice && answer != AnswerNA {
		if n, err := strconv.Atoi(answer); err == nil && n >= 1 && n <= len(q.Options) {
			if zh {
				return q.Options[n-1].Zh
			}
			return q.Options[n-1].En
		}
	}
	if zh {
		if s, ok := answerZh[answer]; ok {
			return s
		}
	}
	return answer
}

// ExpectShown is the expectation of a choice or number question as a person reads it: the
// options that meet it, or the comparison with its mathematical signs.
func (q Question) ExpectShown(zh bool) string {
	switch q.AnswerKind() {
	case KindChoice:
		var s []string
		for _, v := range strings.Split(q.Expect, "|") {
			s = append(s, q.Shown(v, zh))
		}
		sep := " / "
		if zh {
			sep = "、"
		}
		return strings.Join(s, sep)
	case KindNumber:
		if lo, hi, ok := strings.Cut(q.Expect, ".."); ok {
			return lo + "–" + hi
		}
		return strings.NewReplacer(">=", "≥ ", "<=", "≤ ", "=", "= ").Replace(q.Expect)
	}
	return q.Expect
}

// WithinDays is the N of a "within:N" date expectation (0 for any other).
func (q Question) WithinDays() int {
	n, _ := strconv.Atoi(strings.TrimPrefix(q.Expect, expectWithin))
	if !strings.HasPrefix(q.Expect, expectWithin) {
		return 0
	}
	return n
}

// meetsKind judges a counted answer of a choice, number or date question; on is the day of
// the answer, which a date expectation counts from.
func (q Question) meetsKind(a string, on time.Time) bool {
	switch q.AnswerKind() {
	case KindChoice:
		for _, v := range strings.Split(q.Expect, "|") {
			if v == a {
				return true
			}
		}
		return false
	case KindNumber:
		x, err := strconv.ParseFloat(a, 64)
		return err == nil && numberMeets(q.Expect, x)
	case KindDate:
		d, err := time.Parse(time.DateOnly, a)
		if err != nil {
			return false
		}
		day := chinaDay(on)
		d = time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, day.Location())
		if q.Expect == expectNotPast {
			return !d.Before(day)
		}
		return !d.After(day) && !d.Before(day.AddDate(0, 0, -q.WithinDays()))
	}
	return a == q.Expect
}

// numberMeets compares x with a canonical number expectation.
func numberMeets(expect string, x float64) bool {
	if lo, hi, ok := strings.Cut(expect, ".."); ok {
		l, err1 := strconv.ParseFloat(lo, 64)
		h, err2 := strconv.ParseFloat(hi, 64)
		return err1 == nil && err2 == nil && x >= l && x <= h
	}
	for _, op := range []string{">=", "<=", "="} {
		if rest, ok := strings.CutPrefix(expect, op); ok {
			v, err := strconv.ParseFloat(rest, 64)
			if err != nil {
				return false
			}
			switch op {
			case ">=":
				return x >= v
			case "<=":
				return x <= v
			}
			return x == v
		}
	}
	return false
}

// judgeAnswer checks a given answer (not empty, not "na") to a question of kind choice,
// number or date and returns it in its canonical form; a refusal is added to v on field
// (and "" returned).
func (q Question) judgeAnswer(a string, v *problem.Invalid, field string) string {
	switch q.AnswerKind() {
	case KindChoice:
		n, err := strconv.Atoi(a)
		if err != nil || n < 1 || n > len(q.Options) {
			v.Add(field, "is not an option (1 to %d, na)", len(q.Options))
			return ""
		}
		return strconv.Itoa(n)
	case KindNumber:
		x, err := strconv.ParseFloat(a, 64)
		if err != nil || math.IsInf(x, 0) || math.IsNaN(x) {
			v.Add(field, "is not a number (or na)")
			return ""
		}
		return strconv.FormatFloat(x, 'f', -1, 64)
	case KindDate:
		d, err := time.Parse(time.DateOnly, a)
		if err != nil {
			v.Add(field, "is not a date (YYYY-MM-DD, or na)")
			return ""
		}
		return d.Format(time.DateOnly)
	}
	v.Add(field, "is not an answer (yes, no, na)")
	return ""
}

// parseExpectation reads a template cell's expectation for a question of kind choice,
// number or date into its canonical form; a refusal is added to v on field.
func parseExpectation(kind, s string, opts []Option, v *problem.Invalid, field string) string {
	switch kind {
	case KindChoice:
		var out []string
		seen := map[int]bool{}
		for _, part := range splitOptions(s) {
			n := optionNumber(part, opts)
			switch {
			case n == 0:
				v.Add(field, "%q is not one of the options: give their text or numbers (1 to %d), separated by |", part, len(opts))
				return ""
			case !seen[n]:
				seen[n] = true
				out = append(out, strconv.Itoa(n))
			}
		}
		return strings.Join(out, "|")
	case KindNumber:
		return parseComparison(s, v, field)
	case KindDate:
		t := strings.ToLower(s)
		if t == expectNotPast || t == "未过期" || t == "不早于作答日" {
			return expectNotPast
		}
		n, ok := withinDays(t)
		if !ok {
			v.Add(field, "is not a date expectation (not_past / 未过期, or within N / N天内, N from 1 to 3660)")
			return ""
		}
		return expectWithin + strconv.Itoa(n)
	}
	v.Add(field, "is not an expectation of this kind")
	return ""
}

// withinDays reads "within 365", "within:365" or "365天内".
func withinDays(s string) (int, bool) {
	s = strings.TrimSpace(s)
	switch {
	case strings.HasPrefix(s, "within"):
		s = strings.TrimLeft(strings.TrimPrefix(s, "within"), ": ")
	case strings.HasSuffix(s, "天内"):
		s = strings.TrimSpace(strings.TrimSuffix(s, "天内"))
	default:
		return 0, false
	}
	n, err := strconv.Atoi(s)
	return n, err == nil && n >= 1 && n <= 3660
}

// parseComparison reads ">= 3", "≥3", "<=24", "≤ 24", "=0", "3..10", "3~10" or "3至10" into
// its canonical form; a refusal is added to v on field.
func parseComparison(s string, v *problem.Invalid, field string) string {
	s = strings.NewReplacer("≥", ">=", "≤", "<=", "＝", "=", " ", "").Replace(s)
	num := func(x string) (string, float64, bool) {
		f, err := strconv.ParseFloat(x, 64)
		if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
			return "", 0, false
		}
		return strconv.FormatFloat(f, 'f', -1, 64), f, true
	}
	canon, ok := "", false
	for _, sep := range []string{"..", "~", "至"} {
		if lo, hi, cut := strings.Cut(s, sep); cut {
			l, lv, ok1 := num(lo)
			h, hv, ok2 := num(hi)
			if ok1 && ok2 && lv > hv {
				v.Add(field, "is a range whose first number is larger than its second")
				return ""
			}
			canon, ok = l+".."+h, ok1 && ok2
			break
		}
	}
	if canon == "" && !ok {
		for _, op := range []string{">=", "<=", "="} {
			if rest, cut := strings.CutPrefix(s, op); cut {
				n, _, good := num(rest)
				canon, ok = op+n, good
				break
			}
		}
	}
	if !ok {
		v.Add(field, "is not a comparison (>= N, <= N, = N, or N..M)")
		return ""
	}
	return canon
}

// splitOptions splits a cell of options or expected options at "|" (or the full-width "｜"),
// dropping empty parts.
func splitOptions(s string) []string {
	var out []string
	for _, p := range strings.Split(strings.ReplaceAll(s, "｜", "|"), "|") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// optionNumber finds an option by its number (1-based) or its text in either language; 0
// when none matches.
func optionNumber(s string, opts []Option) int {
	if n, err := strconv.Atoi(s); err == nil {
		if n >= 1 && n <= len(opts) {
			return n
		}
		return 0
	}
	for i, o := range opts {
		if strings.EqualFold(s, o.Zh) || strings.EqualFold(s, o.En) {
			return i + 1
		}
	}
	return 0
}
