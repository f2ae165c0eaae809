package review

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/xml"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"ciiguard/internal/kernel"
	"ciiguard/internal/kernel/cjkfont"
	"ciiguard/internal/store"
)

// documentText unzips a DOCX and returns the text of word/document.xml's runs, each
// paragraph on its own line — what Word shows, read without the code that wrote it.
func documentText(t *testing.T, b []byte) string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("not a zip: %v", err)
	}
	for _, f := range zr.File {
		if f.Name != "word/document.xml" {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		defer rc.Close()
		dec := xml.NewDecoder(rc)
		var out strings.Builder
		inText := false
		for {
			tok, err := dec.Token()
			if err == io.EOF {
				return out.String()
			}
			if err != nil {
				t.Fatalf("document.xml: %v", err)
			}
			switch e := tok.(type) {
			case xml.StartElement:
				inText = e.Name.Local == "t"
			case xml.EndElement:
				if e.Name.Local == "p" {
					out.WriteString("\n")
				}
				inText = false
			case xml.CharData:
				if inText {
					out.Write(e)
				}
			}
		}
	}
	t.Fatal("no word/document.xml")
	return ""
}

// TestAnnexDOCX: the bid annex (MIIT 2014 task 4) for a core router on a level-3 CII
// system says, in Chinese and in English, the level-3 baseline, the certification duty of
// CSL 2016 Art. 23, the CII duties of CIIR 2021 Arts. 19 and 20 and the review; the annex
// of office software for a level-2 system that is not CII has the baseline only.
func TestAnnexDOCX(t *testing.T) {
	router := Procurement{Title: "核心路由器扩容", Product: "NE40E-X16A", ProductType: "critical_network_equipment", Required: true,
		Systems: []SystemRef{{Name: "调度自动化系统", CII: true, MLPSLevel: 3}, {Name: "办公网", MLPSLevel: 2}}}
	office := Procurement{Title: "办公软件", Product: "WPS", ProductType: "software", Systems: []SystemRef{{Name: "办公网", MLPSLevel: 2}}}
	cases := []struct {
		name    string
		p       Procurement
		zh      bool
		want    []string
		notWant []string
	}{
		{"router zh", router, true, []string{"招标文件附件：网络安全要求", "用于系统：调度自动化系统（等级保护第3级，已认定的关键信息基础设施）",
			"1. 所投产品和服务应满足《信息安全技术 网络安全等级保护基本要求》（GB/T 22239-2019）第3级", "《网络安全法》（2016）第23条",
			"《关键信息基础设施安全保护条例》第19条", "《关键信息基础设施安全保护条例》第20条", "须申报网络安全审查", "工信部保〔2014〕368号"}, nil},
		{"router en", router, false, []string{"Bid documents annex: security requirements", "MLPS level 3 (GB/T 22239-2019)", "CSL 2016 Art. 23",
			"CIIR 2021 Art. 19", "CIIR 2021 Art. 20", "must go through the cybersecurity review", "MIIT 2014 No. 368"}, nil},
		{"office zh", office, true, []string{"第2级的安全要求"}, []string{"第19条", "第20条", "第23条", "网络安全审查"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b, err := BuildAnnex(tc.p, TypeCertDuty(tc.p.ProductType), tc.zh).DOCX()
			if err != nil {
				t.Fatal(err)
			}
			text := documentText(t, b)
			for _, w := range tc.want {
				if !strings.Contains(text, w) {
					t.Errorf("the annex lacks %q:\n%s", w, text)
				}
			}
			for _, w := range tc.notWant {
				if strings.Contains(text, w) {
					t.Errorf("the annex says %q:\n%s", w, text)
				}
			}
		})
	}
}

