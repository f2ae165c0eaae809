package vault_test

import (
	"bytes"
	"context"
	"fmt"
	"log"
	"os"
	"time"

	"ciiguard/internal/vault"
	"ciiguard/internal/vault/ingest"
)

// The whole life of an event: append, search, checkpoint, prove, export
// and check the export offline.
func Example() {
	dir, err := os.MkdirTemp("", "vault-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	v, err := vault.Open(dir, vault.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer v.Close()
	ctx := context.Background()
	const org = 42
	recv := time.Date(2026, 11, 25, 8, 0, 0, 0, time.UTC)
	var evs []vault.Event
	for _, line := range []string{
		"<38>Nov 25 08:00:00 bastion-01 sshd[812]: Accepted publickey for ops from 10.20.0.5",
		"<36>Nov 25 08:00:01 vpn-gw-01 openvpn[1187]: TLS Auth Error: verification failed for peer user 'li.na'",
		"not syslog at all",
	} {
		ev := ingest.Parse([]byte(line), recv)
		ev.SourceID = 7
		evs = append(evs, ev)
	}
	first, err := v.Append(ctx, org, evs) // durable when it returns
	if err != nil {
		log.Fatal(err)
	}
	page, err := v.Search(ctx, org, vault.Query{Expr: `sev<=4 "verification failed"`})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("first seq:", first, "hits:", len(page.Events), page.Events[0].Host)

	if _, err := v.Checkpoint(ctx, org); err != nil {
		log.Fatal(err)
	}
	var bundle bytes.Buffer
	if err := v.ExportBundle(ctx, org, vault.Query{Expr: "host:bastion-01"}, &bundle); err != nil {
		log.Fatal(err)
	}
	rep, err := vault.VerifyBundle(&bundle, v.PublicKey())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("bundle events:", rep.Events, "tree size:", rep.TreeSize)
	// Output:
	// first seq: 0 hits: 1 vpn-gw-01
	// bundle events: 1 tree size: 3
}
