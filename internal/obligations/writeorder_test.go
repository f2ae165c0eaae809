package obligations

import (
	"strings"
	"testing"

	"ciiguard/internal/rules"
)

// TestWritesInKeyOrder checks the order findings are written in against the primary key's
// order worked out by hand (obligation, subject kind, subject id, each compared as text, so
// system "10" comes before system "9"): the order that lets SQLite append to its index.
func TestWritesInKeyOrder(t *testing.T) {
	f := func(ob string, kind rules.SubjectKind, id string) changed {
		return changed{Finding: &rules.Finding{ObligationID: ob, SubjectKind: kind, SubjectID: id}}
	}
	fs := []changed{
		f("OB-B", rules.SubjectSystem, "9"), f("OB-A", rules.SubjectSystem, "9"), f("OB-B", rules.SubjectOrg, "1"),
		f("OB-A", rules.SubjectSystem, "10"), f("OB-A", rules.SubjectOrg, "1"), f("OB-B", rules.SubjectSystem, "10"),
	}
	sortByKey(fs)
	var got []string
	for _, x := range fs {
		got = append(got, x.ObligationID+" "+string(x.SubjectKind)+" "+x.SubjectID)
	}
	want := "OB-A org 1, OB-A system 10, OB-A system 9, OB-B org 1, OB-B system 10, OB-B system 9"
	if strings.Join(got, ", ") != want {
		t.Fatalf("written in the order\n%s\nwant\n%s", strings.Join(got, ", "), want)
	}
}
