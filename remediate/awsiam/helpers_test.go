package awsiam_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/provost-dev/provost/finding"
	"github.com/provost-dev/provost/inventory"
	"github.com/provost-dev/provost/remediate"
	"github.com/provost-dev/provost/remediate/awsiam"
	"github.com/provost-dev/provost/sandbox/awsfake"
	"github.com/provost-dev/provost/store"
)

const acct = "111111111111"

var (
	now     = time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	created = time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)
	recent  = now.Add(-2 * time.Hour)
	old     = time.Date(2025, 4, 1, 9, 0, 0, 0, time.UTC)
)

func iamClient(url, keyID, secret string) *iam.Client {
	return iam.NewFromConfig(aws.Config{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(url),
		Credentials:  credentials.NewStaticCredentialsProvider(keyID, secret, ""),
	})
}

func startFake(t testing.TB, users ...*awsfake.User) *awsfake.Server {
	t.Helper()
	srv := awsfake.New(awsfake.Options{Now: func() time.Time { return now }})
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	org := &awsfake.Organization{ManagementAccount: acct, Accounts: []*awsfake.Account{{
		ID: acct, Name: "management", Users: users,
		Groups: []*awsfake.Group{{Name: "admins"}, {Name: "devs"}},
	}}}
	if err := srv.LoadOrganization(org); err != nil {
		t.Fatal(err)
	}
	return srv
}

// alice has two keys: access_key_1 used two hours ago, access_key_2 unused since April 2025.
func alice() *awsfake.User {
	return &awsfake.User{Name: "alice", Created: created, PasswordEnabled: true, PasswordLastChanged: created, PasswordLastUsed: old,
		Groups: []string{"admins", "devs"}, AttachedPolicies: []string{"arn:aws:iam::aws:policy/AdministratorAccess"},
		AccessKeys: []awsfake.AccessKey{
			{ID: "AKIAAAAAAAAAAAAAAAA1", Status: awsfake.KeyActive, Created: created, LastUsed: recent, LastUsedService: "s3", LastUsedRegion: "us-east-1"},
			{ID: "AKIAAAAAAAAAAAAAAAA2", Status: awsfake.KeyActive, Created: created.Add(time.Hour), LastUsed: old, LastUsedService: "s3", LastUsedRegion: "us-east-1"},
		}}
}

// principalOf is what the collector records for a fake user: credential-report slots.
func principalOf(account string, u *awsfake.User) inventory.Principal {
	p := inventory.Principal{ID: "arn:aws:iam::" + account + ":user/" + u.Name, Provider: inventory.ProviderAWS, Account: account,
		Kind: inventory.KindUser, Name: u.Name}
	if u.PasswordEnabled {
		p.Credentials = append(p.Credentials, inventory.Credential{Kind: inventory.CredPassword, ID: "password", Status: "active", CreatedAt: u.PasswordLastChanged, LastUsed: u.PasswordLastUsed})
	}
	for i, k := range u.AccessKeys {
		p.Credentials = append(p.Credentials, inventory.Credential{Kind: inventory.CredAccessKey, ID: "access_key_" + string(rune('1'+i)),
			Status: "active", CreatedAt: k.Created, LastUsed: k.LastUsed})
	}
	for _, g := range u.Groups {
		p.Groups = append(p.Groups, "arn:aws:iam::"+account+":group/"+g)
	}
	return p
}

func snapshotOf(account string, users ...*awsfake.User) *inventory.Snapshot {
	s := &inventory.Snapshot{ID: "snap-1", StartedAt: now.Add(-time.Hour),
		Coverage: []inventory.Coverage{{Source: "aws", Provider: inventory.ProviderAWS, Scope: account, Status: inventory.CoverageComplete}}}
	for _, u := range users {
		s.Principals = append(s.Principals, principalOf(account, u))
	}
	return s
}

func open(f finding.Finding) finding.Finding {
	f.ID = finding.ID(f.CheckID, f.Principal, f.Qualifier)
	f.Status, f.Severity, f.Message = finding.StatusOpen, finding.SeverityHigh, "test finding"
	return f
}

// planFor makes the act-phase plan for findings whose rules were marked long ago.
func planFor(t testing.TB, snap *inventory.Snapshot, fs []finding.Finding, rules ...remediate.Rule) (*remediate.Policy, *remediate.Plan) {
	t.Helper()
	pol := &remediate.Policy{Rules: rules, MaxActions: 100, MaxPercent: 100, MaxRosterShrinkPercent: 10}
	marks := map[string]remediate.Mark{}
	for _, f := range fs {
		for _, r := range rules {
			if r.Check == f.CheckID {
				marks[remediate.MarkKey(f.ID, r.Action)] = remediate.Mark{FindingID: f.ID, Action: r.Action, MarkedAt: now.Add(-30 * 24 * time.Hour)}
			}
		}
	}
	plan, err := remediate.MakePlan(pol, snap, fs, marks, now)
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Blocked) != 0 {
		t.Fatalf("blocked: %+v", plan.Blocked)
	}
	return pol, plan
}

func rule(check string, a remediate.Action) remediate.Rule {
	return remediate.Rule{Check: check, Action: a, Enabled: true, Grace: 7 * 24 * time.Hour}
}

func openStore(t testing.TB) (*store.DB, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "provost.db")
	db, err := store.Open(path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db, path
}

func applier(pol *remediate.Policy, db remediate.Journal, c awsiam.API) *remediate.Applier {
	return &remediate.Applier{Policy: pol, Journal: db, Executors: map[inventory.Provider]remediate.Executor{inventory.ProviderAWS: awsiam.New(c)},
		Now: func() time.Time { return now }}
}

func facts(plan *remediate.Plan) remediate.RunFacts {
	return remediate.RunFacts{Latest: remediate.SnapshotRef{ID: plan.SnapshotID, StartedAt: plan.SnapshotAt}}
}

func findUser(org *awsfake.Organization, name string) *awsfake.User {
	for _, a := range org.Accounts {
		for _, u := range a.Users {
			if u.Name == name {
				return u
			}
		}
	}
	return nil
}

var bg = context.Background()
