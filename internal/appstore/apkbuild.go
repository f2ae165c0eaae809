package appstore

import (
	"archive/zip"
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/binary"
	"fmt"
	"math/big"
	"time"
	"unicode/utf16"
)

// APKSpec describes a small package BuildAPK makes: the demo's packages and the tests'.
// They are real zip archives with a binary manifest and, when CertCN is set, a v1
// signature block holding a self-signed certificate; they hold no code that runs.
type APKSpec struct {
	Package     string
	VersionCode int64
	VersionName string
	MinSDK      int64
	TargetSDK   int64
	Permissions []string
	// Dex is the content of classes.dex (its hash is what a malicious-app list names).
	Dex []byte
	// Cert, when set, is the DER certificate of the v1 signature block (a developer's one
	// certificate, from NewCertificate); CertCN alone makes a fresh one of that name.
	Cert   []byte
	CertCN string
	// Scheme 2 or 3 signs with that APK Signature Scheme alone (the certificate in an APK
	// Signing Block, no v1 signature file); 0 or 1 writes the v1 file.
	Scheme int
	// UTF8 writes the manifest's string pool in UTF-8 instead of UTF-16.
	UTF8 bool
}

// BuildAPK returns the package s describes.
func BuildAPK(s APKSpec) ([]byte, error) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	add := func(name string, b []byte) error {
		w, err := zw.Create(name)
		if err != nil {
			return err
		}
		_, err = w.Write(b)
		return err
	}
	if err := add("AndroidManifest.xml", EncodeManifest(s)); err != nil {
		return nil, err
	}
	dex := s.Dex
	if dex == nil {
		dex = []byte("dex\n035\x00" + s.Package + s.VersionName)
	}
	if err := add("classes.dex", dex); err != nil {
		return nil, err
	}
	signed := s.Cert != nil || s.CertCN != ""
	if signed && s.Scheme >= 2 {
		if err := zw.Close(); err != nil {
			return nil, err
		}
		cert := s.Cert
		if cert == nil {
			var err error
			if cert, err = NewCertificate(s.CertCN); err != nil {
				return nil, err
			}
		}
		id := uint32(sigSchemeV2)
		if s.Scheme == 3 {
			id = sigSchemeV3
		}
		return withSigningBlock(buf.Bytes(), id, cert)
	}
	if signed {
		block, err := signatureBlock(s.Cert, s.CertCN)
		if err != nil {
			return nil, err
		}
		if err := add("META-INF/CERT.RSA", block); err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// axmlWriter builds a binary XML document.
type axmlWriter struct {
	strs  []string
	index map[string]uint32
	res   []uint32 // resource ids of the first len(res) strings
	body  bytes.Buffer
}

func (w *axmlWriter) str(s string) uint32 {
	if i, ok := w.index[s]; ok {
		return i
	}
	w.index[s] = uint32(len(w.strs))
	w.strs = append(w.strs, s)
	return w.index[s]
}

type axmlAttr struct {
	ns    bool
	name  string
	str   string
	num   int64
	isNum bool
}

func (w *axmlWriter) start(name string, attrs ...axmlAttr) {
	le := binary.LittleEndian
	n := len(attrs)
	b := make([]byte, 16+20+20*n)
	le.PutUint16(b, chunkStartElem)
	le.PutUint16(b[2:], 16)
	le.PutUint32(b[4:], uint32(len(b)))
	le.PutUint32(b[12:], 0xffffffff)
	ext := b[16:]
	le.PutUint32(ext, 0xffffffff)
	le.PutUint32(ext[4:], w.str(name))
	le.PutUint16(ext[8:], 20)
	le.PutUint16(ext[10:], 20)
	le.PutUint16(ext[12:], uint16(n))
	for i, a := range attrs {
		at := ext[20+20*i:]
		if a.ns {
			le.PutUint32(at, w.str(androidNamespace))
		} else {
			le.PutUint32(at, 0xffffffff)
		}
		le.PutUint32(at[4:], w.str(a.name))
		le.PutUint16(at[12:], 8)
		if a.isNum {
			le.PutUint32(at[8:], 0xffffffff)
			at[15] = typeIntDec
			le.PutUint32(at[16:], uint32(int32(a.num)))
		} else {
			v := w.str(a.str)
			le.PutUint32(at[8:], v)
			at[15] = typeString
			le.PutUint32(at[16:], v)
		}
	}
	w.body.Write(b)
}

func (w *axmlWriter) end(name string) {
	le := binary.LittleEndian
	b := make([]byte, 24)
	le.PutUint16(b, chunkEndElem)
	le.PutUint16(b[2:], 16)
	le.PutUint32(b[4:], 24)
	le.PutUint32(b[12:], 0xffffffff)
	le.PutUint32(b[16:], 0xffffffff)
	le.PutUint32(b[20:], w.str(name))
	w.body.Write(b)
}

// pool encodes the string pool chunk.
func (w *axmlWriter) pool(utf8 bool) []byte {
	le := binary.LittleEndian
	var data bytes.Buffer
	offs := make([]uint32, len(w.strs))
	for i, s := range w.strs {
		offs[i] = uint32(data.Len())
		if utf8 {
			n := len([]rune(s))
			data.Write(len8Bytes(n))
			data.Write(len8Bytes(len(s)))
			data.WriteString(s)
			data.WriteByte(0)
		} else {
			u := utf16.Encode([]rune(s))
			_ = binary.Write(&data, le, uint16(len(u)))
			_ = binary.Write(&data, le, u)
			_ = binary.Write(&data, le, uint16(0))
		}
	}
	for data.Len()%4 != 0 {
		data.WriteByte(0)
	}
	start := 28 + 4*len(w.strs)
	b := make([]byte, start, start+data.Len())
	le.PutUint16(b, chunkStringPool)
	le.PutUint16(b[2:], 28)
	le.PutUint32(b[8:], uint32(len(w.strs)))
	if utf8 {
		le.PutUint32(b[16:], utf8Flag)
	}
	le.PutUint32(b[20:], uint32(start))
	for i, o := range offs {
		le.PutUint32(b[28+4*i:], o)
	}
	b = append(b, data.Bytes()...)
	le.PutUint32(b[4:], uint32(len(b)))
	return b
}

func len8Bytes(n int) []byte {
	if n < 0x80 {
		return []byte{byte(n)}
	}
	return []byte{byte(n>>8) | 0x80, byte(n)}
}

// EncodeManifest returns s's AndroidManifest.xml in binary XML. The attribute names come
// first in the string pool so that the resource map can give their framework ids, as
// aapt2 lays them out.
func EncodeManifest(s APKSpec) []byte {
	w := &axmlWriter{index: map[string]uint32{}}
	for _, a := range []struct {
		name string
		id   uint32
	}{{"name", attrName}, {"versionCode", attrVersionCode}, {"versionName", attrVersionName}, {"minSdkVersion", attrMinSdk}, {"targetSdkVersion", attrTargetSdk}} {
		w.str(a.name)
		w.res = append(w.res, a.id)
	}
	w.start("manifest", axmlAttr{ns: true, name: "versionCode", num: s.VersionCode, isNum: true},
		axmlAttr{ns: true, name: "versionName", str: s.VersionName}, axmlAttr{name: "package", str: s.Package})
	w.start("uses-sdk", axmlAttr{ns: true, name: "minSdkVersion", num: s.MinSDK, isNum: true}, axmlAttr{ns: true, name: "targetSdkVersion", num: s.TargetSDK, isNum: true})
	w.end("uses-sdk")
	for _, p := range s.Permissions {
		w.start("uses-permission", axmlAttr{ns: true, name: "name", str: p})
		w.end("uses-permission")
	}
	w.start("application")
	w.end("application")
	w.end("manifest")

	le := binary.LittleEndian
	pool := w.pool(s.UTF8)
	rm := make([]byte, 8+4*len(w.res))
	le.PutUint16(rm, chunkResourceMap)
	le.PutUint16(rm[2:], 8)
	le.PutUint32(rm[4:], uint32(len(rm)))
	for i, id := range w.res {
		le.PutUint32(rm[8+4*i:], id)
	}
	out := make([]byte, 8, 8+len(pool)+len(rm)+w.body.Len())
	le.PutUint16(out, chunkXML)
	le.PutUint16(out[2:], 8)
	out = append(out, pool...)
	out = append(out, rm...)
	out = append(out, w.body.Bytes()...)
	le.PutUint32(out[4:], uint32(len(out)))
	return out
}

// NewCertificate returns a fresh self-signed developer certificate for cn (DER).
func NewCertificate(cn string) ([]byte, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2050, 1, 1, 0, 0, 0, 0, time.UTC)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, fmt.Errorf("self-signed certificate: %w", err)
	}
	return der, nil
}

