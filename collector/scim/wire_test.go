package scim_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/provost-dev/provost/collector/scim"
	"github.com/provost-dev/provost/inventory"
)

// wire is an httptest SCIM service for the cases the real server cannot be made to show:
// throttling, server errors, lists that change while paged, servers that ignore startIndex,
// undecodable resources. It speaks RFC 7644's list and error formats.
type wire struct {
	mu       sync.Mutex
	users    []string // raw JSON resources
	groups   []string
	requests []string
	// fault, when set, may answer a request instead of the list: it gets the path and the
	// 1-based request number.
	fault func(w http.ResponseWriter, r *http.Request, n int) bool
	// total, when set, overrides totalResults per request number.
	total func(n int) int
	// ignoreStart serves every page from the start.
	ignoreStart bool
}

func (f *wire) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.requests = append(f.requests, r.Method+" "+r.URL.RequestURI())
	n := len(f.requests)
	f.mu.Unlock()
	if r.Header.Get("Authorization") != "Bearer tok" {
		scimError(w, http.StatusUnauthorized, "missing token")
		return
	}
	if f.fault != nil && f.fault(w, r, n) {
		return
	}
	var items []string
	switch r.URL.Path {
	case "/scim/v2/Users":
		items = f.users
	case "/scim/v2/Groups":
		items = f.groups
	default:
		scimError(w, http.StatusNotFound, "no such endpoint")
		return
	}
	start, _ := strconv.Atoi(r.URL.Query().Get("startIndex"))
	count, _ := strconv.Atoi(r.URL.Query().Get("count"))
	if f.ignoreStart {
		start = 1
	}
	from := min(max(start-1, 0), len(items))
	to := min(from+count, len(items))
	total := len(items)
	if f.total != nil {
		total = f.total(n)
	}
	w.Header().Set("Content-Type", "application/scim+json")
	fmt.Fprintf(w, `{"schemas":[%q],"totalResults":%d,"startIndex":%d,"itemsPerPage":%d,"Resources":[%s]}`,
		scim.SchemaListResponse, total, start, to-from, strings.Join(items[from:to], ","))
}

func scimError(w http.ResponseWriter, status int, detail string) {
	w.Header().Set("Content-Type", "application/scim+json")
	w.WriteHeader(status)
	fmt.Fprintf(w, `{"schemas":[%q],"status":%d,"detail":%q}`, scim.SchemaError, status, detail)
}

func wireUser(i int) string {
	return fmt.Sprintf(`{"id":"u%d","userName":"user%d","active":true,"emails":[{"value":"user%d@corp.example","primary":true}],`+
		`%q:{"employeeNumber":"E%d"}}`, i, i, i, scim.SchemaEnterpriseUser, i)
}

func newWire(n int) *wire {
	f := &wire{}
	for i := 1; i <= n; i++ {
		f.users = append(f.users, wireUser(i))
	}
	return f
}

func collectWire(t *testing.T, f *wire, opts scim.Options) (*inventory.Coverage, []inventory.Person, []string) {
	t.Helper()
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	opts.Name, opts.URL, opts.Token, opts.Now = "idp", srv.URL+"/scim/v2", "tok", clock()
	if opts.RetryBaseDelay == 0 {
		opts.RetryBaseDelay = time.Millisecond
	}
	src, err := scim.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	res, err := src.Collect(context.Background())
	if err != nil {
		t.Fatalf("Collect: %v", err)
	}
	cov := res.Coverage[0]
	cov.Scope, cov.StartedAt, cov.FinishedAt = "", time.Time{}, time.Time{}
	return &cov, res.People, f.requests
}

