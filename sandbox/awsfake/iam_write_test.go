package awsfake

import (
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// TestWriteCalls runs each write call against a fresh organization and compares the resulting
// state of the user (or the error) exactly.
func TestWriteCalls(t *testing.T) {
	s := aws.String
	for _, tc := range []struct {
		name     string
		call     func(t *testing.T, c *iam.Client) error
		user     string
		want     func(u *User) // the expected change, applied to the seeded user
		wantCode string
		wantMsg  string
	}{
		{"deactivate a key", func(t *testing.T, c *iam.Client) error {
			_, err := c.UpdateAccessKey(t.Context(), &iam.UpdateAccessKeyInput{UserName: s("alice"), AccessKeyId: s("AKIAALICE00000000001"), Status: types.StatusTypeInactive})
			return err
		}, "alice", func(u *User) { u.AccessKeys[0].Status = KeyInactive }, "", ""},
		{"deactivate a key without UserName", func(t *testing.T, c *iam.Client) error {
			_, err := c.UpdateAccessKey(t.Context(), &iam.UpdateAccessKeyInput{AccessKeyId: s("AKIAALICE00000000002"), Status: types.StatusTypeInactive})
			return err
		}, "alice", func(u *User) { u.AccessKeys[1].Status = KeyInactive }, "", ""},
		{"update another user's key", func(t *testing.T, c *iam.Client) error {
			_, err := c.UpdateAccessKey(t.Context(), &iam.UpdateAccessKeyInput{UserName: s("bob"), AccessKeyId: s("AKIAALICE00000000001"), Status: types.StatusTypeInactive})
			return err
		}, "alice", nil, "NoSuchEntity", "The Access Key with id AKIAALICE00000000001 cannot be found."},
		{"bad status", func(t *testing.T, c *iam.Client) error {
			_, err := c.UpdateAccessKey(t.Context(), &iam.UpdateAccessKeyInput{UserName: s("alice"), AccessKeyId: s("AKIAALICE00000000001"), Status: "Paused"})
			return err
		}, "alice", nil, "ValidationError", "1 validation error detected: Value 'Paused' at 'status' failed to satisfy constraint: Member must satisfy enum value set: [Active, Inactive]"},
		{"delete a key", func(t *testing.T, c *iam.Client) error {
			_, err := c.DeleteAccessKey(t.Context(), &iam.DeleteAccessKeyInput{UserName: s("alice"), AccessKeyId: s("AKIAALICE00000000001")})
			return err
		}, "alice", func(u *User) { u.AccessKeys = u.AccessKeys[1:] }, "", ""},
		{"delete a missing key", func(t *testing.T, c *iam.Client) error {
			_, err := c.DeleteAccessKey(t.Context(), &iam.DeleteAccessKeyInput{UserName: s("alice"), AccessKeyId: s("AKIANOPE")})
			return err
		}, "alice", nil, "NoSuchEntity", "The Access Key with id AKIANOPE cannot be found."},
		{"delete the login profile", func(t *testing.T, c *iam.Client) error {
			_, err := c.DeleteLoginProfile(t.Context(), &iam.DeleteLoginProfileInput{UserName: s("Carol")})
			return err
		}, "Carol", func(u *User) { u.PasswordEnabled, u.PasswordResetRequired = false, false }, "", ""},
		{"delete a missing login profile", func(t *testing.T, c *iam.Client) error {
			_, err := c.DeleteLoginProfile(t.Context(), &iam.DeleteLoginProfileInput{UserName: s("bob")})
			return err
		}, "bob", nil, "NoSuchEntity", "Login Profile for User bob cannot be found."},
		{"attach a policy", func(t *testing.T, c *iam.Client) error {
			_, err := c.AttachUserPolicy(t.Context(), &iam.AttachUserPolicyInput{UserName: s("bob"), PolicyArn: s("arn:aws:iam::aws:policy/SecurityAudit")})
			return err
		}, "bob", func(u *User) { u.AttachedPolicies = []string{"arn:aws:iam::aws:policy/SecurityAudit"} }, "", ""},
		{"attach twice", func(t *testing.T, c *iam.Client) error {
			_, err := c.AttachUserPolicy(t.Context(), &iam.AttachUserPolicyInput{UserName: s("alice"), PolicyArn: s("arn:aws:iam::aws:policy/ReadOnlyAccess")})
			return err
		}, "alice", func(*User) {}, "", ""},
		{"attach a missing policy", func(t *testing.T, c *iam.Client) error {
			_, err := c.AttachUserPolicy(t.Context(), &iam.AttachUserPolicyInput{UserName: s("bob"), PolicyArn: s("arn:aws:iam::111111111111:policy/nope")})
			return err
		}, "bob", nil, "NoSuchEntity", "Policy arn:aws:iam::111111111111:policy/nope does not exist or is not attachable."},
		{"attach a malformed ARN", func(t *testing.T, c *iam.Client) error {
			_, err := c.AttachUserPolicy(t.Context(), &iam.AttachUserPolicyInput{UserName: s("bob"), PolicyArn: s("ReadOnlyAccess")})
			return err
		}, "bob", nil, "InvalidInput", "ARN ReadOnlyAccess is not valid."},
		{"detach a policy", func(t *testing.T, c *iam.Client) error {
			_, err := c.DetachUserPolicy(t.Context(), &iam.DetachUserPolicyInput{UserName: s("alice"), PolicyArn: s("arn:aws:iam::aws:policy/ReadOnlyAccess")})
			return err
		}, "alice", func(u *User) { u.AttachedPolicies = []string{} }, "", ""},
		{"detach a policy not attached", func(t *testing.T, c *iam.Client) error {
			_, err := c.DetachUserPolicy(t.Context(), &iam.DetachUserPolicyInput{UserName: s("bob"), PolicyArn: s("arn:aws:iam::aws:policy/ReadOnlyAccess")})
			return err
		}, "bob", nil, "NoSuchEntity", "Policy arn:aws:iam::aws:policy/ReadOnlyAccess was not found."},
		{"put an inline policy", func(t *testing.T, c *iam.Client) error {
			_, err := c.PutUserPolicy(t.Context(), &iam.PutUserPolicyInput{UserName: s("bob"), PolicyName: s("deny-all"), PolicyDocument: s(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}`)})
			return err
		}, "bob", func(u *User) {
			u.InlinePolicies = map[string]string{"deny-all": `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}`}
		}, "", ""},
		{"put a malformed policy", func(t *testing.T, c *iam.Client) error {
			_, err := c.PutUserPolicy(t.Context(), &iam.PutUserPolicyInput{UserName: s("bob"), PolicyName: s("x"), PolicyDocument: s(`{"Version":`)})
			return err
		}, "bob", nil, "MalformedPolicyDocument", "Syntax errors in policy."},
		{"delete an inline policy", func(t *testing.T, c *iam.Client) error {
			_, err := c.DeleteUserPolicy(t.Context(), &iam.DeleteUserPolicyInput{UserName: s("alice"), PolicyName: s("s3-read")})
			return err
		}, "alice", func(u *User) { u.InlinePolicies = map[string]string{} }, "", ""},
		{"delete a missing inline policy", func(t *testing.T, c *iam.Client) error {
			_, err := c.DeleteUserPolicy(t.Context(), &iam.DeleteUserPolicyInput{UserName: s("alice"), PolicyName: s("nope")})
			return err
		}, "alice", nil, "NoSuchEntity", "The user policy with name nope cannot be found."},
		{"remove from a group", func(t *testing.T, c *iam.Client) error {
			_, err := c.RemoveUserFromGroup(t.Context(), &iam.RemoveUserFromGroupInput{UserName: s("Carol"), GroupName: s("DEVS")})
			return err
		}, "Carol", func(u *User) { u.Groups = []string{"admins"} }, "", ""},
		{"remove from a missing group", func(t *testing.T, c *iam.Client) error {
			_, err := c.RemoveUserFromGroup(t.Context(), &iam.RemoveUserFromGroupInput{UserName: s("Carol"), GroupName: s("ops")})
			return err
		}, "Carol", nil, "NoSuchEntity", "The group with name ops cannot be found."},
		{"tag", func(t *testing.T, c *iam.Client) error {
			_, err := c.TagUser(t.Context(), &iam.TagUserInput{UserName: s("alice"), Tags: []types.Tag{{Key: s("provost:marked"), Value: s("2026-03-01")}, {Key: s("team"), Value: s("red")}}})
			return err
		}, "alice", func(u *User) {
			u.Tags = map[string]string{"team": "red", "owner": "alice@example.com", "provost:marked": "2026-03-01"}
		}, "", ""},
		{"untag", func(t *testing.T, c *iam.Client) error {
			_, err := c.UntagUser(t.Context(), &iam.UntagUserInput{UserName: s("alice"), TagKeys: []string{"team", "absent"}})
			return err
		}, "alice", func(u *User) { u.Tags = map[string]string{"owner": "alice@example.com"} }, "", ""},
		{"deactivate MFA", func(t *testing.T, c *iam.Client) error {
			_, err := c.DeactivateMFADevice(t.Context(), &iam.DeactivateMFADeviceInput{UserName: s("alice"), SerialNumber: s("arn:aws:iam::111111111111:mfa/alice")})
			return err
		}, "alice", func(u *User) { u.MFADevices = []string{} }, "", ""},
		{"deactivate a missing MFA device", func(t *testing.T, c *iam.Client) error {
			_, err := c.DeactivateMFADevice(t.Context(), &iam.DeactivateMFADeviceInput{UserName: s("bob"), SerialNumber: s("arn:aws:iam::111111111111:mfa/bob")})
			return err
		}, "bob", nil, "NoSuchEntity", "MFA Device with serial number arn:aws:iam::111111111111:mfa/bob does not exist."},
		{"write to a missing user", func(t *testing.T, c *iam.Client) error {
			_, err := c.TagUser(t.Context(), &iam.TagUserInput{UserName: s("nobody"), Tags: []types.Tag{{Key: s("a"), Value: s("b")}}})
			return err
		}, "alice", nil, "NoSuchEntity", "The user with name nobody cannot be found."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, testOrg())
			before := findUser(f.srv.Organization(), mgmtID, tc.user)
			want := findUser(f.srv.Organization(), mgmtID, tc.user) // a separate deep copy to edit
			err := tc.call(t, f.iam())
			after := findUser(f.srv.Organization(), mgmtID, tc.user)
			if tc.wantCode != "" {
				code, msg := apiErr(t, err)
				if code != tc.wantCode || msg != tc.wantMsg {
					t.Errorf("error %s %q, want %s %q", code, msg, tc.wantCode, tc.wantMsg)
				}
				if diff := cmp.Diff(before, after); diff != "" {
					t.Errorf("a failed call changed the user (-before +after):\n%s", diff)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tc.want(want)
			if diff := cmp.Diff(want, after, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("user after the call (-want +got):\n%s", diff)
			}
		})
	}
}

// TestDeleteUserConflicts removes what IAM says must go, one DeleteConflict at a time.
func TestDeleteUserConflicts(t *testing.T) {
	f := newFixture(t, testOrg())
	c := f.iam()
	s := aws.String
	steps := []struct {
		conflict string
		undo     func() error
	}{
		{"Cannot delete entity, must delete login profile first.", func() error {
			_, err := c.DeleteLoginProfile(t.Context(), &iam.DeleteLoginProfileInput{UserName: s("alice")})
			return err
		}},
		{"Cannot delete entity, must delete access keys first.", func() error {
			for _, k := range []string{"AKIAALICE00000000001", "AKIAALICE00000000002"} {
				if _, err := c.DeleteAccessKey(t.Context(), &iam.DeleteAccessKeyInput{UserName: s("alice"), AccessKeyId: s(k)}); err != nil {
					return err
				}
			}
			return nil
		}},
		{"Cannot delete entity, must delete MFA device first.", func() error {
			_, err := c.DeactivateMFADevice(t.Context(), &iam.DeactivateMFADeviceInput{UserName: s("alice"), SerialNumber: s("arn:aws:iam::111111111111:mfa/alice")})
			return err
		}},
		{"Cannot delete entity, must delete policies first.", func() error {
			_, err := c.DeleteUserPolicy(t.Context(), &iam.DeleteUserPolicyInput{UserName: s("alice"), PolicyName: s("s3-read")})
			return err
		}},
		{"Cannot delete entity, must detach all policies first.", func() error {
			_, err := c.DetachUserPolicy(t.Context(), &iam.DetachUserPolicyInput{UserName: s("alice"), PolicyArn: s("arn:aws:iam::aws:policy/ReadOnlyAccess")})
			return err
		}},
		{"Cannot delete entity, must remove users from group first.", func() error {
			_, err := c.RemoveUserFromGroup(t.Context(), &iam.RemoveUserFromGroupInput{UserName: s("alice"), GroupName: s("admins")})
			return err
		}},
	}
	for _, st := range steps {
		_, err := c.DeleteUser(t.Context(), &iam.DeleteUserInput{UserName: s("alice")})
		var conflict *types.DeleteConflictException
		if !asErr(err, &conflict) || conflict.ErrorMessage() != st.conflict {
			t.Fatalf("DeleteUser: %v, want DeleteConflict %q", err, st.conflict)
		}
		if err := st.undo(); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.DeleteUser(t.Context(), &iam.DeleteUserInput{UserName: s("alice")}); err != nil {
		t.Fatalf("DeleteUser after clean-up: %v", err)
	}
	if _, err := c.DeleteUser(t.Context(), &iam.DeleteUserInput{UserName: s("alice")}); err == nil {
		t.Error("deleting twice succeeded")
	} else if code, _ := apiErr(t, err); code != "NoSuchEntity" {
		t.Errorf("deleting twice: %s, want NoSuchEntity", code)
	}

	// The deletion shows everywhere: lists, the summary, attachment counts, key lookups.
	users, err := c.ListUsers(t.Context(), &iam.ListUsersInput{})
	if err != nil {
		t.Fatal(err)
	}
	if got := names(users.Users, func(u types.User) *string { return u.UserName }); !cmp.Equal(got, []string{"bob", "Carol", "svc-deploy"}) {
		t.Errorf("users after deletion: %v", got)
	}
	gaad, err := c.GetAccountAuthorizationDetails(t.Context(), &iam.GetAccountAuthorizationDetailsInput{Filter: []types.EntityType{types.EntityTypeAWSManagedPolicy}})
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]int32{}
	for _, p := range gaad.Policies {
		counts[*p.PolicyName] = *p.AttachmentCount
	}
	if diff := cmp.Diff(map[string]int32{"AdministratorAccess": 1, "AWSSupportAccess": 1, "ReadOnlyAccess": 1}, counts); diff != "" {
		t.Errorf("AWS managed policies in use (-want +got):\n%s", diff)
	}
	if _, err := c.GetAccessKeyLastUsed(t.Context(), &iam.GetAccessKeyLastUsedInput{AccessKeyId: s("AKIAALICE00000000001")}); err == nil {
		t.Error("a deleted user's key is still known")
	}
}

func findUser(org *Organization, account, name string) *User {
	for _, a := range org.Accounts {
		if a.ID != account {
			continue
		}
		for _, u := range a.Users {
			if u.Name == name {
				return u
			}
		}
	}
	return nil
}

// TestWriteQuotas: IAM's per-user limits answer LimitExceeded (409) and change nothing.
func TestWriteQuotas(t *testing.T) {
	org := testOrg()
	var arns []string
	for arn := range AWSManagedPolicies() {
		arns = append(arns, arn)
	}
	bob := org.Accounts[0].Users[1]
	bob.AttachedPolicies = arns[:10]
	bob.Tags = map[string]string{}
	for i := range 50 {
		bob.Tags[fmt.Sprintf("k%02d", i)] = "v"
	}
	f := newFixture(t, org)
	c := f.iam()
	_, err := c.AttachUserPolicy(t.Context(), &iam.AttachUserPolicyInput{UserName: aws.String("bob"), PolicyArn: aws.String(arns[10])})
	if code, msg := apiErr(t, err); code != "LimitExceeded" || msg != "Cannot exceed quota for PoliciesPerUser: 10" || httpStatus(err) != 409 {
		t.Errorf("11th policy: %s %q %d", code, msg, httpStatus(err))
	}
	_, err = c.TagUser(t.Context(), &iam.TagUserInput{UserName: aws.String("bob"), Tags: []types.Tag{{Key: aws.String("k51"), Value: aws.String("v")}}})
	if code, _ := apiErr(t, err); code != "LimitExceeded" {
		t.Errorf("51st tag: %s", code)
	}
	// Overwriting an existing tag is not a new one.
	if _, err := c.TagUser(t.Context(), &iam.TagUserInput{UserName: aws.String("bob"), Tags: []types.Tag{{Key: aws.String("k00"), Value: aws.String("w")}}}); err != nil {
		t.Errorf("overwriting a tag at the limit: %v", err)
	}
	u := findUser(f.srv.Organization(), mgmtID, "bob")
	if len(u.AttachedPolicies) != 10 || len(u.Tags) != 50 || u.Tags["k00"] != "w" {
		t.Errorf("bob after the quota errors: %d policies, %d tags, k00=%q", len(u.AttachedPolicies), len(u.Tags), u.Tags["k00"])
	}
}
