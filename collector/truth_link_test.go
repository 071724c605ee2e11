package collector_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/provost-dev/provost/collector"
	"github.com/provost-dev/provost/collector/hrfile"
	"github.com/provost-dev/provost/inventory"
)

// funcSource is a Source made of a function: the small seam for a cloud source here.
type funcSource struct {
	name    string
	collect func(context.Context) (*collector.Result, error)
}

func (s funcSource) Name() string                                           { return s.name }
func (s funcSource) Collect(ctx context.Context) (*collector.Result, error) { return s.collect(ctx) }

// TestLeaverWithActiveCloudAccess runs a real HR export through the runner beside a cloud source:
// the terminated person's IAM user, which still has an active access key, links to the leaver
// by email; the service account labelled with their username and the role tagged with their
// email link to them as owner; and the roster size is in the snapshot.
func TestLeaverWithActiveCloudAccess(t *testing.T) {
	path := filepath.Join(t.TempDir(), "workday.csv")
	csv := "employee_id,email,name,status,end_date\n" +
		"E100,ada@corp.example,Ada Lovelace,Active,\n" +
		"E200,bob@corp.example,Bob Smith,Terminated,2026-10-31\n"
	if err := os.WriteFile(path, []byte(csv), 0o600); err != nil {
		t.Fatal(err)
	}
	hr, err := hrfile.New(hrfile.Options{Name: "workday", Path: path,
		Columns:      hrfile.Columns{EmployeeID: "employee_id", Email: "email", Name: "name", Status: "status", EndDate: "end_date"},
		StatusValues: map[string]inventory.PersonStatus{"Terminated": inventory.PersonTerminated}})
	if err != nil {
		t.Fatal(err)
	}
	key := inventory.Credential{Kind: inventory.CredAccessKey, ID: "access_key_1", Status: inventory.CredActive,
		CreatedAt: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
	cloud := funcSource{name: "aws", collect: func(context.Context) (*collector.Result, error) {
		return &collector.Result{
			Coverage: []inventory.Coverage{{Source: "aws", Provider: inventory.ProviderAWS, Scope: "111111111111", Status: inventory.CoverageComplete}},
			Principals: []inventory.Principal{
				{ID: "arn:aws:iam::111111111111:user/bob", Provider: inventory.ProviderAWS, Account: "111111111111", Kind: inventory.KindUser,
					Name: "bob", Email: "Bob@Corp.example", Credentials: []inventory.Credential{key}},
				{ID: "arn:aws:iam::111111111111:role/nightly-export", Provider: inventory.ProviderAWS, Account: "111111111111",
					Kind: inventory.KindRole, Name: "nightly-export", Tags: map[string]string{"Owner": "bob@corp.example"}},
				{ID: "gcp:serviceAccount:etl@data.iam.gserviceaccount.com", Provider: inventory.ProviderGCP, Account: "projects/data",
					Kind: inventory.KindServiceAccount, Name: "etl", Tags: map[string]string{"owner": "bob"}},
				{ID: "gcp:serviceAccount:orphan@data.iam.gserviceaccount.com", Provider: inventory.ProviderGCP, Account: "projects/data",
					Kind: inventory.KindServiceAccount, Name: "orphan"},
			},
		}, nil
	}}
	snap, err := collector.Run(context.Background(), []collector.Source{hr, cloud}, collector.RunOptions{
		Linking: collector.LinkOptions{Order: []string{"mapping", "email", "tag", "external_id", "username"},
			OwnerTags: []string{"owner"}, UsernamePatterns: []string{"{local}"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	type link struct{ Principal, Person, Rule string }
	var got []link
	for _, p := range snap.Principals {
		got = append(got, link{p.ID, p.PersonID, p.LinkRule})
	}
	want := []link{
		{"arn:aws:iam::111111111111:role/nightly-export", "workday:E200", "tag:owner"},
		{"arn:aws:iam::111111111111:user/bob", "workday:E200", "email"},
		{"gcp:serviceAccount:etl@data.iam.gserviceaccount.com", "workday:E200", "tag:owner"},
		{"gcp:serviceAccount:orphan@data.iam.gserviceaccount.com", "", ""},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("links (-want +got):\n%s", diff)
	}
	var bob inventory.Person
	for _, p := range snap.People {
		if p.ID == "workday:E200" {
			bob = p
		}
	}
	if bob.Status != inventory.PersonTerminated || !bob.EndDate.Equal(time.Date(2026, 10, 31, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("linked person %+v is not the leaver", bob)
	}
	wantRosters := []collector.Roster{{Source: "workday", People: 2, Status: inventory.CoverageComplete}}
	if diff := cmp.Diff(wantRosters, collector.Rosters(snap)); diff != "" {
		t.Errorf("rosters (-want +got):\n%s", diff)
	}
}

// A source of truth that fails leaves an unknown roster, never an empty one that reads as
// nobody working here.
func TestFailedSourceOfTruthIsNotAnEmptyRoster(t *testing.T) {
	hr, err := hrfile.New(hrfile.Options{Name: "workday", Path: filepath.Join(t.TempDir(), "missing.csv")})
	if err != nil {
		t.Fatal(err)
	}
	snap, err := collector.Run(context.Background(), []collector.Source{hr}, collector.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	rosters := collector.Rosters(snap)
	want := []collector.Roster{{Source: "workday", People: 0, Status: inventory.CoverageFailed}}
	if diff := cmp.Diff(want, rosters); diff != "" {
		t.Errorf("rosters (-want +got):\n%s", diff)
	}
	if rosters[0].Known() {
		t.Error("a failed roster is reported as known")
	}
	prev := []collector.Roster{{Source: "workday", People: 1200, Status: inventory.CoverageComplete}}
	if got := collector.RosterShrinks(prev, rosters, 0.1); len(got) != 1 || got[0].Reason != "the roster is failed in this snapshot" {
		t.Errorf("RosterShrinks = %+v, want the failed roster reported", got)
	}
}
