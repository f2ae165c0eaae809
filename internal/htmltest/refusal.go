package htmltest

import "strings"

// Refusal returns what a screen reader announces as the control with id's error: the
// control must say aria-invalid="true", and the text is that of the elements its
// aria-describedby names. ok is false when the control is missing or not marked invalid.
func (d Doc) Refusal(id string) (reason string, ok bool) {
	c := d.ID(id)
	if v, _ := c.Attr("aria-invalid"); v != "true" {
		return "", false
	}
	by, _ := c.Attr("aria-describedby")
	var texts []string
	for _, ref := range strings.Fields(by) {
		texts = append(texts, d.ID(ref).Text())
	}
	return strings.Join(texts, " "), true
}
