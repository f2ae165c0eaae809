package notify

import (
	"bytes"
	"crypto/rand"
	"crypto/tls"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"net"
	"net/mail"
	"net/smtp"
	"strings"
	"time"
)

// Mail is the SMTP server notification e-mail goes through. Password is a credential: it
// is never logged, and String shows whether it is set, not what it is.
type Mail struct {
	Addr     string // host:port; e-mail is off when empty
	From     string // the sender address
	Username string
	Password string
	Security string // starttls (default), tls, or none (loopback only)
}

// On reports whether e-mail is configured.
func (m Mail) On() bool { return m.Addr != "" }

// String describes the configuration for logs and pages, with the password masked.
func (m Mail) String() string {
	if !m.On() {
		return "e-mail off"
	}
	pw := "no password"
	if m.Password != "" {
		pw = "password set"
	}
	return fmt.Sprintf("smtp %s (%s) from %s as %q, %s", m.Addr, m.security(), m.From, m.Username, pw)
}

func (m Mail) security() string {
	if m.Security == "" {
		return "starttls"
	}
	return m.Security
}

// check refuses a configuration that cannot work or would send a password in clear.
func (m Mail) check() error {
	if !m.On() {
		return nil
	}
	host, _, err := net.SplitHostPort(m.Addr)
	if err != nil {
		return fmt.Errorf("--smtp-addr %q: want host:port", m.Addr)
	}
	if _, err := mail.ParseAddress(m.From); err != nil {
		return fmt.Errorf("--smtp-from %q: not an e-mail address", m.From)
	}
	switch m.security() {
	case "starttls", "tls":
	case "none":
		if !loopback(host) {
			return errors.New("--smtp-security none is allowed only to a server on this machine")
		}
	default:
		return fmt.Errorf("--smtp-security %q: want starttls, tls or none", m.Security)
	}
	return nil
}

// compose builds a UTF-8 plain-text message: the subject encoded for the header (RFC 2047),
// the body in base64 so that Chinese text passes any relay unchanged.
func compose(from, to, subject, body string, at time.Time) []byte {
	var id [12]byte
	_, _ = rand.Read(id[:])
	domain := "ciiguard"
	if i := strings.LastIndexByte(from, '@'); i >= 0 {
		domain = from[i+1:]
	}
	var b bytes.Buffer
	hdr := func(k, v string) { fmt.Fprintf(&b, "%s: %s\r\n", k, v) }
	hdr("From", from)
	hdr("To", to)
	hdr("Subject", mime.BEncoding.Encode("UTF-8", subject))
	hdr("Date", at.Format(time.RFC1123Z))
	hdr("Message-ID", "<"+hex.EncodeToString(id[:])+"@"+domain+">")
	hdr("MIME-Version", "1.0")
	hdr("Content-Type", "text/plain; charset=UTF-8")
	hdr("Content-Transfer-Encoding", "base64")
	b.WriteString("\r\n")
	enc := base64.StdEncoding.EncodeToString([]byte(strings.ReplaceAll(body, "\n", "\r\n")))
	for len(enc) > 76 {
		b.WriteString(enc[:76] + "\r\n")
		enc = enc[76:]
	}
	b.WriteString(enc + "\r\n")
	return b.Bytes()
}

// send delivers one message through the configured server.
func (m Mail) send(to, subject, body string, now time.Time) error {
	host, _, _ := net.SplitHostPort(m.Addr)
	d := &net.Dialer{Timeout: 15 * time.Second}
	var (
		conn net.Conn
		err  error
	)
	if m.security() == "tls" {
		conn, err = tls.DialWithDialer(d, "tcp", m.Addr, &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12})
	} else {
		conn, err = d.Dial("tcp", m.Addr)
	}
	if err != nil {
		return fmt.Errorf("smtp connect %s: %w", m.Addr, err)
	}
	_ = conn.SetDeadline(time.Now().Add(time.Minute))
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		conn.Close()
		return fmt.Errorf("smtp greeting: %w", err)
	}
	defer c.Close()
	if m.security() == "starttls" {
		if err := c.StartTLS(&tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}); err != nil {
			return fmt.Errorf("smtp STARTTLS: %w", err)
		}
	}
	if m.Username != "" {
		// net/smtp refuses PLAIN without TLS except to localhost, so a password never
		// crosses the network in clear.
		if err := c.Auth(smtp.PlainAuth("", m.Username, m.Password, host)); err != nil {
			return fmt.Errorf("smtp authentication as %q failed", m.Username)
		}
	}
	from, err := mail.ParseAddress(m.From)
	if err != nil {
		return fmt.Errorf("smtp sender: %w", err)
	}
	if err := c.Mail(from.Address); err != nil {
		return fmt.Errorf("smtp MAIL FROM: %w", err)
	}
	if err := c.Rcpt(to); err != nil {
		return fmt.Errorf("smtp RCPT TO: %w", err)
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("smtp DATA: %w", err)
	}
	if _, err := w.Write(compose(m.From, to, subject, body, now)); err != nil {
		return fmt.Errorf("smtp write: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("smtp end of data: %w", err)
	}
	return c.Quit()
}
