package suppliers

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
)

// FuzzDataLinkForm feeds the data-access form arbitrary values: it never panics, keeps every
// ticked box as sent, and reads a transfer that is not a whole number as -1 (refused later as
// no transfer of the organisation), never as 0 (none), which would silently unlink it.
func FuzzDataLinkForm(f *testing.F) {
	for _, s := range [][2]string{{"pi", "12"}, {"", ""}, {"important", "甲"}, {"core", "-3"}, {"pi", " 7 "}, {"x", "99999999999999999999"}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, access, transfer string) {
		form := url.Values{"data_access": {access}, "transfer_id": {transfer}}
		r, err := http.NewRequest("POST", "/", strings.NewReader(form.Encode()))
		if err != nil {
			t.Skip()
		}
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if err := r.ParseForm(); err != nil {
			t.Skip()
		}
		in := dataLinkForm(r)
		if len(in.DataAccess) != 1 || in.DataAccess[0] != r.PostForm.Get("data_access") {
			t.Errorf("data_access %q read as %q", access, in.DataAccess)
		}
		raw := strings.TrimSpace(r.PostForm.Get("transfer_id"))
		want := int64(0)
		if raw != "" {
			n, err := strconv.ParseInt(raw, 10, 64)
			if err != nil {
				n = -1
			}
			want = n
		}
		if in.TransferID != want {
			t.Errorf("transfer_id %q read as %d, want %d", transfer, in.TransferID, want)
		}
	})
}
