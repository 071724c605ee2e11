package awsfake

import (
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/google/go-cmp/cmp"
)

// TestGetPolicy reads customer managed policies of the calling account and built-in AWS
// managed policies, attached or not, through the SDK, and the errors for everything else.
func TestGetPolicy(t *testing.T) {
	f := newFixture(t, testOrg())
	prod := iam.NewFromConfig(f.assumed(t, prodID, extID))
	s := aws.String
	managed := AWSManagedPolicies()
	awsPolicy := func(path, name string, attachments int32) *types.Policy {
		arn := AWSManagedPolicyARN(path, name)
		p := managed[arn]
		return &types.Policy{PolicyName: s(name), PolicyId: s(p.PolicyID), Arn: s(arn), Path: s(path), DefaultVersionId: s(p.DefaultVersion),
			AttachmentCount: aws.Int32(attachments), PermissionsBoundaryUsageCount: aws.Int32(0), IsAttachable: true,
			Description: s(p.Description), CreateDate: aws.Time(p.Created), UpdateDate: aws.Time(p.Updated)}
	}
	for _, tc := range []struct {
		name     string
		client   *iam.Client
		arn      string
		want     *types.Policy
		wantCode string
		wantMsg  string
		status   int
	}{
		{name: "customer managed", client: f.iam(), arn: "arn:aws:iam::111111111111:policy/deploy",
			want: &types.Policy{PolicyName: s("deploy"), PolicyId: s("ANPADEPLOY000000001"), Arn: s("arn:aws:iam::111111111111:policy/deploy"),
				Path: s("/"), DefaultVersionId: s("v2"), AttachmentCount: aws.Int32(3), PermissionsBoundaryUsageCount: aws.Int32(0),
				IsAttachable: true, Description: s("deploy services"), CreateDate: aws.Time(day(-700)), UpdateDate: aws.Time(day(-100))}},
		{name: "customer managed with a path, used as a boundary", client: f.iam(), arn: "arn:aws:iam::111111111111:policy/boundary/dev-boundary",
			want: &types.Policy{PolicyName: s("dev-boundary"), PolicyId: s("ANPABOUNDARY0000001"), Arn: s("arn:aws:iam::111111111111:policy/boundary/dev-boundary"),
				Path: s("/boundary/"), DefaultVersionId: s("v1"), AttachmentCount: aws.Int32(0), PermissionsBoundaryUsageCount: aws.Int32(1),
				IsAttachable: true, CreateDate: aws.Time(day(-60)), UpdateDate: aws.Time(day(-60))}},
		{name: "AWS managed, attached twice here", client: f.iam(), arn: "arn:aws:iam::aws:policy/ReadOnlyAccess",
			want: awsPolicy("/", "ReadOnlyAccess", 2)},
		{name: "AWS managed, attached nowhere", client: f.iam(), arn: "arn:aws:iam::aws:policy/SecurityAudit",
			want: awsPolicy("/", "SecurityAudit", 0)},
		{name: "AWS managed with a path, from a member account", client: prod, arn: "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess",
			want: awsPolicy("/job-function/", "ViewOnlyAccess", 0)},
		{name: "AWS managed attachments count per account", client: prod, arn: "arn:aws:iam::aws:policy/AdministratorAccess",
			want: awsPolicy("/", "AdministratorAccess", 1)},
		{name: "unknown AWS managed policy", client: f.iam(), arn: "arn:aws:iam::aws:policy/NoSuchPolicy",
			wantCode: "NoSuchEntity", wantMsg: "Policy arn:aws:iam::aws:policy/NoSuchPolicy was not found.", status: http.StatusNotFound},
		{name: "another account's policy", client: prod, arn: "arn:aws:iam::111111111111:policy/deploy",
			wantCode: "NoSuchEntity", wantMsg: "Policy arn:aws:iam::111111111111:policy/deploy was not found.", status: http.StatusNotFound},
		{name: "a role ARN", client: f.iam(), arn: "arn:aws:iam::111111111111:role/ci-deployer",
			wantCode: "InvalidInput", wantMsg: "ARN arn:aws:iam::111111111111:role/ci-deployer is not valid.", status: http.StatusBadRequest},
		{name: "not an ARN", client: f.iam(), arn: "ReadOnlyAccess",
			wantCode: "InvalidInput", wantMsg: "ARN ReadOnlyAccess is not valid.", status: http.StatusBadRequest},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := tc.client.GetPolicy(t.Context(), &iam.GetPolicyInput{PolicyArn: s(tc.arn)})
			if tc.wantCode != "" {
				code, msg := apiErr(t, err)
				if code != tc.wantCode || msg != tc.wantMsg || httpStatus(err) != tc.status {
					t.Errorf("error %s %q %d, want %s %q %d", code, msg, httpStatus(err), tc.wantCode, tc.wantMsg, tc.status)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, out.Policy, cmpSDK...); diff != "" {
				t.Errorf("Policy (-want +got):\n%s", diff)
			}
		})
	}

	// The SDK maps the codes to its typed errors.
	_, err := f.iam().GetPolicy(t.Context(), &iam.GetPolicyInput{PolicyArn: s("arn:aws:iam::aws:policy/NoSuchPolicy")})
	var nse *types.NoSuchEntityException
	if !asErr(err, &nse) {
		t.Errorf("unknown policy: %T %v, want *types.NoSuchEntityException", err, err)
	}
	_, err = f.iam().GetPolicy(t.Context(), &iam.GetPolicyInput{PolicyArn: s("ReadOnlyAccess")})
	var invalid *types.InvalidInputException
	if !asErr(err, &invalid) {
		t.Errorf("not an ARN: %T %v, want *types.InvalidInputException", err, err)
	}
}

