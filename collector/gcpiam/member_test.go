package gcpiam_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/provost-dev/provost/collector/gcpiam"
	"github.com/provost-dev/provost/inventory"
)

func TestParseMember(t *testing.T) {
	tests := []struct {
		in    string
		want  gcpiam.Member
		id    string
		kind  inventory.PrincipalKind
		email string
	}{
		{"user:Alice@Corp.example", gcpiam.Member{Type: gcpiam.MemberUser, Value: "Alice@Corp.example"},
			"gcp:user:alice@corp.example", inventory.KindUser, "alice@corp.example"},
		{"serviceAccount:sa@p-123456.iam.gserviceaccount.com", gcpiam.Member{Type: gcpiam.MemberServiceAccount, Value: "sa@p-123456.iam.gserviceaccount.com"},
			"gcp:serviceAccount:sa@p-123456.iam.gserviceaccount.com", inventory.KindServiceAccount, "sa@p-123456.iam.gserviceaccount.com"},
		{"group:Ops@corp.example", gcpiam.Member{Type: gcpiam.MemberGroup, Value: "Ops@corp.example"},
			"gcp:group:ops@corp.example", inventory.KindGroup, "ops@corp.example"},
		{"domain:Corp.example", gcpiam.Member{Type: gcpiam.MemberDomain, Value: "Corp.example"},
			"gcp:domain:corp.example", inventory.KindGroup, ""},
		{"allUsers", gcpiam.Member{Type: gcpiam.MemberAllUsers}, "gcp:allUsers", inventory.KindGroup, ""},
		{"allAuthenticatedUsers", gcpiam.Member{Type: gcpiam.MemberAllAuthenticatedUsers}, "gcp:allAuthenticatedUsers", inventory.KindGroup, ""},
		{"deleted:user:Bob@corp.example?uid=123456789", gcpiam.Member{Type: gcpiam.MemberUser, Value: "Bob@corp.example", Deleted: true, UID: "123456789"},
			"gcp:deleted:user:bob@corp.example?uid=123456789", inventory.KindUser, "bob@corp.example"},
		{"deleted:serviceAccount:old@p-123456.iam.gserviceaccount.com?uid=1234", gcpiam.Member{Type: gcpiam.MemberServiceAccount, Value: "old@p-123456.iam.gserviceaccount.com", Deleted: true, UID: "1234"},
			"gcp:deleted:serviceAccount:old@p-123456.iam.gserviceaccount.com?uid=1234", inventory.KindServiceAccount, "old@p-123456.iam.gserviceaccount.com"},
		{"deleted:group:gone@corp.example?uid=77", gcpiam.Member{Type: gcpiam.MemberGroup, Value: "gone@corp.example", Deleted: true, UID: "77"},
			"gcp:deleted:group:gone@corp.example?uid=77", inventory.KindGroup, "gone@corp.example"},
		{"principal://iam.googleapis.com/locations/global/workforcePools/pool/subject/Dana",
			gcpiam.Member{Type: gcpiam.MemberPrincipal, Value: "principal://iam.googleapis.com/locations/global/workforcePools/pool/subject/Dana"},
			"gcp:principal://iam.googleapis.com/locations/global/workforcePools/pool/subject/Dana", inventory.KindUser, ""},
		{"principal://iam.googleapis.com/projects/123/locations/global/workloadIdentityPools/gh/subject/repo:org/app",
			gcpiam.Member{Type: gcpiam.MemberPrincipal, Value: "principal://iam.googleapis.com/projects/123/locations/global/workloadIdentityPools/gh/subject/repo:org/app"},
			"gcp:principal://iam.googleapis.com/projects/123/locations/global/workloadIdentityPools/gh/subject/repo:org/app", inventory.KindUser, ""},
		{"principalSet://iam.googleapis.com/locations/global/workforcePools/pool/group/eng",
			gcpiam.Member{Type: gcpiam.MemberPrincipalSet, Value: "principalSet://iam.googleapis.com/locations/global/workforcePools/pool/group/eng"},
			"gcp:principalSet://iam.googleapis.com/locations/global/workforcePools/pool/group/eng", inventory.KindGroup, ""},
		{"principalSet://iam.googleapis.com/locations/global/workforcePools/pool/*",
			gcpiam.Member{Type: gcpiam.MemberPrincipalSet, Value: "principalSet://iam.googleapis.com/locations/global/workforcePools/pool/*"},
			"gcp:principalSet://iam.googleapis.com/locations/global/workforcePools/pool/*", inventory.KindGroup, ""},
		{"projectOwner:my-project", gcpiam.Member{Type: gcpiam.MemberProjectOwner, Value: "my-project"},
			"gcp:projectOwner:my-project", inventory.KindGroup, ""},
		{"projectViewer:my-project", gcpiam.Member{Type: gcpiam.MemberProjectViewer, Value: "my-project"},
			"gcp:projectViewer:my-project", inventory.KindGroup, ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := gcpiam.ParseMember(tt.in)
			if err != nil {
				t.Fatalf("ParseMember: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("member (-want +got):\n%s", diff)
			}
			if got.PrincipalID() != tt.id {
				t.Errorf("PrincipalID = %q, want %q", got.PrincipalID(), tt.id)
			}
			if got.Kind() != tt.kind {
				t.Errorf("Kind = %q, want %q", got.Kind(), tt.kind)
			}
			if got.Email() != tt.email {
				t.Errorf("Email = %q, want %q", got.Email(), tt.email)
			}
			if got.String() != tt.in {
				t.Errorf("String = %q, want %q", got.String(), tt.in)
			}
		})
	}
}

