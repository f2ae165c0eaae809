package web

import (
	"maps"
	"testing"
)

// TestFoldIndexed: a list item's refusal is filed under the list too, unless the list has
// its own; other keys are left alone.
func TestFoldIndexed(t *testing.T) {
	for _, c := range []struct{ in, want map[string]string }{
		{map[string]string{"systems[2]": "a"}, map[string]string{"systems[2]": "a", "systems": "a"}},
		{map[string]string{"locations[0].region": "r"}, map[string]string{"locations[0].region": "r", "locations": "r"}},
		{map[string]string{"assets": "own", "assets[1]": "item"}, map[string]string{"assets": "own", "assets[1]": "item"}},
		{map[string]string{"title": "t", "[0]": "x"}, map[string]string{"title": "t", "[0]": "x"}},
	} {
		v := &View{Errors: maps.Clone(c.in)}
		v.FoldIndexed()
		if !maps.Equal(v.Errors, c.want) {
			t.Errorf("%v folded to %v, want %v", c.in, v.Errors, c.want)
		}
	}
}
