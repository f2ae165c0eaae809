package catalog

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
)

// Framework is another control catalog imported from OSCAL (for example NIST SP 800-53, ISO
// 27001 or a company's control set), kept beside ciiguard's obligations so that users can map
// their controls to ours.
type Framework struct {
	ID       string             // chosen by the caller, e.g. "NIST-800-53"
	Title    string             // from the OSCAL metadata
	Version  string             // from the OSCAL metadata
	Controls []FrameworkControl // in document order, nested controls flattened after their parent
	byID     map[string]int
}

// FrameworkControl is one control of an imported framework.
type FrameworkControl struct {
	ID        string
	Title     string
	Group     string // title of the enclosing group, if any
	Parent    string // id of the parent control for enhancements such as AC-2(1)
	Statement string // the statement part's prose, parts joined
	Label     string // the "label" prop, e.g. "AC-2"
}

// Control looks a control up by id.
func (f *Framework) Control(id string) (FrameworkControl, bool) {
	i, ok := f.byID[id]
	if !ok {
		return FrameworkControl{}, false
	}
	return f.Controls[i], true
}

// maxOSCALSize bounds an imported document; SP 800-53 rev. 5 in full is about 10 MB.
const maxOSCALSize = 64 << 20

// tokenRE is OSCAL's token datatype, which control ids must match.
var tokenRE = regexp.MustCompile(`^(\p{L}|_)(\p{L}|\p{N}|[.\-_])*$`)

// ImportOSCAL reads an OSCAL catalog (JSON) as a framework. Unknown fields are ignored, since
// catalogs carry much ciiguard does not use; missing required fields, malformed ids and
// duplicate control ids are errors.
func ImportOSCAL(r io.Reader, id string) (*Framework, error) {
	if strings.TrimSpace(id) == "" {
		return nil, errors.New("catalog: import OSCAL: framework id is empty")
	}
	b, err := io.ReadAll(io.LimitReader(r, maxOSCALSize+1))
	if err != nil {
		return nil, fmt.Errorf("catalog: import OSCAL %s: read: %w", id, err)
	}
	if len(b) > maxOSCALSize {
		return nil, fmt.Errorf("catalog: import OSCAL %s: document larger than %d bytes", id, maxOSCALSize)
	}
	var doc struct {
		Catalog *struct {
			UUID     string `json:"uuid"`
			Metadata struct {
				Title   string `json:"title"`
				Version string `json:"version"`
			} `json:"metadata"`
			Groups   []importGroup   `json:"groups"`
			Controls []importControl `json:"controls"`
		} `json:"catalog"`
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("catalog: import OSCAL %s: %w", id, err)
	}
	if doc.Catalog == nil {
		return nil, fmt.Errorf("catalog: import OSCAL %s: not an OSCAL catalog (no \"catalog\" member)", id)
	}
	if doc.Catalog.Metadata.Title == "" {
		return nil, fmt.Errorf("catalog: import OSCAL %s: metadata.title is missing", id)
	}
	f := &Framework{ID: id, Title: doc.Catalog.Metadata.Title, Version: doc.Catalog.Metadata.Version, byID: map[string]int{}}
	var errs []error
	var walkControls func(cs []importControl, group, parent, path string, depth int)
	walkControls = func(cs []importControl, group, parent, path string, depth int) {
		if depth > 32 {
			errs = append(errs, fmt.Errorf("%s: controls nested too deeply", path))
			return
		}
		for i, c := range cs {
			p := fmt.Sprintf("%s.controls[%d]", path, i)
			switch {
			case c.ID == "" || c.Title == "":
				errs = append(errs, fmt.Errorf("%s: control needs an id and a title", p))
				continue
			case !tokenRE.MatchString(c.ID):
				errs = append(errs, fmt.Errorf("%s: control id %q is not an OSCAL token", p, c.ID))
				continue
			}
			if _, dup := f.byID[c.ID]; dup {
				errs = append(errs, fmt.Errorf("%s: duplicate control id %q", p, c.ID))
				continue
			}
			fc := FrameworkControl{ID: c.ID, Title: c.Title, Group: group, Parent: parent, Statement: statementOf(c.Parts, 0)}
			for _, pr := range c.Props {
				if pr.Name == "label" && fc.Label == "" {
					fc.Label = pr.Value
				}
			}
			f.byID[c.ID] = len(f.Controls)
			f.Controls = append(f.Controls, fc)
			walkControls(c.Controls, group, c.ID, p, depth+1)
		}
	}
	var walkGroups func(gs []importGroup, path string, depth int)
	walkGroups = func(gs []importGroup, path string, depth int) {
		if depth > 32 {
			errs = append(errs, fmt.Errorf("%s: groups nested too deeply", path))
			return
		}
		for i, g := range gs {
			p := fmt.Sprintf("%s.groups[%d]", path, i)
			if g.Title == "" {
				errs = append(errs, fmt.Errorf("%s: group needs a title", p))
			}
			walkControls(g.Controls, g.Title, "", p, 0)
			walkGroups(g.Groups, p, depth+1)
		}
	}
	walkGroups(doc.Catalog.Groups, "catalog", 0)
	walkControls(doc.Catalog.Controls, "", "", "catalog", 0)
	if len(errs) > 0 {
		return nil, fmt.Errorf("catalog: import OSCAL %s: %w", id, errors.Join(errs...))
	}
	if len(f.Controls) == 0 {
		return nil, fmt.Errorf("catalog: import OSCAL %s: no controls", id)
	}
	return f, nil
}

type importGroup struct {
	ID       string          `json:"id"`
	Title    string          `json:"title"`
	Groups   []importGroup   `json:"groups"`
	Controls []importControl `json:"controls"`
}

type importControl struct {
	ID       string          `json:"id"`
	Title    string          `json:"title"`
	Props    []OSCALProp     `json:"props"`
	Parts    []importPart    `json:"parts"`
	Controls []importControl `json:"controls"`
}

type importPart struct {
	Name  string       `json:"name"`
	Prose string       `json:"prose"`
	Parts []importPart `json:"parts"`
}

// statementOf collects the prose of the statement part and its items.
func statementOf(parts []importPart, depth int) string {
	if depth > 16 {
		return ""
	}
	var out []string
	for _, p := range parts {
		if depth == 0 && p.Name != "statement" {
			continue
		}
		if s := strings.TrimSpace(p.Prose); s != "" {
			out = append(out, s)
		}
		if s := statementOf(p.Parts, depth+1); s != "" {
			out = append(out, s)
		}
	}
	return strings.Join(out, "\n")
}

// Relation says how much of an obligation a mapped control covers.
type Relation string

// Relations a mapping may state, after the set-theoretic relationships used by NIST's OLIR.
const (
	RelEquivalent Relation = "equivalent" // the control and the obligation ask for the same thing
	RelSubset     Relation = "subset"     // the control covers part of the obligation
	RelSuperset   Relation = "superset"   // the control asks for more than the obligation
	RelRelated    Relation = "related"    // they overlap without one containing the other
)
