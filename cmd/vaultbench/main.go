// Command vaultbench generates syslog for benchmarks and runs a vault
// behind a syslog TCP listener with a small HTTP query endpoint, so that
// scripts/bench-vs-victorialogs.sh can load and query the vault and
// VictoriaLogs the same way: lines over one TCP connection, queries over
// HTTP, CPU time read from /proc for the receiving process only.
//
//	vaultbench gen   -n N -seed S [-rate R] [-start T] > lines.txt
//	vaultbench serve -dir D -tcp ADDR -http ADDR
//	vaultbench send  -addr ADDR lines.txt
//	vaultbench terms                        (rare search terms of the data, kind TAB value)
//
// It is a benchmark tool, not part of the product.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime/pprof"
	"strconv"
	"syscall"
	"time"

	"ciiguard/internal/vault"
	"ciiguard/internal/vault/ingest"
	"ciiguard/internal/vault/loggen"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: vaultbench gen|serve|send ...")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "gen":
		err = gen(os.Args[2:])
	case "serve":
		err = serve(os.Args[2:])
	case "send":
		err = send(os.Args[2:])
	case "terms":
		for _, t := range loggen.MixedTerms() {
			fmt.Printf("%s\t%s\n", t.Kind, t.Value)
		}
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		log.Fatalf("vaultbench %s: %v", os.Args[1], err)
	}
}

func gen(args []string) error {
	fs := flag.NewFlagSet("gen", flag.ExitOnError)
	n := fs.Int("n", 2_000_000, "lines")
	seed := fs.Uint64("seed", 1, "seed")
	rate := fs.Float64("rate", 116, "lines per second of log time (116: 10M a day)")
	startS := fs.String("start", "2026-11-24T00:00:00Z", "time of the first line (RFC 3339)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	start, err := time.Parse(time.RFC3339, *startS)
	if err != nil {
		return fmt.Errorf("-start: %w", err)
	}
	g := loggen.NewMixed(*seed, start, *rate)
	w := bufio.NewWriterSize(os.Stdout, 1<<20)
	var line []byte
	for range *n {
		line, _ = g.AppendNext(line[:0])
		line = append(line, '\n')
		if _, err := w.Write(line); err != nil {
			return err
		}
	}
	return w.Flush()
}

func send(args []string) error {
	fs := flag.NewFlagSet("send", flag.ExitOnError)
	addr := fs.String("addr", "127.0.0.1:5140", "syslog TCP address")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("want one file of lines")
	}
	f, err := os.Open(fs.Arg(0))
	if err != nil {
		return err
	}
	defer f.Close()
	c, err := net.Dial("tcp", *addr)
	if err != nil {
		return err
	}
	// Newline framing, which both receivers accept; one connection.
	if _, err := io.CopyBuffer(c, f, make([]byte, 1<<20)); err != nil {
		return err
	}
	return c.Close()
}

func serve(args []string) error {
	fs := flag.NewFlagSet("serve", flag.ExitOnError)
	dir := fs.String("dir", "", "vault directory")
	tcp := fs.String("tcp", "127.0.0.1:5141", "syslog TCP listen address")
	httpAddr := fs.String("http", "127.0.0.1:9441", "HTTP query listen address")
	cpEvery := fs.Duration("checkpoint", time.Hour, "checkpoint interval")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the whole run to this file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			return fmt.Errorf("-cpuprofile: %w", err)
		}
		// Stopped when serve returns, after SIGTERM, so the file holds the whole run.
		defer f.Close()
		defer pprof.StopCPUProfile()
	}
	if *dir == "" {
		return fmt.Errorf("-dir is required")
	}
	v, err := vault.Open(*dir, vault.Options{CheckpointInterval: *cpEvery})
	if err != nil {
		return err
	}
	defer v.Close()
	ln, err := ingest.ListenTCP(*tcp, ingest.StaticResolver{Default: &[2]int64{1, 1}}, v)
	if err != nil {
		return err
	}
	defer ln.Close()
	mux := http.NewServeMux()
	mux.HandleFunc("/size", func(w http.ResponseWriter, r *http.Request) {
		n, err := v.Size(1)
		reply(w, map[string]any{"size": n}, err)
	})
	mux.HandleFunc("/checkpoint", func(w http.ResponseWriter, r *http.Request) {
		_, err := v.Checkpoint(r.Context(), 1)
		reply(w, map[string]any{"ok": err == nil}, err)
	})
	// /search?q=&limit=: the newest limit matching events over all time.
	mux.HandleFunc("/search", func(w http.ResponseWriter, r *http.Request) {
		limit, _ := strconv.Atoi(r.FormValue("limit"))
		p, err := v.Search(r.Context(), 1, vault.Query{Expr: r.FormValue("q"), Limit: limit})
		reply(w, map[string]any{"events": len(p.Events), "blocks_read": p.BlocksRead, "blocks_skipped": p.BlocksSkipped}, err)
	})
	// /count?q=&from=&to=: matching events with from <= time < to.
	mux.HandleFunc("/count", func(w http.ResponseWriter, r *http.Request) {
		from, err1 := time.Parse(time.RFC3339, r.FormValue("from"))
		to, err2 := time.Parse(time.RFC3339, r.FormValue("to"))
		if err1 != nil || err2 != nil {
			http.Error(w, "from and to must be RFC 3339", http.StatusBadRequest)
			return
		}
		hs, err := v.Histogram(r.Context(), 1, vault.Query{Expr: r.FormValue("q"), From: from, To: to}, to.Sub(from))
		var n uint64
		for _, h := range hs {
			n += h.Count
		}
		reply(w, map[string]any{"count": n}, err)
	})
	srv := &http.Server{Addr: *httpAddr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := srv.ListenAndServe(); err != nil && err != http.ErrServerClosed {
			log.Fatal(err)
		}
	}()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	<-ctx.Done()
	return srv.Close()
}

func reply(w http.ResponseWriter, body map[string]any, err error) {
	w.Header().Set("Content-Type", "application/json")
	if err != nil {
		w.WriteHeader(http.StatusBadRequest)
		body = map[string]any{"error": err.Error()}
	}
	_ = json.NewEncoder(w).Encode(body)
}
