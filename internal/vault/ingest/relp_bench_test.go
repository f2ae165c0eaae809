package ingest

import (
	"bufio"
	"fmt"
	"net"
	"testing"

	"ciiguard/internal/vault"
)

// BenchmarkRELPWindow128 sends b.N syslog messages over one RELP session with up to 128
// unanswered at a time (omrelp's default window) and waits for every "200 OK": the cost of
// acknowledging only once the vault made each batch durable (a WAL write and fsync per
// batch) on this machine's disk.
func BenchmarkRELPWindow128(b *testing.B) {
	v, err := vault.Open(b.TempDir(), vault.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer v.Close()
	l, err := ListenRELP("127.0.0.1:0", anyone, v)
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	c, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	r, w := bufio.NewReaderSize(c, relpReaderSize), bufio.NewWriter(c)
	appendRELP(w, 1, "open", relpOffer)
	w.Flush()
	if f, err := readRELPFrame(r); err != nil || f.cmd != "rsp" {
		b.Fatalf("open: %+v %v", f, err)
	}
	const window = 128
	msg := "<134>1 2026-12-02T08:00:00Z fw01 kernel - - - DROP IN=eth0 OUT= SRC=203.0.113.9 DST=10.20.0.11 PROTO=TCP SPT=51514 DPT=22 seq=%d"
	b.SetBytes(int64(len(msg)))
	b.ResetTimer()
	sent, acked := 0, 0
	for acked < b.N {
		for sent < b.N && sent-acked < window {
			appendRELP(w, uint64(sent+2), "syslog", fmt.Sprintf(msg, sent))
			sent++
		}
		w.Flush()
		f, err := readRELPFrame(r)
		if err != nil || string(f.data) != "200 OK" {
			b.Fatalf("answer: %+v %v", f, err)
		}
		acked++
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}