// signatureBlock returns a PKCS#7 SignedData holding certificate der (a fresh one for cn
// when nil) and no signer infos: enough for the review, which reads the certificate only.
func signatureBlock(der []byte, cn string) ([]byte, error) {
	if der == nil {
		var err error
		if der, err = NewCertificate(cn); err != nil {
			return nil, err
		}
	}
	emptySet := asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagSet, IsCompound: true}
	data, err := asn1.Marshal(struct{ ContentType asn1.ObjectIdentifier }{asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1}})
	if err != nil {
		return nil, err
	}
	sd, err := asn1.Marshal(signedData{Version: 1, DigestAlgorithms: emptySet, ContentInfo: asn1.RawValue{FullBytes: data},
		Certificates: asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: der}, SignerInfos: emptySet})
	if err != nil {
		return nil, err
	}
	return asn1.Marshal(contentInfo{ContentType: oidSignedData, Content: asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, IsCompound: true, Bytes: sd}})
}

// withSigningBlock inserts an APK Signing Block before the archive's central directory,
// holding one signer of scheme id with the certificate cert (empty digests, signatures and
// key: the reader looks at the certificate only), and moves the directory's offset.
func withSigningBlock(archive []byte, id uint32, cert []byte) ([]byte, error) {
	cd, field, ok, err := centralDirectory(bytes.NewReader(archive), int64(len(archive)))
	if err != nil || !ok {
		return nil, fmt.Errorf("find the central directory: ok %v, %w", ok, err)
	}
	lp := func(parts ...[]byte) []byte {
		b := binary.LittleEndian.AppendUint32(nil, uint32(len(bytes.Join(parts, nil))))
		return append(b, bytes.Join(parts, nil)...)
	}
	signed := append(append(lp(), lp(lp(cert))...), lp()...) // digests, certificates, attributes
	signer := append(append(lp(signed), lp()...), lp()...)   // signed data, signatures, public key
	value := lp(lp(signer))
	pair := binary.LittleEndian.AppendUint64(nil, uint64(4+len(value)))
	pair = append(binary.LittleEndian.AppendUint32(pair, id), value...)
	size := uint64(len(pair) + 8 + len(sigBlockMagic))
	block := binary.LittleEndian.AppendUint64(nil, size)
	block = append(block, pair...)
	block = append(binary.LittleEndian.AppendUint64(block, size), sigBlockMagic...)
	out := append(append(append([]byte{}, archive[:cd]...), block...), archive[cd:]...)
	binary.LittleEndian.PutUint32(out[field+int64(len(block)):], uint32(cd)+uint32(len(block)))
	return out, nil
}
