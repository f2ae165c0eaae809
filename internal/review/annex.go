package review

import (
	"fmt"
	"strings"
)

// Annex is the security-requirements annex of a purchase's bid documents, in one language:
// what MIIT 2014 (工信部保〔2014〕368号) task 4 asks telecom and internet operators to state
// when they buy key hardware and software, drawn from the systems' MLPS levels, their CII
// status, the product's certification duty and the review duty.
type Annex struct {
	Title    string
	Purchase []string // what is bought, for which systems
	Items    []string // the requirements, numbered in order
	Basis    string
}

// BuildAnnex writes the annex of p, whose product has the certification duty cert, in
// Chinese (zh true) or English.
func BuildAnnex(p Procurement, cert CertDuty, zh bool) Annex {
	pick := func(z, e string) string {
		if zh {
			return z
		}
		return e
	}
	a := Annex{
		Title: pick("招标文件附件：网络安全要求", "Bid documents annex: security requirements"),
		Basis: pick("依据：《工业和信息化部关于加强电信和互联网行业网络安全工作的指导意见》（工信部保〔2014〕368号）重点任务四：关键软硬件采购招标文件应明确安全要求。",
			"Basis: MIIT Guiding Opinions on Strengthening Network Security in the Telecom and Internet Sectors (MIIT 2014 No. 368), key task 4: bid documents for key hardware and software state the security requirements."),
	}
	a.Purchase = append(a.Purchase, fmt.Sprintf(pick("采购事项：%s", "Purchase: %s"), p.Title),
		fmt.Sprintf(pick("产品或服务：%s", "Product or service: %s"), p.Product))
	level := int64(0)
	cii := p.CII()
	for _, s := range p.Systems {
		status := pick("非关键信息基础设施", "not CII")
		if s.CII {
			status = pick("已认定的关键信息基础设施", "identified CII")
		}
		lv := pick("未定级", "not graded")
		if s.MLPSLevel > 0 {
			lv = fmt.Sprintf(pick("等级保护第%d级", "MLPS level %d"), s.MLPSLevel)
		}
		a.Purchase = append(a.Purchase, fmt.Sprintf(pick("用于系统：%s（%s，%s）", "For the system: %s (%s, %s)"), s.Name, lv, status))
		level = max(level, s.MLPSLevel)
	}
	if level > 0 {
		a.Items = append(a.Items, fmt.Sprintf(pick("所投产品和服务应满足《信息安全技术 网络安全等级保护基本要求》（GB/T 22239-2019）第%d级的安全要求，并配合采购人开展等级测评。",
			"The products and services offered meet the security requirements of MLPS level %d (GB/T 22239-2019) and the bidder supports the purchaser's level testing."), level))
	}
	if cert.Needs && cert.CategoryZh != "" {
		a.Items = append(a.Items, fmt.Sprintf(pick("所投产品属于《网络关键设备和网络安全专用产品目录》（2023年）所列“%s”，应按照相关国家标准的强制性要求，由具备资格的机构安全认证合格或者安全检测符合要求，投标时提供有效证书（《网络安全法》（2016）第23条，2025年修正后第25条）。",
			"The product offered falls in the category \"%s\" of the Catalogue of Critical Network Equipment and Dedicated Network Security Products (2023): it is certified or tested by a qualified body against the mandatory national standards and the bid includes the valid certificate (CSL 2016 Art. 23, Art. 25 as amended in 2025)."), pick(cert.CategoryZh, cert.CategoryEn)))
	} else if cert.Needs {
		a.Items = append(a.Items, pick("网络关键设备和网络安全专用产品应按照相关国家标准的强制性要求，由具备资格的机构安全认证合格或者安全检测符合要求，投标时提供有效证书（《网络安全法》（2016）第23条）。",
			"Critical network equipment and network security products are certified or tested by a qualified body against the mandatory national standards; the bid includes the valid certificate (CSL 2016 Art. 23)."))
	}
	if cii {
		a.Items = append(a.Items,
			pick("本项采购用于关键信息基础设施：投标人应优先提供安全可信的网络产品和服务（《关键信息基础设施安全保护条例》第19条）。",
				"This purchase is for critical information infrastructure: the bidder offers secure and trusted network products and services (CIIR 2021 Art. 19)."),
			pick("中标人应与采购人签订安全保密协议，明确技术支持和安全保密义务与责任，并接受履约监督（《关键信息基础设施安全保护条例》第20条）。",
				"The winning bidder signs a security and confidentiality agreement setting out its technical-support and confidentiality duties, and accepts monitoring of their performance (CIIR 2021 Art. 20)."),
			pick("投标人应承诺配合网络安全审查，不利用提供产品和服务的便利条件非法获取用户数据、非法控制和操纵用户设备，无正当理由不中断产品供应或者必要的技术支持服务（《网络安全审查办法》（2022）第6条，条号待核）。",
				"The bidder undertakes to cooperate with the cybersecurity review and not to use its position to obtain user data, control or manipulate user devices, or cut off supply or necessary support without good reason (CSR 2022 Art. 6, article number unconfirmed)."))
	}
	if p.Required {
		a.Items = append(a.Items, pick("本项采购可能影响国家安全，须申报网络安全审查；审查通过前不签订合同、不投入使用（《网络安全审查办法》（2022）第5条；《关键信息基础设施安全保护条例》第19条）。",
			"This purchase may affect national security and must go through the cybersecurity review; no contract is signed and nothing goes into use before the review clears it (CSR 2022 Art. 5; CIIR 2021 Art. 19)."))
	}
	if len(a.Items) == 0 {
		a.Items = append(a.Items, pick("所投产品和服务应符合国家网络安全相关法律法规和标准的要求。", "The products and services offered comply with China's cybersecurity laws, regulations and standards."))
	}
	return a
}

// Text is the annex as plain text, one paragraph a line.
func (a Annex) Text() string {
	var b strings.Builder
	b.WriteString(a.Title + "\n")
	for _, l := range a.Purchase {
		b.WriteString(l + "\n")
	}
	for i, it := range a.Items {
		fmt.Fprintf(&b, "%d. %s\n", i+1, it)
	}
	b.WriteString(a.Basis + "\n")
	return b.String()
}
