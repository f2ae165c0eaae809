package emergency_test

import (
	"os"
	"testing"

	"ciiguard/internal/app/apptest"
)

func TestMain(m *testing.M) { os.Exit(apptest.Main(m)) }
