package incidents

import (
	"bytes"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strings"

	"github.com/go-pdf/fpdf"

	"ciiguard/internal/kernel/cjkfont"
	"ciiguard/internal/kernel/pdftext"
	"ciiguard/internal/web"
)

// PDF renders one report version in lang (zh-CN or en) as a PDF with the CJK font embedded.
// Lines are broken by pdftext: fpdf's MultiCell drops the Chinese character at each break.
func PDF(font []byte, lang, orgName string, in *Incident, rep Report) ([]byte, error) {
	zh := lang != web.LangEN
	pick := func(z, e string) string {
		if zh {
			return z
		}
		return e
	}
	p := fpdf.New("P", "mm", "A4", "")
	p.SetTitle(pick(KindZh(rep.Kind), KindEn(rep.Kind)), true)
	p.AddUTF8FontFromBytes("cjk", "", font)
	if err := p.Error(); err != nil {
		return nil, fmt.Errorf("load font: %w", err)
	}
	p.SetMargins(18, 18, 18)
	p.AddPage()
	p.SetFont("cjk", "", 16)
	title := pick("网络安全事件", "Cybersecurity incident ") + pick(KindZh(rep.Kind), strings.ToLower(KindEn(rep.Kind)))
	if rep.Kind == KindFollowUp {
		title += fmt.Sprintf(pick("（第%d次）", " no. %d"), rep.Number)
	}
	pdftext.Para(p, title, 9, "C")
	p.SetFont("cjk", "", 10)
	meta := []string{
		fmt.Sprintf(pick("报告单位：%s", "Organisation: %s"), orgName),
		fmt.Sprintf(pick("事件编号：%d　版本：%d", "Incident no. %d, version %d"), in.ID, rep.Version),
		fmt.Sprintf(pick("事件级别：%s", "Grade: %s"), pick(in.Grade().Zh(), in.Grade().En())),
		fmt.Sprintf(pick("发现时间：%s（北京时间）", "Detected: %s (China time)"), cst(in.DetectedAt)),
	}
	if rep.DueAt != nil {
		meta = append(meta, fmt.Sprintf(pick("报送时限：%s", "Due: %s"), cst(*rep.DueAt)))
	}
	if rep.SentAt != nil {
		var to []string
		for _, a := range rep.SentTo {
			to = append(to, pick(a.Zh(), a.En()))
		}
		meta = append(meta, fmt.Sprintf(pick("报送时间：%s　报送对象：%s", "Sent: %s to %s"), cst(*rep.SentAt), strings.Join(to, pick("、", ", "))))
	}
	for _, line := range meta {
		pdftext.Para(p, line, 6, "L")
	}
	p.Ln(3)
	for i, it := range ItemsOf(rep.Kind) {
		p.SetFont("cjk", "", 12)
		pdftext.Para(p, fmt.Sprintf("%d. %s", i+1, pick(it.Zh, it.En)), 7, "L")
		p.SetFont("cjk", "", 10)
		text := rep.Content.Text(lang, it.Key)
		switch {
		case rep.Content.Following(it.Key) && strings.TrimSpace(text) == "":
			text = pick(ToFollowZh, ToFollowEn)
		case strings.TrimSpace(text) == "":
			text = pick("（无）", "(none)")
		}
		pdftext.Para(p, text, 6, "L")
		p.Ln(2)
	}
	var buf bytes.Buffer
	if err := p.Output(&buf); err != nil {
		return nil, fmt.Errorf("write PDF: %w", err)
	}
	return buf.Bytes(), nil
}

// reportPDF answers one report version as a PDF in ?lang= (zh-CN or en; the page's language
// by default).
func (m *Module) reportPDF(w http.ResponseWriter, r *http.Request) error {
	id, rid, err := reportParams(r)
	if err != nil {
		return err
	}
	lang := web.RequestLang(r)
	if l := r.URL.Query().Get("lang"); l == web.LangEN || l == web.LangZH {
		lang = l
	}
	in, err := m.Get(r.Context(), id)
	if err != nil {
		return err
	}
	rep, err := m.Report(r.Context(), id, rid)
	if err != nil {
		return err
	}
	font, err := m.pdf.Load()
	if errors.Is(err, cjkfont.ErrNoFont) {
		m.d.Log.Error("PDF report refused", "err", err)
		http.Error(w, m.t(r, "incidents.no_font"), http.StatusServiceUnavailable)
		return nil
	}
	if err != nil {
		return err
	}
	zh, en := m.orgNames(r)
	org := zh
	if lang == web.LangEN && en != "" {
		org = en
	}
	b, err := PDF(font, lang, org, &in, rep)
	if err != nil {
		return err
	}
	name := fmt.Sprintf("incident-%d-%s-%d-v%d-%s.pdf", in.ID, rep.Kind, rep.Number, rep.Version, lang)
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	_, err = w.Write(b)
	return err
}
