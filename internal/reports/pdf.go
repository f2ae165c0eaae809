package reports

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/go-pdf/fpdf"

	"ciiguard/internal/calendar"
	"ciiguard/internal/rules"
)

// Stamp is what the PDF prints besides the content: the SHA-256 of the JSON it was
// rendered from and the fingerprint of the installation's signing key.
type Stamp struct {
	JSONSHA256     string
	KeyFingerprint string
}

// Page geometry, in millimetres (A4).
const (
	pageW, pageH = 210.0, 297.0
	margin       = 15.0
	bodyW        = pageW - 2*margin
	bottom       = pageH - 20 // the footer lives below
	lineH        = 5.0
	// tableStart is the room a table needs below the cursor to begin on this page (its
	// header and a row of a few lines); a title keeps that much room below itself, so a
	// title never ends a page above a table that starts on the next.
	tableStart   = 2*lineH + 2 + 25
	maxCellLines = 30 // a longer cell is cut (the JSON has it whole), so a row fits a page
)

// PDF renders c in lang (zh-CN or en) with the CJK font embedded: a title page with the
// JSON's SHA-256 and the key fingerprint, a table of contents with page numbers, the
// sections, and tables whose rows are never split across pages (a row that does not fit
// moves to the next page under a repeated header). It renders twice: the first pass learns
// the page of every heading and the page count, the second prints them.
func PDF(font []byte, lang string, c Content, st Stamp) ([]byte, error) {
	first, err := render(font, lang, c, st, nil, 0)
	if err != nil {
		return nil, err
	}
	b, err := render(font, lang, c, st, first.pages, first.total)
	if err != nil {
		return nil, err
	}
	return b.out, nil
}

type rendered struct {
	out   []byte
	pages []int // the page of each heading, in order
	total int
}

// doc is one rendering pass.
type doc struct {
	p      *fpdf.Fpdf
	zh     bool
	widths map[rune]float64 // at the body font size
	size   float64
	pages  []int
}

func (d *doc) pick(t rules.Text) string {
	if d.zh {
		return t.Zh
	}
	return t.En
}

func (d *doc) l(zh, en string) string {
	if d.zh {
		return zh
	}
	return en
}

func render(font []byte, lang string, c Content, st Stamp, pages []int, total int) (rendered, error) {
	p := fpdf.New("P", "mm", "A4", "")
	d := &doc{p: p, zh: lang != "en", widths: map[rune]float64{}}
	p.SetCompression(true)
	p.AddUTF8FontFromBytes("cjk", "", font)
	if err := p.Error(); err != nil {
		return rendered{}, fmt.Errorf("load font: %w", err)
	}
	title := Title(c.Kind, c.Year)
	p.SetTitle(d.pick(title), true)
	p.SetAuthor(d.l(c.Organisation.NameZh, c.Organisation.NameEn), true)
	p.SetCreator("ciiguard", true)
	p.SetMargins(margin, margin, margin)
	p.SetAutoPageBreak(false, 0)
	p.SetFooterFunc(func() {
		if p.PageNo() == 1 {
			return
		}
		p.SetFont("cjk", "", 8)
		p.SetXY(margin, pageH-14)
		left := d.pick(title) + " · " + d.l("第"+strconv.Itoa(c.Version)+"版", "version "+strconv.Itoa(c.Version))
		p.CellFormat(bodyW/2, 5, left, "", 0, "L", false, 0, "")
		num := strconv.Itoa(p.PageNo())
		if total > 0 {
			num = d.l("第 "+num+" 页 / 共 "+strconv.Itoa(total)+" 页", "Page "+num+" of "+strconv.Itoa(total))
		}
		p.CellFormat(bodyW/2, 5, num, "", 0, "R", false, 0, "")
	})
	heads := d.headings(c)
	d.titlePage(c, st, title)
	d.toc(heads, pages)
	p.AddPage()
	for i, h := range heads {
		d.heading(i, h.title)
		h.body()
	}
	if err := p.Error(); err != nil {
		return rendered{}, fmt.Errorf("render PDF: %w", err)
	}
	var buf bytes.Buffer
	if err := p.Output(&buf); err != nil {
		return rendered{}, fmt.Errorf("write PDF: %w", err)
	}
	return rendered{out: buf.Bytes(), pages: d.pages, total: p.PageNo()}, nil
}