// TestGetPolicyVersion reads default and non-default versions with their documents URL-encoded
// as IAM sends them, and the errors for unknown policies and versions.
func TestGetPolicyVersion(t *testing.T) {
	f := newFixture(t, testOrg())
	client := f.iam()
	s := aws.String
	readOnly := AWSManagedPolicies()["arn:aws:iam::aws:policy/ReadOnlyAccess"]
	for _, tc := range []struct {
		name, arn, version string
		want               *types.PolicyVersion
		wantCode, wantMsg  string
	}{
		{name: "default version", arn: "arn:aws:iam::111111111111:policy/deploy", version: "v2",
			want: &types.PolicyVersion{Document: s(deployV2), VersionId: s("v2"), IsDefaultVersion: true, CreateDate: aws.Time(day(-100))}},
		{name: "older version", arn: "arn:aws:iam::111111111111:policy/deploy", version: "v1",
			want: &types.PolicyVersion{Document: s(deployV1), VersionId: s("v1"), IsDefaultVersion: false, CreateDate: aws.Time(day(-700))}},
		{name: "AWS managed", arn: "arn:aws:iam::aws:policy/ReadOnlyAccess", version: readOnly.DefaultVersion,
			want: &types.PolicyVersion{Document: s(readOnly.Versions[0].Document), VersionId: s(readOnly.DefaultVersion), IsDefaultVersion: true,
				CreateDate: aws.Time(readOnly.Versions[0].Created)}},
		{name: "unknown version", arn: "arn:aws:iam::111111111111:policy/deploy", version: "v9",
			wantCode: "NoSuchEntity", wantMsg: "Policy arn:aws:iam::111111111111:policy/deploy version v9 does not exist or is not attachable."},
		{name: "unknown policy", arn: "arn:aws:iam::111111111111:policy/nope", version: "v1",
			wantCode: "NoSuchEntity", wantMsg: "Policy arn:aws:iam::111111111111:policy/nope was not found."},
		{name: "malformed version", arn: "arn:aws:iam::111111111111:policy/deploy", version: "1",
			wantCode: "ValidationError", wantMsg: `1 validation error detected: Value '1' at 'versionId' failed to satisfy constraint: Member must satisfy regular expression pattern: v[1-9][0-9]*(\.[A-Za-z0-9-]*)?`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := client.GetPolicyVersion(t.Context(), &iam.GetPolicyVersionInput{PolicyArn: s(tc.arn), VersionId: s(tc.version)})
			if tc.wantCode != "" {
				if code, msg := apiErr(t, err); code != tc.wantCode || msg != tc.wantMsg {
					t.Errorf("error %s %q, want %s %q", code, msg, tc.wantCode, tc.wantMsg)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := out.PolicyVersion
			if got != nil {
				if raw := aws.ToString(got.Document); raw == aws.ToString(tc.want.Document) || raw == "" {
					t.Errorf("document %q is not URL-encoded", raw)
				}
				got.Document = unescapeDoc(t, got.Document)
			}
			if diff := cmp.Diff(tc.want, got, cmpSDK...); diff != "" {
				t.Errorf("PolicyVersion (-want +got):\n%s", diff)
			}
		})
	}
}

// TestListVirtualMFADevices lists assigned (users' and the root's) and unassigned virtual
// devices, filtered by AssignmentStatus and paged by MaxItems and Marker; hardware devices are
// never listed. Deactivating a user's device leaves it unassigned.
func TestListVirtualMFADevices(t *testing.T) {
	const (
		aliceMFA = "arn:aws:iam::111111111111:mfa/alice"
		bobMFA   = "arn:aws:iam::111111111111:mfa/bob-phone"
		spare1   = "arn:aws:iam::111111111111:mfa/spare-1"
		spare2   = "arn:aws:iam::111111111111:mfa/spare-2"
	)
	org := testOrg()
	mgmt := org.Accounts[0]
	mgmt.Root.VirtualMFA = true
	mgmt.Users[1].MFADevices = []string{"GAHT12345678", bobMFA} // bob: a hardware token and a phone
	mgmt.UnassignedMFADevices = []string{spare2, spare1}
	f := newFixture(t, org)
	client := f.iam()
	s := aws.String

	rootMFA := RootMFASerial(mgmtID)
	root := types.VirtualMFADevice{SerialNumber: s(rootMFA), EnableDate: aws.Time(day(-1000)),
		User: &types.User{UserId: s(mgmtID), Arn: s("arn:aws:iam::111111111111:root"), CreateDate: aws.Time(day(-1000)), PasswordLastUsed: aws.Time(day(-3))}}
	alice := types.VirtualMFADevice{SerialNumber: s(aliceMFA), EnableDate: aws.Time(day(-400)),
		User: &types.User{Path: s("/"), UserName: s("alice"), UserId: s("AIDAALICE0000000001"), Arn: s("arn:aws:iam::111111111111:user/alice"),
			CreateDate: aws.Time(day(-400)), PasswordLastUsed: aws.Time(day(-1))}}
	bob := types.VirtualMFADevice{SerialNumber: s(bobMFA), EnableDate: aws.Time(day(-200)),
		User: &types.User{Path: s("/"), UserName: s("bob"), UserId: s("AIDABOB000000000001"), Arn: s("arn:aws:iam::111111111111:user/bob"),
			CreateDate: aws.Time(day(-200))}}
	unassigned := func(serial string) types.VirtualMFADevice { return types.VirtualMFADevice{SerialNumber: s(serial)} }

	list := func(t *testing.T, status types.AssignmentStatusType, maxItems int32) ([]types.VirtualMFADevice, int) {
		t.Helper()
		in := &iam.ListVirtualMFADevicesInput{AssignmentStatus: status}
		if maxItems > 0 {
			in.MaxItems = aws.Int32(maxItems)
		}
		var out []types.VirtualMFADevice
		pages := 0
		p := iam.NewListVirtualMFADevicesPaginator(client, in)
		for p.HasMorePages() {
			page, err := p.NextPage(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			pages++
			out = append(out, page.VirtualMFADevices...)
		}
		return out, pages
	}
	for _, tc := range []struct {
		name      string
		status    types.AssignmentStatusType
		maxItems  int32
		want      []types.VirtualMFADevice
		wantPages int
	}{
		{"default is Any", "", 0, []types.VirtualMFADevice{alice, bob, root, unassigned(spare1), unassigned(spare2)}, 1},
		{"Any in pages of two", types.AssignmentStatusTypeAny, 2, []types.VirtualMFADevice{alice, bob, root, unassigned(spare1), unassigned(spare2)}, 3},
		{"Assigned in pages of one", types.AssignmentStatusTypeAssigned, 1, []types.VirtualMFADevice{alice, bob, root}, 3},
		{"Unassigned", types.AssignmentStatusTypeUnassigned, 0, []types.VirtualMFADevice{unassigned(spare1), unassigned(spare2)}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, pages := list(t, tc.status, tc.maxItems)
			if diff := cmp.Diff(tc.want, got, cmpSDK...); diff != "" {
				t.Errorf("devices (-want +got):\n%s", diff)
			}
			if pages != tc.wantPages {
				t.Errorf("pages = %d, want %d", pages, tc.wantPages)
			}
		})
	}

	t.Run("errors", func(t *testing.T) {
		_, err := client.ListVirtualMFADevices(t.Context(), &iam.ListVirtualMFADevicesInput{AssignmentStatus: "Mine"})
		if code, msg := apiErr(t, err); code != "ValidationError" ||
			msg != "1 validation error detected: Value 'Mine' at 'assignmentStatus' failed to satisfy constraint: Member must satisfy enum value set: [Assigned, Unassigned, Any]" {
			t.Errorf("bad status: %s %q", code, msg)
		}
		_, err = client.ListVirtualMFADevices(t.Context(), &iam.ListVirtualMFADevicesInput{MaxItems: aws.Int32(1001)})
		if code, _ := apiErr(t, err); code != "ValidationError" {
			t.Errorf("MaxItems 1001: %s, want ValidationError", code)
		}
		users, err := client.ListUsers(t.Context(), &iam.ListUsersInput{MaxItems: aws.Int32(1)})
		if err != nil {
			t.Fatal(err)
		}
		_, err = client.ListVirtualMFADevices(t.Context(), &iam.ListVirtualMFADevicesInput{Marker: users.Marker})
		if code, _ := apiErr(t, err); code != "ValidationError" {
			t.Errorf("another operation's marker: %s, want ValidationError", code)
		}
	})

	t.Run("deactivated device becomes unassigned", func(t *testing.T) {
		g := newFixture(t, org)
		c := g.iam()
		if _, err := c.DeactivateMFADevice(t.Context(), &iam.DeactivateMFADeviceInput{UserName: s("alice"), SerialNumber: s(aliceMFA)}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.DeactivateMFADevice(t.Context(), &iam.DeactivateMFADeviceInput{UserName: s("bob"), SerialNumber: s("GAHT12345678")}); err != nil {
			t.Fatal(err)
		}
		out, err := c.ListVirtualMFADevices(t.Context(), &iam.ListVirtualMFADevicesInput{AssignmentStatus: types.AssignmentStatusTypeUnassigned})
		if err != nil {
			t.Fatal(err)
		}
		want := []types.VirtualMFADevice{unassigned(aliceMFA), unassigned(spare1), unassigned(spare2)}
		if diff := cmp.Diff(want, out.VirtualMFADevices, cmpSDK...); diff != "" {
			t.Errorf("unassigned after deactivation (-want +got):\n%s", diff)
		}
		sum, err := c.GetAccountSummary(t.Context(), &iam.GetAccountSummaryInput{})
		if err != nil {
			t.Fatal(err)
		}
		// In use: bob's phone and the root's device; in the account: those and three spares.
		if got, want := [2]int32{sum.SummaryMap["MFADevicesInUse"], sum.SummaryMap["MFADevices"]}, [2]int32{2, 5}; got != want {
			t.Errorf("MFADevicesInUse, MFADevices = %v, want %v", got, want)
		}
		if diff := cmp.Diff([]string{spare2, spare1, aliceMFA}, g.srv.Organization().Accounts[0].UnassignedMFADevices); diff != "" {
			t.Errorf("exported unassigned devices (-want +got):\n%s", diff)
		}
	})
}
