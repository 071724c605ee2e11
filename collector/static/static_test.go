package static

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/provost-dev/provost/collector"
	"github.com/provost-dev/provost/inventory"
)

var update = flag.Bool("update", false, "rewrite sandbox/example-org.json in canonical form")

const exampleOrg = "../../sandbox/example-org.json"

// fileShape is the part of a snapshot a static file holds, in the snapshot's field order.
type fileShape struct {
	Coverage   []inventory.Coverage  `json:"coverage"`
	Accounts   []inventory.Account   `json:"accounts"`
	Principals []inventory.Principal `json:"principals"`
	PolicyDocs []inventory.PolicyDoc `json:"policy_docs"`
	People     []inventory.Person    `json:"people"`
}

// canonical encodes a snapshot as the example file is written: two-space indent, field order of
// the inventory types, no HTML escaping.
func canonical(t *testing.T, snap *inventory.Snapshot) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	shape := fileShape{snap.Coverage, snap.Accounts, snap.Principals, snap.PolicyDocs, snap.People}
	if err := enc.Encode(shape); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func resultSnapshot(r *collector.Result) *inventory.Snapshot {
	return &inventory.Snapshot{Coverage: r.Coverage, Accounts: r.Accounts, Principals: r.Principals, PolicyDocs: r.PolicyDocs, People: r.People}
}

// The example organisation loads, and writing it back gives the same bytes: the file is in
// canonical form and holds nothing the inventory types drop.
func TestExampleOrgRoundTrips(t *testing.T) {
	data, err := os.ReadFile(exampleOrg)
	if err != nil {
		t.Fatal(err)
	}
	res, err := New("example", exampleOrg).Collect(t.Context())
	if err != nil {
		t.Fatalf("Collect: %v", err)
	}
	got := canonical(t, resultSnapshot(res))
	if *update {
		if err := os.WriteFile(exampleOrg, got, 0o600); err != nil {
			t.Fatal(err)
		}
		return
	}
	if diff := cmp.Diff(string(data), string(got)); diff != "" {
		t.Errorf("%s is not canonical (run go test -update) (-file +re-encoded):\n%s", exampleOrg, diff)
	}
	var again inventory.Snapshot
	if err := json.Unmarshal(got, &again); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(resultSnapshot(res), &again); diff != "" {
		t.Errorf("decode(encode(x)) != x (-first +second):\n%s", diff)
	}
}

// The example organisation tells its story once linked with the default linking options.
func TestExampleOrgLinks(t *testing.T) {
	snap, err := collector.Run(t.Context(), []collector.Source{New("example", exampleOrg)}, collector.RunOptions{
		Linking: collector.LinkOptions{
			Order:            []string{"mapping", "email", "tag", "external_id", "username"},
			OwnerTags:        []string{"owner", "email"},
			UsernamePatterns: []string{"{local}"},
		},
	})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	got := map[string]string{}
	for _, p := range snap.Principals {
		got[p.ID] = p.PersonID + " by " + p.LinkRule
	}
	want := map[string]string{
		"arn:aws:iam::111122223333:root":                                                                 " by ",
		"arn:aws:iam::111122223333:group/Admins":                                                         " by ",
		"arn:aws:iam::111122223333:user/maya.chen":                                                       "hr:AH1001 by username",
		"arn:aws:iam::111122223333:user/raj.patel":                                                       "hr:AH1002 by username",
		"arn:aws:iam::111122223333:user/priya.nair":                                                      "hr:AH1005 by username",
		"arn:aws:iam::111122223333:user/ci-deploy":                                                       "hr:AH1002 by tag:owner",
		"arn:aws:iam::111122223333:role/BreakGlass":                                                      "hr:AH1004 by tag:owner",
		"arn:aws:iam::111122223333:role/aws-service-role/support.amazonaws.com/AWSServiceRoleForSupport": " by ",
		"aws-sso:d-9067c3a1b2:94f8a2c6-1b3d-4e5f-8a9b-0c1d2e3f4a5b":                                      "hr:AH1003 by email",
		"arn:aws:iam::444455556666:role/OrganizationAccountAccessRole":                                   " by ",
		"arn:aws:iam::444455556666:user/marcus.hale":                                                     "hr:AH1006 by username",
		"gcp:user:grace.kim@acmehealth.example":                                                          "hr:AH1007 by email",
		"gcp:user:omar.farouk@gmail.com":                                                                 "hr:AH1008 by email",
		"gcp:serviceAccount:claims-api@acme-claims-prod.iam.gserviceaccount.com":                         " by ",
		"gcp:serviceAccount:legacy-export@acme-claims-prod.iam.gserviceaccount.com":                      " by ",
		"gcp:allUsers": " by ",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("links (-want +got):\n%s", diff)
	}
	statuses := map[string]inventory.CoverageStatus{}
	for _, c := range snap.Coverage {
		if c.Source != "example" {
			t.Errorf("coverage %s has source %q, want example", c.Scope, c.Source)
		}
		statuses[c.Scope] = c.Status
	}
	wantStatuses := map[string]inventory.CoverageStatus{
		"111122223333": "complete", "444455556666": "complete", "organizations/804215590373": "complete",
		"projects/acme-claims-prod": "complete", "cloudidentity/groups": "failed", "file:people.csv": "complete",
	}
	if diff := cmp.Diff(wantStatuses, statuses); diff != "" {
		t.Errorf("coverage (-want +got):\n%s", diff)
	}
}

