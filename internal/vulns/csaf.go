package vulns

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"ciiguard/internal/problem"
)

// The subset of a CSAF 2.0 advisory (OASIS Common Security Advisory Framework 2.0, the JSON
// a vendor publishes for its products) the import reads. Unknown members are ignored, as the
// standard allows; the members read are checked.
type csafDoc struct {
	Document struct {
		Category    string `json:"category"`
		CSAFVersion string `json:"csaf_version"`
		Title       string `json:"title"`
		Lang        string `json:"lang"`
		Publisher   struct {
			Name      string `json:"name"`
			Category  string `json:"category"`
			Namespace string `json:"namespace"`
		} `json:"publisher"`
		Distribution struct {
			TLP struct {
				Label string `json:"label"`
			} `json:"tlp"`
		} `json:"distribution"`
		Tracking struct {
			ID                 string `json:"id"`
			Status             string `json:"status"`
			Version            string `json:"version"`
			InitialReleaseDate string `json:"initial_release_date"`
			CurrentReleaseDate string `json:"current_release_date"`
		} `json:"tracking"`
	} `json:"document"`
	ProductTree struct {
		Branches         []csafBranch  `json:"branches"`
		FullProductNames []csafProduct `json:"full_product_names"`
	} `json:"product_tree"`
	Vulnerabilities []csafVuln `json:"vulnerabilities"`
}

type csafBranch struct {
	Category string       `json:"category"`
	Name     string       `json:"name"`
	Product  *csafProduct `json:"product"`
	Branches []csafBranch `json:"branches"`
}

type csafProduct struct {
	ProductID string `json:"product_id"`
	Name      string `json:"name"`
}

type csafVuln struct {
	CVE string `json:"cve"`
	IDs []struct {
		SystemName string `json:"system_name"`
		Text       string `json:"text"`
	} `json:"ids"`
	Title string `json:"title"`
	CWE   *struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	} `json:"cwe"`
	Notes []struct {
		Category string `json:"category"`
		Text     string `json:"text"`
		Title    string `json:"title"`
	} `json:"notes"`
	DiscoveryDate string `json:"discovery_date"`
	ReleaseDate   string `json:"release_date"`
	ProductStatus struct {
		KnownAffected []string `json:"known_affected"`
		FirstAffected []string `json:"first_affected"`
		LastAffected  []string `json:"last_affected"`
	} `json:"product_status"`
	Scores []struct {
		Products []string `json:"products"`
		CVSSV3   *struct {
			VectorString string `json:"vectorString"`
		} `json:"cvss_v3"`
		CVSSV4 *struct {
			VectorString string `json:"vectorString"`
		} `json:"cvss_v4"`
	} `json:"scores"`
}

// csafName is a product of the tree: vendor, name and version from its branches.
type csafName struct{ vendor, name, version string }

// walk collects the products of a branch tree with the vendor, product name and version
// their branches give, at most depth 30 deep (the standard sets none; an advisory nesting
// deeper is not a real one).
func walk(bs []csafBranch, at csafName, depth int, out map[string]csafName) error {
	if depth > 30 {
		return fmt.Errorf("branches are nested more than 30 deep")
	}
	for _, b := range bs {
		n := at
		switch b.Category {
		case "vendor":
			n.vendor = b.Name
		case "product_name", "product_family":
			if n.name == "" || b.Category == "product_name" {
				n.name = b.Name
			}
		case "product_version", "product_version_range":
			n.version = b.Name
		}
		if b.Product != nil && b.Product.ProductID != "" {
			if n.name == "" {
				n.name = b.Product.Name
			}
			out[b.Product.ProductID] = n
		}
		if err := walk(b.Branches, n, depth+1, out); err != nil {
			return err
		}
	}
	return nil
}

// Parsed is what a file holds: the vulnerabilities it will add and every line or field it
// will not, with the reason.
type Parsed struct {
	Document string    `json:"document"` // a CSAF advisory's tracking id and publisher
	Items    []Item    `json:"items"`
	Problems []Problem `json:"problems"`
}

