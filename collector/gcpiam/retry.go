package gcpiam

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"time"

	"google.golang.org/api/googleapi"

	"github.com/provost-dev/provost/collector"
	"github.com/provost-dev/provost/inventory"
)

const maxBackoff = 30 * time.Second

// kindOf classifies a Google API error into the inventory's few error kinds.
func kindOf(err error) inventory.ErrorKind {
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return inventory.ErrTimeout
	}
	var ge *googleapi.Error
	if !errors.As(err, &ge) {
		return inventory.ErrUnavailable // transport errors: refused, reset, TLS
	}
	switch ge.Code {
	case http.StatusBadRequest:
		return inventory.ErrInvalid
	case http.StatusUnauthorized:
		return inventory.ErrPermissionDenied
	case http.StatusForbidden:
		if rateLimited(ge) {
			return inventory.ErrThrottled
		}
		return inventory.ErrPermissionDenied
	case http.StatusNotFound:
		return inventory.ErrNotFound
	case http.StatusTooManyRequests:
		return inventory.ErrThrottled
	case http.StatusInternalServerError, http.StatusNotImplemented, http.StatusBadGateway,
		http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return inventory.ErrUnavailable
	}
	return inventory.ErrUnknown
}

// rateLimited recognises the legacy 403 quota errors some Google APIs still send.
func rateLimited(ge *googleapi.Error) bool {
	for _, e := range ge.Errors {
		switch e.Reason {
		case "rateLimitExceeded", "userRateLimitExceeded", "quotaExceeded":
			return true
		}
	}
	return false
}

func retryable(err error) bool {
	switch kindOf(err) {
	case inventory.ErrThrottled:
		return true
	case inventory.ErrUnavailable:
		var ge *googleapi.Error
		return !errors.As(err, &ge) || ge.Code != http.StatusNotImplemented
	}
	return false
}

// wrap gives err short context and its classified kind; context errors stay as they are so
// collector.KindOf reports a timeout.
func wrap(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	msg := fmt.Sprintf(format, args...)
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return fmt.Errorf("%s: %w", msg, err)
	}
	return collector.Errorf(kindOf(err), "%s: %w", msg, err)
}

// retry runs call until it succeeds, fails with an error that retrying cannot fix, runs out of
// attempts, or ctx ends. Throttling and unavailability back off exponentially with full jitter.
func retry[T any](ctx context.Context, c *Collector, call func() (T, error)) (T, error) {
	delay := c.opts.RetryBaseDelay
	for attempt := 0; ; attempt++ {
		v, err := call()
		if err == nil || !retryable(err) || attempt >= c.opts.MaxRetries {
			return v, err
		}
		if ctx.Err() != nil {
			return v, ctx.Err()
		}
		wait := time.Duration(rand.Int64N(int64(delay)) + 1)
		c.log.DebugContext(ctx, "retrying", "attempt", attempt+1, "wait", wait, "err", err)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			var zero T
			return zero, fmt.Errorf("%w (last error: %v)", ctx.Err(), err)
		case <-t.C:
		}
		delay = min(delay*2, maxBackoff)
	}
}
