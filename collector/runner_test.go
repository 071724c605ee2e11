package collector

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/provost-dev/provost/inventory"
)

// fakeSource is a Source whose Collect is a function: the runner is what these tests test.
type fakeSource struct {
	name    string
	collect func(ctx context.Context) (*Result, error)
}

func (f *fakeSource) Name() string                                 { return f.name }
func (f *fakeSource) Collect(ctx context.Context) (*Result, error) { return f.collect(ctx) }

var _ Source = (*fakeSource)(nil)

func returns(name string, r *Result, err error) *fakeSource {
	return &fakeSource{name: name, collect: func(context.Context) (*Result, error) { return r, err }}
}

// clock returns a Now that ticks one second per call from 2026-03-14 02:00:00 UTC.
func clock() func() time.Time {
	var mu sync.Mutex
	t := time.Date(2026, 3, 14, 2, 0, 0, 0, time.UTC)
	return func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		t = t.Add(time.Second)
		return t
	}
}

func complete(source, scope string) inventory.Coverage {
	return inventory.Coverage{Source: source, Provider: inventory.ProviderAWS, Scope: scope, Status: inventory.CoverageComplete}
}

// ignoreTimes compares coverage without the per-source times, which depend on scheduling.
var ignoreTimes = cmpopts.IgnoreFields(inventory.Coverage{}, "StartedAt", "FinishedAt")

func TestRunMerges(t *testing.T) {
	a := returns("aws-a", &Result{
		Coverage: []inventory.Coverage{complete("", "222222222222"), complete("aws-a", "111111111111")},
		Accounts: []inventory.Account{{ID: "222222222222", Provider: inventory.ProviderAWS}, {ID: "111111111111", Provider: inventory.ProviderAWS, Name: "first"}},
		Principals: []inventory.Principal{
			{ID: "arn:aws:iam::222222222222:user/zed", Kind: inventory.KindUser, Name: "zed", Account: "222222222222",
				Groups:      []string{"g2", "g1", "g2"},
				Credentials: []inventory.Credential{{Kind: inventory.CredPassword, ID: "password"}, {Kind: inventory.CredAccessKey, ID: "access_key_1"}}},
			{ID: "arn:aws:iam::111111111111:role/ops", Kind: inventory.KindRole, Name: "ops", Account: "111111111111"},
		},
		PolicyDocs: []inventory.PolicyDoc{{ID: "arn:aws:iam::aws:policy/ReadOnlyAccess", Name: "first"}},
	}, nil)
	hr := returns("hr", &Result{
		Coverage: []inventory.Coverage{{Source: "hr", Provider: inventory.ProviderHR, Scope: "file:hr.csv", Status: inventory.CoverageComplete}},
		Accounts: []inventory.Account{{ID: "111111111111", Provider: inventory.ProviderAWS, Name: "second"}},
		People:   []inventory.Person{{ID: "hr:2", Name: "Bo"}, {ID: "hr:1", Name: "Al"}},
		PolicyDocs: []inventory.PolicyDoc{
			{ID: "arn:aws:iam::aws:policy/ReadOnlyAccess", Name: "second"},
			{ID: "arn:aws:iam::aws:policy/AdministratorAccess"},
		},
	}, nil)

	got, err := Run(t.Context(), []Source{a, hr}, RunOptions{Now: clock(), ProvostVersion: "v1.2.3"})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if !regexp.MustCompile(`^20260314T020001Z-[0-9a-f]{6}$`).MatchString(got.ID) {
		t.Errorf("ID = %q, want 20260314T020001Z-<6 hex>", got.ID)
	}
	want := &inventory.Snapshot{
		ID:             got.ID,
		StartedAt:      time.Date(2026, 3, 14, 2, 0, 1, 0, time.UTC),
		FinishedAt:     time.Date(2026, 3, 14, 2, 0, 6, 0, time.UTC),
		ProvostVersion: "v1.2.3",
		Coverage: []inventory.Coverage{
			complete("aws-a", "111111111111"),
			complete("aws-a", "222222222222"),
			{Source: "hr", Provider: inventory.ProviderHR, Scope: "file:hr.csv", Status: inventory.CoverageComplete},
		},
		Accounts: []inventory.Account{
			{ID: "111111111111", Provider: inventory.ProviderAWS, Name: "first"},
			{ID: "222222222222", Provider: inventory.ProviderAWS},
		},
		Principals: []inventory.Principal{
			{ID: "arn:aws:iam::111111111111:role/ops", Kind: inventory.KindRole, Name: "ops", Account: "111111111111"},
			{ID: "arn:aws:iam::222222222222:user/zed", Kind: inventory.KindUser, Name: "zed", Account: "222222222222",
				Groups:      []string{"g1", "g2"},
				Credentials: []inventory.Credential{{Kind: inventory.CredAccessKey, ID: "access_key_1"}, {Kind: inventory.CredPassword, ID: "password"}}},
		},
		PolicyDocs: []inventory.PolicyDoc{
			{ID: "arn:aws:iam::aws:policy/AdministratorAccess"},
			{ID: "arn:aws:iam::aws:policy/ReadOnlyAccess", Name: "first"},
		},
		People: []inventory.Person{{ID: "hr:1", Name: "Al"}, {ID: "hr:2", Name: "Bo"}},
	}
	if diff := cmp.Diff(want, got, ignoreTimes); diff != "" {
		t.Errorf("snapshot (-want +got):\n%s", diff)
	}
	for _, c := range got.Coverage {
		if c.StartedAt.IsZero() || c.FinishedAt.Before(c.StartedAt) || c.FinishedAt.After(want.FinishedAt) {
			t.Errorf("coverage %s/%s times %v..%v are not within the run", c.Source, c.Scope, c.StartedAt, c.FinishedAt)
		}
	}
}

