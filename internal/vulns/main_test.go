package vulns_test

import (
	"os"
	"testing"

	"ciiguard/internal/app/apptest"
)

// TestMain removes the seeded installations apptest copies for each test.
func TestMain(m *testing.M) { os.Exit(apptest.Main(m)) }
