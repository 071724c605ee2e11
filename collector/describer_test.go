package collector

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/provost-dev/provost/inventory"
)

// describedSource is a fakeSource that says what its coverage is about.
type describedSource struct {
	fakeSource
	provider inventory.Provider
	method   string
}

func (d *describedSource) Provider() inventory.Provider { return d.provider }
func (d *describedSource) Method() string               { return d.method }

var _ Describer = (*describedSource)(nil)

// A source of truth that fails outright (error, timeout, panic) keeps its provider and method in
// the runner's failed coverage entry, so its roster is reported unknown rather than left out,
// and the roster-shrink guard refuses to act on a roster that was known before.
func TestRunFailedSourceOfTruthKeepsItsProvider(t *testing.T) {
	tests := []struct {
		name     string
		provider inventory.Provider
		method   string
		collect  func(ctx context.Context) (*Result, error)
		timeout  time.Duration
		wantKind inventory.ErrorKind
		wantErr  string
	}{
		{
			name: "hr error", provider: inventory.ProviderHR, method: "csv",
			collect: func(context.Context) (*Result, error) {
				return nil, Errorf(inventory.ErrNotFound, "open workday.csv: no such file")
			},
			wantKind: inventory.ErrNotFound, wantErr: "open workday.csv: no such file",
		},
		{
			name: "ldap timeout", provider: inventory.ProviderLDAP, method: "ldap",
			collect: func(ctx context.Context) (*Result, error) {
				<-ctx.Done()
				return nil, fmt.Errorf("search people: %w", ctx.Err())
			},
			timeout:  20 * time.Millisecond,
			wantKind: inventory.ErrTimeout, wantErr: "timed out after 20ms: search people: context deadline exceeded",
		},
		{
			name: "scim panic", provider: inventory.ProviderSCIM, method: "scim2",
			collect:  func(context.Context) (*Result, error) { panic("nil map") },
			wantKind: inventory.ErrUnknown, wantErr: `source "people" panicked: nil map`,
		},
		{
			name: "method known only while collecting", provider: inventory.ProviderLDAP,
			collect:  func(context.Context) (*Result, error) { return nil, errors.New("boom") },
			wantKind: inventory.ErrUnknown, wantErr: "boom",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := &describedSource{fakeSource: fakeSource{name: "people", collect: tt.collect}, provider: tt.provider, method: tt.method}
			cloud := returns("aws", &Result{Coverage: []inventory.Coverage{complete("aws", "111111111111")}}, nil)
			snap, err := Run(t.Context(), []Source{src, cloud}, RunOptions{Timeout: tt.timeout, Now: clock()})
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			wantCov := []inventory.Coverage{
				complete("aws", "111111111111"),
				{Source: "people", Provider: tt.provider, Method: tt.method, Status: inventory.CoverageFailed, ErrorKind: tt.wantKind, Error: tt.wantErr},
			}
			if diff := cmp.Diff(wantCov, snap.Coverage, ignoreTimes); diff != "" {
				t.Errorf("coverage (-want +got):\n%s", diff)
			}
			rosters := Rosters(snap)
			if diff := cmp.Diff([]Roster{{Source: "people", People: 0, Status: inventory.CoverageFailed}}, rosters); diff != "" {
				t.Errorf("rosters (-want +got):\n%s", diff)
			}
			prev := []Roster{{Source: "people", People: 1200, Status: inventory.CoverageComplete}}
			wantShrink := []RosterChange{{Source: "people", Before: 1200, BeforeKnown: true, Reason: "the roster is failed in this snapshot"}}
			if diff := cmp.Diff(wantShrink, RosterShrinks(prev, rosters, 0.1)); diff != "" {
				t.Errorf("roster shrinks (-want +got):\n%s", diff)
			}
		})
	}
}

// A failed source that does not describe itself keeps the empty provider: the runner does not
// guess, and such a source is not taken for a source of truth.
func TestRunFailedUndescribedSource(t *testing.T) {
	snap, err := Run(t.Context(), []Source{returns("x", nil, errors.New("boom"))}, RunOptions{Now: clock()})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	want := []inventory.Coverage{{Source: "x", Status: inventory.CoverageFailed, ErrorKind: inventory.ErrUnknown, Error: "boom"}}
	if diff := cmp.Diff(want, snap.Coverage, ignoreTimes); diff != "" {
		t.Errorf("coverage (-want +got):\n%s", diff)
	}
	if got := Rosters(snap); len(got) != 0 {
		t.Errorf("Rosters = %+v, want none", got)
	}
}
