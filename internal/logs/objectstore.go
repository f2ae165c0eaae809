package logs

import (
	"context"
	"flag"
	"fmt"
	"time"

	"ciiguard/internal/store"
	"ciiguard/internal/vault"
	"ciiguard/internal/vault/s3store"
)

// s3Flags configure the vault's object storage (docs/scale-out.md). The
// credentials may come from flags, but the standard environment
// (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN) keeps the
// secret out of the process list; none of them is ever logged.
type s3Flags struct {
	url, endpoint, region, accessKey, secretKey string
	insecure                                    bool
	cacheMiB                                    int64
	// sharedWAL keeps the write-ahead frames in PostgreSQL under a writer lease per
	// organisation (docs/scale-out.md, section 2).
	sharedWAL bool
}

func (f *s3Flags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.url, "vault-s3", "", "keep the log vault's sealed segments, indexes, roots and checkpoints in S3-compatible object storage with Object Lock (compliance mode), e.g. s3://bucket/prefix; empty: local disk only")
	fs.StringVar(&f.endpoint, "vault-s3-endpoint", "", "S3 API endpoint host[:port] or URL (default s3.amazonaws.com); http:// means plain HTTP")
	fs.StringVar(&f.region, "vault-s3-region", "", "bucket region (default us-east-1)")
	fs.StringVar(&f.accessKey, "vault-s3-access-key", "", "access key id (default: AWS_ACCESS_KEY_ID, then ~/.aws/credentials)")
	fs.StringVar(&f.secretKey, "vault-s3-secret-key", "", "secret access key (prefer AWS_SECRET_ACCESS_KEY: a flag shows in the process list)")
	fs.BoolVar(&f.insecure, "vault-s3-insecure", false, "talk plain HTTP to the S3 endpoint (a server on loopback only)")
	fs.BoolVar(&f.sharedWAL, "vault-shared-wal", false, "with --vault-s3 and a PostgreSQL store: keep the vault's write-ahead frames in PostgreSQL and write an organisation's log only while holding its writer lease, so that another node takes over with every acknowledged event when this one dies; off: the WAL is a file on this node's disk")
	fs.Int64Var(&f.cacheMiB, "vault-cache-mb", 8192, "with --vault-s3: local disk (MiB) for sealed segments and fetched blocks, least recently read evicted first")
}

// open connects to the store, or returns nil when --vault-s3 is empty.
func (f *s3Flags) open(ctx context.Context) (vault.ObjectStore, error) {
	if f.url == "" {
		return nil, nil
	}
	if f.cacheMiB <= 0 {
		return nil, fmt.Errorf("--vault-cache-mb %d: want a positive number of MiB", f.cacheMiB)
	}
	if (f.accessKey == "") != (f.secretKey == "") {
		return nil, fmt.Errorf("--vault-s3-access-key and --vault-s3-secret-key: give both or neither (then AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are used)")
	}
	s, err := s3store.New(ctx, s3store.Config{URL: f.url, Endpoint: f.endpoint, Region: f.region,
		AccessKey: f.accessKey, SecretKey: f.secretKey, Insecure: f.insecure})
	if err != nil {
		return nil, fmt.Errorf("--vault-s3: %w", err)
	}
	return s, nil
}

// lockFor is the vault's Object Lock period for an organisation: its
// retention setting, never less than six months. A failed read takes the
// legal minimum, which the organisation's own setting can only lengthen.
func (m *Module) lockFor(org int64) time.Duration {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	r, err := m.Retention(store.WithOrg(ctx, org))
	if err != nil || r.Days < MinRetentionDays {
		return vault.MinRetention
	}
	return time.Duration(r.Days) * 24 * time.Hour
}