func TestWireCases(t *testing.T) {
	page := func(start, count int) string {
		return fmt.Sprintf("GET /scim/v2/Users?count=%d&startIndex=%d", count, start)
	}
	tests := []struct {
		name         string
		wire         func() *wire
		opts         scim.Options
		wantCov      inventory.Coverage
		wantPeople   int
		wantRequests []string
	}{{
		name: "throttled with Retry-After, then served",
		wire: func() *wire {
			f := newWire(3)
			f.fault = func(w http.ResponseWriter, r *http.Request, n int) bool {
				if n == 2 {
					w.Header().Set("Retry-After", "0")
					scimError(w, http.StatusTooManyRequests, "slow down")
					return true
				}
				return false
			}
			return f
		},
		opts:         scim.Options{PageSize: 2},
		wantCov:      inventory.Coverage{Status: inventory.CoverageComplete, Counts: map[string]int{"people": 3, "users": 3, "groups": 0, "disabled": 0, "rejected": 0}},
		wantPeople:   3,
		wantRequests: []string{page(1, 2), page(3, 2), page(3, 2)},
	}, {
		name: "server errors past the retries on a later page: partial",
		wire: func() *wire {
			f := newWire(3)
			f.fault = func(w http.ResponseWriter, r *http.Request, n int) bool {
				if n > 1 {
					scimError(w, http.StatusServiceUnavailable, "maintenance")
					return true
				}
				return false
			}
			return f
		},
		opts: scim.Options{PageSize: 2, MaxRetries: 2},
		wantCov: inventory.Coverage{Status: inventory.CoveragePartial, ErrorKind: inventory.ErrUnavailable,
			Error:  "list users stopped after 2: GET /Users?count=2&startIndex=3: 503 Service Unavailable: maintenance",
			Counts: map[string]int{"people": 2, "users": 2, "groups": 0, "disabled": 0, "rejected": 0}},
		wantPeople:   2,
		wantRequests: []string{page(1, 2), page(3, 2), page(3, 2), page(3, 2)},
	}, {
		name: "the list changes while paged: partial",
		wire: func() *wire {
			f := newWire(4)
			f.total = func(n int) int { return 4 + n - 1 }
			f.fault = nil
			return f
		},
		opts: scim.Options{PageSize: 2},
		wantCov: inventory.Coverage{Status: inventory.CoveragePartial, ErrorKind: inventory.ErrUnavailable,
			Error:  "the user list changed while it was paged, so users may have been skipped; the next run should see it whole",
			Counts: map[string]int{"people": 4, "users": 4, "groups": 0, "disabled": 0, "rejected": 0}},
		wantPeople:   4,
		wantRequests: []string{page(1, 2), page(3, 2), page(5, 2)},
	}, {
		name: "a server that ignores startIndex is caught",
		wire: func() *wire { f := newWire(4); f.ignoreStart = true; return f },
		opts: scim.Options{PageSize: 2},
		wantCov: inventory.Coverage{Status: inventory.CoveragePartial, ErrorKind: inventory.ErrInvalid,
			Error:  "list users stopped after 2: GET /Users: the page at startIndex 3 repeats resources already read; the server ignores startIndex",
			Counts: map[string]int{"people": 2, "users": 2, "groups": 0, "disabled": 0, "rejected": 0}},
		wantPeople:   2,
		wantRequests: []string{page(1, 2), page(3, 2)},
	}, {
		name: "undecodable users are named and the rest kept",
		wire: func() *wire {
			f := newWire(2)
			f.users = append(f.users, `{"id":"u3","userName":"x","active":"maybe"}`, `{"userName":"no-id"}`, `{"id":"u5","emails":"a@b.c"}`)
			return f
		},
		opts: scim.Options{PageSize: 10},
		wantCov: inventory.Coverage{Status: inventory.CoveragePartial, ErrorKind: inventory.ErrInvalid,
			Error: `3 resources could not be decoded: user 3: attribute "active" is a JSON value "maybe", want bool; ` +
				`user 4: the user has no "id"; user 5: attribute "emails" is a JSON string, want []scim.Email`,
			Counts: map[string]int{"people": 2, "users": 2, "groups": 0, "disabled": 0, "rejected": 3}},
		wantPeople:   2,
		wantRequests: []string{page(1, 10)},
	}, {
		name: "groups not implemented: partial, users kept",
		wire: func() *wire {
			f := newWire(1)
			f.fault = func(w http.ResponseWriter, r *http.Request, n int) bool {
				if r.URL.Path == "/scim/v2/Groups" {
					scimError(w, http.StatusNotImplemented, "groups are not supported")
					return true
				}
				return false
			}
			return f
		},
		opts: scim.Options{PageSize: 10, Groups: true},
		wantCov: inventory.Coverage{Status: inventory.CoveragePartial, ErrorKind: inventory.ErrUnavailable,
			Error:  "list groups: GET /Groups?count=10&startIndex=1: 501 Not Implemented: groups are not supported",
			Counts: map[string]int{"people": 1, "users": 1, "groups": 0, "disabled": 0, "rejected": 0}},
		wantPeople:   1,
		wantRequests: []string{page(1, 10), "GET /scim/v2/Groups?count=10&startIndex=1"},
	}, {
		name: "an HTML login page is not SCIM",
		wire: func() *wire {
			f := newWire(1)
			f.fault = func(w http.ResponseWriter, r *http.Request, n int) bool {
				w.Header().Set("Content-Type", "text/html; charset=utf-8")
				fmt.Fprint(w, "<html>Sign in</html>")
				return true
			}
			return f
		},
		opts: scim.Options{},
		wantCov: inventory.Coverage{Status: inventory.CoverageFailed, ErrorKind: inventory.ErrInvalid,
			Error: "list users: GET /Users?count=100&startIndex=1: the response is text/html, not SCIM JSON (is the URL the SCIM base?)"},
		wantRequests: []string{page(1, 100)},
	}, {
		name: "an empty directory is failed, not nobody works here",
		wire: func() *wire { return newWire(0) },
		opts: scim.Options{},
		wantCov: inventory.Coverage{Status: inventory.CoverageFailed, ErrorKind: inventory.ErrInvalid,
			Error:  "the service listed no users; an empty directory is taken as a failed read, not as nobody working here",
			Counts: map[string]int{"people": 0, "users": 0, "groups": 0, "disabled": 0, "rejected": 0}},
		wantRequests: []string{page(1, 100)},
	}, {
		name: "a forbidden token",
		wire: func() *wire {
			f := newWire(1)
			f.fault = func(w http.ResponseWriter, r *http.Request, n int) bool {
				scimError(w, http.StatusForbidden, "scope okta.users.read is required")
				return true
			}
			return f
		},
		opts: scim.Options{},
		wantCov: inventory.Coverage{Status: inventory.CoverageFailed, ErrorKind: inventory.ErrPermissionDenied,
			Error: "list users: GET /Users?count=100&startIndex=1: 403 Forbidden: scope okta.users.read is required; the token lacks read access to this resource"},
		wantRequests: []string{page(1, 100)},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cov, people, reqs := collectWire(t, tt.wire(), tt.opts)
			want := tt.wantCov
			want.Source, want.Provider, want.Method = "idp", inventory.ProviderSCIM, "scim2"
			if diff := cmp.Diff(&want, cov); diff != "" {
				t.Errorf("coverage (-want +got):\n%s", diff)
			}
			if len(people) != tt.wantPeople {
				t.Errorf("%d people, want %d", len(people), tt.wantPeople)
			}
			if diff := cmp.Diff(tt.wantRequests, reqs); diff != "" {
				t.Errorf("requests (-want +got):\n%s", diff)
			}
		})
	}
}

