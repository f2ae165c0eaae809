package appstore

import (
	"archive/zip"
	"bytes"
	"crypto/md5"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"path"
	"sort"
	"strings"
)

// Limits on an uploaded package.
const (
	// MaxAPKBytes is the largest package the review accepts for upload.
	MaxAPKBytes = 64 << 20
	// maxEntries bounds the files in the zip.
	maxEntries = 20000
	// maxManifest bounds the uncompressed AndroidManifest.xml.
	maxManifest = 4 << 20
	// maxSigBlock bounds one signature block file.
	maxSigBlock = 1 << 20
	// maxHashedEntry bounds the uncompressed size of one file the review hashes.
	maxHashedEntry = 256 << 20
	// maxHashedFiles bounds how many code files are hashed.
	maxHashedFiles = 200
)

// APKInfo is what the automated review reads from a package.
type APKInfo struct {
	SHA256      string   `json:"sha256"`
	Package     string   `json:"package"`
	VersionCode int64    `json:"version_code"`
	VersionName string   `json:"version_name"`
	MinSDK      int64    `json:"min_sdk"`
	TargetSDK   int64    `json:"target_sdk"`
	Permissions []string `json:"permissions"`
	// CertSHA256 and CertMD5 are the fingerprints of the first certificate of the first
	// v1 (JAR) signature block, META-INF/*.RSA, *.DSA or *.EC, or, without one, of the
	// first signer of the APK Signing Block's v2 (else v3) scheme; CertSubject its
	// subject. The signature itself is not verified: an unsigned package has no
	// fingerprint here, and the reviewer is told so (Signed false).
	CertSHA256  string `json:"cert_sha256"`
	CertMD5     string `json:"cert_md5"`
	CertSubject string `json:"cert_subject"`
	Signed      bool   `json:"signed"`
	// Files are the SHA-256 of the code files (classes*.dex, lib/**/*.so), by path.
	Files map[string]string `json:"files"`
}

// APKError says why a package was refused.
type APKError struct{ Reason string }

func (e *APKError) Error() string { return e.Reason }

func apkErr(format string, args ...any) error { return &APKError{Reason: fmt.Sprintf(format, args...)} }

// ParseAPK reads an Android package of size bytes from r.
func ParseAPK(r io.ReaderAt, size int64) (APKInfo, error) {
	var info APKInfo
	if size > MaxAPKBytes {
		return info, apkErr("is larger than %d MB", MaxAPKBytes>>20)
	}
	h := sha256.New()
	if _, err := io.Copy(h, io.NewSectionReader(r, 0, size)); err != nil {
		return info, fmt.Errorf("read the package: %w", err)
	}
	info.SHA256 = hex.EncodeToString(h.Sum(nil))
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return info, apkErr("is not a zip archive: %v", err)
	}
	if len(zr.File) > maxEntries {
		return info, apkErr("holds more than %d files", maxEntries)
	}
	var manifest *zip.File
	var sigs []*zip.File
	info.Files = map[string]string{}
	for _, f := range zr.File {
		name := f.Name
		switch {
		case name == "AndroidManifest.xml":
			manifest = f
		case strings.HasPrefix(name, "META-INF/") && !strings.Contains(name[9:], "/"):
			switch strings.ToUpper(path.Ext(name)) {
			case ".RSA", ".DSA", ".EC":
				sigs = append(sigs, f)
			}
		case isCode(name) && len(info.Files) < maxHashedFiles:
			sum, err := hashEntry(f, maxHashedEntry)
			if err != nil {
				return info, err
			}
			info.Files[name] = sum
		}
	}
	if manifest == nil {
		return info, apkErr("has no AndroidManifest.xml")
	}
	raw, err := readEntry(manifest, maxManifest)
	if err != nil {
		return info, err
	}
	if err := readManifest(raw, &info); err != nil {
		return info, err
	}
	sort.Slice(sigs, func(i, j int) bool { return sigs[i].Name < sigs[j].Name })
	if len(sigs) > 0 {
		block, err := readEntry(sigs[0], maxSigBlock)
		if err != nil {
			return info, err
		}
		cert, err := FirstCertificate(block)
		if err != nil {
			return info, apkErr("signature block %s: %v", sigs[0].Name, err)
		}
		s, m := sha256.Sum256(cert.Raw), md5.Sum(cert.Raw)
		info.CertSHA256, info.CertMD5, info.CertSubject, info.Signed = hex.EncodeToString(s[:]), hex.EncodeToString(m[:]), cert.Subject.String(), true
		return info, nil
	}
	cert, err := signingBlockCertificate(r, size)
	if err != nil || cert == nil {
		return info, err
	}
	s, m := sha256.Sum256(cert.Raw), md5.Sum(cert.Raw)
	info.CertSHA256, info.CertMD5, info.CertSubject, info.Signed = hex.EncodeToString(s[:]), hex.EncodeToString(m[:]), cert.Subject.String(), true
	return info, nil
}

func isCode(name string) bool {
	base := path.Base(name)
	return (!strings.Contains(name, "/") && strings.HasPrefix(base, "classes") && strings.HasSuffix(base, ".dex")) ||
		(strings.HasPrefix(name, "lib/") && strings.HasSuffix(base, ".so"))
}

