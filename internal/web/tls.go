package web

import "crypto/tls"

// hstsValue tells browsers to use only HTTPS for this host for a year. It is sent on
// answers that came over TLS (browsers ignore it over plain HTTP anyway). It leaves out
// includeSubDomains: other hosts under the same domain are not ours to commit.
const hstsValue = "max-age=31536000"

// tls12Suites are the TLS 1.2 cipher suites served: ECDHE key exchange (forward secrecy)
// with an AEAD cipher only. Go's defaults also offer ECDHE with CBC, which is neither
// AEAD nor free of padding-oracle history. TLS 1.3 suites are all AEAD with ephemeral
// keys and are not configurable.
var tls12Suites = []uint16{
	tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
	tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
	tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
	tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
	tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
	tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
}

// TLSConfig returns the HTTPS server's TLS settings for certs: TLS 1.2 or newer, and on
// TLS 1.2 only ECDHE with AEAD ciphers.
func TLSConfig(certs ...tls.Certificate) *tls.Config {
	return &tls.Config{Certificates: certs, MinVersion: tls.VersionTLS12, CipherSuites: tls12Suites}
}
