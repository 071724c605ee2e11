package gcpiam_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	crm "google.golang.org/api/cloudresourcemanager/v3"
	iam "google.golang.org/api/iam/v1"
	"google.golang.org/api/option"

	"github.com/provost-dev/provost/finding"
	"github.com/provost-dev/provost/inventory"
	"github.com/provost-dev/provost/remediate"
	"github.com/provost-dev/provost/remediate/gcpiam"
	"github.com/provost-dev/provost/sandbox/gcpfake"
	"github.com/provost-dev/provost/store"
)

var (
	bg  = context.Background()
	now = time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
)

const (
	project = "projects/payments-prod"
	sa      = "app@payments-prod.iam.gserviceaccount.com"
	key1    = "1111111111111111111111111111111111111111"
	key2    = "2222222222222222222222222222222222222222"
)

func startFake(t *testing.T) *gcpfake.Server {
	t.Helper()
	srv := gcpfake.New(gcpfake.Options{})
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	srv.SetOrganization(&gcpfake.Organization{ID: "123456789012", Domain: "corp.example",
		Projects: []gcpfake.Project{{ID: "payments-prod", Number: 42, Parent: "organizations/123456789012", ServiceAccounts: []gcpfake.ServiceAccount{{
			Email: sa, Keys: []gcpfake.Key{{ID: key1, Type: gcpfake.UserManaged, ValidAfter: now.AddDate(-1, 0, 0)}, {ID: key2, Type: gcpfake.UserManaged, ValidAfter: now.AddDate(-2, 0, 0)}}}}}},
		Policies: map[string]gcpfake.Policy{project: {Bindings: []gcpfake.Binding{
			{Role: "roles/editor", Members: []string{"user:alice@corp.example", "user:bob@corp.example"}},
			{Role: "roles/viewer", Members: []string{"user:alice@corp.example"}},
		}}},
	})
	return srv
}

func executor(t *testing.T, url string) *gcpiam.Executor {
	t.Helper()
	o := []option.ClientOption{option.WithEndpoint(url), option.WithoutAuthentication()}
	c, err := crm.NewService(bg, o...)
	if err != nil {
		t.Fatal(err)
	}
	i, err := iam.NewService(bg, o...)
	if err != nil {
		t.Fatal(err)
	}
	return &gcpiam.Executor{CRM: c, IAM: i}
}

func snapshot() *inventory.Snapshot {
	return &inventory.Snapshot{ID: "g1", StartedAt: now.Add(-time.Hour),
		Coverage: []inventory.Coverage{
			{Source: "gcp", Provider: inventory.ProviderGCP, Scope: "organizations/123456789012", Status: inventory.CoverageComplete},
			{Source: "gcp", Provider: inventory.ProviderGCP, Scope: project, Status: inventory.CoverageComplete},
		},
		Principals: []inventory.Principal{
			{ID: "gcp:user:alice@corp.example", Provider: inventory.ProviderGCP, Account: "organizations/123456789012", Kind: inventory.KindUser,
				Name: "alice@corp.example", Email: "alice@corp.example", Grants: []inventory.Grant{
					{What: "roles/editor", Where: project, Via: "direct"}, {What: "roles/viewer", Where: project, Via: "direct"},
					{What: "roles/owner", Where: project, Via: "group:gcp:group:admins@corp.example"}}},
			{ID: "gcp:serviceAccount:" + sa, Provider: inventory.ProviderGCP, Account: project, Kind: inventory.KindServiceAccount, Name: sa, Email: sa,
				Credentials: []inventory.Credential{{Kind: inventory.CredSAKey, ID: key1, Status: "active", Managed: "user"}, {Kind: inventory.CredSAKey, ID: key2, Status: "active", Managed: "user"}}},
		}}
}

func plan(t *testing.T, fs []finding.Finding, rules ...remediate.Rule) (*remediate.Policy, *remediate.Plan) {
	t.Helper()
	pol := &remediate.Policy{Rules: rules, MaxActions: 10, MaxPercent: 100}
	marks := map[string]remediate.Mark{}
	for i := range fs {
		fs[i].ID = finding.ID(fs[i].CheckID, fs[i].Principal, fs[i].Qualifier)
		fs[i].Status, fs[i].Severity, fs[i].Message = finding.StatusOpen, finding.SeverityHigh, "m"
		for _, r := range rules {
			marks[remediate.MarkKey(fs[i].ID, r.Action)] = remediate.Mark{MarkedAt: now.AddDate(0, -1, 0)}
		}
	}
	p, err := remediate.MakePlan(pol, snapshot(), fs, marks, now)
	if err != nil {
		t.Fatal(err)
	}
	return pol, p
}

