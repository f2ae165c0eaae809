package notify

import (
	"strings"

	"ciiguard/internal/kernel"
	"ciiguard/internal/rules"
	"ciiguard/internal/web"
)

// The fixed phrases of a notice, in both languages.
var (
	phraseDue  = rules.Text{Zh: "截止日期：%s（北京时间当日 24:00 前）", En: "Due: %s (by 24:00 Beijing time)"}
	phraseLink = rules.Text{Zh: "查看：%s", En: "Open: %s"}
)

// pick returns t in lang, falling back to the other language when one is empty.
func pick(t rules.Text, lang string) string {
	if lang == web.LangEN && t.En != "" || t.Zh == "" {
		return t.En
	}
	return t.Zh
}

// render is the title and the plain-text body of n in lang: the notice's own text, then
// its deadline as a Beijing date and the path of the thing it is about (made absolute by
// the sender, which knows the installation's address).
func render(n kernel.Notice, lang string) (title, body string) {
	var b strings.Builder
	b.WriteString(pick(n.Body, lang))
	if !n.Due.IsZero() {
		if b.Len() > 0 {
			b.WriteString("\n\n")
		}
		b.WriteString(strings.Replace(pick(phraseDue, lang), "%s", dueDate(n.Due), 1))
	}
	return pick(n.Title, lang), b.String()
}

// withLink appends the link line to a body, with base (the installation's address) before
// the path; a body without a link is returned as it is.
func withLink(body, lang, base, link string) string {
	if link == "" {
		return body
	}
	line := strings.Replace(pick(phraseLink, lang), "%s", strings.TrimRight(base, "/")+link, 1)
	if body == "" {
		return line
	}
	return body + "\n" + line
}
