package appstore

import (
	"archive/zip"
	"bytes"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"reflect"
	"strings"
	"testing"
)

// TestParseAPK builds small packages here (a zip, a binary manifest written by
// EncodeManifest, a v1 signature block) and reads them back: what goes in is the oracle.
func TestParseAPK(t *testing.T) {
	key, err := NewCertificate("示例开发者")
	if err != nil {
		t.Fatal(err)
	}
	for _, utf8 := range []bool{false, true} {
		spec := APKSpec{Package: "cn.example.wallet", VersionCode: 302, VersionName: "3.0.2 版", MinSDK: 24, TargetSDK: 34,
			Permissions: []string{"android.permission.READ_SMS", "android.permission.INTERNET", "android.permission.INTERNET"},
			Dex:         []byte("dex-content"), Cert: key, UTF8: utf8}
		raw, err := BuildAPK(spec)
		if err != nil {
			t.Fatal(err)
		}
		info, err := ParseAPK(bytes.NewReader(raw), int64(len(raw)))
		if err != nil {
			t.Fatalf("utf8=%v: %v", utf8, err)
		}
		whole := sha256.Sum256(raw)
		dex := sha256.Sum256([]byte("dex-content"))
		if info.Package != spec.Package || info.VersionCode != 302 || info.VersionName != "3.0.2 版" || info.MinSDK != 24 || info.TargetSDK != 34 {
			t.Errorf("utf8=%v: manifest read as %+v", utf8, info)
		}
		if want := []string{"android.permission.INTERNET", "android.permission.READ_SMS"}; !reflect.DeepEqual(info.Permissions, want) {
			t.Errorf("permissions %v, want %v (sorted, once each)", info.Permissions, want)
		}
		if info.SHA256 != hex.EncodeToString(whole[:]) || info.Files["classes.dex"] != hex.EncodeToString(dex[:]) {
			t.Errorf("hashes %s %v", info.SHA256, info.Files)
		}
		cert, err := FirstCertificate(mustBlock(t, raw))
		if err != nil {
			t.Fatal(err)
		}
		fp, m := sha256.Sum256(cert.Raw), md5.Sum(cert.Raw)
		if !info.Signed || info.CertSHA256 != hex.EncodeToString(fp[:]) || info.CertMD5 != hex.EncodeToString(m[:]) || !strings.Contains(info.CertSubject, "示例开发者") {
			t.Errorf("certificate %v %s %s %q", info.Signed, info.CertSHA256, info.CertMD5, info.CertSubject)
		}
	}
	// Same key, another package: the same certificate fingerprint (what the blacklist
	// catches under another name).
	a, _ := BuildAPK(APKSpec{Package: "cn.example.a", Cert: key})
	b, _ := BuildAPK(APKSpec{Package: "cn.example.b", Cert: key})
	ia, _ := ParseAPK(bytes.NewReader(a), int64(len(a)))
	ib, _ := ParseAPK(bytes.NewReader(b), int64(len(b)))
	if ia.CertSHA256 == "" || ia.CertSHA256 != ib.CertSHA256 {
		t.Errorf("one key, two fingerprints: %q %q", ia.CertSHA256, ib.CertSHA256)
	}
	unsigned, _ := BuildAPK(APKSpec{Package: "cn.example.unsigned"})
	if iu, err := ParseAPK(bytes.NewReader(unsigned), int64(len(unsigned))); err != nil || iu.Signed || iu.CertSHA256 != "" {
		t.Errorf("unsigned package: %+v %v", iu, err)
	}
}

func mustBlock(t *testing.T, apk []byte) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(apk), int64(len(apk)))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range zr.File {
		if f.Name == "META-INF/CERT.RSA" {
			b, err := readEntry(f, maxSigBlock)
			if err != nil {
				t.Fatal(err)
			}
			return b
		}
	}
	t.Fatal("no signature block")
	return nil
}

// TestParseAPKRefusals: what is not a package, or not a sound one, is refused with a
// reason, never a panic.
func TestParseAPKRefusals(t *testing.T) {
	zipOf := func(files map[string][]byte) []byte {
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		for n, b := range files {
			w, _ := zw.Create(n)
			_, _ = w.Write(b)
		}
		_ = zw.Close()
		return buf.Bytes()
	}
	good := EncodeManifest(APKSpec{Package: "cn.example.ok", VersionCode: 1})
	for _, c := range []struct {
		name string
		raw  []byte
		want string
	}{
		{"not a zip", []byte("hello"), "is not a zip archive"},
		{"no manifest", zipOf(map[string][]byte{"classes.dex": []byte("x")}), "has no AndroidManifest.xml"},
		{"text manifest", zipOf(map[string][]byte{"AndroidManifest.xml": []byte("<manifest/>")}), "not binary XML"},
		{"truncated manifest", zipOf(map[string][]byte{"AndroidManifest.xml": good[:len(good)-30]}), "does not fit"},
		{"bad package name", zipOf(map[string][]byte{"AndroidManifest.xml": EncodeManifest(APKSpec{Package: "nodots"})}), "is not a Java package name"},
		{"bad signature block", zipOf(map[string][]byte{"AndroidManifest.xml": good, "META-INF/CERT.RSA": []byte{0x30, 0x03, 1, 2, 3}}), "signature block META-INF/CERT.RSA"},
	} {
		_, err := ParseAPK(bytes.NewReader(c.raw), int64(len(c.raw)))
		var ae *APKError
		if !errors.As(err, &ae) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an APKError with %q", c.name, err, c.want)
		}
	}
}

// FuzzParseAPK: any bytes give a package or an error, within the limits.
func FuzzParseAPK(f *testing.F) {
	a, _ := BuildAPK(APKSpec{Package: "cn.example.f", VersionCode: 3, Permissions: []string{"android.permission.CAMERA"}, CertCN: "f"})
	f.Add(a)
	v2, _ := BuildAPK(APKSpec{Package: "cn.example.v2", VersionCode: 4, CertCN: "v2", Scheme: 2})
	f.Add(v2)
	f.Add([]byte("PK\x03\x04"))
	f.Fuzz(func(t *testing.T, b []byte) {
		info, err := ParseAPK(bytes.NewReader(b), int64(len(b)))
		if err == nil && !validPackageName(info.Package) {
			t.Fatalf("accepted package name %q", info.Package)
		}
	})
}

// FuzzParseAXML: any bytes give elements or an AXMLError, never a panic.
func FuzzParseAXML(f *testing.F) {
	f.Add(EncodeManifest(APKSpec{Package: "cn.example.f", VersionCode: 3, Permissions: []string{"android.permission.CAMERA"}}))
	f.Add(EncodeManifest(APKSpec{Package: "cn.example.u", UTF8: true}))
	f.Fuzz(func(t *testing.T, b []byte) {
		els, err := ParseAXML(b)
		var ae *AXMLError
		if err != nil && !errors.As(err, &ae) {
			t.Fatalf("error of another kind: %v", err)
		}
		if err == nil && len(els) == 0 {
			t.Fatal("no error and no elements")
		}
	})
}
