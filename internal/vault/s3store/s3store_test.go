package s3store_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"

	"ciiguard/internal/vault"
	"ciiguard/internal/vault/s3store"
	"ciiguard/internal/vault/storetest"
)

// One MinIO serves every test of the package, each in its own prefix of
// one bucket with Object Lock.
var server *storetest.MinIO

const bucket = "vault"

func TestMain(m *testing.M) {
	bin := storetest.MinIOBinary()
	if bin == "" {
		fmt.Println("s3store: no MinIO (CIIGUARD_TEST_MINIO, PATH or $GOPATH/bin/minio); scripts/install-test-deps.sh builds it")
		os.Exit(m.Run()) // the tests skip
	}
	var err error
	if server, err = storetest.StartMinIO(bin); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err = server.Bucket(context.Background(), bucket); err != nil {
		server.Stop()
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	server.Stop()
	os.Exit(code)
}

// prefixes numbers the stores, so a benchmark's rounds do not meet.
var prefixes atomic.Int64

// newStore connects to the shared server under a prefix of the test's own.
func newStore(t testing.TB) *s3store.Store {
	t.Helper()
	if server == nil {
		t.Skip("no MinIO: set CIIGUARD_TEST_MINIO (make test does)")
	}
	prefix := fmt.Sprintf("%s-%d", strings.ReplaceAll(t.Name(), "/", "-"), prefixes.Add(1))
	s, err := s3store.New(context.Background(), s3store.Config{URL: "s3://" + bucket + "/" + prefix,
		Endpoint: server.Endpoint, AccessKey: server.User, SecretKey: server.Password, Insecure: true})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// retention reads an object's lock as the server reports it.
func retention(t *testing.T, s *s3store.Store, key string) (minio.RetentionMode, time.Time) {
	t.Helper()
	mode, until, err := server.Client.GetObjectRetention(context.Background(), bucket, s.Key(key), "")
	if err != nil {
		t.Fatalf("retention of %s: %v", key, err)
	}
	return *mode, *until
}

func TestSealedSegmentsStoredLockedAndServedWithoutCache(t *testing.T) {
	s := newStore(t)
	_, base := storetest.CheckServes(t, s, 1)

	// Every complete segment (first blocks 0, 2, 4, 6 of two blocks of 16)
	// is stored with its index and roots, in COMPLIANCE mode until its
	// newest reception time plus six months (184 days, the vault's legal
	// minimum), rounded up to the next second.
	for _, first := range []int{0, 2, 4, 6} {
		newest := base.Add(time.Duration((first+2)*16-1) * time.Millisecond)
		want := newest.Add(184 * 24 * time.Hour).Truncate(time.Second).Add(time.Second)
		name := fmt.Sprintf("seg-%012d", first)
		for _, key := range []string{"org/1/" + name + ".dat", "org/1/" + name + ".idx", "org/1/roots/" + name} {
			mode, until := retention(t, s, key)
			if mode != minio.Compliance || !until.Equal(want) {
				t.Errorf("%s: lock %s until %s, want COMPLIANCE until %s", key, mode, until, want)
			}
		}
	}
	// The segment being written (first block 8) is not in the store.
	if objs, err := s.List(context.Background(), "org/1/seg-000000000008"); err != nil || len(objs) != 0 {
		t.Errorf("segment being written in the store: %v %v", objs, err)
	}
}

func TestLockedObjectCannotBeDeletedOrReplaced(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	v := storetest.Open(t, t.TempDir(), storetest.Opts(s))
	storetest.Fill(t, v, 1, time.Now(), 0, storetest.Size)
	storetest.WaitUploaded(t, v, 1)
	key := s.Key("org/1/seg-000000000002.dat")
	c := server.Client
	orig, err := c.StatObject(ctx, bucket, key, minio.StatObjectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	_, until := retention(t, s, "org/1/seg-000000000002.dat")

	// The server refuses to delete the version, to shorten its lock, or
	// to lift it with a governance bypass.
	if err := c.RemoveObject(ctx, bucket, key, minio.RemoveObjectOptions{VersionID: orig.VersionID}); err == nil {
		t.Error("the server deleted a locked version")
	} else if !lockRefusal(err) {
		t.Errorf("delete of a locked version: %v, want the lock's refusal", err)
	}
	if err := c.RemoveObject(ctx, bucket, key, minio.RemoveObjectOptions{VersionID: orig.VersionID, GovernanceBypass: true}); !lockRefusal(err) {
		t.Errorf("delete of a locked version with a governance bypass: %v, want the lock's refusal", err)
	}
	compliance := minio.Compliance
	earlier := time.Now().Add(time.Hour)
	if err := c.PutObjectRetention(ctx, bucket, key, minio.PutObjectRetentionOptions{Mode: &compliance, RetainUntilDate: &earlier, VersionID: orig.VersionID}); err == nil {
		t.Error("the server shortened a compliance lock")
	} else {
		t.Logf("shortening refused: %v", err)
	}
	// The vault's own delete reports the refusal.
	if err := s.Delete(ctx, "org/1/seg-000000000002.dat"); err == nil || !strings.Contains(err.Error(), "version "+orig.VersionID) {
		t.Errorf("store delete of a locked object: %v", err)
	}
	// The vault never writes over a key (If-None-Match: *)...
	if err := s.Put(ctx, "org/1/seg-000000000002.dat", strings.NewReader("x"), 1, time.Now().Add(time.Hour)); !errors.Is(err, vault.ErrObjectExists) {
		t.Errorf("locked put over an existing key: %v, want ErrObjectExists", err)
	}
	// ...and a plain overwrite by someone else only adds a version: the
	// locked one keeps its bytes and its date.
	if _, err := c.PutObject(ctx, bucket, key, strings.NewReader("replaced"), 8, minio.PutObjectOptions{}); err != nil {
		t.Fatal(err)
	}
	o, err := c.GetObject(ctx, bucket, key, minio.GetObjectOptions{VersionID: orig.VersionID})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if _, err := b.ReadFrom(o); err != nil || int64(b.Len()) != orig.Size {
		t.Errorf("locked version after an overwrite: %d bytes (%v), want %d", b.Len(), err, orig.Size)
	}
	if _, u, err := c.GetObjectRetention(ctx, bucket, key, orig.VersionID); err != nil || !u.Equal(until) {
		t.Errorf("lock of the original version after an overwrite: %v %v, want until %s", u, err, until)
	}
}

// lockRefusal reports whether the server refused because of the lock: AWS
// answers AccessDenied, MinIO InvalidRequest "Object is WORM protected".
func lockRefusal(err error) bool {
	r := minio.ToErrorResponse(err)
	return r.Code == "AccessDenied" || strings.Contains(r.Message, "WORM protected")
}

func TestVerifyFindsDamagedObject(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	v := storetest.Open(t, t.TempDir(), storetest.Opts(s))
	storetest.Fill(t, v, 1, time.Now(), 0, storetest.Size)
	storetest.WaitUploaded(t, v, 1)
	// Someone with write access stacks a new version with one byte changed
	// over segment 4's blocks: the server accepts it (the locked version
	// stays underneath), and what a reader now gets is damaged.
	b, err := s.Get(ctx, "org/1/seg-000000000004.dat")
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)/2] ^= 0x20
	if _, err := server.Client.PutObject(ctx, bucket, s.Key("org/1/seg-000000000004.dat"), bytes.NewReader(b), int64(len(b)), minio.PutObjectOptions{}); err != nil {
		t.Fatal(err)
	}
	rep, err := v.Verify(ctx, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rep.OK || rep.First == nil || rep.First.Segment != "seg-000000000004" {
		t.Fatalf("verify after damaging seg-000000000004 in the store: ok=%v first=%v", rep.OK, rep.First)
	}
}

func TestPurgeDeletesOnlyAfterTheLockExpires(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	var ahead atomic.Int64 // the vault's clock runs this far ahead
	o := storetest.Opts(s)
	o.Now = func() time.Time { return time.Now().Add(time.Duration(ahead.Load())) }
	o.LockFor = func(int64) time.Duration { return 4 * time.Second }
	v := storetest.Open(t, t.TempDir(), o)
	storetest.Fill(t, v, 1, time.Now(), 0, storetest.Size)
	info := storetest.WaitUploaded(t, v, 1)
	lockEnd := info.Segments[3].RetainUntil // segment 6, the newest complete one

	// Seven months later for the vault's retention rule, but the store's
	// clock has not reached the lock's end: the server refuses, and Purge
	// says so.
	ahead.Store(int64(213 * 24 * time.Hour))
	cutoff := o.Now().Add(-vault.MinRetention)
	_, err := v.Purge(ctx, 1, cutoff, nil)
	if time.Now().Before(lockEnd.Add(-time.Second)) {
		if err == nil || !strings.Contains(err.Error(), "refused to delete seg-") {
			t.Fatalf("purge inside the lock: %v, want the store's refusal", err)
		}
		if objs, _ := s.List(ctx, "org/1/seg-000000000006.dat"); len(objs) != 1 {
			t.Fatalf("a locked object is gone: %v", objs)
		}
	}
	time.Sleep(time.Until(lockEnd) + time.Second)
	if _, err := v.Purge(ctx, 1, cutoff, nil); err != nil {
		t.Fatalf("purge after the lock ended: %v", err)
	}
	objs, err := s.List(ctx, "org/1/")
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, o := range objs {
		keys = append(keys, o.Key)
	}
	// Data and indexes are gone; roots and the purge record stay, so the
	// tree still verifies from the store.
	want := []string{"org/1/purged.json", "org/1/roots/seg-000000000000", "org/1/roots/seg-000000000002", "org/1/roots/seg-000000000004", "org/1/roots/seg-000000000006"}
	if strings.Join(keys, " ") != strings.Join(want, " ") {
		t.Errorf("objects after purge:\n%v\nwant\n%v", keys, want)
	}
	rep, err := v.Verify(ctx, 1, nil)
	if err != nil || !rep.OK || rep.PurgedBlocks != 8 {
		t.Errorf("verify after purge: %+v %v", rep, err)
	}
}

func TestEmptyNodeResumesFromStore(t *testing.T) {
	s := newStore(t)
	dir := t.TempDir()
	v := storetest.Open(t, dir, storetest.Opts(s))
	storetest.Fill(t, v, 1, time.Now(), 0, storetest.Size)
	storetest.WaitUploaded(t, v, 1)
	// A second node has the installation's key and layout, nothing else.
	other := t.TempDir()
	for _, f := range []string{"vault.key", "layout"} {
		b, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(other, f), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	w := storetest.Open(t, other, storetest.Opts(s))
	// Blocks 0..7 are in complete segments; block 8 and the tail live on
	// the first node (its segment and WAL) until that segment completes.
	if n, err := w.Size(1); err != nil || n != 8*16 {
		t.Fatalf("size on the empty node: %d %v, want %d", n, err, 8*16)
	}
	p, err := w.Search(context.Background(), 1, vault.Query{Expr: `"connection 77 "`})
	if err != nil || len(p.Events) != 1 || p.Events[0].Seq != 77 {
		t.Fatalf("search on the empty node: %v %v", p.Events, err)
	}
	rep, err := w.Verify(context.Background(), 1, nil)
	if err != nil || !rep.OK || rep.Events != 8*16 {
		t.Fatalf("verify on the empty node: %+v %v", rep, err)
	}
	// With the first node gone (the cluster's lease decides who writes),
	// the second continues the log: its first block starts a segment of
	// its own, which it uploads like any other.
	if err := v.Close(); err != nil {
		t.Fatal(err)
	}
	storetest.Fill(t, w, 1, time.Now(), 8*16, 13*16)
	info := storetest.WaitUploaded(t, w, 1)
	if last := info.Segments[len(info.Segments)-1]; last.FirstSeq != 12*16 {
		t.Errorf("segments after resuming: %+v", info.Segments)
	}
	rep, err = w.Verify(context.Background(), 1, nil)
	if err != nil || !rep.OK || rep.Events != 13*16 {
		t.Fatalf("verify after resuming: %+v %v", rep, err)
	}
}
