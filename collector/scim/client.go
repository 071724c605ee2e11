package scim

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/provost-dev/provost/collector"
	"github.com/provost-dev/provost/inventory"
)

const (
	maxBackoff  = 30 * time.Second
	maxBodySize = 64 << 20
	// maxPages stops a server that never reaches totalResults.
	maxPages = 1_000_000
)

// HTTPError is a SCIM service's error answer.
type HTTPError struct {
	Method, Path string
	Status       int
	SCIMType     string
	Detail       string
	// RetryAfter is the server's Retry-After, when it sent one.
	RetryAfter time.Duration
}

func (e *HTTPError) Error() string {
	msg := fmt.Sprintf("%s %s: %d %s", e.Method, e.Path, e.Status, http.StatusText(e.Status))
	if e.Detail != "" {
		msg += ": " + e.Detail
	}
	if e.SCIMType != "" {
		msg += " (scimType " + e.SCIMType + ")"
	}
	switch e.Status {
	case http.StatusUnauthorized:
		msg += "; the token is expired, revoked or wrong"
	case http.StatusForbidden:
		msg += "; the token lacks read access to this resource"
	}
	return msg
}

// kindOf classifies an error into the inventory's error kinds.
func kindOf(err error) inventory.ErrorKind {
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return inventory.ErrTimeout
	}
	var he *HTTPError
	if !errors.As(err, &he) {
		var ce *collector.Error
		if errors.As(err, &ce) {
			return ce.Kind
		}
		return inventory.ErrUnavailable // transport: refused, reset, TLS, DNS
	}
	switch {
	case he.Status == http.StatusUnauthorized || he.Status == http.StatusForbidden:
		return inventory.ErrPermissionDenied
	case he.Status == http.StatusNotFound:
		return inventory.ErrNotFound
	case he.Status == http.StatusTooManyRequests:
		return inventory.ErrThrottled
	case he.Status >= 500:
		return inventory.ErrUnavailable
	case he.Status >= 400:
		return inventory.ErrInvalid
	}
	return inventory.ErrUnknown
}

func retryable(err error) bool {
	var he *HTTPError
	if errors.As(err, &he) {
		return he.Status == http.StatusTooManyRequests || (he.Status >= 500 && he.Status != http.StatusNotImplemented)
	}
	return false
}

// client makes SCIM requests with the bearer token.
type client struct {
	base       string
	token      string
	http       *http.Client
	maxRetries int
	baseDelay  time.Duration
}

// get fetches path (relative to the base URL) with query q into v, retrying throttling and
// server errors with backoff.
func (c *client) get(ctx context.Context, path string, q url.Values, v any) error {
	for attempt := 0; ; attempt++ {
		err := c.getOnce(ctx, path, q, v)
		if err == nil || !retryable(err) || attempt >= c.maxRetries {
			return err
		}
		delay := backoff(c.baseDelay, attempt)
		var he *HTTPError
		if errors.As(err, &he) && he.RetryAfter > 0 {
			delay = min(he.RetryAfter, maxBackoff)
		}
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("%w (while waiting to retry after: %v)", ctx.Err(), err)
		case <-t.C:
		}
	}
}

func backoff(base time.Duration, attempt int) time.Duration {
	d := base << attempt
	if d <= 0 || d > maxBackoff {
		d = maxBackoff
	}
	return d/2 + rand.N(d/2+1)
}

func (c *client) getOnce(ctx context.Context, path string, q url.Values, v any) error {
	rel := path
	if len(q) > 0 {
		rel += "?" + q.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+rel, nil)
	if err != nil {
		return collector.Errorf(inventory.ErrInvalid, "GET %s: %w", rel, err)
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Accept", "application/scim+json, application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("GET %s: %w", rel, unwrapURLError(err))
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBodySize+1))
	if err != nil {
		return fmt.Errorf("GET %s: read the response: %w", rel, err)
	}
	if len(body) > maxBodySize {
		return collector.Errorf(inventory.ErrInvalid, "GET %s: the response is larger than %d MiB", rel, maxBodySize>>20)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		he := &HTTPError{Method: http.MethodGet, Path: rel, Status: resp.StatusCode}
		var er errorResponse
		if json.Unmarshal(body, &er) == nil {
			he.SCIMType, he.Detail = er.ScimType, strings.TrimSpace(er.Detail)
		}
		if s := resp.Header.Get("Retry-After"); s != "" {
			if secs, err := strconv.Atoi(s); err == nil && secs >= 0 {
				he.RetryAfter = time.Duration(secs) * time.Second
			} else if t, err := http.ParseTime(s); err == nil {
				he.RetryAfter = max(time.Until(t), 0)
			}
		}
		return he
	}
	if ct := resp.Header.Get("Content-Type"); ct != "" {
		mt, _, _ := mime.ParseMediaType(ct)
		if mt != "application/scim+json" && mt != "application/json" {
			return collector.Errorf(inventory.ErrInvalid, "GET %s: the response is %s, not SCIM JSON (is the URL the SCIM base?)", rel, mt)
		}
	}
	if err := decodeStrict(body, v); err != nil {
		return collector.Errorf(inventory.ErrInvalid, "GET %s: decode the response: %w", rel, err)
	}
	return nil
}

// unwrapURLError drops *url.Error's "Get \"<full URL>\":" prefix; the caller names the path.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) && ue.Err != nil {
		return ue.Err
	}
	return err
}

// list pages through a resource type with startIndex and count (RFC 7644 §3.4.2.4), calling
// each for every resource; each returns the resource's ID ("" when it could not be decoded) and
// must itself ignore IDs it has seen. It reports whether totalResults changed between pages: the list
// changed while it was read, so index-based paging may have skipped or repeated resources.
func (c *client) list(ctx context.Context, path, filter string, pageSize int, each func(raw json.RawMessage, index int) (id string)) (changed bool, err error) {
	start, firstTotal := 1, -1
	seen := map[string]bool{}
	for page := 0; page < maxPages; page++ {
		q := url.Values{"startIndex": {strconv.Itoa(start)}, "count": {strconv.Itoa(pageSize)}}
		if filter != "" {
			q.Set("filter", filter)
		}
		var lr listResponse
		if err := c.get(ctx, path, q, &lr); err != nil {
			return changed, err
		}
		total := int(lr.TotalResults)
		if firstTotal < 0 {
			firstTotal = total
		} else if total != firstTotal {
			changed = true
		}
		fresh := 0
		for i, raw := range lr.Resources {
			id := each(raw, start+i)
			if id == "" || !seen[id] {
				fresh++
			}
			if id != "" {
				seen[id] = true
			}
		}
		if page > 0 && len(lr.Resources) > 0 && fresh == 0 {
			return changed, collector.Errorf(inventory.ErrInvalid,
				"GET %s: the page at startIndex %d repeats resources already read; the server ignores startIndex", path, start)
		}
		if len(lr.Resources) == 0 || start+len(lr.Resources)-1 >= total {
			return changed, nil
		}
		start += len(lr.Resources)
	}
	return changed, collector.Errorf(inventory.ErrInvalid, "GET %s: more than %d pages", path, maxPages)
}
