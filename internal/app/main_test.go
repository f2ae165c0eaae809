package app_test

import (
	"os"
	"testing"

	"ciiguard/internal/app/apptest"
)

// TestMain removes the seeded installations apptest copies for each test and closes the
// Chromium the browser tests share.
func TestMain(m *testing.M) {
	code := apptest.Main(m)
	closeBrowser()
	os.Exit(code)
}