func TestCollectWithoutCoverage(t *testing.T) {
	data := []byte(`{"principals": [{"id": "u1", "provider": "static", "kind": "user", "name": "u1"}],
		"people": [{"id": "hr:1", "source": "hr", "status": "active"}]}`)
	res, err := FromData("offline", "exports/legacy.json", data).Collect(t.Context())
	if err != nil {
		t.Fatalf("Collect: %v", err)
	}
	want := &collector.Result{
		Coverage: []inventory.Coverage{{
			Source: "offline", Provider: inventory.ProviderStatic, Scope: "file:exports/legacy.json",
			Status: inventory.CoverageComplete, Method: "file",
			Counts: map[string]int{"accounts": 0, "principals": 1, "policy_docs": 0, "people": 1},
		}},
		Principals: []inventory.Principal{{ID: "u1", Provider: inventory.ProviderStatic, Kind: inventory.KindUser, Name: "u1"}},
		People:     []inventory.Person{{ID: "hr:1", Source: "hr", Status: inventory.PersonActive}},
	}
	if diff := cmp.Diff(want, res); diff != "" {
		t.Errorf("result (-want +got):\n%s", diff)
	}
}

func TestCollectErrors(t *testing.T) {
	const user = `{"id": "u1", "provider": "aws", "kind": "user", "name": "u1"}`
	tests := []struct {
		name string
		data string
		want string
	}{
		{"empty", ``, `f.json: empty file; want a JSON object`},
		{"syntax", "{\n  \"principals\": [\n    {\"id\": \"u1\",}\n  ]\n}", `f.json: 3:17: invalid character '}' looking for beginning of object key string`},
		{"truncated", "{\"principals\": [", `f.json: 1:17: unexpected end of file`},
		{"trailing data", "{}\n{}", `f.json: 2:1: unexpected data after the snapshot object`},
		{"not an object", `[]`, `f.json: 1:1: top level: want an object, got an array`},
		{"unknown top-level field", "{\n \"principal\": []\n}", `f.json: 2:2: principal: unknown field "principal"`},
		{"unknown nested field", `{"principals": [` + user + `, {"id": "u2", "kind": "user", "credentials": [{"kind": "access_key", "secret": "x"}]}]}`,
			`f.json: 1:148: principals[1].credentials[0].secret: unknown field "secret"`},
		{"wrong type", "{\"principals\": [\n" + user + ",\n{\"id\": \"u2\", \"mfa\": \"yes\"}]}", `f.json: 3:21: principals[1].mfa: want true or false, got a string`},
		{"wrong type in a map", `{"accounts": [{"id": "1", "settings": {"Users": 1.5}}]}`, `f.json: 1:49: accounts[0].settings.Users: want an integer, got the number 1.5`},
		{"bad time", `{"people": [{"id": "p", "end_date": "30/01/2026"}]}`, `f.json: 1:37: people[0].end_date: "30/01/2026" is not a time; want RFC 3339, e.g. "2026-03-14T09:30:00Z"`},
		{"records", `{
			"coverage": [{"scope": "x", "status": "done"}],
			"accounts": [{"provider": "aws"}],
			"principals": [` + user + `, ` + user + `, {"id": "", "kind": "robot",
				"credentials": [{"kind": "access_key", "id": "k", "status": "revoked"}],
				"grants": [{"what": "w", "where": "*", "via": "direct", "privilege": "god"}, {"what": "w"}]}],
			"policy_docs": [{"id": "", "privilege": "root"}],
			"people": [{"id": "p", "status": "active"}, {"id": "p", "status": "gone"}]
		}`, `f.json: coverage[0].status: "done" is not valid; want complete, partial or failed; ` +
			`accounts[0].id: must be set; ` +
			`principals[1].id: "u1" repeats principals[0]; ` +
			`principals[2].id: must be set; principals[2].provider: must be set; ` +
			`principals[2].kind: "robot" is not valid; want user, service_account, role, group, root or sso_user; ` +
			`principals[2].credentials[0].status: "revoked" is not valid; want active, inactive or expired; ` +
			`principals[2].grants[0].privilege: "god" is not valid; want read, write, admin or none; ` +
			`principals[2].grants[1]: what, where and via must be set; ` +
			`policy_docs[0].id: must be set; policy_docs[0].privilege: "root" is not valid; want read, write, admin or none; ` +
			`people[1].id: "p" repeats people[0]; people[1].status: "gone" is not valid; want active, leave or terminated`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := FromData("s", "f.json", []byte(tt.data)).Collect(t.Context())
			if err == nil || err.Error() != tt.want {
				t.Fatalf("error:\n got %v\nwant %s", err, tt.want)
			}
			if kind := collector.KindOf(err); kind != inventory.ErrInvalid {
				t.Errorf("kind = %q, want invalid", kind)
			}
		})
	}
}

