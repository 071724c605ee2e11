package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
)

// SignatureHeader carries "sha256=" and the hex HMAC-SHA256 of the body under the shared secret.
const SignatureHeader = "X-Provost-Signature"

// Sign is the SignatureHeader value of body under secret.
func Sign(secret, body []byte) string {
	m := hmac.New(sha256.New, secret)
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// Verify checks a SignatureHeader value in constant time (for receivers and tests).
func Verify(secret, body []byte, header string) bool {
	return hmac.Equal([]byte(Sign(secret, body)), []byte(header))
}

// Slack posts a digest to a Slack incoming webhook as one message.
type Slack struct {
	URL    string // a secret: take it from the environment
	Client *http.Client
}

var _ Sender = (*Slack)(nil)

func (s *Slack) Name() string { return "slack" }

// Send posts {"text": …}; Slack answers 200 "ok".
func (s *Slack) Send(ctx context.Context, d Digest) error {
	body, err := json.Marshal(map[string]string{"text": Text(d)})
	if err != nil {
		return err
	}
	return post(ctx, s.Client, s.URL, body, nil)
}

// Webhook posts the digest as JSON, signed with SignatureHeader when Secret is set.
type Webhook struct {
	URL    string
	Secret []byte
	Client *http.Client
}

var _ Sender = (*Webhook)(nil)

func (w *Webhook) Name() string { return "webhook" }

// WebhookPayload is the JSON body of a generic webhook.
type WebhookPayload struct {
	Type   string `json:"type"` // "provost.digest"
	Digest Digest `json:"digest"`
}

func (w *Webhook) Send(ctx context.Context, d Digest) error {
	body, err := json.Marshal(WebhookPayload{Type: "provost.digest", Digest: d})
	if err != nil {
		return err
	}
	h := http.Header{}
	if len(w.Secret) > 0 {
		h.Set(SignatureHeader, Sign(w.Secret, body))
	}
	return post(ctx, w.Client, w.URL, body, h)
}

// post sends body; 2xx is success, 429 and 5xx are retried, other answers are permanent. The
// URL is never part of the error (webhook URLs are secrets).
func post(ctx context.Context, c *http.Client, url string, body []byte, h http.Header) error {
	if c == nil {
		c = http.DefaultClient
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("bad webhook URL: %w", ErrPermanent)
	}
	for k, v := range h {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "provost")
	resp, err := c.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("post: %s", redact(err))
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		return nil
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500:
		return fmt.Errorf("answer %d: %s", resp.StatusCode, bytes.TrimSpace(msg))
	default:
		return fmt.Errorf("answer %d: %s: %w", resp.StatusCode, bytes.TrimSpace(msg), ErrPermanent)
	}
}

// redact drops the URL from a client error.
func redact(err error) string {
	type unwrapper interface{ Unwrap() error }
	if u, ok := err.(unwrapper); ok && u.Unwrap() != nil {
		return u.Unwrap().Error()
	}
	return err.Error()
}
