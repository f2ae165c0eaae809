package vault

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

const crashEnv = "CIIGUARD_VAULT_CRASH_DIR"

var crashOpts = Options{BlockBits: 6, SegmentBlocks: 4}

// TestCrashChild is the child half of TestCrashRecovery: it ingests until
// killed and prints every acknowledged batch.
func TestCrashChild(t *testing.T) {
	dir := os.Getenv(crashEnv)
	if dir == "" {
		t.Skip("child process of TestCrashRecovery only")
	}
	v, err := Open(dir, crashOpts)
	if err != nil {
		fmt.Println("open error:", err)
		os.Exit(2)
	}
	run := os.Getenv("CIIGUARD_VAULT_CRASH_RUN")
	var outMu sync.Mutex
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(g), uint64(time.Now().UnixNano())))
			for c := 0; ; {
				n := 1 + r.IntN(40)
				evs := make([]Event, n)
				for i := range evs {
					evs[i] = Event{Host: "h", Message: fmt.Sprintf("r%s-g%d-c%d", run, g, c+i), Format: FormatRaw}
				}
				first, err := v.Append(context.Background(), 1, evs)
				if err != nil {
					fmt.Println("append error:", err)
					os.Exit(3)
				}
				outMu.Lock()
				fmt.Fprintf(os.Stdout, "ack %d %d r%s-g%d-c%d\n", first, n, run, g, c)
				outMu.Unlock()
				c += n
				if r.IntN(50) == 0 {
					if _, err := v.Checkpoint(context.Background(), 1); err != nil {
						fmt.Println("checkpoint error:", err)
						os.Exit(4)
					}
				}
			}
		}()
	}
	wg.Wait()
}

func TestCrashRecovery(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test in -short mode")
	}
	dir := t.TempDir()
	type ack struct {
		first uint64
		n     int
		msg   string // message of the first event
	}
	var acks []ack
	r := rand.New(rand.NewPCG(42, 43))
	deadline := time.Now().Add(20 * time.Second)
	runs := 0
	for ; runs < 20 && time.Now().Before(deadline); runs++ {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), crashEnv+"="+dir, fmt.Sprintf("CIIGUARD_VAULT_CRASH_RUN=%d", runs))
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		lines := make(chan string, 1<<16)
		go func() {
			sc := bufio.NewScanner(out)
			for sc.Scan() {
				lines <- sc.Text()
			}
			close(lines)
		}()
		time.Sleep(time.Duration(50+r.IntN(250)) * time.Millisecond)
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		for line := range lines {
			var a ack
			if _, err := fmt.Sscanf(line, "ack %d %d %s", &a.first, &a.n, &a.msg); err != nil {
				t.Fatalf("child said %q", line)
			}
			acks = append(acks, a)
		}
		_ = cmd.Wait()
		// Reopen and check every acknowledged event.
		v, err := Open(dir, crashOpts)
		if err != nil {
			t.Fatalf("run %d: reopen: %v", runs, err)
		}
		seen := map[string]uint64{}
		ctx := context.Background()
		all, err := allEvents(v, 1)
		if err != nil {
			t.Fatalf("run %d: %v", runs, err)
		}
		for seq, ev := range all {
			if ev.Seq != uint64(seq) {
				t.Fatalf("run %d: event %d has seq %d", runs, seq, ev.Seq)
			}
			if prev, dup := seen[ev.Message]; dup {
				t.Fatalf("run %d: %q stored twice (%d and %d)", runs, ev.Message, prev, seq)
			}
			seen[ev.Message] = uint64(seq)
		}
		for _, a := range acks {
			seq, ok := seen[a.msg]
			if !ok || seq != a.first {
				t.Fatalf("run %d: acknowledged event %q (seq %d) lost or moved (found %v at %d)", runs, a.msg, a.first, ok, seq)
			}
			// The rest of the batch follows contiguously.
			prefix, c, _ := strings.Cut(a.msg, "-c")
			var start int
			fmt.Sscanf(c, "%d", &start)
			for i := 1; i < a.n; i++ {
				m := fmt.Sprintf("%s-c%d", prefix, start+i)
				if seen[m] != a.first+uint64(i) {
					t.Fatalf("run %d: acknowledged event %q not at %d", runs, m, a.first+uint64(i))
				}
			}
		}
		rep, err := v.Verify(ctx, 1, nil)
		if err != nil || !rep.OK {
			t.Fatalf("run %d: verify: %v %v", runs, err, rep.First)
		}
		if err := v.Close(); err != nil {
			t.Fatal(err)
		}
	}
	if len(acks) == 0 {
		t.Fatal("child acknowledged nothing")
	}
	t.Logf("%d crash runs, %d acknowledged batches", runs, len(acks))
}