func TestCollectFileErrors(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "missing.json")
	_, err := New("s", missing).Collect(t.Context())
	if want := "read snapshot file: open " + missing + ": no such file or directory"; err == nil || err.Error() != want {
		t.Errorf("error = %v, want %s", err, want)
	}
	if kind := collector.KindOf(err); kind != inventory.ErrNotFound {
		t.Errorf("kind = %q, want not_found", kind)
	}

	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := New("s", exampleOrg).Collect(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: error = %v, want context.Canceled", err)
	}
}

func TestTooManyProblems(t *testing.T) {
	var b bytes.Buffer
	b.WriteString(`{"people": [`)
	for i := range 25 {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString(`{"id": "p` + string(rune('a'+i)) + `"}`)
	}
	b.WriteString(`]}`)
	_, err := FromData("s", "f.json", b.Bytes()).Collect(t.Context())
	if err == nil || !bytes.HasSuffix([]byte(err.Error()), []byte(`; people[19].status: "" is not valid; want active, leave or terminated; and 5 more`)) {
		t.Errorf("error = %v, want 20 problems and a count of the rest", err)
	}
}

func FuzzDecode(f *testing.F) {
	if data, err := os.ReadFile(exampleOrg); err == nil {
		f.Add(data)
	}
	f.Add([]byte(`{"principals": [{"id": "u", "credentials": [{"kind": "x", "created_at": "2026-01-01"}]}]}`))
	f.Add([]byte(`{"accounts": [{"settings": {"a": "b"}, "password_policy": {"minimum_length": true}}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		snap, err := decode("f.json", data)
		if (snap == nil) == (err == nil) {
			t.Fatalf("decode returned snapshot %v and error %v", snap != nil, err)
		}
		if snap != nil {
			_ = check("f.json", snap)
		}
	})
}
