package obligations

import (
	"context"
	"strings"
	"testing"
	"time"

	"ciiguard/internal/catalog"
)

// TestEveryDraftDutyAdoptable writes the adoptions file with every duty of the catalog that
// exists only in a draft and loads it as a policy: each copy keeps its rule, texts and test
// cases (which still pass), cites the draft article it comes from, and
// links no penalty.
func TestEveryDraftDutyAdoptable(t *testing.T) {
	base, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, o := range base.Obligations {
		if base.DraftOnly(o) {
			ids = append(ids, o.ID)
		}
	}
	if len(ids) == 0 {
		t.Fatal("no draft-only duties in the catalog")
	}
	text, err := adoptionsYAML(base, ids, time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	c, err := catalog.LoadCustom(strings.NewReader(string(text)), "7")
	if err != nil {
		t.Fatalf("the adoptions file does not load: %v\n%s", err, text)
	}
	for _, r := range c.RunTests(context.Background()) {
		if !r.Passed() {
			t.Errorf("adopted copy: %s", r)
		}
	}
	if len(c.Obligations) != len(ids) {
		t.Fatalf("%d duties adopted, %d loaded", len(ids), len(c.Obligations))
	}
	for _, id := range ids {
		orig, _ := base.Obligation(id)
		o, ok := c.Obligation("ORG-7-ADOPTED-" + id)
		if !ok {
			t.Errorf("%s: no adopted copy", id)
			continue
		}
		if o.Check != orig.Check || o.Applies != orig.Applies || o.Title != orig.Title || len(o.Tests) != len(orig.Tests) {
			t.Errorf("%s: the copy differs from the draft duty", id)
		}
		if o.Penalty != "" {
			t.Errorf("%s: the copy links penalty %s", id, o.Penalty)
		}
		if len(o.Equivalents) != 1 || o.Equivalents[0].Version != orig.Instrument+":"+orig.Version || o.Equivalents[0].Article != orig.Article {
			t.Errorf("%s: the copy cites %+v, want the draft's article %s", id, o.Equivalents, orig.Article)
		}
	}
}
