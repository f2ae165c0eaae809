package web

import (
	"html/template"
	"strings"
)

// Aria returns the attributes that tie the control with id to the refusal of field name,
// if the last submit had one, and to its hint, if hint is not empty:
// <select id="sector" name="sector" {{$.Aria "sector" "sector" ""}}>.
func (v *View) Aria(id, name, hint string) template.HTMLAttr {
	var by []string
	if hint != "" {
		by = append(by, id+"-hint")
	}
	invalid := v.Errors[name] != ""
	if invalid {
		by = append(by, id+"-error")
	}
	var b strings.Builder
	if invalid {
		b.WriteString(`aria-invalid="true"`)
	}
	if len(by) > 0 {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(`aria-describedby="` + template.HTMLEscapeString(strings.Join(by, " ")) + `"`)
	}
	return template.HTMLAttr(b.String())
}

// ErrFor returns the refusal of field name as the element Aria points to from the
// control with id, or nothing when the field was not refused.
func (v *View) ErrFor(id, name string) template.HTML {
	e := v.Errors[name]
	if e == "" {
		return ""
	}
	return template.HTML(`<div class="field-error" id="` + template.HTMLEscapeString(id) + `-error">` + template.HTMLEscapeString(e) + `</div>`)
}

// FormVal is Val for a page with several forms that share field names: the submitted
// value of name when the form submitted was form (its hidden _form field), "" otherwise.
func (v *View) FormVal(form, name string) string {
	if v.Form.Get("_form") != form {
		return ""
	}
	return v.Form.Get(name)
}

// Sent reports whether the page shows form again after refusing it (FieldErrorsIn): its
// controls then show what was typed rather than what is stored.
func (v *View) Sent(form string) bool { return v.Form.Get("_form") == form }

// FoldIndexed files each refusal of a list's item ("systems[2]", "locations[0].region")
// under the list's name as well, unless the list has its own: a form shows a list as one
// group of controls with one error beside it, while the API keeps the exact item.
func (v *View) FoldIndexed() {
	for k, e := range v.Errors {
		if list, _, ok := strings.Cut(k, "["); ok && list != "" && v.Errors[list] == "" {
			v.Errors[list] = e
		}
	}
}