// Title is a report's title.
func Title(kind string, year int) rules.Text {
	y := strconv.Itoa(year)
	if kind == KindChange {
		return rules.Text{Zh: y + "年关键信息基础设施新建上线或重大变化安全评估报告", En: "Security assessment report on new operation or a major change, " + y}
	}
	return rules.Text{Zh: y + "年度关键信息基础设施网络安全检测和风险评估报告", En: "Annual CII security test and risk assessment report " + y}
}

type head struct {
	title string
	body  func()
}

func (d *doc) setSize(s float64) {
	if s != d.size {
		d.p.SetFont("cjk", "", s)
		d.size = s
		d.widths = map[rune]float64{}
	}
}

// wrap breaks s into lines no wider than w at the current font size: at a space when the
// line has one, else (Chinese) between any two characters.
func (d *doc) wrap(s string, w float64) []string {
	var out []string
	for _, para := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
		line, width, lastSpace := []rune{}, 0.0, -1
		for _, r := range para {
			rw, ok := d.widths[r]
			if !ok {
				rw = d.p.GetStringWidth(string(r))
				d.widths[r] = rw
			}
			if width+rw > w && len(line) > 0 {
				if r == ' ' {
					out = append(out, string(line))
					line, width, lastSpace = line[:0], 0, -1
					continue
				}
				if lastSpace > 0 {
					out = append(out, string(line[:lastSpace]))
					line = append([]rune{}, line[lastSpace+1:]...)
				} else {
					out = append(out, string(line))
					line = line[:0]
				}
				width, lastSpace = 0, -1
				for i, lr := range line {
					width += d.widths[lr]
					if lr == ' ' {
						lastSpace = i
					}
				}
			}
			if r == ' ' {
				lastSpace = len(line)
			}
			line = append(line, r)
			width += rw
		}
		out = append(out, string(line))
	}
	return out
}

// para writes text wrapped to the body width, breaking pages between lines.
func (d *doc) para(text string, size float64) {
	d.setSize(size)
	h := size * 0.5
	for _, ln := range d.wrap(text, bodyW) {
		if d.p.GetY()+h > bottom {
			d.p.AddPage()
		}
		d.p.SetX(margin)
		d.p.CellFormat(bodyW, h, ln, "", 1, "L", false, 0, "")
	}
}

func (d *doc) gap(h float64) {
	if d.p.GetY()+h > bottom {
		d.p.AddPage()
		return
	}
	d.p.Ln(h)
}

func (d *doc) heading(i int, title string) {
	d.setSize(13)
	if d.p.GetY()+13+tableStart > bottom { // a heading never ends a page: room for it and what follows
		d.p.AddPage()
	}
	d.gap(3)
	d.pages = append(d.pages, d.p.PageNo())
	d.p.Bookmark(title, 0, -1)
	d.p.SetX(margin)
	d.p.CellFormat(bodyW, 8, strconv.Itoa(i+1)+". "+title, "B", 1, "L", false, 0, "")
	d.gap(2)
}

// subheading writes a group's title, on a new page when what follows it (a line, or a
// table's header and first row) would not fit below it: a title never ends a page.
func (d *doc) subheading(title string) {
	if d.p.GetY()+7+tableStart > bottom {
		d.p.AddPage()
	}
	d.para(title, 11)
	d.gap(1)
}

