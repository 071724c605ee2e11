package awsiam_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/provost-dev/provost/collector/awsiam"
	"github.com/provost-dev/provost/inventory"
	"github.com/provost-dev/provost/sandbox/awsfake"
)

// TestCollectFakeIdentityCenterUnattachedManagedPolicies: permission sets reference AWS managed
// policies that no account attaches. Each is read once with GetPolicy and GetPolicyVersion,
// however many permission sets reference it, and one that IAM does not know is asked for once
// and leaves the management account's coverage partial, naming it for each permission set.
func TestCollectFakeIdentityCenterUnattachedManagedPolicies(t *testing.T) {
	const (
		securityAudit = "arn:aws:iam::aws:policy/SecurityAudit"
		viewOnly      = "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess"
		retired       = "arn:aws:iam::aws:policy/RetiredPolicy"
		readOnly      = "arn:aws:iam::aws:policy/ReadOnlyAccess"
		psAudit       = "arn:aws:sso:::permissionSet/ssoins-0123456789abcdef/ps-0000000000000003"
	)
	org := fakeOrg()
	ic := org.IdentityCenter
	ic.PermissionSets[1].ManagedPolicies = append(ic.PermissionSets[1].ManagedPolicies, securityAudit, retired)
	ic.PermissionSets = append(ic.PermissionSets, &awsfake.PermissionSet{Arn: psAudit, Name: "Audit", Created: day(-100),
		ManagedPolicies: []string{securityAudit, viewOnly, retired}})
	ic.Assignments = append(ic.Assignments, awsfake.Assignment{AccountID: fakeDev, PermissionSetArn: psAudit, PrincipalType: awsfake.PrincipalUser, PrincipalID: "u-alice"})
	srv, cfg := fakeServer(t, org, awsfake.Options{})
	c, err := awsiam.New(fakeOptions(srv, &cfg))
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.Collect(t.Context())
	if err != nil {
		t.Fatalf("Collect: %v", err)
	}

	mgmtCalls := srv.CallsFor(fakeMgmt)
	if diff := cmp.Diff([2]int{3, 2}, [2]int{mgmtCalls["iam:GetPolicy"], mgmtCalls["iam:GetPolicyVersion"]}); diff != "" {
		t.Errorf("GetPolicy, GetPolicyVersion calls in the management account (-want +got):\n%s", diff)
	}
	calls := srv.Calls()
	if diff := cmp.Diff([2]int{3, 2}, [2]int{calls["iam:GetPolicy"], calls["iam:GetPolicyVersion"]}); diff != "" {
		t.Errorf("GetPolicy, GetPolicyVersion calls in all (-want +got):\n%s", diff)
	}

	builtin := awsfake.AWSManagedPolicies()
	managed := func(arn string, priv inventory.Privilege) inventory.PolicyDoc {
		p := builtin[arn]
		return inventory.PolicyDoc{ID: arn, Provider: inventory.ProviderAWS, Name: p.Name, Kind: awsiam.DocAWSManaged,
			Version: p.DefaultVersion, Document: p.Versions[0].Document, Privilege: priv}
	}
	docs := map[string]inventory.PolicyDoc{}
	for _, d := range got.PolicyDocs {
		docs[d.ID] = d
	}
	want := map[string]inventory.PolicyDoc{
		// The abridged SecurityAudit allows iam:GenerateCredentialReport and Simulate*, which
		// Policy.Privilege counts as write.
		securityAudit: managed(securityAudit, inventory.PrivilegeWrite),
		viewOnly:      managed(viewOnly, inventory.PrivilegeRead),
		psAudit: {ID: psAudit, Provider: inventory.ProviderAWS, Name: "Audit", Kind: awsiam.DocPermissionSet,
			Permissions: []string{retired, securityAudit, viewOnly}, Privilege: inventory.PrivilegeWrite},
		fakePSRead: {ID: fakePSRead, Provider: inventory.ProviderAWS, Name: "ReadOnly", Kind: awsiam.DocPermissionSet, Document: ssoInlineDoc,
			Permissions: []string{"arn:aws:iam::*:policy/deploy", readOnly, retired, securityAudit}, Privilege: inventory.PrivilegeWrite},
	}
	gotSome := map[string]inventory.PolicyDoc{}
	for id := range want {
		gotSome[id] = docs[id]
	}
	if diff := cmp.Diff(want, gotSome); diff != "" {
		t.Errorf("policy documents (-want +got):\n%s", diff)
	}
	if _, ok := docs[retired]; ok {
		t.Errorf("a document for %s, which IAM does not know", retired)
	}

	mgmt := coverageOf(t, got, fakeMgmt)
	if mgmt.Status != inventory.CoveragePartial || mgmt.ErrorKind != inventory.ErrNotFound {
		t.Errorf("management coverage %s/%q (%s), want partial/not_found", mgmt.Status, mgmt.ErrorKind, mgmt.Error)
	}
	for _, ps := range []string{fakePSRead, psAudit} {
		if s := "permission set " + ps + ": managed policy " + retired + ": "; strings.Count(mgmt.Error, s) != 1 {
			t.Errorf("management coverage error %q does not name %q once", mgmt.Error, s)
		}
	}
	if n := strings.Count(mgmt.Error, "; "); n != 1 {
		t.Errorf("management coverage error has %d problems, want 2: %q", n+1, mgmt.Error)
	}
	for _, other := range []string{fakeProd, fakeDev} {
		if cov := coverageOf(t, got, other); cov.Status != inventory.CoverageComplete {
			t.Errorf("coverage of %s = %s (%s), want complete", other, cov.Status, cov.Error)
		}
	}
}
