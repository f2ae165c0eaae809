package logs_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"ciiguard/internal/audit"
	"ciiguard/internal/auth"
	"ciiguard/internal/kernel"
	"ciiguard/internal/logs"
	"ciiguard/internal/store"
	"ciiguard/internal/storetest"
	"ciiguard/internal/vault"
	"ciiguard/internal/web"
)

// TestAuditHeadsAreAnchoredInTheVault runs the module's background work with a short
// anchor interval and checks that a changed head reaches the organisation's vault log
// within it, that an unchanged head writes nothing, and that a sender cannot forge one.
func TestAuditHeadsAreAnchoredInTheVault(t *testing.T) {
	storetest.Each(t, func(t *testing.T, d store.Dialect) {
		const every = 50 * time.Millisecond
		m := logs.NewForTest(vault.Options{}, time.Now)
		m.SetAnchorEvery(every)
		migs := append(append([]store.Migration{}, auth.Migrations...), audit.Migrations...)
		db := storetest.Open(t, d, append(migs, m.Migrations()...))
		log := slog.New(slog.NewTextHandler(io.Discard, nil))
		as := auth.NewService(db)
		srv, err := web.NewServer(as, db, log)
		if err != nil {
			t.Fatal(err)
		}
		if err := kernel.Assemble(context.Background(), kernel.Deps{DB: db, Auth: as, Web: srv, Log: log, DataDir: t.TempDir()}, m); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { m.Close() })
		ctx := audit.WithActor(context.Background(), audit.Actor{Label: "test"})
		org, err := as.CreateOrg(ctx, auth.Org{Kind: auth.Operator, NameZH: "测试", NameEN: "Test", USCC: "91110000MA00000012"})
		if err != nil {
			t.Fatal(err)
		}
		if err := m.Start(ctx); err != nil {
			t.Fatal(err)
		}
		head := func() (int64, string) {
			var seq int64
			var hash string
			if err := db.Read(ctx, func(tx *store.Tx) error {
				return tx.QueryRow(`SELECT seq, hash FROM audit_head WHERE id = 1`).Scan(&seq, &hash)
			}); err != nil {
				t.Fatal(err)
			}
			return seq, hash
		}
		// waitAnchor waits for the anchor of the current head and returns how long it took.
		waitAnchor := func() time.Duration {
			t.Helper()
			seq, hash := head()
			start := time.Now()
			for {
				as, err := m.Anchors(ctx)
				if err != nil {
					t.Fatal(err)
				}
				for _, a := range as {
					if a.Seq == seq {
						if a.Hash != hash || a.OrgID != org.ID {
							t.Fatalf("anchor of entry %d: %+v, want hash %s of organisation %d", seq, a, hash, org.ID)
						}
						return time.Since(start)
					}
				}
				if time.Since(start) > 20*every+2*time.Second {
					t.Fatalf("entry %d not anchored after %v: %+v", seq, time.Since(start), as)
				}
				time.Sleep(every / 5)
			}
		}
		waitAnchor()
		octx := store.WithOrg(ctx, org.ID)
		if _, _, err := m.CreateSource(octx, auth.Principal{}, logs.NewSource{Name: "fw", Kind: logs.KindSyslog, Sender: "192.0.2.1"}); err != nil {
			t.Fatal(err)
		}
		took := waitAnchor()
		t.Logf("%s: anchored %v after the change (interval %v)", d, took, every)
		as1, _ := m.Anchors(ctx)
		time.Sleep(6 * every)
		if as2, _ := m.Anchors(ctx); len(as2) != len(as1) {
			t.Errorf("unchanged head: %d anchors became %d", len(as1), len(as2))
		}
		// An event from a registered sender that copies an anchor's text is not one.
		if _, err := m.Vault().Append(ctx, org.ID, []vault.Event{{SourceID: 7, Host: "ciiguard", App: "ciiguard-audit", MsgID: "audit-anchor", Message: "audit anchor seq=999 hash=00", Format: vault.FormatRaw}}); err != nil {
			t.Fatal(err)
		}
		if as3, _ := m.Anchors(ctx); len(as3) != len(as1) {
			t.Errorf("a sender's look-alike event was taken for an anchor: %+v", as3)
		}
		seq, _ := head()
		rep, err := audit.VerifyAnchored(ctx, db, as1)
		if err != nil || rep.Anchors != len(as1) || rep.Entries != seq || rep.Newest.Seq != seq {
			t.Errorf("verify against the anchors: %+v %v", rep, err)
		}
	})
}
