package awsiam

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/provost-dev/provost/inventory"
)

func readPolicyFile(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "policies", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestPrivilegeAWSManagedPolicies classifies real AWS managed policy documents (default
// versions as moto 5.2.1 ships them).
func TestPrivilegeAWSManagedPolicies(t *testing.T) {
	tests := []struct {
		policy string
		want   inventory.Privilege
	}{
		{"AdministratorAccess", inventory.PrivilegeAdmin},
		{"IAMFullAccess", inventory.PrivilegeAdmin},
		// iam:PassRole on * (conditioned on lambda.amazonaws.com) with lambda:*: a known
		// escalation path; conditions are deliberately ignored.
		{"AWSLambda_FullAccess", inventory.PrivilegeAdmin},
		// Everything but iam, organizations and account: Identity Center powers via NotAction
		// are not counted (see Statement.grantsAdmin).
		{"PowerUserAccess", inventory.PrivilegeWrite},
		{"AmazonS3FullAccess", inventory.PrivilegeWrite},
		{"AmazonEC2FullAccess", inventory.PrivilegeWrite},
		{"IAMUserChangePassword", inventory.PrivilegeWrite},
		{"IAMSelfManageServiceSpecificCredentials", inventory.PrivilegeWrite},
		{"ReadOnlyAccess", inventory.PrivilegeRead},
		{"SecurityAudit", inventory.PrivilegeRead},
		{"ViewOnlyAccess", inventory.PrivilegeRead},
		{"IAMReadOnlyAccess", inventory.PrivilegeRead},
		{"AmazonS3ReadOnlyAccess", inventory.PrivilegeRead},
		{"AWSCloudTrail_ReadOnlyAccess", inventory.PrivilegeRead},
		{"AmazonSSMReadOnlyAccess", inventory.PrivilegeRead},
	}
	for _, tt := range tests {
		t.Run(tt.policy, func(t *testing.T) {
			got, err := PolicyPrivilege(readPolicyFile(t, tt.policy))
			if err != nil {
				t.Fatalf("PolicyPrivilege: %v", err)
			}
			if got != tt.want {
				t.Errorf("privilege = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestReadOnlyPoliciesHaveOnlyReadActions checks every single action of AWS's read-only
// policies, so that a verb missing from readVerbs shows by name.
func TestReadOnlyPoliciesHaveOnlyReadActions(t *testing.T) {
	for _, name := range []string{"ReadOnlyAccess", "SecurityAudit", "ViewOnlyAccess"} {
		p, err := ParsePolicy(readPolicyFile(t, name))
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range p.Statements {
			if s.Effect != "Allow" {
				continue
			}
			for _, a := range s.Actions {
				if !isReadAction(a) {
					t.Errorf("%s: action %q is not classified as read", name, a)
				}
			}
		}
	}
}

func stmt(effect, actionKey, actions, resourceKey, resources, extra string) string {
	s := `{"Effect":"` + effect + `","` + actionKey + `":` + actions + `,"` + resourceKey + `":` + resources
	if extra != "" {
		s += "," + extra
	}
	return s + "}"
}

func doc(stmts ...string) string {
	return `{"Version":"2012-10-17","Statement":[` + strings.Join(stmts, ",") + `]}`
}

func TestPrivilegeEscalationAndEdgeCases(t *testing.T) {
	allow := func(actions, resources string) string {
		return stmt("Allow", "Action", actions, "Resource", resources, "")
	}
	tests := []struct {
		name string
		doc  string
		want inventory.Privilege
	}{
		{"pass role on star", doc(allow(`"iam:PassRole"`, `"*"`)), inventory.PrivilegeAdmin},
		{"pass role on every role of an account", doc(allow(`"iam:PassRole"`, `"arn:aws:iam::123456789012:role/*"`)), inventory.PrivilegeAdmin},
		{"pass role on roles of any account", doc(allow(`"iam:PassRole"`, `"arn:aws:iam::*:role/*"`)), inventory.PrivilegeAdmin},
		{"pass role on a role prefix", doc(allow(`"iam:PassRole"`, `"arn:aws:iam::123456789012:role/app-*"`)), inventory.PrivilegeWrite},
		{"pass role on a role path", doc(allow(`"iam:PassRole"`, `"arn:aws:iam::123456789012:role/service-role/*"`)), inventory.PrivilegeWrite},
		{"pass role on an s3 arn", doc(allow(`"iam:PassRole"`, `"arn:aws:s3:::*"`)), inventory.PrivilegeWrite},
		{"create policy version", doc(allow(`"iam:CreatePolicyVersion"`, `"*"`)), inventory.PrivilegeAdmin},
		{"attach wildcard", doc(allow(`["iam:Attach*Policy"]`, `"*"`)), inventory.PrivilegeAdmin},
		{"put wildcard", doc(allow(`"iam:Put*"`, `"*"`)), inventory.PrivilegeAdmin},
		{"create access key on all users", doc(allow(`"iam:CreateAccessKey"`, `"arn:aws:iam::*:user/*"`)), inventory.PrivilegeAdmin},
		{"create access key on own user", doc(allow(`"iam:CreateAccessKey"`, `"arn:aws:iam::*:user/${aws:username}"`)), inventory.PrivilegeWrite},
		{"update assume role policy", doc(allow(`"iam:UpdateAssumeRolePolicy"`, `"*"`)), inventory.PrivilegeAdmin},
		{"add user to group", doc(allow(`"iam:AddUserToGroup"`, `"*"`)), inventory.PrivilegeAdmin},
		{"case insensitive action", doc(allow(`"IAM:passrole"`, `"*"`)), inventory.PrivilegeAdmin},
		{"organizations star", doc(allow(`"organizations:*"`, `"*"`)), inventory.PrivilegeAdmin},
		{"sso star", doc(allow(`"sso:*"`, `"*"`)), inventory.PrivilegeAdmin},
		{"sso create account assignment", doc(allow(`"sso:CreateAccountAssignment"`, `"*"`)), inventory.PrivilegeAdmin},
		{"identity store group membership", doc(allow(`"identitystore:CreateGroupMembership"`, `"*"`)), inventory.PrivilegeAdmin},
		{"star on one bucket is write", doc(allow(`"*"`, `"arn:aws:s3:::bucket"`)), inventory.PrivilegeWrite},
		{"not resource counts as all", doc(stmt("Allow", "Action", `"iam:PassRole"`, "NotResource", `"arn:aws:iam::*:role/admin"`, "")), inventory.PrivilegeAdmin},
		{"statement object and string action", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`, inventory.PrivilegeAdmin},
		{"conditioned allow still counts", doc(stmt("Allow", "Action", `"iam:*"`, "Resource", `"*"`, `"Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}`)), inventory.PrivilegeAdmin},
		{"allow all denied all", doc(allow(`"*"`, `"*"`), stmt("Deny", "Action", `"*"`, "Resource", `"*"`, "")), inventory.PrivilegeNone},
		{"allow all but identity services denied", doc(allow(`"*"`, `"*"`),
			stmt("Deny", "Action", `["iam:*","organizations:*","sso:*","sso-directory:*","identitystore:*"]`, "Resource", `"*"`, "")), inventory.PrivilegeWrite},
		{"conditioned deny is ignored", doc(allow(`"iam:*"`, `"*"`),
			stmt("Deny", "Action", `"iam:*"`, "Resource", `"*"`, `"Condition":{"Bool":{"aws:MultiFactorAuthPresent":"false"}}`)), inventory.PrivilegeAdmin},
		{"deny on one resource is ignored", doc(allow(`"iam:*"`, `"*"`),
			stmt("Deny", "Action", `"iam:*"`, "Resource", `"arn:aws:iam::*:role/x"`, "")), inventory.PrivilegeAdmin},
		{"deny not action", doc(allow(`"*"`, `"*"`), stmt("Deny", "NotAction", `"s3:Get*"`, "Resource", `"*"`, "")), inventory.PrivilegeRead},
		{"not action star allows nothing", doc(stmt("Allow", "NotAction", `"*"`, "Resource", `"*"`, "")), inventory.PrivilegeNone},
		{"not action leaves iam open", doc(stmt("Allow", "NotAction", `"s3:*"`, "Resource", `"*"`, "")), inventory.PrivilegeAdmin},
		{"read wildcards", doc(allow(`["ec2:Describe*","s3:Get*","s3:List*"]`, `"*"`)), inventory.PrivilegeRead},
		{"lowercase read action", doc(allow(`"ec2:describeinstances"`, `"*"`)), inventory.PrivilegeRead},
		{"lowercase issue is not read", doc(allow(`"acm-pca:issuecertificate"`, `"*"`)), inventory.PrivilegeWrite},
		{"generate data key is write", doc(allow(`"kms:GenerateDataKey"`, `"*"`)), inventory.PrivilegeWrite},
		{"service star is write", doc(allow(`"s3:*"`, `"*"`)), inventory.PrivilegeWrite},
		{"prefix shorter than a verb is write", doc(allow(`"ec2:Desc*"`, `"*"`)), inventory.PrivilegeWrite},
		{"leading wildcard is write", doc(allow(`"s3:*Object"`, `"*"`)), inventory.PrivilegeWrite},
		{"question mark wildcard", doc(allow(`"iam:PassRol?"`, `"*"`)), inventory.PrivilegeAdmin},
		{"empty statement list", `{"Version":"2012-10-17","Statement":[]}`, inventory.PrivilegeNone},
		{"only denies", doc(stmt("Deny", "Action", `"*"`, "Resource", `"*"`, "")), inventory.PrivilegeNone},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := PolicyPrivilege(tt.doc)
			if err != nil {
				t.Fatalf("PolicyPrivilege(%s): %v", tt.doc, err)
			}
			if got != tt.want {
				t.Errorf("privilege of %s = %q, want %q", tt.doc, got, tt.want)
			}
		})
	}
}

func TestParsePolicy(t *testing.T) {
	got, err := ParsePolicy(`{"Version":"2012-10-17","Statement":[
		{"Sid":"A","Effect":"Allow","Action":"s3:GetObject","Resource":["arn:aws:s3:::b/*","arn:aws:s3:::c/*"]},
		{"Effect":"Deny","NotAction":["iam:*"],"NotResource":"arn:aws:iam::*:role/x","Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}`)
	if err != nil {
		t.Fatal(err)
	}
	want := &Policy{Version: "2012-10-17", Statements: []Statement{
		{Sid: "A", Effect: "Allow", Actions: []string{"s3:GetObject"}, Resources: []string{"arn:aws:s3:::b/*", "arn:aws:s3:::c/*"}},
		{Effect: "Deny", Actions: []string{"iam:*"}, NotAction: true, Resources: []string{"arn:aws:iam::*:role/x"}, NotResource: true, Conditional: true},
	}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ParsePolicy mismatch (-want +got):\n%s", diff)
	}
}

func TestParsePolicyErrors(t *testing.T) {
	tests := []struct {
		name, doc, want string
	}{
		{"not json", `{"Statement":`, "parse policy: unexpected end of JSON input"},
		{"no statement", `{"Version":"2012-10-17"}`, "parse policy: missing Statement"},
		{"statement string", `{"Statement":"x"}`, "parse policy: Statement must be an object or an array of objects"},
		{"lowercase effect", `{"Statement":{"Effect":"allow","Action":"*","Resource":"*"}}`, `parse policy: statement 0: Effect "allow": want "Allow" or "Deny"`},
		{"missing action", `{"Statement":[{"Effect":"Allow","Resource":"*"}]}`, "parse policy: statement 0: missing Action or NotAction"},
		{"both actions", `{"Statement":[{"Effect":"Allow","Action":"*","NotAction":"s3:*","Resource":"*"}]}`, "parse policy: statement 0: both Action and NotAction are set"},
		{"numeric action", `{"Statement":[{"Effect":"Allow","Action":7,"Resource":"*"}]}`, "parse policy: statement 0: Action must be a string or an array of strings"},
		{"missing resource", `{"Statement":[{"Effect":"Deny","Action":"*"}]}`, "parse policy: statement 0: missing Resource or NotResource"},
		{"both resources", `{"Statement":[{"Effect":"Deny","Action":"*","Resource":"*","NotResource":"*"}]}`, "parse policy: statement 0: both Resource and NotResource are set"},
		{"second statement bad", `{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Allow","Action":["a",1],"Resource":"*"}]}`, "parse policy: statement 1: Action must be a string or an array of strings"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParsePolicy(tt.doc)
			if err == nil {
				t.Fatalf("ParsePolicy(%s): nil error, want %q", tt.doc, tt.want)
			}
			if !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("ParsePolicy(%s) error = %q, want prefix %q", tt.doc, err, tt.want)
			}
		})
	}
}

func TestGlobMatch(t *testing.T) {
	tests := []struct {
		p, s string
		want bool
	}{
		{"*", "", true},
		{"*", "anything", true},
		{"iam:*", "iam:passrole", true},
		{"iam:*", "iam:*", true},
		{"iam:pass*", "iam:*", false},
		{"iam:attach*policy", "iam:attachrolepolicy", true},
		{"iam:attach*policy", "iam:attachrolepolicyx", false},
		{"a?c", "abc", true},
		{"a?c", "ac", false},
		{"*a*b*c*", "xxaxxbxxcxx", true},
		{"*a*b*c*", "xxaxxcxxbxx", false},
		{"", "", true},
		{"", "x", false},
		{strings.Repeat("*a", 40), strings.Repeat("a", 39) + "b", false},
	}
	for _, tt := range tests {
		if got := globMatch(tt.p, tt.s); got != tt.want {
			t.Errorf("globMatch(%q, %q) = %v, want %v", tt.p, tt.s, got, tt.want)
		}
	}
}

// canonicalPolicy re-encodes a parsed policy in one fixed JSON form.
func canonicalPolicy(p *Policy) string {
	stmts := make([]map[string]any, len(p.Statements))
	for i, s := range p.Statements {
		m := map[string]any{"Sid": s.Sid, "Effect": s.Effect}
		if s.NotAction {
			m["NotAction"] = s.Actions
		} else {
			m["Action"] = s.Actions
		}
		if s.NotResource {
			m["NotResource"] = s.Resources
		} else {
			m["Resource"] = s.Resources
		}
		if s.Conditional {
			m["Condition"] = map[string]any{}
		}
		stmts[i] = m
	}
	b, _ := json.Marshal(map[string]any{"Version": p.Version, "Statement": stmts})
	return string(b)
}

func FuzzParsePolicy(f *testing.F) {
	entries, err := os.ReadDir(filepath.Join("testdata", "policies"))
	if err != nil {
		f.Fatal(err)
	}
	for _, e := range entries {
		if b, err := os.ReadFile(filepath.Join("testdata", "policies", e.Name())); err == nil && len(b) < 20000 {
			f.Add(string(b))
		}
	}
	f.Add(`{"Statement":{"Effect":"Allow","NotAction":"s3:*","NotResource":"*"}}`)
	f.Add(`{"Statement":[{"Effect":"Deny","Action":["*"],"Resource":"*","Condition":{}}]}`)
	f.Add(`{"Statement":[{"Effect":"Allow","Action":"iam:Pass?ole","Resource":"arn:aws:iam::*:role/*"}]}`)
	f.Fuzz(func(t *testing.T, doc string) {
		p, err := ParsePolicy(doc)
		if err != nil {
			return
		}
		priv := p.Privilege()
		switch priv {
		case inventory.PrivilegeNone, inventory.PrivilegeRead, inventory.PrivilegeWrite, inventory.PrivilegeAdmin:
		default:
			t.Fatalf("Privilege() = %q: not a privilege level", priv)
		}
		again, err := ParsePolicy(canonicalPolicy(p))
		if err != nil {
			t.Fatalf("re-parse of canonical form failed: %v", err)
		}
		if diff := cmp.Diff(p, again); diff != "" {
			t.Fatalf("canonical round trip changed the policy (-first +again):\n%s", diff)
		}
		if got := again.Privilege(); got != priv {
			t.Fatalf("privilege changed on round trip: %q then %q", priv, got)
		}
	})
}
