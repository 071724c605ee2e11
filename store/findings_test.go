package store

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	bolt "go.etcd.io/bbolt"

	"github.com/provost-dev/provost/finding"
	"github.com/provost-dev/provost/inventory"
)

// genFindings returns n findings shaped like the bundled checks' output: a handful of checks
// over many principals, with evidence and lifecycle fields.
func genFindings(n int, at time.Time) []finding.Finding {
	checks := []struct {
		id, title string
		sev       finding.Severity
	}{
		{"PV-AWS-004", "Access key not rotated", finding.SeverityHigh},
		{"PV-AWS-006", "Unused credential", finding.SeverityMedium},
		{"PV-IDN-002", "Leaver still has access", finding.SeverityCritical},
		{"PV-GCP-003", "Service account key too old", finding.SeverityLow},
	}
	out := make([]finding.Finding, n)
	for i := range out {
		c := checks[i%len(checks)]
		acct := accountID(i % 40)
		principal := fmt.Sprintf("arn:aws:iam::%s:user/user-%07d", acct, i)
		qual := ""
		if i%2 == 0 {
			qual = fmt.Sprintf("AKIA%016d", i)
		}
		st := finding.StatusOpen
		var resolved time.Time
		switch i % 10 {
		case 7:
			st = finding.StatusWaived
		case 9:
			st, resolved = finding.StatusResolved, at
		}
		f := finding.Finding{
			ID: finding.ID(c.id, principal, qual), CheckID: c.id, Title: c.title, Severity: c.sev,
			Frameworks: []string{"CIS-1.14", "HIPAA-164.308(a)(4)"},
			Principal:  principal, Account: acct, Provider: inventory.ProviderAWS, Qualifier: qual,
			Message:     fmt.Sprintf("access key %s of user-%07d is %d days old", qual, i, 90+i%300),
			Evidence:    map[string]any{"age_days": float64(90 + i%300), "key_id": qual, "active": true},
			Remediation: finding.Remediation{Action: "deactivate_access_key", Text: "Deactivate the key, then delete it."},
			Status:      st,
			FirstSeen:   at.Add(-time.Duration(i%30) * 24 * time.Hour),
			LastSeen:    at,
			ResolvedAt:  resolved,
		}
		if st == finding.StatusWaived {
			f.WaivedBy, f.WaiverReason, f.WaiverExpires = "secops@corp.com", "break-glass", at.AddDate(0, 3, 0)
		}
		out[i] = f
	}
	return out
}

