package finding

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func mk(check, principal, qualifier, account string, st Status) Finding {
	return Finding{
		ID: ID(check, principal, qualifier), CheckID: check, Principal: principal,
		Qualifier: qualifier, Account: account, Status: st, Severity: SeverityHigh, Message: "m",
	}
}

func seen(f Finding, first, last time.Time) Finding {
	f.FirstSeen, f.LastSeen = first, last
	return f
}

func resolved(f Finding, first, last, at time.Time) Finding {
	f = seen(f, first, last)
	f.Status, f.ResolvedAt = StatusResolved, at
	return f
}

func TestMerge(t *testing.T) {
	d0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	d1 := d0.AddDate(0, 0, 1)
	d37 := d0.AddDate(0, 0, 37)
	key := mk("PV-AWS-006", "arn:aws:iam::111111111111:user/alice", "access_key_1", "111111111111", StatusOpen)
	key2 := mk("PV-AWS-006", "arn:aws:iam::111111111111:user/bob", "access_key_2", "111111111111", StatusOpen)
	partialKey := mk("PV-AWS-006", "arn:aws:iam::222222222222:user/carol", "access_key_1", "222222222222", StatusOpen)
	leaver := mk("PV-IDN-002", "gcp:user:dave@corp.com", "", "organizations/1", StatusOpen)
	leaverUnknown := mk("PV-IDN-002", "gcp:user:dave@corp.com", "", "organizations/1", StatusCannotEvaluate)
	leaverUnknown.ID = ID("PV-IDN-002", "gcp:user:dave@corp.com", "unknown")
	policyErr := mk("PV-AWS-006", "", "", "", StatusError)
	waived := mk("PV-AWS-009", "arn:aws:iam::111111111111:user/ci", "", "111111111111", StatusWaived)

	complete := func(f Finding) bool { return f.Account != "222222222222" }

	tests := []struct {
		name     string
		previous []Finding
		current  []Finding
		want     []Finding
	}{
		{
			name:    "first run: everything new",
			current: []Finding{key},
			want:    []Finding{seen(key, d37, d37)},
		},
		{
			name:     "still open: first seen kept, last seen updated",
			previous: []Finding{seen(key, d0, d1)},
			current:  []Finding{key},
			want:     []Finding{seen(key, d0, d37)},
		},
		{
			name:     "gone from a complete scope: resolved",
			previous: []Finding{seen(key, d0, d1), seen(key2, d0, d1)},
			current:  []Finding{key2},
			want:     []Finding{resolved(key, d0, d1, d37), seen(key2, d0, d37)},
		},
		{
			name:     "gone from an incomplete scope: kept open",
			previous: []Finding{seen(partialKey, d0, d1)},
			current:  nil,
			want:     []Finding{seen(partialKey, d0, d1)},
		},
		{
			name:     "check errored this run: kept",
			previous: []Finding{seen(key, d0, d1)},
			current:  []Finding{policyErr},
			want:     []Finding{seen(policyErr, d37, d37), seen(key, d0, d1)}, // the error has no principal: first
		},
		{
			name:     "check cannot evaluate the principal: kept",
			previous: []Finding{seen(leaver, d0, d1)},
			current:  []Finding{leaverUnknown},
			want:     []Finding{seen(leaverUnknown, d37, d37), seen(leaver, d0, d1)}, // same check, principal, qualifier: by ID
		},
		{
			name:     "resolved then back: first seen restarts",
			previous: []Finding{resolved(key, d0, d1, d1)},
			current:  []Finding{key},
			want:     []Finding{seen(key, d37, d37)},
		},
		{
			name:     "resolved and still gone: unchanged",
			previous: []Finding{resolved(key, d0, d1, d1)},
			current:  nil,
			want:     []Finding{resolved(key, d0, d1, d1)},
		},
		{
			name:     "waived stays waived and keeps its age",
			previous: []Finding{seen(mk(waived.CheckID, waived.Principal, "", waived.Account, StatusOpen), d0, d1)},
			current:  []Finding{waived},
			want:     []Finding{seen(waived, d0, d37)},
		},
		{
			name:    "duplicate IDs in current: first wins",
			current: []Finding{key, func() Finding { f := key; f.Message = "second"; return f }()},
			want:    []Finding{seen(key, d37, d37)},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Merge(tt.previous, tt.current, d37, complete)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Merge (-want +got):\n%s", diff)
			}
		})
	}
}

func TestMergeDoesNotModifyInputs(t *testing.T) {
	d0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	prev := []Finding{seen(mk("C", "p", "", "a", StatusOpen), d0, d0)}
	cur := []Finding{mk("C", "q", "", "a", StatusOpen)}
	prevCopy := append([]Finding(nil), prev...)
	curCopy := append([]Finding(nil), cur...)
	Merge(prev, cur, d0.Add(time.Hour), nil)
	if diff := cmp.Diff(prevCopy, prev); diff != "" {
		t.Errorf("previous modified (-before +after):\n%s", diff)
	}
	if diff := cmp.Diff(curCopy, cur); diff != "" {
		t.Errorf("current modified (-before +after):\n%s", diff)
	}
}