// A cancelled collection returns ctx's error promptly, even while waiting to retry.
func TestCollectCancelledDuringBackoff(t *testing.T) {
	f := newWire(1)
	f.fault = func(w http.ResponseWriter, r *http.Request, n int) bool {
		w.Header().Set("Retry-After", "30")
		scimError(w, http.StatusTooManyRequests, "slow down")
		return true
	}
	srv := httptest.NewServer(f)
	defer srv.Close()
	src, err := scim.New(scim.Options{Name: "idp", URL: srv.URL + "/scim/v2", Token: "tok"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	res, err := src.Collect(ctx)
	if err == nil || res != nil || ctx.Err() == nil {
		t.Fatalf("Collect = %v, %v; want ctx's error", res, err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Collect took %s after cancellation", d)
	}
}

func TestNewValidates(t *testing.T) {
	_, err := scim.New(scim.Options{URL: "http://idp.example.com/scim/v2", PageSize: 20000,
		StatusValues: map[string]inventory.PersonStatus{"x": "gone"}})
	want := strings.Join([]string{
		`scim source "": name must be set`,
		`url "http://idp.example.com/scim/v2" is plain http; the bearer token would travel in clear text, so use https`,
		`token must be set; take it from the environment, e.g. token = "${PROVOST_SCIM_TOKEN}"`,
		`page_size 20000 is not valid; want 1 to 10000`,
		`status_values["x"] = "gone" is not valid; want active, leave or terminated`,
		`status_values is set but status_attribute is not`,
	}, "\n")
	if err == nil || err.Error() != want {
		t.Errorf("New error:\n%v\nwant:\n%s", err, want)
	}
	if _, err := scim.New(scim.Options{Name: "x", URL: "ftp://idp", Token: "t"}); err == nil ||
		!strings.Contains(err.Error(), `url "ftp://idp" is not valid`) {
		t.Errorf("New accepted an ftp URL: %v", err)
	}
}

func TestOptionsLogValueRedactsToken(t *testing.T) {
	var b strings.Builder
	slog.New(slog.NewJSONHandler(&b, nil)).Info("x", "opts", scim.Options{Name: "okta", URL: "https://i", Token: "s3cret"})
	if strings.Contains(b.String(), "s3cret") || !strings.Contains(b.String(), `"token":"[redacted]"`) {
		t.Errorf("log line %s leaks or loses the token", b.String())
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(b.String()), &m); err != nil {
		t.Fatal(err)
	}
}
