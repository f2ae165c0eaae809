package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// message is one delivery to a webhook, in the words the ledger claimed.
type message struct {
	Kind, Subject, Point, Title, Text, Link string
	Due                                     *time.Time
}

// genericPayload is the generic webhook's JSON document (documented in the OpenAPI file).
type genericPayload struct {
	Kind    string `json:"kind"`
	Subject string `json:"subject"`
	Point   string `json:"point"`
	Title   string `json:"title"`
	Text    string `json:"text"`
	Due     string `json:"due,omitempty"` // the Beijing date
	Link    string `json:"link,omitempty"`
}

// robotText is the one text a group robot posts: the title on its own line, then the body.
func robotText(m message) string { return m.Title + "\n" + m.Text }

// request builds the HTTP request for format, signed with secret where the format defines
// signing, at time now (signatures carry the time; the robots refuse an hour-old one).
func request(ctx context.Context, format, rawURL, secret string, m message, now time.Time) (*http.Request, error) {
	var (
		body any
		hdr  = http.Header{"Content-Type": {"application/json; charset=utf-8"}}
	)
	switch format {
	case FormatWeCom:
		// WeCom group robot: POST .../cgi-bin/webhook/send?key=KEY, {"msgtype":"text","text":{"content":...}}.
		body = map[string]any{"msgtype": "text", "text": map[string]string{"content": robotText(m)}}
	case FormatDingTalk:
		// DingTalk custom robot: {"msgtype":"text","text":{"content":...}}; with 加签 the URL
		// gets timestamp (ms) and sign = urlencode(base64(HmacSHA256(secret, timestamp+"\n"+secret))).
		body = map[string]any{"msgtype": "text", "text": map[string]string{"content": robotText(m)}}
		if secret != "" {
			ts := strconv.FormatInt(now.UnixMilli(), 10)
			u, err := url.Parse(rawURL)
			if err != nil {
				return nil, errors.New("webhook address does not parse")
			}
			q := u.Query()
			q.Set("timestamp", ts)
			q.Set("sign", dingTalkSign(secret, ts))
			u.RawQuery = q.Encode()
			rawURL = u.String()
		}
	case FormatFeishu:
		// Feishu custom bot: {"msg_type":"text","content":{"text":...}}; with 签名校验 the body
		// gets timestamp (s) and sign = base64(HmacSHA256(key timestamp+"\n"+secret, empty message)).
		p := map[string]any{"msg_type": "text", "content": map[string]string{"text": robotText(m)}}
		if secret != "" {
			ts := strconv.FormatInt(now.Unix(), 10)
			p["timestamp"], p["sign"] = ts, feishuSign(secret, ts)
		}
		body = p
	default:
		g := genericPayload{Kind: m.Kind, Subject: m.Subject, Point: m.Point, Title: m.Title, Text: m.Text, Link: m.Link}
		if m.Due != nil {
			g.Due = dueDate(*m.Due)
		}
		body = g
	}
	b, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	if format == FormatGeneric && secret != "" {
		// The generic webhook's receiver checks X-Ciiguard-Signature: hex HMAC-SHA256 of
		// timestamp + "." + body under the shared secret, the timestamp in seconds.
		ts := strconv.FormatInt(now.Unix(), 10)
		hdr.Set("X-Ciiguard-Timestamp", ts)
		hdr.Set("X-Ciiguard-Signature", "sha256="+genericSign(secret, ts, b))
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, rawURL, bytes.NewReader(b))
	if err != nil {
		return nil, errors.New("webhook address does not parse")
	}
	req.Header = hdr
	return req, nil
}

func dingTalkSign(secret, ts string) string {
	h := hmac.New(sha256.New, []byte(secret))
	h.Write([]byte(ts + "\n" + secret))
	return base64.StdEncoding.EncodeToString(h.Sum(nil))
}

func feishuSign(secret, ts string) string {
	h := hmac.New(sha256.New, []byte(ts+"\n"+secret))
	return base64.StdEncoding.EncodeToString(h.Sum(nil))
}

func genericSign(secret, ts string, body []byte) string {
	h := hmac.New(sha256.New, []byte(secret))
	h.Write([]byte(ts + "."))
	h.Write(body)
	return hex.EncodeToString(h.Sum(nil))
}

// post sends one message to a webhook. Its errors never contain the address (which holds
// the robot's key): a transport error is reduced to its cause.
func (s *Service) post(ctx context.Context, h Webhook, m message) error {
	req, err := request(ctx, h.Format, h.URL, h.Secret, m, s.now())
	if err != nil {
		return err
	}
	resp, err := s.client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return fmt.Errorf("webhook %d: %w", h.ID, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("webhook %d: HTTP %d", h.ID, resp.StatusCode)
	}
	return robotAnswer(h.Format, b)
}

// robotAnswer reads a robot's reply: WeCom and DingTalk answer {"errcode":0,...}, Feishu
// {"code":0,...}; anything else non-zero is a refusal (a bad signature, a keyword missing).
func robotAnswer(format string, b []byte) error {
	if format == FormatGeneric {
		return nil
	}
	var a struct {
		ErrCode *int   `json:"errcode"`
		ErrMsg  string `json:"errmsg"`
		Code    *int   `json:"code"`
		Msg     string `json:"msg"`
	}
	if err := json.Unmarshal(b, &a); err != nil {
		return fmt.Errorf("%s robot answered something other than JSON", format)
	}
	switch {
	case a.ErrCode != nil && *a.ErrCode != 0:
		return fmt.Errorf("%s robot refused: %d %s", format, *a.ErrCode, clip(a.ErrMsg))
	case a.Code != nil && *a.Code != 0:
		return fmt.Errorf("%s robot refused: %d %s", format, *a.Code, clip(a.Msg))
	}
	return nil
}

func clip(s string) string {
	s = strings.ToValidUTF8(s, "")
	if len(s) > 200 {
		return s[:200]
	}
	return s
}