func TestParseMemberRejects(t *testing.T) {
	tests := []struct{ in, why string }{
		{"", "empty"},
		{"alice@corp.example", "want <type>:<value>"},
		{"user:", "is not an email address"},
		{"user:alice", "is not an email address"},
		{"user:@corp.example", "is not an email address"},
		{"user:alice@", "is not an email address"},
		{"user:alice@corp.example?uid=1", "only valid on deleted"},
		{"deleted:user:bob@corp.example", "needs ?uid="},
		{"deleted:user:bob@corp.example?uid=", "needs ?uid="},
		{"deleted:domain:corp.example", "can be deleted"},
		{"deleted:allUsers", "want <type>:<value>"},
		{"domain:", "want domain:<name>"},
		{"domain:a@b", "want domain:<name>"},
		{"robot:x@y", `unknown member type "robot"`},
		{"User:alice@corp.example", `unknown member type "User"`},
		{"user:alice @corp.example", "white space"},
		{"user:alice@corp.example\n", "white space"},
		{"principal://", "want principal://<service>/<path>"},
		{"principalSet://iam.googleapis.com", "want principalSet://<service>/<path>"},
		{"allusers", "want <type>:<value>"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			_, err := gcpiam.ParseMember(tt.in)
			if err == nil {
				t.Fatalf("ParseMember(%q) succeeded", tt.in)
			}
			if !strings.Contains(err.Error(), tt.why) || !strings.Contains(err.Error(), "invalid IAM member") {
				t.Errorf("error %q: want it to say %q", err, tt.why)
			}
		})
	}
}

func FuzzParseMember(f *testing.F) {
	for _, s := range []string{
		"user:a@b.c", "serviceAccount:x@p.iam.gserviceaccount.com", "group:g@b", "domain:b.c", "allUsers",
		"allAuthenticatedUsers", "deleted:user:a@b?uid=1", "deleted:group:g@b?uid=2",
		"principal://iam.googleapis.com/locations/global/workforcePools/p/subject/s",
		"principalSet://iam.googleapis.com/locations/global/workforcePools/p/*", "projectEditor:p", "user:a@b?uid=1",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := gcpiam.ParseMember(s)
		if err != nil {
			if !strings.Contains(err.Error(), "invalid IAM member") {
				t.Fatalf("error without context: %v", err)
			}
			return
		}
		// Every accepted member round-trips and has a well-formed ID and kind.
		if m.String() != s {
			t.Fatalf("String() = %q, want %q", m.String(), s)
		}
		again, err := gcpiam.ParseMember(m.String())
		if err != nil || again != m {
			t.Fatalf("reparse %q: %+v, %v; want %+v", m.String(), again, err, m)
		}
		if !strings.HasPrefix(m.PrincipalID(), "gcp:") || len(m.PrincipalID()) <= len("gcp:") {
			t.Fatalf("PrincipalID %q", m.PrincipalID())
		}
		switch m.Kind() {
		case inventory.KindUser, inventory.KindServiceAccount, inventory.KindGroup:
		default:
			t.Fatalf("Kind %q", m.Kind())
		}
	})
}