// allEvents reads a whole log in sequence order.
func allEvents(v *Vault, org int64) ([]Event, error) {
	l, err := v.log(org, false)
	if err != nil || l == nil {
		return nil, err
	}
	snap := l.snapshot()
	var out []Event
	for _, r := range snap.blocks {
		evs, err := l.readRef(r, allCols)
		if err != nil {
			return nil, err
		}
		out = append(out, evs...)
	}
	return append(out, snap.tail...), nil
}

// TestTornTails appends what a crash mid-write leaves behind to each file
// and checks recovery cuts it off and serves nothing of it.
func TestTornTails(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		file string
		junk func(b []byte) []byte
	}{
		{"wal", func(b []byte) []byte { return append(b, 'C', 'G', 'W', 'L', 50, 0, 0, 0, 1, 2, 3, 4, 9, 9) }},
		{"wal", func(b []byte) []byte { return append(b, 'C', 'G') }},
		{"roots", func(b []byte) []byte { return append(b, 1, 2, 3, 4, 5) }},
		{"seg-000000000003.dat", func(b []byte) []byte { return append(b, []byte("CGBK\x10\x00\x00\x00garbage")...) }},
		{"seg-000000000003.idx", func(b []byte) []byte { return append(b, []byte("CGIX\xff\x00\x00\x00\x00\x00\x00\x00xx")...) }},
		{"seg-000000000000.dat", func(b []byte) []byte { return append(b, []byte("CGBK\x10\x00\x00\x00garbage")...) }},
		{"seg-000000000000.idx", func(b []byte) []byte { return append(b, []byte("CGIX\x02\x00\x00\x00\x00\x00\x00\x00xx")...) }},
	}
	for i, tc := range tests {
		t.Run(fmt.Sprint(i, tc.file), func(t *testing.T) {
			dir := t.TempDir()
			v := openTest(t, dir)
			fill(t, v, 1, 60) // 3 blocks of 16 + 12 in the tail; segments of 3 blocks
			if _, err := v.Checkpoint(ctx, 1); err != nil {
				t.Fatal(err)
			}
			want, _ := allEvents(v, 1)
			v.Close()
			path := dir + "/org/1/" + tc.file
			b, err := os.ReadFile(path)
			if err != nil && !os.IsNotExist(err) {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, tc.junk(b), 0o640); err != nil {
				t.Fatal(err)
			}
			v = openTest(t, dir)
			defer v.Close()
			got, err := allEvents(v, 1)
			if err != nil || len(got) != len(want) {
				t.Fatalf("after torn %s: %d events (%v), want %d", tc.file, len(got), err, len(want))
			}
			rep, err := v.Verify(ctx, 1, nil)
			if err != nil || !rep.OK {
				t.Fatalf("verify: %v %v", err, rep.First)
			}
			fill(t, v, 1, 20)
			if rep, err := v.Verify(ctx, 1, nil); err != nil || !rep.OK {
				t.Fatalf("verify after more appends: %v %v", err, rep.First)
			}
		})
	}
}
