package notify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/provost-dev/provost/drift"
	"github.com/provost-dev/provost/finding"
)

// Digest is what one run has to tell: its new findings at or above the threshold and its drift
// events. One digest is one message per channel, however many items it holds.
type Digest struct {
	Run      string            `json:"run,omitempty"`
	Snapshot string            `json:"snapshot"`
	Previous string            `json:"previous,omitempty"`
	At       time.Time         `json:"at"`
	Findings []finding.Finding `json:"findings"` // new, open, at or above MinSeverity; most severe first
	Drift    []drift.Event     `json:"drift"`
	// Omitted counts the items left out of Findings and Drift by Limit.
	OmittedFindings int `json:"omitted_findings,omitempty"`
	OmittedDrift    int `json:"omitted_drift,omitempty"`
	// Remediation holds the outcomes of the remediation steps a run acted on (or the refusal
	// of the whole run by a guard).
	Remediation []Outcome `json:"remediation,omitempty"`
}

// Outcome is what one remediation step did: state done or failed, or refused for a run that a
// guard stopped.
type Outcome struct {
	Step      string `json:"step,omitempty"`
	Action    string `json:"action"`
	Principal string `json:"principal,omitempty"`
	Target    string `json:"target,omitempty"`
	State     string `json:"state"`
	Detail    string `json:"detail,omitempty"`
}

// Empty reports whether the digest has nothing to say.
func (d Digest) Empty() bool {
	return len(d.Findings)+len(d.Drift)+d.OmittedFindings+d.OmittedDrift+len(d.Remediation) == 0
}

// NewDigest selects from a run's findings those first seen at evalTime (new in this run), open,
// and at or above min, sorts them most severe first, and keeps at most limit findings and limit
// drift events (limit ≤ 0: no limit), counting the rest.
func NewDigest(snapshot, previous string, evalTime time.Time, fs []finding.Finding, events []drift.Event, min finding.Severity, limit int) Digest {
	d := Digest{Snapshot: snapshot, Previous: previous, At: evalTime, Findings: []finding.Finding{}, Drift: []drift.Event{}}
	for _, f := range fs {
		if f.Status == finding.StatusOpen && f.FirstSeen.Equal(evalTime) && f.Severity.AtLeast(min) {
			d.Findings = append(d.Findings, f)
		}
	}
	slices.SortStableFunc(d.Findings, func(a, b finding.Finding) int {
		if a.Severity != b.Severity {
			return int(b.Severity) - int(a.Severity)
		}
		return strings.Compare(a.ID, b.ID)
	})
	d.Drift = append(d.Drift, events...)
	if limit > 0 {
		if n := len(d.Findings) - limit; n > 0 {
			d.Findings, d.OmittedFindings = d.Findings[:limit], n
		}
		if n := len(d.Drift) - limit; n > 0 {
			d.Drift, d.OmittedDrift = d.Drift[:limit], n
		}
	}
	return d
}

// Sender delivers a digest to one channel. Send must honour ctx; an error wrapping
// ErrPermanent is not retried.
type Sender interface {
	Name() string
	Send(ctx context.Context, d Digest) error
}

// ErrPermanent marks a delivery error that retrying cannot fix (a 4xx answer, a refused
// recipient).
var ErrPermanent = errors.New("permanent")

// Retry is the backoff between attempts: Base, doubling up to Max, for Attempts attempts.
type Retry struct {
	Attempts int
	Base     time.Duration
	Max      time.Duration
}

// DefaultRetry tries 4 times over about 7 seconds.
func DefaultRetry() Retry { return Retry{Attempts: 4, Base: time.Second, Max: 30 * time.Second} }

// Notifier sends each digest to every sender, with retries.
type Notifier struct {
	Senders []Sender
	Retry   Retry
	// Sleep waits d or until ctx is done (nil: a timer); tests record the backoff instead.
	Sleep  func(ctx context.Context, d time.Duration) error
	Logger *slog.Logger // nil discards
}

// Notify sends d to every sender (nothing when d is empty) and returns the errors of those that
// failed after all attempts, joined; one failing channel does not stop the others.
func (n *Notifier) Notify(ctx context.Context, d Digest) error {
	if d.Empty() {
		return nil
	}
	log := n.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	log = log.With("component", "notify")
	r := n.Retry
	if r.Attempts <= 0 {
		r = DefaultRetry()
	}
	sleep := n.Sleep
	if sleep == nil {
		sleep = sleepCtx
	}
	var errs []error
	for _, s := range n.Senders {
		wait := r.Base
		var err error
		for attempt := 1; attempt <= r.Attempts; attempt++ {
			if err = s.Send(ctx, d); err == nil || errors.Is(err, ErrPermanent) {
				break
			}
			if attempt == r.Attempts {
				break
			}
			log.Warn("notification failed, retrying", "channel", s.Name(), "attempt", attempt, "in", wait, "error", err)
			if serr := sleep(ctx, wait); serr != nil {
				err = errors.Join(err, serr)
				break
			}
			wait = min(2*wait, r.Max)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("notify %s: %w", s.Name(), err))
			continue
		}
		log.Info("notification sent", "channel", s.Name(), "findings", len(d.Findings), "drift", len(d.Drift))
	}
	return errors.Join(errs...)
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Text is the plain-text body of a digest, shared by Slack and email.
func Text(d Digest) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Provost: %d new finding(s), %d drift event(s) in snapshot %s\n", len(d.Findings)+d.OmittedFindings, len(d.Drift)+d.OmittedDrift, d.Snapshot)
	if len(d.Findings) > 0 {
		b.WriteString("\nNew findings:\n")
		for _, f := range d.Findings {
			fmt.Fprintf(&b, "• [%s] %s %s: %s\n", strings.ToUpper(f.Severity.String()), f.CheckID, f.Principal, f.Message)
		}
		if d.OmittedFindings > 0 {
			fmt.Fprintf(&b, "… and %d more\n", d.OmittedFindings)
		}
	}
	if len(d.Drift) > 0 {
		b.WriteString("\nDrift:\n")
		for _, e := range d.Drift {
			subject := e.Principal
			if subject == "" {
				subject = e.Person
			}
			if subject == "" {
				subject = e.Scope
			}
			fmt.Fprintf(&b, "• %s %s\n", e.Kind, subject)
		}
		if d.OmittedDrift > 0 {
			fmt.Fprintf(&b, "… and %d more\n", d.OmittedDrift)
		}
	}
	if len(d.Remediation) > 0 {
		b.WriteString("\nRemediation:\n")
		for _, o := range d.Remediation {
			line := strings.Join(slices.DeleteFunc([]string{o.State, o.Action, o.Principal, o.Target}, func(s string) bool { return s == "" }), " ")
			if o.Detail != "" {
				line += ": " + o.Detail
			}
			b.WriteString("• " + line + "\n")
		}
	}
	return b.String()
}