// table writes rows under header; a row that would cross the page's end starts a new page
// with the header again, so no row is ever split.
func (d *doc) table(widths []float64, header []string, rows [][]string) {
	d.setSize(9)
	draw := func(cells []string, fill bool) {
		lines := make([][]string, len(cells))
		n := 1
		for i, c := range cells {
			lines[i] = d.wrap(c, widths[i]-2)
			if len(lines[i]) > maxCellLines {
				lines[i] = append(lines[i][:maxCellLines-1], "…")
			}
			n = max(n, len(lines[i]))
		}
		h := float64(n)*lineH + 1
		if d.p.GetY()+h > bottom {
			d.p.AddPage()
			if !fill {
				d.row(widths, header, true, d.wrapAll(widths, header))
			}
		}
		d.row(widths, cells, fill, lines)
	}
	// The header never ends a page alone: it needs room for itself and a row below.
	if d.p.GetY()+tableStart > bottom {
		d.p.AddPage()
	}
	draw(header, true)
	for _, r := range rows {
		draw(r, false)
	}
	d.gap(3)
}

func (d *doc) wrapAll(widths []float64, cells []string) [][]string {
	out := make([][]string, len(cells))
	for i, c := range cells {
		out[i] = d.wrap(c, widths[i]-2)
	}
	return out
}

func (d *doc) row(widths []float64, cells []string, fill bool, lines [][]string) {
	n := 1
	for _, l := range lines {
		n = max(n, len(l))
	}
	h := float64(n)*lineH + 1
	x, y := margin, d.p.GetY()
	if fill {
		d.p.SetFillColor(230, 234, 240)
	}
	for i := range cells {
		style := "D"
		if fill {
			style = "FD"
		}
		d.p.Rect(x, y, widths[i], h, style)
		for j, ln := range lines[i] {
			d.p.SetXY(x+1, y+0.5+float64(j)*lineH)
			d.p.CellFormat(widths[i]-2, lineH, ln, "", 0, "L", false, 0, "")
		}
		x += widths[i]
	}
	d.p.SetXY(margin, y+h)
}

func (d *doc) titlePage(c Content, st Stamp, title rules.Text) {
	p := d.p
	p.AddPage()
	d.setSize(20)
	p.SetY(60)
	for _, ln := range d.wrap(d.pick(title), bodyW) {
		p.CellFormat(bodyW, 10, ln, "", 1, "C", false, 0, "")
	}
	p.Ln(8)
	d.setSize(14)
	p.CellFormat(bodyW, 8, d.l(c.Organisation.NameZh, orDefault(c.Organisation.NameEn, c.Organisation.NameZh)), "", 1, "C", false, 0, "")
	p.Ln(20)
	state := d.l("草稿（未签发）", "Draft (not signed off)")
	if c.SignOff != nil {
		state = d.l("已签发：", "Signed off by ") + c.SignOff.By + d.l("，", " on ") + c.SignOff.At.In(calendar.Shanghai).Format("2006-01-02 15:04") + d.l("（北京时间）", " (China time)")
	}
	lines := []string{
		d.l("统一社会信用代码：", "Unified social credit code: ") + orDefault(c.Organisation.USCC, "—"),
		d.l("评估期间：", "Period: ") + c.From + d.l(" 至 ", " to ") + c.To,
		d.l("版本：第", "Version: ") + strconv.Itoa(c.Version) + d.l("版", ""),
		d.l("状态：", "State: ") + state,
		d.l("生成时间：", "Generated: ") + c.GeneratedAt.In(calendar.Shanghai).Format("2006-01-02 15:04") + d.l("（北京时间）", " (China time)"),
	}
	d.setSize(10)
	for _, ln := range lines {
		d.para(ln, 10)
	}
	p.Ln(10)
	d.para(d.l("本报告机器可读版本（JSON）的SHA-256：", "SHA-256 of this report's machine-readable version (JSON):"), 10)
	d.para(st.JSONSHA256, 9)
	p.Ln(3)
	d.para(d.l("本系统报送签名密钥（Ed25519）指纹（公钥的SHA-256）：", "Fingerprint of this installation's signing key (Ed25519; SHA-256 of the public key):"), 10)
	d.para(orDefault(st.KeyFingerprint, "—"), 9)
	p.Ln(3)
	d.para(d.l("核对方法：计算所附或所报送JSON文件的SHA-256，与上列数值一致即表明本PDF与JSON内容相同；报送签名以上述密钥验证。",
		"To check: the SHA-256 of the JSON filed with this PDF must equal the value above, which shows both say the same; the submission's signature verifies with the key above."), 9)
}

