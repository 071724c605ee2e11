package notify

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/smtp"
	"net/textproto"
	"strings"
	"time"
)

// Email sends a digest over SMTP, upgrading the connection with STARTTLS before any credential
// or content is sent; a server that does not offer STARTTLS is refused.
type Email struct {
	Addr     string // host:port, usually :587
	From     string
	To       []string
	Username string // PLAIN auth when set
	Password string // a secret: take it from the environment
	// TLS configures STARTTLS; nil verifies the server against the system roots and the host
	// of Addr.
	TLS *tls.Config
	Now func() time.Time // the Date header; nil means time.Now
}

var _ Sender = (*Email)(nil)

func (e *Email) Name() string { return "email" }

// Send delivers one message to every recipient. A 5xx answer is permanent.
func (e *Email) Send(ctx context.Context, d Digest) error {
	host, _, err := net.SplitHostPort(e.Addr)
	if err != nil {
		return fmt.Errorf("smtp address %q: %w", e.Addr, ErrPermanent)
	}
	var dialer net.Dialer
	conn, err := dialer.DialContext(ctx, "tcp", e.Addr)
	if err != nil {
		return err
	}
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	} else {
		_ = conn.SetDeadline(time.Now().Add(2 * time.Minute))
	}
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		_ = conn.Close()
		return classify(err)
	}
	defer c.Close()
	if err := c.Hello("provost"); err != nil {
		return classify(err)
	}
	if ok, _ := c.Extension("STARTTLS"); !ok {
		return fmt.Errorf("smtp server %s does not offer STARTTLS: refusing to send in clear: %w", e.Addr, ErrPermanent)
	}
	cfg := e.TLS
	if cfg == nil {
		cfg = &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}
	}
	if err := c.StartTLS(cfg); err != nil {
		return fmt.Errorf("starttls: %w", err)
	}
	if e.Username != "" {
		if err := c.Auth(smtp.PlainAuth("", e.Username, e.Password, host)); err != nil {
			return fmt.Errorf("smtp auth as %s: %w", e.Username, classify(err))
		}
	}
	if err := c.Mail(e.From); err != nil {
		return classify(err)
	}
	for _, to := range e.To {
		if err := c.Rcpt(to); err != nil {
			return fmt.Errorf("recipient %s: %w", to, classify(err))
		}
	}
	w, err := c.Data()
	if err != nil {
		return classify(err)
	}
	if _, err := w.Write(e.message(d)); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return classify(err)
	}
	return classify(c.Quit())
}

func (e *Email) message(d Digest) []byte {
	now := time.Now
	if e.Now != nil {
		now = e.Now
	}
	subject := fmt.Sprintf("Provost: %d new finding(s), %d drift event(s)", len(d.Findings)+d.OmittedFindings, len(d.Drift)+d.OmittedDrift)
	var b strings.Builder
	for _, h := range [][2]string{
		{"From", e.From},
		{"To", strings.Join(e.To, ", ")},
		{"Subject", subject},
		{"Date", now().Format(time.RFC1123Z)},
		{"MIME-Version", "1.0"},
		{"Content-Type", "text/plain; charset=utf-8"},
		{"Content-Transfer-Encoding", "8bit"},
	} {
		b.WriteString(h[0] + ": " + headerSafe(h[1]) + "\r\n")
	}
	b.WriteString("\r\n")
	b.WriteString(strings.ReplaceAll(strings.ReplaceAll(Text(d), "\r", ""), "\n", "\r\n"))
	return []byte(b.String())
}

// headerSafe keeps a value on one header line.
func headerSafe(s string) string { return strings.NewReplacer("\r", " ", "\n", " ").Replace(s) }

// classify marks 5xx SMTP answers permanent.
func classify(err error) error {
	var te *textproto.Error
	if errors.As(err, &te) && te.Code >= 500 {
		return fmt.Errorf("%w: %w", err, ErrPermanent)
	}
	return err
}
