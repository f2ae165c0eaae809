package review

import (
	"bytes"
	"fmt"
	"mime"
	"net/http"
	"strconv"

	"github.com/gomutex/godocx"

	"ciiguard/internal/web"
)

// DOCX renders the annex as a Word document.
func (a Annex) DOCX() ([]byte, error) {
	doc, err := godocx.NewDocument()
	if err != nil {
		return nil, fmt.Errorf("new DOCX: %w", err)
	}
	if _, err := doc.AddHeading(a.Title, 1); err != nil {
		return nil, fmt.Errorf("DOCX heading: %w", err)
	}
	for _, l := range a.Purchase {
		doc.AddParagraph(l)
	}
	for i, it := range a.Items {
		doc.AddParagraph(strconv.Itoa(i+1) + ". " + it)
	}
	doc.AddParagraph(a.Basis)
	var buf bytes.Buffer
	if err := doc.Write(&buf); err != nil {
		return nil, fmt.Errorf("write DOCX: %w", err)
	}
	return buf.Bytes(), nil
}

// annexDOCX answers a procurement's bid annex as DOCX in ?lang= (zh-CN or en; the page's
// language by default).
func (m *Module) annexDOCX(w http.ResponseWriter, r *http.Request) error {
	id, err := web.IDParam(r, "id")
	if err != nil {
		return err
	}
	lang := annexLang(r)
	p, err := m.Procurement(r.Context(), id)
	if err != nil {
		return err
	}
	a, err := m.Annex(r.Context(), p, lang != web.LangEN)
	if err != nil {
		return err
	}
	b, err := a.DOCX()
	if err != nil {
		return err
	}
	name := fmt.Sprintf("bid-annex-%d-%s.docx", p.ID, lang)
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	_, err = w.Write(b)
	return err
}

// annexLang is the language an annex is asked for in: ?lang=zh-CN or en, else the page's.
func annexLang(r *http.Request) string {
	if l := r.URL.Query().Get("lang"); l == web.LangEN || l == web.LangZH {
		return l
	}
	return web.RequestLang(r)
}
