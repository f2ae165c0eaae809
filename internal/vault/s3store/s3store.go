// Package s3store keeps the log vault's sealed data in S3-compatible
// object storage (AWS S3, MinIO, Ceph RGW and others implementing S3
// Object Lock) through github.com/minio/minio-go. Locked objects are
// written in COMPLIANCE mode: until their retain-until date no account,
// the bucket's owner included, can delete them, replace them or shorten
// the date — what the six months of CSL 2016 Art. 21(3) (2025: Art. 23(3))
// ask of an operator who must not be able to lose the logs on purpose.
package s3store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"ciiguard/internal/vault"
)

// Config says where the bucket is and how to sign in. Secrets are never
// logged or put into errors.
type Config struct {
	// URL is s3://bucket/prefix (prefix optional).
	URL string
	// Endpoint is host[:port] of the S3 API (default s3.amazonaws.com).
	Endpoint string
	// Region of the bucket (default us-east-1).
	Region string
	// AccessKey and SecretKey; when both are empty the standard
	// environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
	// AWS_SESSION_TOKEN) is used, then ~/.aws/credentials.
	AccessKey, SecretKey string
	// Insecure talks plain HTTP (a MinIO on loopback); default HTTPS.
	Insecure bool
}

// Store is a vault.ObjectStore in one bucket under a key prefix.
type Store struct {
	c      *minio.Client
	bucket string
	prefix string
}

var _ vault.ObjectStore = (*Store)(nil)

// ParseURL splits s3://bucket/prefix into the bucket and the prefix
// (without a trailing slash).
func ParseURL(s string) (bucket, prefix string, err error) {
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "s3" || u.Host == "" || u.RawQuery != "" || u.User != nil {
		return "", "", fmt.Errorf("vault-s3 %q: want s3://bucket/prefix", s)
	}
	return u.Host, strings.Trim(u.Path, "/"), nil
}

// New connects and checks that the bucket exists and has Object Lock
// enabled: without it a "locked" write would silently be an ordinary one.
func New(ctx context.Context, cfg Config) (*Store, error) {
	bucket, prefix, err := ParseURL(cfg.URL)
	if err != nil {
		return nil, err
	}
	endpoint := cfg.Endpoint
	if endpoint == "" {
		endpoint = "s3.amazonaws.com"
	}
	if u, err := url.Parse(endpoint); err == nil && u.Host != "" && (u.Scheme == "http" || u.Scheme == "https") {
		endpoint, cfg.Insecure = u.Host, u.Scheme == "http"
	}
	region := cfg.Region
	if region == "" {
		region = "us-east-1"
	}
	var creds *credentials.Credentials
	if cfg.AccessKey != "" || cfg.SecretKey != "" {
		creds = credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, "")
	} else {
		creds = credentials.NewChainCredentials([]credentials.Provider{&credentials.EnvAWS{}, &credentials.FileAWSCredentials{}})
	}
	c, err := minio.New(endpoint, &minio.Options{Creds: creds, Secure: !cfg.Insecure, Region: region})
	if err != nil {
		return nil, fmt.Errorf("vault-s3: client for %s: %w", endpoint, err)
	}
	s := &Store{c: c, bucket: bucket, prefix: prefix}
	enabled, _, _, _, err := c.GetObjectLockConfig(ctx, bucket)
	if err != nil {
		return nil, fmt.Errorf("vault-s3: bucket %s at %s: object lock configuration: %w", bucket, endpoint, err)
	}
	if enabled != "Enabled" {
		return nil, fmt.Errorf("vault-s3: bucket %s has no Object Lock; create it with object locking enabled", bucket)
	}
	return s, nil
}

// Client is the underlying client (tests use it to check the server's
// answers themselves).
func (s *Store) Client() *minio.Client { return s.c }

// Bucket is the bucket's name.
func (s *Store) Bucket() string { return s.bucket }

// Key is the full object name of a vault key.
func (s *Store) Key(key string) string {
	if s.prefix == "" {
		return key
	}
	return s.prefix + "/" + key
}

