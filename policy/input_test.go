package policy

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/provost-dev/provost/inventory"
)

// The hand-built input must be exactly the documented JSON shape (rego/README.md).
func TestItemMatchesTheDocumentedShape(t *testing.T) {
	at := func(s string) time.Time {
		tm, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	snap := &inventory.Snapshot{
		ID: "s", FinishedAt: at("2025-06-01T00:00:00Z"),
		Coverage: []inventory.Coverage{
			{Source: "aws-a", Provider: "aws", Scope: "123456789012", Status: "complete"},
			{Source: "aws-b", Provider: "aws", Scope: "123456789012", Status: "partial", ErrorKind: "throttled"},
			{Source: "hr", Provider: "hr", Scope: "hr", Status: "complete"},
			{Source: "ldap", Provider: "ldap", Scope: "dc=corp", Status: "failed", ErrorKind: "unavailable"},
		},
		Accounts: []inventory.Account{{
			ID: "123456789012", Provider: "aws", Name: "prod", Kind: "account", Parent: "ou-1", Path: []string{"Root", "Prod"},
			Status: "ACTIVE", Email: "aws@corp.com", Tags: map[string]string{"env": "prod"},
			Settings:       map[string]int{"AccountMFAEnabled": 1, "uses_identity_center": 1},
			PasswordPolicy: &inventory.PasswordPolicy{MinimumLength: 14, RequireSymbols: true, MaxAgeDays: 90, PasswordReusePrevention: 24},
		}},
		People: []inventory.Person{{
			ID: "hr:7", Source: "hr", EmployeeID: "7", Emails: []string{"al@corp.com"}, Name: "Al", Department: "Eng",
			Manager: "hr:1", Status: "terminated", StartDate: at("2020-01-01T00:00:00Z"), EndDate: at("2025-05-20T17:00:00Z"),
		}},
		Principals: []inventory.Principal{{
			ID: "arn:aws:iam::123456789012:user/al", Provider: "aws", Account: "123456789012", Kind: "user", Name: "al",
			NativeID: "AIDA1", CreatedAt: at("2021-02-03T04:05:06Z"), Console: true, MFA: true,
			Tags: map[string]string{"owner": "al@corp.com"}, Groups: []string{"arn:aws:iam::123456789012:group/dev"},
			Credentials: []inventory.Credential{
				{Kind: "access_key", ID: "access_key_1", Status: "active", CreatedAt: at("2024-01-01T00:00:00Z"), LastUsed: at("2025-05-31T23:59:59Z")},
				{Kind: "sa_key", ID: "k", Status: "expired", ExpiresAt: at("2025-01-01T00:00:00Z"), Managed: "user"},
			},
			Grants:     []inventory.Grant{{What: "arn:aws:iam::aws:policy/ReadOnlyAccess", Where: "123456789012", Via: "group:g", Privilege: "read", Condition: "x"}},
			Attributes: map[string]string{"path": "/"}, PersonID: "hr:7", LinkRule: "email",
		}},
	}
	ix := newSnapshotIndex(snap, []string{"arn:aws:iam::*:user/a*"})
	got := ix.item(&snap.Principals[0]).Value
	want := ast.MustParseTerm(`{
		"principal": {
			"id": "arn:aws:iam::123456789012:user/al", "provider": "aws", "account": "123456789012",
			"kind": "user", "name": "al", "native_id": "AIDA1",
			"created_ns": 1612325106000000000, "created_on": "2021-02-03",
			"disabled": false, "console_access": true, "mfa": true, "human": true, "protected": true,
			"tags": {"owner": "al@corp.com"}, "groups": ["arn:aws:iam::123456789012:group/dev"],
			"credentials": [
				{"kind": "access_key", "id": "access_key_1", "status": "active",
				 "created_ns": 1704067200000000000, "created_on": "2024-01-01",
				 "last_used_ns": 1748735999000000000, "last_used_on": "2025-05-31"},
				{"kind": "sa_key", "id": "k", "status": "expired",
				 "expires_ns": 1735689600000000000, "expires_on": "2025-01-01", "managed": "user"}
			],
			"grants": [{"what": "arn:aws:iam::aws:policy/ReadOnlyAccess", "where": "123456789012", "via": "group:g", "privilege": "read", "condition": "x"}],
			"attributes": {"path": "/"}, "person_id": "hr:7", "link_rule": "email"
		},
		"account": {
			"id": "123456789012", "provider": "aws", "name": "prod", "kind": "account", "parent": "ou-1",
			"path": ["Root", "Prod"], "status": "ACTIVE", "email": "aws@corp.com", "tags": {"env": "prod"},
			"settings": {"AccountMFAEnabled": 1, "uses_identity_center": 1},
			"password_policy": {"minimum_length": 14, "require_symbols": true, "require_numbers": false,
				"require_uppercase": false, "require_lowercase": false, "allow_users_to_change": false,
				"max_age_days": 90, "password_reuse_prevention": 24, "hard_expiry": false, "expire_passwords": false}
		},
		"person": {
			"id": "hr:7", "source": "hr", "employee_id": "7", "emails": ["al@corp.com"], "aliases": [],
			"name": "Al", "department": "Eng", "manager": "hr:1", "status": "terminated",
			"start_ns": 1577836800000000000, "start_on": "2020-01-01",
			"end_ns": 1747760400000000000, "end_on": "2025-05-20"
		},
		"coverage": {
			"scope": {"status": "partial", "complete": false, "sources": ["aws-a", "aws-b"], "error_kinds": ["throttled"]},
			"people": {"status": "failed", "complete": false, "sources": ["hr", "ldap"], "error_kinds": ["unavailable"]}
		}
	}`).Value
	if ast.Compare(want, got) != 0 {
		t.Errorf("item =\n%v\nwant\n%v", got, want)
	}

	// An unlinked principal of an unknown scope: no account, no person, coverage unknown.
	lone := inventory.Principal{ID: "gcp:user:x@y.com", Provider: "gcp", Account: "organizations/9", Kind: "user", Name: "x@y.com", PersonID: "hr:404"}
	got = ix.item(&lone).Value
	want = ast.MustParseTerm(`{
		"principal": {"id": "gcp:user:x@y.com", "provider": "gcp", "account": "organizations/9", "kind": "user",
			"name": "x@y.com", "disabled": false, "console_access": false, "mfa": false, "human": true, "protected": false,
			"tags": {}, "groups": [], "credentials": [], "grants": [], "attributes": {}, "person_id": "hr:404"},
		"coverage": {
			"scope": {"status": "unknown", "complete": false, "sources": [], "error_kinds": []},
			"people": {"status": "failed", "complete": false, "sources": ["hr", "ldap"], "error_kinds": ["unavailable"]}
		}
	}`).Value
	if ast.Compare(want, got) != 0 {
		t.Errorf("lone item =\n%v\nwant\n%v", got, want)
	}
}

func TestParseStatements(t *testing.T) {
	tests := []struct {
		name    string
		doc     string
		want    []statement
		wantErr string
	}{
		{name: "empty", doc: ""},
		{name: "single statement object, string fields",
			doc:  `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"IAM:PassRole","Resource":"*","Condition":{"StringEquals":{"a":"b"}}}}`,
			want: []statement{{effect: "allow", actions: []string{"iam:passrole"}, notActions: []string{}, resources: []string{"*"}, notResources: nil, conditional: true}}},
		{name: "list, NotAction, NotResource",
			doc: `{"Statement":[{"Effect":"Deny","NotAction":["S3:*"],"NotResource":"arn:aws:s3:::b"},{"Effect":"Allow","Action":["ec2:Describe*"],"Resource":["*"]}]}`,
			want: []statement{
				{effect: "deny", actions: []string{}, notActions: []string{"s3:*"}, resources: nil, notResources: []string{"arn:aws:s3:::b"}},
				{effect: "allow", actions: []string{"ec2:describe*"}, notActions: []string{}, resources: []string{"*"}},
			}},
		{name: "url-encoded, as IAM returns it",
			doc:  `%7B%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22%2A%22%2C%22Resource%22%3A%22%2A%22%7D%5D%7D`,
			want: []statement{{effect: "allow", actions: []string{"*"}, notActions: []string{}, resources: []string{"*"}}}},
		{name: "not json", doc: "{nope", wantErr: "policy document: invalid character 'n' looking for beginning of object key string"},
		{name: "action not a string", doc: `{"Statement":[{"Effect":"Allow","Action":7}]}`,
			wantErr: "policy document statements: want a string or a list of strings: json: cannot unmarshal number into Go value of type []string"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseStatements(tt.doc)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("error = %v, want %s", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(statement{})); diff != "" {
				t.Errorf("statements (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPolicyDocTermRecordsParseErrors(t *testing.T) {
	got := policyDocTerm(&inventory.PolicyDoc{ID: "p", Provider: "aws", Name: "p", Kind: "inline", Privilege: "write", Document: "{bad"}).Value
	want := ast.MustParseTerm(`{"id": "p", "provider": "aws", "name": "p", "kind": "inline", "privilege": "write",
		"permissions": [], "statements": [],
		"parse_error": "policy document: invalid character 'b' looking for beginning of object key string"}`).Value
	if ast.Compare(want, got) != 0 {
		t.Errorf("doc =\n%v\nwant\n%v", got, want)
	}
}