// Item is one vulnerability a file holds: its line (CSV, counting the header as 1) or its
// index in the advisory's vulnerabilities (CSAF, from 0), and what it says.
type Item struct {
	Line int     `json:"line"`
	In   NewVuln `json:"in"`
	// Preview: the affected products as matched to the register and the systems they reach.
	Products []Affected  `json:"products,omitempty"`
	Systems  []SystemRef `json:"systems,omitempty"`
}

// Problem is one refusal: the line (or vulnerability index), the field and the reason, with
// its format and arguments for translation.
type Problem struct {
	Line   int    `json:"line"`
	Field  string `json:"field"`
	Reason string `json:"reason"`
	Format string `json:"format"`
	Args   []any  `json:"args,omitempty"`
}

// at is where the problems of line go.
func (p *Parsed) at(line int) lineSink { return lineSink{p: p, line: line} }

// lineSink adds problems of one line. Its method is Add, as problem.Invalid's, so that the
// installation's reason check finds the format literals given to it.
type lineSink struct {
	p    *Parsed
	line int
}

// Add records a problem of the line's field.
func (s lineSink) Add(field, format string, args ...any) {
	s.p.Problems = append(s.p.Problems, Problem{Line: s.line, Field: field, Reason: fmt.Sprintf(format, args...), Format: format, Args: args})
}

// MaxItems is the most vulnerabilities one import adds.
const MaxItems = 5000