func (d *doc) toc(heads []head, pages []int) {
	p := d.p
	p.AddPage()
	d.setSize(16)
	p.CellFormat(bodyW, 10, d.l("目录", "Contents"), "", 1, "L", false, 0, "")
	p.Ln(3)
	d.setSize(11)
	for i, h := range heads {
		num := "…"
		if i < len(pages) {
			num = strconv.Itoa(pages[i])
		}
		p.SetX(margin)
		p.CellFormat(bodyW-20, 7, strconv.Itoa(i+1)+". "+h.title, "", 0, "L", false, 0, "")
		p.CellFormat(20, 7, num, "", 1, "R", false, 0, "")
	}
}

func orDefault(s, def string) string {
	if strings.TrimSpace(s) == "" {
		return def
	}
	return s
}

// StatusText names a finding status in both languages.
func StatusText(s string) rules.Text {
	switch s {
	case "met":
		return rules.Text{Zh: "符合", En: "met"}
	case "gap":
		return rules.Text{Zh: "差距", En: "gap"}
	case "overdue":
		return rules.Text{Zh: "逾期", En: "overdue"}
	case "not_applicable":
		return rules.Text{Zh: "不适用", En: "not applicable"}
	}
	return rules.Text{Zh: s, En: s}
}

func itoa(n int) string { return strconv.Itoa(n) }

// headings are the report's sections in order, each with the function that writes it.
func (d *doc) headings(c Content) []head {
	var hs []head
	sec := func(key string) Section {
		for _, s := range c.Sections {
			if s.Key == key {
				return s
			}
		}
		return Section{Key: key}
	}
	text := func(s Section) {
		t := d.l(s.Zh, s.En)
		if strings.TrimSpace(t) == "" {
			t = d.l("（评估人员尚未填写）", "(not yet written by the assessor)")
		}
		d.para(t, 10)
	}
	summary := sec("summary")
	hs = append(hs, head{d.pick(summary.Title), func() { text(summary) }})
	hs = append(hs, head{d.l("评估依据与范围", "Basis and scope"), func() { d.scope(c) }})
	hs = append(hs, head{d.l("检测评估发现（按领域）", "Findings by area"), func() { d.areas(c) }})
	hs = append(hs, head{d.l("未整改的问题及原因", "Open gaps and their reasons"), func() { d.open(c) }})
	hs = append(hs, head{d.l("整改计划", "Remediation plan"), func() { d.plan(c) }})
	hs = append(hs, head{d.l("本年度相关记录", "Records of the year"), func() { d.records(c) }})
	hs = append(hs, head{d.l("日志留存与签名检查点", "Log vault and its signed checkpoint"), func() { d.vault(c) }})
	for _, k := range []string{"method", "risks", "improvements", "conclusion"} {
		s := sec(k)
		hs = append(hs, head{d.pick(s.Title), func() { text(s) }})
	}
	hs = append(hs, head{d.l("签发", "Sign-off"), func() { d.signOff(c) }})
	return hs
}