func applier(t *testing.T, pol *remediate.Policy, ex remediate.Executor) *remediate.Applier {
	t.Helper()
	db, err := store.Open(filepath.Join(t.TempDir(), "p.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return &remediate.Applier{Policy: pol, Journal: db, Executors: map[inventory.Provider]remediate.Executor{inventory.ProviderGCP: ex}, Now: func() time.Time { return now }}
}

func facts(p *remediate.Plan) remediate.RunFacts {
	return remediate.RunFacts{Latest: remediate.SnapshotRef{ID: p.SnapshotID, StartedAt: p.SnapshotAt}}
}

func bindings(srv *gcpfake.Server) map[string][]string {
	out := map[string][]string{}
	for _, b := range srv.Policy(project).Bindings {
		out[b.Role] = b.Members
	}
	return out
}

func TestRemoveOneBinding(t *testing.T) {
	srv := startFake(t)
	pol, p := plan(t, []finding.Finding{{CheckID: "B", Principal: "gcp:user:alice@corp.example", Qualifier: "roles/editor on " + project}},
		remediate.Rule{Check: "B", Action: remediate.ActRemoveBinding, Enabled: true})
	a := applier(t, pol, executor(t, srv.URL()))
	srv.ResetCalls()
	out, err := a.Apply(bg, p, facts(p))
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != 1 || out[0].State != remediate.StateDone {
		t.Fatalf("outcomes %+v", out)
	}
	want := map[string][]string{"roles/editor": {"user:bob@corp.example"}, "roles/viewer": {"user:alice@corp.example"}}
	if d := cmp.Diff(want, bindings(srv)); d != "" {
		t.Errorf("bindings (-want +got):\n%s", d)
	}
	// Check, the read-modify-write, and the verifying re-read.
	if d := cmp.Diff(map[string]int{"cloudresourcemanager.projects.getIamPolicy": 3, "cloudresourcemanager.projects.setIamPolicy": 1}, srv.Calls()); d != "" {
		t.Errorf("calls (-want +got):\n%s", d)
	}
	if err := a.Undo(bg, p.Steps[0].ID); err != nil {
		t.Fatal(err)
	}
	want["roles/editor"] = []string{"user:bob@corp.example", "user:alice@corp.example"}
	if d := cmp.Diff(want, bindings(srv)); d != "" {
		t.Errorf("bindings after undo (-want +got):\n%s", d)
	}
}

// TestConcurrentWriterGets409AndIsKept: another writer changes the policy between our read and
// our write; the fake answers 409 on our stale etag, we read again and keep their change.
func TestConcurrentWriterGets409AndIsKept(t *testing.T) {
	srv := startFake(t)
	other := executor(t, srv.URL())
	var once sync.Once
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, ":setIamPolicy") {
			once.Do(func() {
				p, err := other.CRM.Projects.GetIamPolicy(project, &crm.GetIamPolicyRequest{}).Do()
				if err != nil {
					t.Error(err)
					return
				}
				p.Bindings = append(p.Bindings, &crm.Binding{Role: "roles/browser", Members: []string{"user:carol@corp.example"}})
				if _, err := other.CRM.Projects.SetIamPolicy(project, &crm.SetIamPolicyRequest{Policy: p}).Do(); err != nil {
					t.Error(err)
				}
			})
		}
		srv.Handler().ServeHTTP(w, r)
	}))
	defer proxy.Close()
	pol, p := plan(t, []finding.Finding{{CheckID: "B", Principal: "gcp:user:alice@corp.example", Qualifier: "roles/editor on " + project}},
		remediate.Rule{Check: "B", Action: remediate.ActRemoveBinding, Enabled: true})
	srv.ResetCalls()
	if _, err := applier(t, pol, executor(t, proxy.URL)).Apply(bg, p, facts(p)); err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{"roles/editor": {"user:bob@corp.example"}, "roles/viewer": {"user:alice@corp.example"}, "roles/browser": {"user:carol@corp.example"}}
	if d := cmp.Diff(want, bindings(srv)); d != "" {
		t.Errorf("bindings (-want +got):\n%s", d)
	}
	// Check, our read, the other writer's read and write, our 409, our second read and write, the
	// verifying re-read.
	if d := cmp.Diff(map[string]int{"cloudresourcemanager.projects.getIamPolicy": 5, "cloudresourcemanager.projects.setIamPolicy": 3}, srv.Calls()); d != "" {
		t.Errorf("calls (-want +got):\n%s", d)
	}
}

func TestGroupGrantIsBlocked(t *testing.T) {
	_, p := plan(t, []finding.Finding{{CheckID: "B", Principal: "gcp:user:alice@corp.example", Qualifier: "roles/owner on " + project}},
		remediate.Rule{Check: "B", Action: remediate.ActRemoveBinding, Enabled: true})
	want := "principal gcp:user:alice@corp.example holds roles/owner on projects/payments-prod only through a group or inheritance: remove the membership or the binding where it is made"
	if len(p.Steps) != 0 || len(p.Blocked) != 1 || p.Blocked[0].Reason != want {
		t.Errorf("plan = %+v", p)
	}
}

func TestDisableKeyAndServiceAccount(t *testing.T) {
	srv := startFake(t)
	pid := "gcp:serviceAccount:" + sa
	pol, p := plan(t, []finding.Finding{{CheckID: "K", Principal: pid, Qualifier: key2}, {CheckID: "S", Principal: pid}},
		remediate.Rule{Check: "K", Action: remediate.ActDisableSAKey, Enabled: true}, remediate.Rule{Check: "S", Action: remediate.ActDisableServiceAccount, Enabled: true})
	a := applier(t, pol, executor(t, srv.URL()))
	out, err := a.Apply(bg, p, facts(p))
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range out {
		if o.State != remediate.StateDone {
			t.Errorf("outcome %+v", o)
		}
	}
	reader := executor(t, srv.URL()).IAM.Projects.ServiceAccounts
	state := func() map[string]bool {
		acc, err := reader.Get("projects/payments-prod/serviceAccounts/" + sa).Do()
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]bool{"sa": acc.Disabled}
		for _, k := range []string{key1, key2} {
			got, err := reader.Keys.Get("projects/payments-prod/serviceAccounts/" + sa + "/keys/" + k).Do()
			if err != nil {
				t.Fatal(err)
			}
			out[k] = got.Disabled
		}
		return out
	}
	if d := cmp.Diff(map[string]bool{"sa": true, key1: false, key2: true}, state()); d != "" {
		t.Errorf("state (-want +got):\n%s", d)
	}
	for _, s := range p.Steps {
		if err := a.Undo(bg, s.ID); err != nil {
			t.Fatal(err)
		}
	}
	if d := cmp.Diff(map[string]bool{"sa": false, key1: false, key2: false}, state()); d != "" {
		t.Errorf("state after undo (-want +got):\n%s", d)
	}
}