// ParseCSAF reads a CSAF 2.0 advisory. A document that is not JSON, or not a CSAF 2.0
// security advisory, is one problem at line 0 naming the member; each vulnerability with
// something wrong is a problem naming vulnerabilities[i] and the member.
func ParseCSAF(b []byte) Parsed {
	var p Parsed
	var d csafDoc
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&d); err != nil {
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &se):
			p.at(0).Add("document", "is not JSON: syntax error at byte %d", se.Offset)
		case errors.As(err, &te):
			field := te.Field
			if field == "" {
				field = "document" // the whole document is not an object
			}
			p.at(0).Add(field, "has the wrong JSON type for a CSAF advisory")
		default:
			p.at(0).Add("document", "is not JSON: it ends early")
		}
		return p
	}
	if len(bytes.TrimSpace(b[dec.InputOffset():])) > 0 {
		p.at(0).Add("document", "has more after the advisory's JSON object")
		return p
	}
	doc := &d.Document
	if doc.CSAFVersion != "2.0" {
		p.at(0).Add("document.csaf_version", "must be 2.0, not %q", clip(doc.CSAFVersion))
	}
	for _, f := range []struct{ path, val string }{{"document.category", doc.Category}, {"document.title", doc.Title}, {"document.publisher.name", doc.Publisher.Name},
		{"document.tracking.id", doc.Tracking.ID}, {"document.tracking.status", doc.Tracking.Status}, {"document.tracking.initial_release_date", doc.Tracking.InitialReleaseDate}} {
		if strings.TrimSpace(f.val) == "" {
			p.at(0).Add(f.path, "is required by CSAF 2.0")
		}
	}
	if !problem.TextOK(doc.Title+doc.Publisher.Name+doc.Tracking.ID, false, 4000) {
		p.at(0).Add("document", "is not valid UTF-8 text, or holds a NUL character")
	}
	if doc.Tracking.InitialReleaseDate != "" {
		if _, ok := ParseTime(doc.Tracking.InitialReleaseDate); !ok {
			p.at(0).Add("document.tracking.initial_release_date", "is not an RFC 3339 date and time")
		}
	}
	if len(d.Vulnerabilities) == 0 {
		p.at(0).Add("vulnerabilities", "the advisory names no vulnerability")
	}
	if len(p.Problems) > 0 {
		return p
	}
	p.Document = clip(doc.Tracking.ID) + " · " + clip(doc.Publisher.Name)
	products := map[string]csafName{}
	if err := walk(d.ProductTree.Branches, csafName{}, 0, products); err != nil {
		p.at(0).Add("product_tree.branches", "%s", err.Error())
		return p
	}
	for _, fp := range d.ProductTree.FullProductNames {
		if fp.ProductID != "" {
			products[fp.ProductID] = csafName{name: fp.Name}
		}
	}
	tlp := strings.ToUpper(doc.Distribution.TLP.Label)
	disclosed := doc.Tracking.Status == "final" && (tlp == "" || tlp == "WHITE" || tlp == "CLEAR")
	for i, v := range d.Vulnerabilities {
		if i >= MaxItems {
			p.at(i).Add(fmt.Sprintf("vulnerabilities[%d]", i), "is beyond the first %d vulnerabilities of one import", MaxItems)
			break
		}
		at := fmt.Sprintf("vulnerabilities[%d].", i)
		in := NewVuln{CVE: v.CVE, Title: strings.TrimSpace(v.Title), Disclosed: disclosed}
		for _, id := range v.IDs {
			sys := strings.ToUpper(id.SystemName)
			switch {
			case strings.Contains(sys, "CNNVD"):
				in.CNNVD = id.Text
			case strings.Contains(sys, "CNVD"):
				in.CNVD = id.Text
			}
		}
		if in.Title == "" {
			in.Title = strings.TrimSpace(strings.TrimSpace(doc.Title + " " + v.CVE))
		}
		if v.CWE != nil {
			in.Nature = strings.TrimSpace(v.CWE.ID + " " + v.CWE.Name)
		}
		for _, n := range v.Notes {
			switch n.Category {
			case "description", "summary":
				if in.Description == "" {
					in.Description = n.Text
				}
			}
		}
		in.Harm = in.Description
		switch {
		case v.DiscoveryDate != "":
			in.DiscoveredAt = v.DiscoveryDate
		case v.ReleaseDate != "":
			in.DiscoveredAt = v.ReleaseDate
		default:
			in.DiscoveredAt = doc.Tracking.InitialReleaseDate
		}
		affected := slices.Concat(v.ProductStatus.KnownAffected, v.ProductStatus.FirstAffected, v.ProductStatus.LastAffected)
		ok := true
		var names []string
		seen := map[string]bool{}
		for j, pid := range affected {
			n, found := products[pid]
			if !found {
				p.at(i).Add(fmt.Sprintf("%sproduct_status.known_affected[%d]", at, j), "%q is not a product of the advisory's product tree", clip(pid))
				ok = false
				continue
			}
			key := n.name + "\x00" + n.version
			if seen[key] {
				continue
			}
			seen[key] = true
			in.Products = append(in.Products, ProductSpec{Name: n.name, Version: n.version})
			names = append(names, strings.TrimSpace(n.name+" "+n.version))
		}
		if len(affected) == 0 {
			p.at(i).Add(at+"product_status", "names no affected product (known_affected, first_affected or last_affected)")
			ok = false
		}
		in.Scope = strings.Join(names, "; ")
		for _, sc := range v.Scores {
			switch {
			case sc.CVSSV4 != nil && sc.CVSSV4.VectorString != "":
				in.CVSSVector = sc.CVSSV4.VectorString
			case sc.CVSSV3 != nil && sc.CVSSV3.VectorString != "" && in.CVSSVector == "":
				in.CVSSVector = sc.CVSSV3.VectorString
			}
		}
		if in.CVSSVector == "" {
			p.at(i).Add(at+"scores", "has no CVSS vector; record this vulnerability by hand with its severity")
			ok = false
		}
		if ok {
			p.Items = append(p.Items, Item{Line: i, In: in})
		}
	}
	return p
}

// clip shortens a value quoted in a reason.
func clip(s string) string {
	r := []rune(s)
	if len(r) > 80 {
		return string(r[:80]) + "…"
	}
	return s
}