func (d *doc) scope(c Content) {
	var basis []string
	for _, b := range c.Basis {
		basis = append(basis, d.pick(b))
	}
	d.para(d.l("依据：", "Basis: ")+strings.Join(basis, d.l("；", "; ")), 10)
	d.para(d.l("行业：", "Sectors: ")+orDefault(strings.Join(c.Organisation.Sectors, d.l("、", ", ")), "—")+d.l("；地区：", "; region: ")+orDefault(c.Organisation.Region, "—"), 10)
	s := c.Scope
	d.para(fmt.Sprintf(d.l("系统总数：%d；已认定关键信息基础设施：%d；有待认定的候选系统：%d。", "Systems: %d; identified CII: %d; CII candidates awaiting identification: %d."), s.Systems, s.Identified, s.Candidates), 10)
	d.gap(2)
	rows := [][]string{}
	for _, l := range s.Levels {
		lv := d.l("第"+strconv.FormatInt(l.Level, 10)+"级", "Level "+strconv.FormatInt(l.Level, 10))
		if l.Level == 0 {
			lv = d.l("未定级", "Not graded")
		}
		rows = append(rows, []string{lv, itoa(l.Systems), itoa(l.CII), itoa(l.Tested)})
	}
	d.table([]float64{45, 45, 45, 45}, []string{d.l("等级保护级别", "MLPS level"), d.l("系统数", "Systems"), d.l("其中关基", "Of which CII"), d.l("本期完成等级测评", "Level-tested in the period")}, rows)
	rows = rows[:0]
	for _, r := range s.CII {
		rows = append(rows, []string{strconv.FormatInt(r.ID, 10), r.Name, strconv.FormatInt(r.Level, 10), orDefault(r.IdentifiedOn, "—"), orDefault(r.LastMLPSTest, "—"), orDefault(r.Filing, "—")})
	}
	if len(rows) > 0 {
		d.para(d.l("已认定的关键信息基础设施：", "Identified CII systems:"), 10)
		d.table([]float64{15, 60, 15, 28, 28, 34}, []string{d.l("编号", "No."), d.l("系统名称", "System"), d.l("级别", "Level"), d.l("认定日期", "Identified"), d.l("最近等级测评", "Last level test"), d.l("备案编号", "Filing no.")}, rows)
	}
	if s.CIIOmitted > 0 {
		d.para(fmt.Sprintf(d.l("另有%d个已认定系统未逐一列出（完整清单见资产清单）。", "%d more identified systems are not listed one by one (see the inventory for the full list)."), s.CIIOmitted), 9)
	}
}

func (d *doc) counts(ct Counts) []string {
	return []string{itoa(ct.Met), itoa(ct.Gap), itoa(ct.Overdue), itoa(ct.NotApplicable), itoa(ct.Attest + ct.Error)}
}

func (d *doc) areas(c Content) {
	t := c.Findings.Totals
	d.para(fmt.Sprintf(d.l("共%d项检查结果：符合%d项，差距%d项，逾期%d项，不适用%d项，待证明或无法判断%d项。", "%d findings: %d met, %d gaps, %d overdue, %d not applicable, %d awaiting attestation or undetermined."),
		t.Met+t.Gap+t.Overdue+t.NotApplicable+t.Attest+t.Error, t.Met, t.Gap, t.Overdue, t.NotApplicable, t.Attest+t.Error), 10)
	d.gap(2)
	rows := [][]string{}
	for _, a := range c.Findings.Areas {
		rows = append(rows, append([]string{d.pick(a.Name)}, d.counts(a.Counts)...))
	}
	rows = append(rows, append([]string{d.l("合计", "Total")}, d.counts(t)...))
	d.table([]float64{50, 26, 26, 26, 26, 26}, []string{d.l("领域", "Area"), d.l("符合", "Met"), d.l("差距", "Gap"), d.l("逾期", "Overdue"), d.l("不适用", "N/A"), d.l("待证明/其他", "Attest/other")}, rows)
}

