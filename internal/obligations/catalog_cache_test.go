package obligations

import (
	"reflect"
	"testing"

	"ciiguard/internal/rules"
)

// cacheProbeFacts is a fact set only this test declares.
type cacheProbeFacts struct {
	Drills int64 `cel:"drills" label:"演练次数|drills"`
}

// TestInstallationsShareTheLoadedCatalog: installations whose engines see the same fact
// sets get the one catalog loaded first (not a fresh parse and compile each), and a
// different set of facts gets a catalog of its own, whose engine knows that set while the
// shared one does not.
func TestInstallationsShareTheLoadedCatalog(t *testing.T) {
	probe := rules.FactSet{Name: "cache_probe", Type: reflect.TypeOf(cacheProbeFacts{}), Doc: "test"}
	a, err := loadCatalog(nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := loadCatalog([]rules.FactSet{})
	if err != nil {
		t.Fatal(err)
	}
	if a != b {
		t.Errorf("two installations with the same fact sets loaded the catalog twice")
	}
	c, err := loadCatalog([]rules.FactSet{probe})
	if err != nil {
		t.Fatal(err)
	}
	if c == a {
		t.Fatalf("an installation with another fact set got the catalog compiled without it")
	}
	knows := func(e *rules.Engine) bool {
		for _, s := range e.FactSets() {
			if s.Name == probe.Name {
				return true
			}
		}
		return false
	}
	if !knows(c.Engine()) || knows(a.Engine()) {
		t.Errorf("the catalog with the extra fact set knows it: %v; the shared one: %v (want true, false)", knows(c.Engine()), knows(a.Engine()))
	}
	if d, _ := loadCatalog([]rules.FactSet{probe}); d != c {
		t.Errorf("the second installation with the extra fact set loaded the catalog again")
	}
}
