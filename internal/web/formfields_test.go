package web

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// formfieldsTodo lists, per template, how many form controls do not yet go through the
// "field" partial's wiring (partials.html): the forms written before the partial existed.
// The list may only shrink: a template with more unwired controls than listed (a new form
// written by hand) fails, and so does one with fewer (convert, then lower the count).
const formfieldsTodo = "testdata/formfields-todo.txt"

var (
	controlRe = regexp.MustCompile(`(?s)<(input|select|textarea)\b(.*?)>`)
	typeRe    = regexp.MustCompile(`\btype="(hidden|submit|button|reset|image)"`)
	ariaRe    = regexp.MustCompile(`\.Aria ((?:"[^"]*"|\$\w+)) ((?:"[^"]*"|\$\w+))`)
)

// unwiredControls returns, for one template's source, the form controls a person fills in
// (not hidden fields or buttons) that lack the partial's wiring, each as a line number and
// why: no aria attributes from View.Aria, or an Aria call whose error element (View.ErrFor
// with the same id and error key) the template never writes, so aria-describedby would
// point at nothing when the field is refused.
func unwiredControls(src string) []string {
	var out []string
	for _, m := range controlRe.FindAllStringSubmatchIndex(src, -1) {
		attrs := src[m[4]:m[5]]
		if typeRe.MatchString(attrs) {
			continue
		}
		line := strings.Count(src[:m[0]], "\n") + 1
		a := ariaRe.FindStringSubmatch(attrs)
		switch {
		case a == nil:
			out = append(out, fmt.Sprintf("line %d: <%s> without .Aria (use the field partial)", line, src[m[2]:m[3]]))
		case !strings.Contains(src, ".ErrFor "+a[1]+" "+a[2]):
			out = append(out, fmt.Sprintf("line %d: .Aria %s %s without its .ErrFor %s %s", line, a[1], a[2], a[1], a[2]))
		}
	}
	return out
}

// TestFormFieldsUseThePartial walks every capability's templates (and the kernel's) and
// counts the form controls that are not wired as the field partial wires them (label,
// control with aria-invalid and aria-describedby, error element with the id they name);
// the counts must equal the reviewed list, which only shrinks.
func TestFormFieldsUseThePartial(t *testing.T) {
	files, err := filepath.Glob("../*/templates/*.html")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 50 {
		t.Fatalf("found %d templates under ../*/templates; the walk is broken", len(files))
	}
	todo := readTodo(t)
	got := map[string][]string{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if u := unwiredControls(string(b)); len(u) > 0 {
			got[strings.TrimPrefix(filepath.ToSlash(f), "../")] = u
		}
	}
	names := make([]string, 0, len(got)+len(todo))
	for f := range got {
		names = append(names, f)
	}
	for f := range todo {
		if _, ok := got[f]; !ok {
			names = append(names, f)
		}
	}
	sort.Strings(names)
	for _, f := range names {
		n, want := len(got[f]), todo[f]
		switch {
		case n > want:
			t.Errorf("%s: %d form controls not wired as the field partial wires them (%d allowed in %s):\n  %s",
				f, n, want, formfieldsTodo, strings.Join(got[f], "\n  "))
		case n < want:
			t.Errorf("%s: %d unwired form controls, fewer than the %d listed in %s: lower the count there", f, n, want, formfieldsTodo)
		}
	}
}

// readTodo reads "count path" lines (# comments allowed).
func readTodo(t *testing.T) map[string]int {
	t.Helper()
	f, err := os.Open(formfieldsTodo)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	todo := map[string]int{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		n, path, ok := strings.Cut(line, " ")
		c, err := strconv.Atoi(n)
		if !ok || err != nil || c <= 0 {
			t.Fatalf("%s: bad line %q (want \"count path\")", formfieldsTodo, line)
		}
		todo[path] = c
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return todo
}

// TestUnwiredControls is the oracle's own check on hand-written snippets.
func TestUnwiredControls(t *testing.T) {
	for _, c := range []struct {
		src  string
		want int
	}{
		{`<input type="hidden" name="_csrf"><button type="submit">x</button><input type="submit" value="go">`, 0},
		{`<input id="a" name="a" {{$.Aria "a" "a" ""}}>{{$.ErrFor "a" "a"}}`, 0},
		{`<input id="a" name="a">`, 1},
		{`<select id="k" name="k"><option>1</option></select>`, 1},
		{`<textarea id="n" name="n" {{$.Aria "n" "n" ""}}></textarea>`, 1}, // no error element
		{`<input id="a" name="a" {{$.Aria "a" "a" ""}}>{{$.ErrFor "a" "b"}}`, 1},
		{"<input id=\"a\"\n name=\"a\"\n type=\"date\">", 1},
		{`{{template "field" (dict "View" $ "Name" "owner")}}`, 0},
	} {
		if got := unwiredControls(c.src); len(got) != c.want {
			t.Errorf("%q: %d unwired %v, want %d", c.src, len(got), got, c.want)
		}
	}
}
