package appstore

import (
	"bytes"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"testing"
)

// TestSigningBlockCertificate: a package signed with APK Signature Scheme v2 or v3 alone
// (no v1 signature file) has its signing certificate read from the APK Signing Block; the
// oracle is the SHA-256 and MD5 of the certificate's DER bytes the test made, and the v1
// package of the same key has the same fingerprint, so a blacklisted certificate is caught
// whatever the scheme. A signing block whose lengths run past its end is refused.
func TestSigningBlockCertificate(t *testing.T) {
	key, err := NewCertificate("示例开发者")
	if err != nil {
		t.Fatal(err)
	}
	fp, m := sha256.Sum256(key), md5.Sum(key)
	v1, _ := BuildAPK(APKSpec{Package: "cn.example.v1", Cert: key})
	i1, err := ParseAPK(bytes.NewReader(v1), int64(len(v1)))
	if err != nil || i1.CertSHA256 != hex.EncodeToString(fp[:]) {
		t.Fatalf("v1: %v %s", err, i1.CertSHA256)
	}
	for _, scheme := range []int{2, 3} {
		raw, err := BuildAPK(APKSpec{Package: "cn.example.v2", VersionCode: 7, MinSDK: 28, Cert: key, Scheme: scheme, Dex: []byte("dex-v2")})
		if err != nil {
			t.Fatal(err)
		}
		info, err := ParseAPK(bytes.NewReader(raw), int64(len(raw)))
		if err != nil {
			t.Fatalf("v%d: %v", scheme, err)
		}
		dex := sha256.Sum256([]byte("dex-v2"))
		if !info.Signed || info.CertSHA256 != hex.EncodeToString(fp[:]) || info.CertMD5 != hex.EncodeToString(m[:]) || info.CertSubject != "CN=示例开发者" {
			t.Errorf("v%d only: signed %v, certificate %s %s %q; want %x", scheme, info.Signed, info.CertSHA256, info.CertMD5, info.CertSubject, fp)
		}
		if info.Package != "cn.example.v2" || info.VersionCode != 7 || info.Files["classes.dex"] != hex.EncodeToString(dex[:]) {
			t.Errorf("v%d only: the archive around the block read as %+v", scheme, info)
		}
		// The v2 block's certificate list says it is longer than the block.
		at := bytes.Index(raw, key) - 4
		bad := append([]byte{}, raw...)
		bad[at], bad[at+1] = 0xff, 0xff
		var ae *APKError
		if _, err := ParseAPK(bytes.NewReader(bad), int64(len(bad))); !errors.As(err, &ae) {
			t.Errorf("v%d block with a certificate past its end: %v, want refused", scheme, err)
		}
	}
}

// FuzzSigningBlock: any bytes give a certificate, nothing, or an APKError from the
// signing block reader, never a panic or another kind of error.
func FuzzSigningBlock(f *testing.F) {
	for _, scheme := range []int{2, 3} {
		raw, err := BuildAPK(APKSpec{Package: "cn.example.f", CertCN: "f", Scheme: scheme})
		if err != nil {
			f.Fatal(err)
		}
		f.Add(raw)
	}
	f.Add([]byte("PK\x05\x06"))
	f.Fuzz(func(t *testing.T, b []byte) {
		_, err := signingBlockCertificate(bytes.NewReader(b), int64(len(b)))
		var ae *APKError
		if err != nil && !errors.As(err, &ae) {
			t.Fatalf("error of another kind: %v", err)
		}
	})
}
