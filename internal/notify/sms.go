package notify

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// ChannelSMS is a notice to a phone number (kernel.Notice.Phones).
const ChannelSMS = "sms"

// SMSOff is the --notify-sms-outbox value that turns the SMS channel off.
const SMSOff = "off"

// Outbox is the SMS channel. ciiguard does not speak to a carrier: each SMS is appended
// as one JSON line to a file, and the SMS gateway the operator connects (an SMS provider's
// client, a modem) reads the file and sends. Delivery here means "handed to the outbox",
// and the product says so wherever it tells a user a message went out.
type Outbox struct {
	Path string // the file; empty means off

	mu sync.Mutex
}

// OutboxMessage is one line of the outbox.
type OutboxMessage struct {
	To      string    `json:"to"`
	Text    string    `json:"text"`
	Org     int64     `json:"org"`
	Kind    string    `json:"kind"`
	Subject string    `json:"subject"`
	Point   string    `json:"point"`
	At      time.Time `json:"at"`
}

// On reports whether the SMS channel is configured.
func (o *Outbox) On() bool { return o != nil && o.Path != "" }

// append writes one message and syncs it, so that a message counted as handed over
// survives a crash.
func (o *Outbox) append(m OutboxMessage) error {
	b, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("sms outbox: %w", err)
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if err := os.MkdirAll(filepath.Dir(o.Path), 0o700); err != nil {
		return fmt.Errorf("sms outbox: %w", err)
	}
	f, err := os.OpenFile(o.Path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("sms outbox: %w", err)
	}
	if _, err := f.Write(append(b, '\n')); err != nil {
		f.Close()
		return fmt.Errorf("sms outbox: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("sms outbox: %w", err)
	}
	return f.Close()
}

// SMSOutbox is the path of the SMS outbox, "" when the channel is off.
func (s *Service) SMSOutbox() string { return s.sms.Path }

func phoneRecipient(n string) string { return "phone:" + n }
