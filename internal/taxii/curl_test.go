package taxii_test

import (
	"os/exec"
	"strings"
	"testing"

	"ciiguard/internal/app/apptest"
	"ciiguard/internal/store"
)

// TestCurlScript runs scripts/taxii-curl.sh, plain curl, against a demo installation: the
// script checks every answer itself (status, media type, the demo's energy warning, the
// posted indicator) and ends with OK.
func TestCurlScript(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("curl"); err != nil {
		t.Skip("curl is not installed")
	}
	env := apptest.Start(t, store.SQLite)
	cmd := exec.Command("sh", "../../scripts/taxii-curl.sh")
	cmd.Env = append(cmd.Environ(), "BASE="+env.URL)
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.HasSuffix(strings.TrimSpace(string(out)), "OK") {
		t.Fatalf("taxii-curl.sh: %v\n%s", err, out)
	}
	t.Logf("%s", out)
}
