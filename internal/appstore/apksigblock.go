package appstore

import (
	"bytes"
	"crypto/x509"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// The APK Signing Block (APK Signature Scheme v2, Android 7.0, and v3, Android 9): an
// area between the last zip entry and the central directory holding ID-value pairs, one
// of which is the scheme's signer list. A package whose minimum SDK is 24 or more is
// often signed with v2 or v3 alone, with no v1 META-INF signature file, so its signing
// certificate — what the blacklist keys on — is only here. As for v1 the signature is
// not verified: the certificate is read so that a blacklisted key is recognised.
const (
	sigBlockMagic = "APK Sig Block 42"
	// sigSchemeV2 and sigSchemeV3 are the pairs' IDs of the two schemes' signer lists.
	sigSchemeV2 = 0x7109871a
	sigSchemeV3 = 0xf05368c0
	// eocdMin is the end-of-central-directory record without its comment.
	eocdMin = 22
)

// centralDirectory finds the end-of-central-directory record in the last 64 KiB + 22
// bytes of the package and returns the central directory's offset and where the record's
// offset field is; ok is false for a ZIP64 archive (its offset is elsewhere).
func centralDirectory(r io.ReaderAt, size int64) (cd, field int64, ok bool, err error) {
	n := min(size, eocdMin+0xffff)
	tail := make([]byte, n)
	if _, err := r.ReadAt(tail, size-n); err != nil {
		return 0, 0, false, apkErr("the end of the archive cannot be read: %v", err)
	}
	for i := len(tail) - eocdMin; i >= 0; i-- {
		if !bytes.Equal(tail[i:i+4], []byte("PK\x05\x06")) || int(binary.LittleEndian.Uint16(tail[i+20:])) != len(tail)-i-eocdMin {
			continue
		}
		off := binary.LittleEndian.Uint32(tail[i+16:])
		if off == 0xffffffff {
			return 0, 0, false, nil
		}
		return int64(off), size - n + int64(i) + 16, int64(off) <= size, nil
	}
	return 0, 0, false, apkErr("has no end of central directory")
}

// signingBlockCertificate returns the first certificate of the first signer of the APK
// Signature Scheme v2 block, or of the v3 block when there is no v2 one; nil when the
// package has no signing block or neither scheme in it.
func signingBlockCertificate(r io.ReaderAt, size int64) (*x509.Certificate, error) {
	cd, _, ok, err := centralDirectory(r, size)
	if err != nil || !ok || cd < 32 {
		return nil, err
	}
	var foot [24]byte
	if _, err := r.ReadAt(foot[:], cd-24); err != nil {
		return nil, apkErr("APK Signing Block cannot be read: %v", err)
	}
	if string(foot[8:]) != sigBlockMagic {
		return nil, nil
	}
	n := binary.LittleEndian.Uint64(foot[:8])
	if n < 24 || n > maxSigBlock || int64(n)+8 > cd {
		return nil, apkErr("APK Signing Block: size %d out of range", n)
	}
	block := make([]byte, n+8)
	if _, err := r.ReadAt(block, cd-int64(n)-8); err != nil {
		return nil, apkErr("APK Signing Block cannot be read: %v", err)
	}
	if binary.LittleEndian.Uint64(block) != n {
		return nil, apkErr("APK Signing Block: its two sizes differ")
	}
	pairs := block[8 : len(block)-24]
	schemes := map[uint32][]byte{}
	for len(pairs) > 0 {
		if len(pairs) < 12 {
			return nil, apkErr("APK Signing Block: a truncated pair")
		}
		l := binary.LittleEndian.Uint64(pairs)
		if l < 4 || l > uint64(len(pairs)-8) {
			return nil, apkErr("APK Signing Block: a pair's length %d out of range", l)
		}
		id := binary.LittleEndian.Uint32(pairs[8:])
		if _, seen := schemes[id]; !seen {
			schemes[id] = pairs[12 : 8+l]
		}
		pairs = pairs[8+l:]
	}
	for _, id := range []uint32{sigSchemeV2, sigSchemeV3} {
		if v, ok := schemes[id]; ok {
			cert, err := schemeCertificate(v)
			if err != nil {
				return nil, apkErr("APK Signature Scheme v%d block: %v", map[uint32]int{sigSchemeV2: 2, sigSchemeV3: 3}[id], err)
			}
			return cert, nil
		}
	}
	return nil, nil
}

// schemeCertificate reads a v2 or v3 signer list: signers → the first signer → its signed
// data → (digests, then) certificates → the first certificate. Both schemes lay the
// signed data out the same way up to the certificates.
func schemeCertificate(v []byte) (*x509.Certificate, error) {
	signers, _, err := prefixed(v)
	if err != nil {
		return nil, err
	}
	signer, _, err := prefixed(signers)
	if err != nil {
		return nil, err
	}
	signed, _, err := prefixed(signer)
	if err != nil {
		return nil, err
	}
	_, rest, err := prefixed(signed) // the digests
	if err != nil {
		return nil, err
	}
	certs, _, err := prefixed(rest)
	if err != nil {
		return nil, err
	}
	der, _, err := prefixed(certs)
	if err != nil {
		return nil, err
	}
	if len(der) == 0 {
		return nil, errors.New("the signer has no certificate")
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("the signer's certificate: %w", err)
	}
	return cert, nil
}

// prefixed splits b into the value its little-endian uint32 length prefix announces and
// what follows.
func prefixed(b []byte) (value, rest []byte, err error) {
	if len(b) < 4 {
		return nil, nil, errors.New("a truncated length prefix")
	}
	n := binary.LittleEndian.Uint32(b)
	if uint64(n) > uint64(len(b)-4) {
		return nil, nil, fmt.Errorf("a length %d past the end", n)
	}
	return b[4 : 4+n], b[4+n:], nil
}