func TestRunFailures(t *testing.T) {
	ok := returns("ok", &Result{Coverage: []inventory.Coverage{complete("", "111111111111")}}, nil)
	tests := []struct {
		name    string
		src     *fakeSource
		timeout time.Duration
		want    inventory.Coverage
	}{
		{
			name: "classified error",
			src:  returns("s", nil, Errorf(inventory.ErrThrottled, "list accounts: %w", errors.New("rate exceeded"))),
			want: inventory.Coverage{Source: "s", Status: inventory.CoverageFailed, ErrorKind: inventory.ErrThrottled, Error: "list accounts: rate exceeded"},
		},
		{
			name: "plain error",
			src:  returns("s", nil, errors.New("boom")),
			want: inventory.Coverage{Source: "s", Status: inventory.CoverageFailed, ErrorKind: inventory.ErrUnknown, Error: "boom"},
		},
		{
			name: "error with a result drops the result",
			src: returns("s", &Result{Principals: []inventory.Principal{{ID: "x"}}, Coverage: []inventory.Coverage{complete("s", "1")}},
				Errorf(inventory.ErrPermissionDenied, "denied")),
			want: inventory.Coverage{Source: "s", Status: inventory.CoverageFailed, ErrorKind: inventory.ErrPermissionDenied, Error: "denied"},
		},
		{
			name: "timeout",
			src: &fakeSource{name: "s", collect: func(ctx context.Context) (*Result, error) {
				<-ctx.Done()
				return nil, fmt.Errorf("list users: %w", ctx.Err())
			}},
			timeout: 20 * time.Millisecond,
			want:    inventory.Coverage{Source: "s", Status: inventory.CoverageFailed, ErrorKind: inventory.ErrTimeout, Error: "timed out after 20ms: list users: context deadline exceeded"},
		},
		{
			name: "timeout classified as something else by the source",
			src: &fakeSource{name: "s", collect: func(ctx context.Context) (*Result, error) {
				<-ctx.Done()
				return nil, Errorf(inventory.ErrUnavailable, "endpoint gone")
			}},
			timeout: 20 * time.Millisecond,
			want:    inventory.Coverage{Source: "s", Status: inventory.CoverageFailed, ErrorKind: inventory.ErrTimeout, Error: "timed out after 20ms: endpoint gone"},
		},
		{
			name: "panic",
			src:  &fakeSource{name: "s", collect: func(context.Context) (*Result, error) { panic("nil map") }},
			want: inventory.Coverage{Source: "s", Status: inventory.CoverageFailed, ErrorKind: inventory.ErrUnknown, Error: `source "s" panicked: nil map`},
		},
		{
			name: "neither result nor error",
			src:  returns("s", nil, nil),
			want: inventory.Coverage{Source: "s", Status: inventory.CoverageFailed, ErrorKind: inventory.ErrUnknown, Error: `source "s" returned neither a result nor an error`},
		},
		{
			name: "result without coverage",
			src:  returns("s", &Result{Principals: []inventory.Principal{{ID: "x"}}}, nil),
			want: inventory.Coverage{Source: "s", Status: inventory.CoveragePartial, ErrorKind: inventory.ErrInvalid, Error: `source "s" reported no coverage`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			snap, err := Run(t.Context(), []Source{tt.src, ok}, RunOptions{Timeout: tt.timeout, Now: clock()})
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			want := []inventory.Coverage{complete("ok", "111111111111"), tt.want}
			if diff := cmp.Diff(want, snap.Coverage, ignoreTimes); diff != "" {
				t.Errorf("coverage (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRunParallelism(t *testing.T) {
	tests := []struct {
		parallelism, sources, want int
	}{
		{parallelism: 2, sources: 5, want: 2},
		{parallelism: 1, sources: 3, want: 1},
		{parallelism: 0, sources: 4, want: 4},  // all at once
		{parallelism: -1, sources: 3, want: 3}, // all at once
		{parallelism: 8, sources: 3, want: 3},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%d of %d", tt.parallelism, tt.sources), func(t *testing.T) {
			var active, peak atomic.Int32
			full := make(chan struct{})
			var once sync.Once
			var sources []Source
			for i := range tt.sources {
				sources = append(sources, &fakeSource{name: fmt.Sprint("s", i), collect: func(ctx context.Context) (*Result, error) {
					n := active.Add(1)
					defer active.Add(-1)
					for {
						p := peak.Load()
						if n <= p || peak.CompareAndSwap(p, n) {
							break
						}
					}
					if n == int32(tt.want) {
						once.Do(func() { close(full) })
					}
					// The first wave waits until the limit is reached, so that the peak is exact.
					select {
					case <-full:
					case <-ctx.Done():
						return nil, ctx.Err()
					}
					return &Result{Coverage: []inventory.Coverage{complete("", "x")}}, nil
				}})
			}
			ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
			defer cancel()
			if _, err := Run(ctx, sources, RunOptions{Parallelism: tt.parallelism}); err != nil {
				t.Fatalf("Run: %v", err)
			}
			if got := peak.Load(); got != int32(tt.want) {
				t.Errorf("peak concurrency = %d, want %d", got, tt.want)
			}
		})
	}
}

// The snapshot does not depend on the order sources finish in.
func TestRunDeterministic(t *testing.T) {
	build := func(slowFirst bool) *inventory.Snapshot {
		release := make(chan struct{})
		mk := func(name string, wait bool, ps ...string) Source {
			return &fakeSource{name: name, collect: func(ctx context.Context) (*Result, error) {
				if wait {
					<-release
				} else {
					defer close(release)
				}
				r := &Result{Coverage: []inventory.Coverage{complete("", "1"), complete("", "0")}}
				for _, id := range ps {
					r.Principals = append(r.Principals, inventory.Principal{ID: id, Account: "1", Name: name})
					r.People = append(r.People, inventory.Person{ID: "p:" + id, Source: name})
				}
				return r, nil
			}}
		}
		sources := []Source{mk("a", slowFirst, "z", "shared", "m"), mk("b", !slowFirst, "shared", "c")}
		snap, err := Run(t.Context(), sources, RunOptions{Now: clock()})
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
		return snap
	}
	first, second := build(true), build(false)
	if diff := cmp.Diff(first, second, ignoreTimes, cmpopts.IgnoreFields(inventory.Snapshot{}, "ID")); diff != "" {
		t.Errorf("snapshots differ with completion order (-a last +b last):\n%s", diff)
	}
	var ids []string
	for _, p := range first.Principals {
		ids = append(ids, p.ID+"@"+p.Name)
	}
	if want := []string{"c@b", "m@a", "shared@a", "z@a"}; !slices.Equal(ids, want) {
		t.Errorf("principals = %v, want %v", ids, want)
	}
}

func TestRunDuplicates(t *testing.T) {
	a := returns("aws-a", &Result{
		Coverage:   []inventory.Coverage{complete("", "111111111111")},
		Principals: []inventory.Principal{{ID: "arn:aws:iam::111111111111:user/al", Account: "111111111111", Name: "from a"}},
	}, nil)
	b := returns("aws-b", &Result{
		Coverage: []inventory.Coverage{complete("", "111111111111"), complete("", "222222222222")},
		Principals: []inventory.Principal{
			{ID: "arn:aws:iam::111111111111:user/al", Account: "111111111111", Name: "from b"},
			{ID: "arn:aws:iam::222222222222:user/bo", Account: "222222222222", Name: "from b"},
		},
	}, nil)
	c := returns("aws-c", &Result{
		Coverage: []inventory.Coverage{complete("", "111111111111")},
		Principals: []inventory.Principal{
			{ID: "arn:aws:iam::111111111111:user/al", Account: "111111111111"},
			{ID: "arn:aws:iam::222222222222:user/bo", Account: "222222222222"},
		},
	}, nil)
	hr1 := returns("hr1", &Result{Coverage: []inventory.Coverage{complete("", "file:a")}, People: []inventory.Person{{ID: "hr:1", Name: "first"}}}, nil)
	hr2 := returns("hr2", &Result{Coverage: []inventory.Coverage{complete("", "file:b")}, People: []inventory.Person{{ID: "hr:1", Name: "second"}}}, nil)

	snap, err := Run(t.Context(), []Source{a, b, c, hr1, hr2}, RunOptions{Now: clock()})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	wantCov := []inventory.Coverage{
		complete("aws-a", "111111111111"),
		{Source: "aws-b", Provider: inventory.ProviderAWS, Scope: "111111111111", Status: inventory.CoveragePartial, ErrorKind: inventory.ErrInvalid,
			Error: `principal "arn:aws:iam::111111111111:user/al" was already collected by source "aws-a"`},
		complete("aws-b", "222222222222"),
		// bo's scope has no entry in aws-c's coverage: every entry of the source is marked.
		{Source: "aws-c", Provider: inventory.ProviderAWS, Scope: "111111111111", Status: inventory.CoveragePartial, ErrorKind: inventory.ErrInvalid,
			Error: `2 principals or people were already collected by other sources, e.g. principal "arn:aws:iam::111111111111:user/al" by source "aws-a"`},
		complete("hr1", "file:a"),
		{Source: "hr2", Provider: inventory.ProviderAWS, Scope: "file:b", Status: inventory.CoveragePartial, ErrorKind: inventory.ErrInvalid,
			Error: `person "hr:1" was already collected by source "hr1"`},
	}
	if diff := cmp.Diff(wantCov, snap.Coverage, ignoreTimes); diff != "" {
		t.Errorf("coverage (-want +got):\n%s", diff)
	}
	wantPrincipals := []inventory.Principal{
		{ID: "arn:aws:iam::111111111111:user/al", Account: "111111111111", Name: "from a"},
		{ID: "arn:aws:iam::222222222222:user/bo", Account: "222222222222", Name: "from b"},
	}
	if diff := cmp.Diff(wantPrincipals, snap.Principals); diff != "" {
		t.Errorf("principals (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]inventory.Person{{ID: "hr:1", Name: "first"}}, snap.People); diff != "" {
		t.Errorf("people (-want +got):\n%s", diff)
	}
}

func TestRunErrors(t *testing.T) {
	ok := returns("a", &Result{Coverage: []inventory.Coverage{complete("", "1")}}, nil)
	if _, err := Run(t.Context(), []Source{ok, returns("a", nil, nil)}, RunOptions{}); err == nil || err.Error() != `collect: duplicate source name "a"` {
		t.Errorf("duplicate names: err = %v", err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	blocking := &fakeSource{name: "b", collect: func(ctx context.Context) (*Result, error) {
		cancel()
		<-ctx.Done()
		return nil, ctx.Err()
	}}
	if _, err := Run(ctx, []Source{ok, blocking}, RunOptions{}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled run: err = %v, want context.Canceled", err)
	}
}

func TestRunEmpty(t *testing.T) {
	snap, err := Run(t.Context(), nil, RunOptions{Now: clock()})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	want := &inventory.Snapshot{
		ID:         snap.ID,
		StartedAt:  time.Date(2026, 3, 14, 2, 0, 1, 0, time.UTC),
		FinishedAt: time.Date(2026, 3, 14, 2, 0, 2, 0, time.UTC),
		Coverage:   []inventory.Coverage{}, Accounts: []inventory.Account{}, Principals: []inventory.Principal{},
		PolicyDocs: []inventory.PolicyDoc{}, People: []inventory.Person{},
	}
	if diff := cmp.Diff(want, snap); diff != "" {
		t.Errorf("snapshot (-want +got):\n%s", diff)
	}
}

func TestRunProgressAndLinking(t *testing.T) {
	src := returns("s", &Result{
		Coverage:   []inventory.Coverage{complete("", "1")},
		Principals: []inventory.Principal{{ID: "u", Kind: inventory.KindUser, Email: "Al@Acme.example"}},
		People:     []inventory.Person{{ID: "hr:1", Emails: []string{"al@acme.example"}}},
	}, nil)
	bad := returns("bad", nil, errors.New("no"))
	var mu sync.Mutex
	var events []string
	progress := func(source string, done bool, err error) {
		mu.Lock()
		defer mu.Unlock()
		events = append(events, fmt.Sprint(source, " ", done, " ", err))
	}
	snap, err := Run(t.Context(), []Source{src, bad}, RunOptions{Parallelism: 1, Progress: progress, Linking: LinkOptions{Order: []string{RuleEmail}}})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	want := []string{"s false <nil>", "s true <nil>", "bad false <nil>", "bad true no"}
	if diff := cmp.Diff(want, events); diff != "" {
		t.Errorf("progress (-want +got):\n%s", diff)
	}
	if p := snap.Principals[0]; p.PersonID != "hr:1" || p.LinkRule != RuleEmail {
		t.Errorf("principal linked to %q by %q, want hr:1 by email", p.PersonID, p.LinkRule)
	}
}