func TestFindingsRoundTrip(t *testing.T) {
	ctx := context.Background()
	t0 := time.Date(2025, 3, 1, 2, 0, 0, 0, time.UTC)
	db := openTest(t)
	ps := genPrincipals(20, 1)
	mustPut(t, db, genSnapshot("s1", ps, t0))
	mustPut(t, db, genSnapshot("s2", ps, t0.Add(24*time.Hour)))
	mustPut(t, db, genSnapshot("s3", ps, t0.Add(48*time.Hour)))

	if _, _, err := db.LatestFindings(); !errors.Is(err, ErrNoFindings) {
		t.Fatalf("LatestFindings on a store without findings: err = %v, want ErrNoFindings", err)
	}
	f1 := genFindings(50, t0)
	f2 := genFindings(7, t0.Add(24*time.Hour))
	if err := db.PutFindings(ctx, "s1", f1); err != nil {
		t.Fatal(err)
	}
	if err := db.PutFindings(ctx, "s2", f2); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		snapshot string
		want     []finding.Finding
		wantErr  error
	}{
		{"s1", f1, nil},
		{"s2", f2, nil},
		{"s3", nil, ErrNoFindings},
		{"nope", nil, ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.snapshot, func(t *testing.T) {
			got, err := db.Findings(tt.snapshot)
			if !errors.Is(err, tt.wantErr) || (tt.wantErr == nil) != (err == nil) {
				t.Fatalf("Findings(%s) err = %v, want %v", tt.snapshot, err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Findings(%s) (-want +got):\n%s", tt.snapshot, diff)
			}
			// HasFindings says the same without decoding: stored, none stored, unknown snapshot.
			has, err := db.HasFindings(tt.snapshot)
			wantHas, wantErr := tt.wantErr == nil, error(nil)
			if errors.Is(tt.wantErr, ErrNotFound) {
				wantErr = ErrNotFound
			}
			if has != wantHas || !errors.Is(err, wantErr) || (wantErr == nil) != (err == nil) {
				t.Errorf("HasFindings(%s) = %v, %v; want %v, %v", tt.snapshot, has, err, wantHas, wantErr)
			}
		})
	}

	// s3 is the latest snapshot but was never evaluated: the latest findings are s2's.
	meta, got, err := db.LatestFindings()
	if err != nil || meta.ID != "s2" {
		t.Fatalf("LatestFindings = %q, %v; want s2", meta.ID, err)
	}
	if diff := cmp.Diff(f2, got); diff != "" {
		t.Errorf("LatestFindings (-want +got):\n%s", diff)
	}

	// Replacing and storing an empty set.
	if err := db.PutFindings(ctx, "s2", nil); err != nil {
		t.Fatal(err)
	}
	if got, err := db.Findings("s2"); err != nil || got != nil {
		t.Errorf("Findings(s2) after storing none = %v, %v; want nil, nil", got, err)
	}
	if has, err := db.HasFindings("s2"); err != nil || !has {
		t.Errorf("HasFindings(s2) after storing an empty set = %v, %v; want true (evaluated, nothing found)", has, err)
	}

	// Deleting a snapshot deletes its findings; pruning too.
	if err := db.DeleteSnapshot("s2"); err != nil {
		t.Fatal(err)
	}
	if meta, _, err := db.LatestFindings(); err != nil || meta.ID != "s1" {
		t.Errorf("LatestFindings after deleting s2 = %q, %v; want s1", meta.ID, err)
	}
	if _, err := db.Prune(ctx, Retention{KeepLast: 1}, t0.AddDate(0, 1, 0), false); err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.LatestFindings(); !errors.Is(err, ErrNoFindings) {
		t.Errorf("LatestFindings after pruning s1: err = %v, want ErrNoFindings", err)
	}
	// Nothing orphaned: the bucket is empty.
	if err := db.view(func(tx *bolt.Tx) error {
		if k, _ := tx.Bucket(bucketFindings).Cursor().First(); k != nil {
			return fmt.Errorf("findings of snapshot %x left behind", k)
		}
		return nil
	}); err != nil {
		t.Error(err)
	}
}

func TestPutFindingsBadInput(t *testing.T) {
	ctx := context.Background()
	t0 := time.Date(2025, 3, 1, 2, 0, 0, 0, time.UTC)
	db := openTest(t)
	mustPut(t, db, genSnapshot("s1", genPrincipals(3, 1), t0))
	good := genFindings(1, t0)[0]
	mod := func(fn func(*finding.Finding)) []finding.Finding {
		f := good
		fn(&f)
		return []finding.Finding{good, f}
	}
	tests := []struct {
		name     string
		snapshot string
		fs       []finding.Finding
		wantErr  string
	}{
		{"unknown snapshot", "s9", []finding.Finding{good}, `put findings of "s9": snapshot "s9": not found`},
		{"no id", "s1", mod(func(f *finding.Finding) { f.ID = "" }), `put findings of "s1": finding 1 (id "", check "PV-AWS-004", principal "arn:aws:iam::210987654321:user/user-0000000"): needs an id, a check id, a valid severity and status`},
		{"bad severity", "s1", mod(func(f *finding.Finding) { f.Severity = 0 }), `put findings of "s1": finding 1 (id "` + good.ID + `", check "PV-AWS-004", principal "arn:aws:iam::210987654321:user/user-0000000"): needs an id, a check id, a valid severity and status`},
		{"bad status", "s1", mod(func(f *finding.Finding) { f.Status = "closed" }), `put findings of "s1": finding 1 (id "` + good.ID + `", check "PV-AWS-004", principal "arn:aws:iam::210987654321:user/user-0000000"): needs an id, a check id, a valid severity and status`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := db.PutFindings(ctx, tt.snapshot, tt.fs)
			if err == nil || err.Error() != tt.wantErr {
				t.Fatalf("PutFindings err = %v\nwant %s", err, tt.wantErr)
			}
		})
	}
	if _, err := db.Findings("s1"); !errors.Is(err, ErrNoFindings) {
		t.Errorf("a rejected PutFindings stored something: err = %v", err)
	}
}