// readEntry reads f whole, refusing more than max bytes uncompressed whatever the
// header claims.
func readEntry(f *zip.File, max int64) ([]byte, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, apkErr("%s cannot be opened: %v", f.Name, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, max+1))
	if err != nil {
		return nil, apkErr("%s cannot be read: %v", f.Name, err)
	}
	if int64(len(b)) > max {
		return nil, apkErr("%s is larger than %d bytes", f.Name, max)
	}
	return b, nil
}

func hashEntry(f *zip.File, max int64) (string, error) {
	rc, err := f.Open()
	if err != nil {
		return "", apkErr("%s cannot be opened: %v", f.Name, err)
	}
	defer rc.Close()
	h := sha256.New()
	n, err := io.Copy(h, io.LimitReader(rc, max+1))
	if err != nil {
		return "", apkErr("%s cannot be read: %v", f.Name, err)
	}
	if n > max {
		return "", apkErr("%s is larger than %d bytes", f.Name, max)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// readManifest fills info from the binary AndroidManifest.xml.
func readManifest(raw []byte, info *APKInfo) error {
	els, err := ParseAXML(raw)
	if err != nil {
		return apkErr("AndroidManifest.xml: %v", err)
	}
	if els[0].Name != "manifest" {
		return apkErr("AndroidManifest.xml: the root element is %q, not manifest", els[0].Name)
	}
	root := els[0]
	if a, ok := root.Attr("package", 0); ok {
		info.Package = a.Value
	}
	if a, ok := root.Attr("versionCode", attrVersionCode); ok && a.IsInt {
		info.VersionCode = a.Int
	}
	if a, ok := root.Attr("versionName", attrVersionName); ok {
		info.VersionName = a.Value
	}
	seen := map[string]bool{}
	for _, e := range els[1:] {
		if e.Depth != 2 {
			continue
		}
		switch e.Name {
		case "uses-sdk":
			if a, ok := e.Attr("minSdkVersion", attrMinSdk); ok && a.IsInt {
				info.MinSDK = a.Int
			}
			if a, ok := e.Attr("targetSdkVersion", attrTargetSdk); ok && a.IsInt {
				info.TargetSDK = a.Int
			}
		case "uses-permission", "uses-permission-sdk-23":
			if a, ok := e.Attr("name", attrName); ok && a.Value != "" && !seen[a.Value] {
				seen[a.Value] = true
				info.Permissions = append(info.Permissions, a.Value)
			}
		}
	}
	if !validPackageName(info.Package) {
		return apkErr("AndroidManifest.xml: the package name %q is not a Java package name", info.Package)
	}
	sort.Strings(info.Permissions)
	return nil
}

// validPackageName reports whether s is an Android application id: at least two
// dot-separated segments, each a letter followed by letters, digits or underscores.
func validPackageName(s string) bool {
	if len(s) == 0 || len(s) > 255 {
		return false
	}
	parts := strings.Split(s, ".")
	if len(parts) < 2 {
		return false
	}
	for _, p := range parts {
		if p == "" {
			return false
		}
		for i, c := range p {
			letter := (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
			if !letter && (i == 0 || !(c >= '0' && c <= '9' || c == '_')) {
				return false
			}
		}
	}
	return true
}

// pkcs7 is the part of a PKCS#7 / CMS SignedData (RFC 2315 section 9.1) needed to reach
// its certificates.
type contentInfo struct {
	ContentType asn1.ObjectIdentifier
	Content     asn1.RawValue // [0] EXPLICIT: the element itself, its Bytes the SignedData
}

type signedData struct {
	Version          int
	DigestAlgorithms asn1.RawValue
	ContentInfo      asn1.RawValue
	Certificates     asn1.RawValue `asn1:"optional,tag:0"`
	CRLs             asn1.RawValue `asn1:"optional,tag:1"`
	SignerInfos      asn1.RawValue
}

var oidSignedData = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 2}

// FirstCertificate returns the first certificate of a DER PKCS#7 SignedData block.
func FirstCertificate(der []byte) (*x509.Certificate, error) {
	var ci contentInfo
	rest, err := asn1.Unmarshal(der, &ci)
	if err != nil {
		return nil, fmt.Errorf("not PKCS#7: %w", err)
	}
	if len(bytes.TrimRight(rest, "\x00")) > 0 {
		return nil, errors.New("trailing data after the PKCS#7 structure")
	}
	if !ci.ContentType.Equal(oidSignedData) {
		return nil, fmt.Errorf("content type %v is not signed data", ci.ContentType)
	}
	var sd signedData
	if _, err := asn1.Unmarshal(ci.Content.Bytes, &sd); err != nil {
		return nil, fmt.Errorf("signed data: %w", err)
	}
	if len(sd.Certificates.Bytes) == 0 {
		return nil, errors.New("no certificate")
	}
	certs, err := x509.ParseCertificates(sd.Certificates.Bytes)
	if err != nil {
		return nil, fmt.Errorf("certificate: %w", err)
	}
	if len(certs) == 0 {
		return nil, errors.New("no certificate")
	}
	return certs[0], nil
}