// TestAnnexPDF: the same annexes as PDF, read back with pdftotext (poppler, not the code that
// wrote them): the Chinese comes out as Chinese (the font is embedded), the router's annex
// has every duty in both languages, the office purchase's the baseline only.
func TestAnnexPDF(t *testing.T) {
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("pdftotext missing: scripts/install-test-deps.sh installs poppler-utils")
	}
	font, err := (&cjkfont.Loader{}).Load()
	if err != nil {
		t.Skipf("no CJK font (scripts/install-test-deps.sh installs fonts-wqy-microhei): %v", err)
	}
	router := Procurement{Title: "核心路由器扩容", Product: "NE40E-X16A", ProductType: "critical_network_equipment", Required: true,
		Systems: []SystemRef{{Name: "调度自动化系统", CII: true, MLPSLevel: 3}, {Name: "办公网", MLPSLevel: 2}}}
	office := Procurement{Title: "办公软件", Product: "WPS", ProductType: "software", Systems: []SystemRef{{Name: "办公网", MLPSLevel: 2}}}
	for _, tc := range []struct {
		name    string
		p       Procurement
		zh      bool
		want    []string
		notWant []string
	}{
		{"router zh", router, true, []string{"招标文件附件：网络安全要求", "用于系统：调度自动化系统（等级保护第3级，已认定的关键信息基础设施）",
			"1. 所投产品和服务应满足《信息安全技术 网络安全等级保护基本要求》（GB/T 22239-2019）第3级", "《网络安全法》（2016）第23条",
			"《关键信息基础设施安全保护条例》第19条", "《关键信息基础设施安全保护条例》第20条", "须申报网络安全审查", "工信部保〔2014〕368号"}, nil},
		{"router en", router, false, []string{"Bid documents annex: security requirements", "MLPS level 3 (GB/T 22239-2019)", "CSL 2016 Art. 23",
			"CIIR 2021 Art. 19", "CIIR 2021 Art. 20", "must go through the cybersecurity review", "MIIT 2014 No. 368", "调度自动化系统"}, nil},
		{"office zh", office, true, []string{"第2级的安全要求"}, []string{"第19条", "第20条", "第23条", "网络安全审查"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, err := BuildAnnex(tc.p, TypeCertDuty(tc.p.ProductType), tc.zh).PDF(font)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.HasPrefix(b, []byte("%PDF-")) || !bytes.Contains(b, []byte("/FontFile2")) {
				t.Fatal("not a PDF with an embedded TrueType font")
			}
			p := filepath.Join(t.TempDir(), "annex.pdf")
			if err := os.WriteFile(p, b, 0o600); err != nil {
				t.Fatal(err)
			}
			out, err := exec.Command("pdftotext", "-enc", "UTF-8", p, "-").Output()
			if err != nil {
				t.Fatalf("pdftotext: %v", err)
			}
			// Lines wrap where the page ends: compare without white space.
			text := strings.Join(strings.Fields(string(out)), "")
			for _, w := range tc.want {
				if !strings.Contains(text, strings.Join(strings.Fields(w), "")) {
					t.Errorf("the PDF lacks %q; pdftotext read:\n%s", w, out)
				}
			}
			for _, w := range tc.notWant {
				if strings.Contains(text, w) {
					t.Errorf("the PDF says %q:\n%s", w, out)
				}
			}
		})
	}
}

// registry is a product register of one product, as the suppliers capability answers it.
type registry struct{ ref kernel.ProductRef }

func (r registry) Product(_ context.Context, id int64) (kernel.ProductRef, error) {
	if id != r.ref.ID {
		return kernel.ProductRef{}, store.ErrNotFound
	}
	return r.ref, nil
}

func (r registry) Products(context.Context) ([]kernel.ProductRef, error) {
	return []kernel.ProductRef{r.ref}, nil
}

// TestAnnexFollowsTheCatalogue: for a registered product the certification item follows the
// register's answer through kernel.Products, not the product's kind: a core router in the
// catalogue's router range gets the item naming the category and CSL 2016 Art. 23 / 2025
// Art. 25; a WAN router below the range (critical network equipment by kind) gets none; a
// product typed by hand keeps the kind's rule.
func TestAnnexFollowsTheCatalogue(t *testing.T) {
	p := Procurement{Title: "路由器采购", ProductID: 7, Product: "NE8000", ProductType: "critical_network_equipment",
		Systems: []SystemRef{{Name: "调度数据网", CII: true, MLPSLevel: 3}}}
	cases := []struct {
		name    string
		ref     kernel.ProductRef
		typed   bool
		zh      bool
		want    []string
		notWant []string
	}{
		{"core router in range, zh", kernel.ProductRef{ID: 7, NeedsCert: true, CategoryZh: "路由器", CategoryEn: "Router"}, false, true,
			[]string{"《网络关键设备和网络安全专用产品目录》（2023年）所列“路由器”", "《网络安全法》（2016）第23条，2025年修正后第25条"}, nil},
		{"core router in range, en", kernel.ProductRef{ID: 7, NeedsCert: true, CategoryZh: "路由器", CategoryEn: "Router"}, false, false,
			[]string{`category "Router" of the Catalogue`, "CSL 2016 Art. 23, Art. 25 as amended in 2025"}, nil},
		{"WAN router below the range", kernel.ProductRef{ID: 7, NeedsCert: false, CategoryZh: "路由器"}, false, true, nil, []string{"第23条", "目录"}},
		{"typed by hand", kernel.ProductRef{}, true, true, []string{"《网络安全法》（2016）第23条"}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := &Service{products: registry{tc.ref}}
			q := p
			if tc.typed {
				q.ProductID = 0
			}
			a, err := s.Annex(context.Background(), q, tc.zh)
			if err != nil {
				t.Fatal(err)
			}
			text := a.Text()
			for _, w := range tc.want {
				if !strings.Contains(text, w) {
					t.Errorf("the annex lacks %q:\n%s", w, text)
				}
			}
			for _, w := range tc.notWant {
				if strings.Contains(text, w) {
					t.Errorf("the annex says %q:\n%s", w, text)
				}
			}
		})
	}
}