func (d *doc) open(c Content) {
	if len(c.Findings.Open) == 0 {
		d.para(d.l("无未整改的问题。", "No open gaps."), 10)
		return
	}
	rows := [][]string{}
	for _, o := range c.Findings.Open {
		rows = append(rows, []string{d.pick(o.Title) + "\n" + d.pick(o.Citation) + "\n" + o.ObligationID, d.pick(StatusText(o.Status)), itoa(o.Subjects), orDefault(o.Due, "—"), d.pick(o.Reason)})
	}
	d.table([]float64{52, 16, 14, 22, 76}, []string{d.l("义务", "Duty"), d.l("状态", "Status"), d.l("对象数", "Subjects"), d.l("期限", "Due"), d.l("原因", "Reason")}, rows)
}

func (d *doc) plan(c Content) {
	r := c.Remediation
	if !r.Available {
		d.para(d.l("本系统未启用整改任务功能，整改计划不可用。", "Not available: this installation keeps no remediation tasks."), 10)
		return
	}
	if len(r.Tasks) == 0 {
		d.para(d.l("无未完成的整改任务。", "No open remediation tasks."), 10)
		return
	}
	rows := [][]string{}
	for _, t := range r.Tasks {
		rows = append(rows, []string{strconv.FormatInt(t.ID, 10), t.Title, orDefault(t.Owner, "—"), t.Due, t.Status, orDefault(t.ObligationID, "—")})
	}
	d.table([]float64{14, 62, 26, 24, 18, 36}, []string{d.l("编号", "No."), d.l("任务", "Task"), d.l("负责人", "Owner"), d.l("完成期限", "Due"), d.l("状态", "Status"), d.l("对应义务", "Duty")}, rows)
	if r.More {
		d.para(fmt.Sprintf(d.l("仅列出期限最近的%d项任务。", "Only the %d tasks due soonest are listed."), MaxListed), 9)
	}
}

func (d *doc) records(c Content) {
	if len(c.Records) == 0 {
		d.para(d.l("无可用记录。", "No records available."), 10)
		return
	}
	for _, g := range c.Records {
		d.subheading(d.pick(g.Title))
		if g.Empty {
			d.para(d.l("无记录。", "Nothing recorded."), 10)
			continue
		}
		rows := [][]string{}
		for _, r := range g.Rows {
			rows = append(rows, []string{d.pick(r.Label), d.pick(r.Value)})
		}
		d.table([]float64{120, 60}, []string{d.l("项目", "Item"), d.l("数值", "Value")}, rows)
	}
}

func (d *doc) vault(c Content) {
	v := c.Vault
	if !v.Available {
		d.para(d.l("本系统未启用日志留存功能，此部分不可用。", "Not available: this installation keeps no log vault."), 10)
		return
	}
	d.table([]float64{70, 110}, []string{d.l("项目", "Item"), d.l("数值", "Value")}, [][]string{
		{d.l("日志留存天数", "Retention (days)"), strconv.FormatInt(v.RetentionDays, 10)},
		{d.l("日志来源数", "Log sources"), strconv.FormatInt(v.Sources, 10)},
		{d.l("检查点时的日志条数", "Events at the checkpoint"), strconv.FormatUint(v.Size, 10)},
		{d.l("默克尔树根（十六进制）", "Merkle root (hex)"), v.RootHex},
		{d.l("验证公钥", "Verifier key"), v.VerifierKey},
	})
	d.para(d.l("签名检查点：", "Signed checkpoint:"), 10)
	d.para(v.Checkpoint, 8)
}

func (d *doc) signOff(c Content) {
	if c.SignOff == nil {
		d.para(d.l("本版本尚未由安全管理负责人签发。", "This version has not been signed off by the security manager."), 10)
		return
	}
	d.para(d.l("签发人（安全管理负责人）：", "Signed off by (security manager): ")+c.SignOff.By, 10)
	d.para(d.l("签发时间：", "Signed off at: ")+c.SignOff.At.In(calendar.Shanghai).Format(time.DateTime)+d.l("（北京时间）", " (China time)"), 10)
}
