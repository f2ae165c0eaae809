package app_test

import (
	"bytes"
	"fmt"
	"net/http"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"sync"
	"testing"

	"ciiguard/internal/app/apptest"
	"ciiguard/internal/store"
)

// signInMemoryLimit is the ceiling issue 8 sets for the whole process under 200 parallel
// failed sign-ins (each argon2id check holds 64 MiB).
const signInMemoryLimit = 512 << 20

// serverStartMemory is what a server holds at start-up before any sign-in (issue 8
// measured 40 MiB).
const serverStartMemory = 40 << 20

// procStatus returns a field of /proc/self/status in bytes (the kernel reports kB).
func procStatus(t *testing.T, field string) int64 {
	t.Helper()
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Skipf("no /proc/self/status (%v): peak memory is measured on Linux", err)
	}
	for _, line := range bytes.Split(b, []byte("\n")) {
		if v, ok := bytes.CutPrefix(line, []byte(field+":")); ok {
			kb, err := strconv.ParseInt(string(bytes.TrimSpace(bytes.TrimSuffix(bytes.TrimSpace(v), []byte("kB")))), 10, 64)
			if err != nil {
				t.Fatalf("%s in /proc/self/status: %v", field, err)
			}
			return kb << 10
		}
	}
	t.Fatalf("no %s in /proc/self/status", field)
	return 0
}

// TestSignInMemoryUnderParallelFailures sends 200 failed sign-ins at once (200 accounts,
// so the per-account limits let every one through to the password check) and measures the
// peak resident memory of the process (server and clients) with the kernel's high-water
// mark, reset just before. Issue 8 measured 40 simultaneous failures taking the server from
// 40 MiB to 2.6 GiB; the ceiling is 512 MiB.
func TestSignInMemoryUnderParallelFailures(t *testing.T) {
	if testing.Short() {
		t.Skip("memory measurement: skipped with -short")
	}
	procStatus(t, "VmHWM")
	env := apptest.StartOptions(t, store.SQLite, apptest.Options{ProductionPasswordCost: true})
	const n = 200
	forms := make([]func(string, string) int, n)
	for i := range forms {
		forms[i] = signInForm(t, env, "127.0.0.1")
	}
	runtime.GC()
	debug.FreeOSMemory()
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		t.Skipf("cannot reset the peak-memory mark (%v)", err)
	}
	before := procStatus(t, "VmRSS")
	codes := map[int]int{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for i := range forms {
		wg.Add(1)
		go func() {
			defer wg.Done()
			code := forms[i](fmt.Sprintf("nobody-%d@nowhere.example", i), "wrong-password-123")
			mu.Lock()
			codes[code]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	peak := procStatus(t, "VmHWM")
	t.Logf("200 parallel failed sign-ins: resident %.0f MiB before, peak %.0f MiB; answers %v (GOMAXPROCS %d)",
		float64(before)/(1<<20), float64(peak)/(1<<20), codes, runtime.GOMAXPROCS(0))
	if codes[http.StatusUnauthorized]+codes[http.StatusServiceUnavailable] != n || codes[http.StatusUnauthorized] == 0 {
		t.Errorf("answers %v: want 401 (checked) or 503 (busy) only, some checked", codes)
	}
	// The ceiling is the server's: one that starts at about 40 MiB (issue 8's figure) stays
	// under 512 MiB. This process holds the rest of the package's tests besides the server
	// (143 MiB before the sign-ins in a full make test, where the absolute peak read 524 MiB),
	// so the growth is what is judged, against the ceiling less the server's own start.
	if grew := peak - before; grew > signInMemoryLimit-serverStartMemory {
		t.Fatalf("resident memory grew %.0f MiB under 200 parallel failed sign-ins (peak %.0f MiB), want under %d MiB", float64(grew)/(1<<20), float64(peak)/(1<<20), (signInMemoryLimit-serverStartMemory)>>20)
	}
}
