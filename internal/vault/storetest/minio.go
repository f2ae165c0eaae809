package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// MinIO is a MinIO server on loopback in a temporary directory: the real
// S3 implementation with Object Lock the vault's S3 tests run against.
type MinIO struct {
	Endpoint       string // 127.0.0.1:PORT
	User, Password string
	cmd            *exec.Cmd
	dir            string
	done           chan struct{}
	Client         *minio.Client
}

// MinIOBinary finds the server: CIIGUARD_TEST_MINIO (make test sets it),
// then PATH, then $GOPATH/bin (where scripts/install-test-deps.sh puts
// it). Empty when there is none.
func MinIOBinary() string {
	if b := os.Getenv("CIIGUARD_TEST_MINIO"); b != "" {
		return b
	}
	if b, err := exec.LookPath("minio"); err == nil {
		return b
	}
	gopath := os.Getenv("GOPATH")
	if gopath == "" {
		home, _ := os.UserHomeDir()
		gopath = filepath.Join(home, "go")
	}
	if b := filepath.Join(gopath, "bin", "minio"); fileIsExec(b) {
		return b
	}
	return ""
}

func fileIsExec(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir() && st.Mode()&0o111 != 0
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// StartMinIO starts bin serving a fresh temporary directory and waits
// until it answers.
func StartMinIO(bin string) (*MinIO, error) {
	dir, err := os.MkdirTemp("", "ciiguard-minio-")
	if err != nil {
		return nil, err
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	cport, err := freePort()
	if err != nil {
		return nil, err
	}
	pw := make([]byte, 12)
	_, _ = rand.Read(pw)
	m := &MinIO{Endpoint: fmt.Sprintf("127.0.0.1:%d", port), User: "ciiguardtest", Password: hex.EncodeToString(pw), dir: dir, done: make(chan struct{})}
	m.cmd = exec.Command(bin, "server", "--quiet", "--address", m.Endpoint, "--console-address", fmt.Sprintf("127.0.0.1:%d", cport), filepath.Join(dir, "data"))
	m.cmd.Env = append(os.Environ(), "MINIO_ROOT_USER="+m.User, "MINIO_ROOT_PASSWORD="+m.Password, "MINIO_BROWSER=off", "MINIO_UPDATE=off")
	logf, err := os.Create(filepath.Join(dir, "minio.log"))
	if err != nil {
		return nil, err
	}
	m.cmd.Stdout, m.cmd.Stderr = logf, logf
	if err := m.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	go func() { _ = m.cmd.Wait(); logf.Close(); close(m.done) }()
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get("http://" + m.Endpoint + "/minio/health/ready")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		select {
		case <-m.done:
			b, _ := os.ReadFile(filepath.Join(dir, "minio.log"))
			return nil, fmt.Errorf("minio exited: %s", b)
		default:
		}
		if time.Now().After(deadline) {
			m.Stop()
			return nil, errors.New("minio did not become ready in 30s")
		}
		time.Sleep(20 * time.Millisecond)
	}
	m.Client, err = minio.New(m.Endpoint, &minio.Options{Creds: credentials.NewStaticV4(m.User, m.Password, ""), Region: "us-east-1"})
	if err != nil {
		m.Stop()
		return nil, err
	}
	return m, nil
}

// Bucket creates a bucket with Object Lock enabled.
func (m *MinIO) Bucket(ctx context.Context, name string) error {
	return m.Client.MakeBucket(ctx, name, minio.MakeBucketOptions{Region: "us-east-1", ObjectLocking: true})
}

// Pid is the server's process id (benchmarks read its CPU time).
func (m *MinIO) Pid() int { return m.cmd.Process.Pid }

// Stop kills the server and removes its directory. Locked objects are
// only files to the operating system.
func (m *MinIO) Stop() {
	_ = m.cmd.Process.Kill()
	<-m.done
	_ = os.RemoveAll(m.dir)
}
