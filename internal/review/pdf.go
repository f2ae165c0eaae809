package review

import (
	"bytes"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strconv"

	"github.com/go-pdf/fpdf"

	"ciiguard/internal/kernel/cjkfont"
	"ciiguard/internal/kernel/pdftext"
	"ciiguard/internal/web"
)

// PDF renders the annex as an A4 PDF with the CJK TrueType font embedded, so that the
// Chinese is drawn and can be copied out again into the bid documents. Lines are broken by
// pdftext: fpdf's own MultiCell drops the Chinese character at which it breaks a line.
func (a Annex) PDF(font []byte) ([]byte, error) {
	p := fpdf.New("P", "mm", "A4", "")
	p.SetTitle(a.Title, true)
	p.AddUTF8FontFromBytes("cjk", "", font)
	if err := p.Error(); err != nil {
		return nil, fmt.Errorf("load font: %w", err)
	}
	p.SetMargins(20, 20, 20)
	p.AliasNbPages("")
	p.SetFooterFunc(func() {
		p.SetY(-15)
		p.SetFont("cjk", "", 8)
		p.CellFormat(0, 8, strconv.Itoa(p.PageNo())+" / {nb}", "", 0, "C", false, 0, "")
	})
	p.AddPage()
	p.SetFont("cjk", "", 16)
	pdftext.Para(p, a.Title, 9, "C")
	p.Ln(3)
	p.SetFont("cjk", "", 10.5)
	for _, l := range a.Purchase {
		pdftext.Para(p, l, 6, "L")
	}
	p.Ln(3)
	for i, it := range a.Items {
		pdftext.Para(p, strconv.Itoa(i+1)+". "+it, 6, "L")
		p.Ln(1.5)
	}
	p.Ln(3)
	p.SetFont("cjk", "", 9)
	pdftext.Para(p, a.Basis, 5, "L")
	var buf bytes.Buffer
	if err := p.Output(&buf); err != nil {
		return nil, fmt.Errorf("write PDF: %w", err)
	}
	return buf.Bytes(), nil
}

// annexPDF answers a procurement's bid annex as PDF in ?lang= (zh-CN or en; the page's
// language by default); 503 naming the fix when the installation has no CJK font.
func (m *Module) annexPDF(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	lang := annexLang(r)
	p, err := m.Procurement(r.Context(), id)
	if err != nil {
		return err
	}
	font, err := m.font.Load()
	if errors.Is(err, cjkfont.ErrNoFont) {
		m.d.Log.Error("bid annex PDF refused", "err", err)
		http.Error(w, m.t(r, "review.no_font"), http.StatusServiceUnavailable)
		return nil
	}
	if err != nil {
		return err
	}
	a, err := m.Annex(r.Context(), p, lang != web.LangEN)
	if err != nil {
		return err
	}
	b, err := a.PDF(font)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": fmt.Sprintf("bid-annex-%d-%s.pdf", p.ID, lang)}))
	_, err = w.Write(b)
	return err
}