// Put implements vault.ObjectStore. A locked put also asks the server to
// refuse an existing key (If-None-Match: *), so that the vault never
// stacks a second version over a locked one.
func (s *Store) Put(ctx context.Context, key string, r io.Reader, size int64, retainUntil time.Time) error {
	opts := minio.PutObjectOptions{ContentType: "application/octet-stream", DisableMultipart: size <= 5<<30, SendContentMd5: true}
	if !retainUntil.IsZero() {
		opts.Mode = minio.Compliance
		opts.RetainUntilDate = retainUntil.UTC().Truncate(time.Second).Add(time.Second)
		opts.SetMatchETagExcept("*")
	}
	if _, err := s.c.PutObject(ctx, s.bucket, s.Key(key), r, size, opts); err != nil {
		if resp := minio.ToErrorResponse(err); resp.StatusCode == http.StatusPreconditionFailed {
			return fmt.Errorf("put %s: %w", key, vault.ErrObjectExists)
		}
		return fmt.Errorf("put %s: %w", key, err)
	}
	return nil
}

// Get implements vault.ObjectStore.
func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	return s.get(ctx, key, minio.GetObjectOptions{})
}

// GetRange implements vault.ObjectStore.
func (s *Store) GetRange(ctx context.Context, key string, off, n int64) ([]byte, error) {
	var opts minio.GetObjectOptions
	if err := opts.SetRange(off, off+n-1); err != nil {
		return nil, fmt.Errorf("get %s: %w", key, err)
	}
	b, err := s.get(ctx, key, opts)
	if err != nil {
		return nil, err
	}
	if int64(len(b)) < n {
		return b, fmt.Errorf("get %s at %d+%d: got %d bytes: %w", key, off, n, len(b), io.EOF)
	}
	return b, nil
}

func (s *Store) get(ctx context.Context, key string, opts minio.GetObjectOptions) ([]byte, error) {
	o, err := s.c.GetObject(ctx, s.bucket, s.Key(key), opts)
	if err != nil {
		return nil, fmt.Errorf("get %s: %w", key, err)
	}
	defer o.Close()
	var buf bytes.Buffer
	if _, err := io.Copy(&buf, o); err != nil {
		switch minio.ToErrorResponse(err).Code {
		case "NoSuchKey":
			return nil, fmt.Errorf("get %s: %w", key, vault.ErrObjectNotFound)
		case "InvalidRange":
			return nil, fmt.Errorf("get %s: %w", key, io.EOF)
		}
		return nil, fmt.Errorf("get %s: %w", key, err)
	}
	return buf.Bytes(), nil
}

// List implements vault.ObjectStore.
func (s *Store) List(ctx context.Context, prefix string) ([]vault.ObjectInfo, error) {
	var out []vault.ObjectInfo
	for o := range s.c.ListObjects(ctx, s.bucket, minio.ListObjectsOptions{Prefix: s.Key(prefix), Recursive: true}) {
		if o.Err != nil {
			return nil, fmt.Errorf("list %s: %w", prefix, o.Err)
		}
		out = append(out, vault.ObjectInfo{Key: strings.TrimPrefix(o.Key, s.Key("")), Size: o.Size})
	}
	return out, nil
}

// Delete implements vault.ObjectStore: it removes every version by its
// id. (Deleting a key without a version id in a versioned bucket only adds
// a delete marker and "succeeds" even while the data stays locked; the
// vault must know whether the data is gone.)
func (s *Store) Delete(ctx context.Context, key string) error {
	full := s.Key(key)
	var errs []error
	for o := range s.c.ListObjects(ctx, s.bucket, minio.ListObjectsOptions{Prefix: full, Recursive: true, WithVersions: true}) {
		if o.Err != nil {
			return fmt.Errorf("delete %s: list versions: %w", key, o.Err)
		}
		if o.Key != full {
			continue
		}
		if err := s.c.RemoveObject(ctx, s.bucket, full, minio.RemoveObjectOptions{VersionID: o.VersionID}); err != nil {
			errs = append(errs, fmt.Errorf("delete %s version %s: %w", key, o.VersionID, err))
		}
	}
	return errors.Join(errs...)
}
