package problem

import "testing"

func TestReasonIn(t *testing.T) {
	zh := Translator(func(f string) (string, bool) {
		m := map[string]string{"must be at most %d days": "最多 %d 天", "already taken": "已被占用", "no %s %s": "没有 %[2]s 的 %[1]s"}
		s, ok := m[f]
		return s, ok
	})
	inv := &Invalid{}
	inv.Add("days", "must be at most %d days", 3650)
	inv.Add("name", "is new: %s", "x")
	inv.Add("q", "no %s %s", "system", "7")
	cases := []struct {
		name, got, want string
	}{
		{"translated with args", inv.Fields[0].In(zh), "最多 3650 天"},
		{"English without translation", inv.Fields[1].In(zh), "is new: x"},
		{"reordered args", inv.Fields[2].In(zh), "没有 7 的 system"},
		{"English translator", inv.Fields[0].In(nil), "must be at most 3650 days"},
		{"conflict literal", (&Conflict{Field: "name", Reason: "already taken"}).In(zh), "已被占用"},
		{"conflictf", Conflictf("days", "must be at most %d days", 7).In(zh), "最多 7 天"},
		{"conflictf English", Conflictf("days", "must be at most %d days", 7).Reason, "must be at most 7 days"},
	}
	for _, c := range cases {
		if c.got != c.want {
			t.Errorf("%s: %q, want %q", c.name, c.got, c.want)
		}
	}
}
