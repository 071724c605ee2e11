package awsiam_test

import (
	"fmt"
	"net/url"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/google/go-cmp/cmp"

	"github.com/provost-dev/provost/finding"
	"github.com/provost-dev/provost/internal/testpeer"
	"github.com/provost-dev/provost/inventory"
	"github.com/provost-dev/provost/remediate"
	"github.com/provost-dev/provost/remediate/awsiam"
)

const motoAcct = "123456789012"

func motoClient(t *testing.T) *iam.Client {
	t.Helper()
	return iamClient(testpeer.Moto(t), "testing", "testing")
}

// must is for seeding calls: a failure there panics, which fails the test with the stack.
func must[T any](v T, err error) T {
	if err != nil {
		panic(fmt.Sprintf("seed moto: %v", err))
	}
	return v
}

// motoPrincipal is the snapshot's view of a moto user: key slots with their creation times.
func motoPrincipal(t *testing.T, c *iam.Client, name string) inventory.Principal {
	t.Helper()
	p := inventory.Principal{ID: "arn:aws:iam::" + motoAcct + ":user/" + name, Provider: inventory.ProviderAWS, Account: motoAcct, Kind: inventory.KindUser, Name: name}
	keys := must(c.ListAccessKeys(bg, &iam.ListAccessKeysInput{UserName: &name}))
	for i, k := range keys.AccessKeyMetadata {
		p.Credentials = append(p.Credentials, inventory.Credential{Kind: inventory.CredAccessKey, ID: "access_key_" + string(rune('1'+i)),
			Status: "active", CreatedAt: aws.ToTime(k.CreateDate).Truncate(time.Second)})
	}
	if _, err := c.GetLoginProfile(bg, &iam.GetLoginProfileInput{UserName: &name}); err == nil {
		p.Credentials = append(p.Credentials, inventory.Credential{Kind: inventory.CredPassword, ID: "password", Status: "active"})
	}
	return p
}

func motoSnap(ps ...inventory.Principal) *inventory.Snapshot {
	return &inventory.Snapshot{ID: "moto-1", StartedAt: now.Add(-time.Hour), Principals: ps,
		Coverage: []inventory.Coverage{{Source: "aws", Provider: inventory.ProviderAWS, Scope: motoAcct, Status: inventory.CoverageComplete}}}
}

func keyStatusesMoto(t *testing.T, c *iam.Client, name string) []types.StatusType {
	t.Helper()
	var out []types.StatusType
	for _, k := range must(c.ListAccessKeys(bg, &iam.ListAccessKeysInput{UserName: &name})).AccessKeyMetadata {
		out = append(out, k.Status)
	}
	return out
}

func TestMotoOnlyTheStaleKeyIsDeactivated(t *testing.T) {
	c := motoClient(t)
	must(c.CreateUser(bg, &iam.CreateUserInput{UserName: aws.String("alice")}))
	must(c.CreateAccessKey(bg, &iam.CreateAccessKeyInput{UserName: aws.String("alice")}))
	time.Sleep(1100 * time.Millisecond) // IAM times have second precision: keep the two keys apart
	must(c.CreateAccessKey(bg, &iam.CreateAccessKeyInput{UserName: aws.String("alice")}))
	p := motoPrincipal(t, c, "alice")
	f := open(finding.Finding{CheckID: "K", Principal: p.ID, Qualifier: "access_key_2"})
	pol, plan := planFor(t, motoSnap(p), []finding.Finding{f}, rule("K", remediate.ActDeactivateAccessKey))
	db, _ := openStore(t)
	a := applier(pol, db, c)
	out, err := a.Apply(bg, plan, facts(plan))
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != 1 || out[0].State != remediate.StateDone {
		t.Fatalf("outcomes = %+v", out)
	}
	if d := cmp.Diff([]types.StatusType{"Active", "Inactive"}, keyStatusesMoto(t, c, "alice")); d != "" {
		t.Errorf("key statuses (-want +got):\n%s", d)
	}
	if err := a.Undo(bg, plan.Steps[0].ID); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]types.StatusType{"Active", "Active"}, keyStatusesMoto(t, c, "alice")); d != "" {
		t.Errorf("key statuses after undo (-want +got):\n%s", d)
	}
}

func TestMotoDeleteUserInIAMOrder(t *testing.T) {
	c := motoClient(t)
	name := aws.String("bob")
	must(c.CreateUser(bg, &iam.CreateUserInput{UserName: name}))
	must(c.CreateAccessKey(bg, &iam.CreateAccessKeyInput{UserName: name}))
	must(c.CreateLoginProfile(bg, &iam.CreateLoginProfileInput{UserName: name, Password: aws.String("Not-a-real-secret-1")}))
	dev := must(c.CreateVirtualMFADevice(bg, &iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String("bob-mfa")}))
	must(c.EnableMFADevice(bg, &iam.EnableMFADeviceInput{UserName: name, SerialNumber: dev.VirtualMFADevice.SerialNumber,
		AuthenticationCode1: aws.String("123456"), AuthenticationCode2: aws.String("654321")}))
	must(c.PutUserPolicy(bg, &iam.PutUserPolicyInput{UserName: name, PolicyName: aws.String("inline"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`)}))
	must(c.AttachUserPolicy(bg, &iam.AttachUserPolicyInput{UserName: name, PolicyArn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")}))
	must(c.CreateGroup(bg, &iam.CreateGroupInput{GroupName: aws.String("devs")}))
	must(c.AddUserToGroup(bg, &iam.AddUserToGroupInput{UserName: name, GroupName: aws.String("devs")}))

	// IAM refuses to delete a user that still has attachments.
	if _, err := c.DeleteUser(bg, &iam.DeleteUserInput{UserName: name}); err == nil {
		t.Fatal("moto deleted a user with attachments: the order test would prove nothing")
	}
	p := motoPrincipal(t, c, "bob")
	f := open(finding.Finding{CheckID: "T", Principal: p.ID})
	pol, plan := planFor(t, motoSnap(p), []finding.Finding{f}, rule("T", remediate.ActDeleteUser))
	db, _ := openStore(t)
	a := applier(pol, db, c)
	// moto does not serve ListServiceSpecificCredentials.
	a.Executors[inventory.ProviderAWS] = &awsiam.Executor{Client: awsiam.New(c).Client, NoServiceSpecificCredentials: true}
	out, err := a.Apply(bg, plan, facts(plan))
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]remediate.Outcome{{StepID: plan.Steps[0].ID, State: remediate.StateDone, Detail: "delete user bob"}}, out); d != "" {
		t.Errorf("outcomes (-want +got):\n%s", d)
	}
	if _, err := c.GetUser(bg, &iam.GetUserInput{UserName: name}); err == nil {
		t.Error("bob still exists")
	}
	if err := a.Undo(bg, plan.Steps[0].ID); err == nil || err.Error() != "undo "+plan.Steps[0].ID+" (delete_user on "+p.ID+"): undo delete_user: irreversible (no undo data)" {
		t.Errorf("undo = %v", err)
	}
	// A second plan for the same user: already gone is success, without a call that changes anything.
	db2, _ := openStore(t)
	out, err = applier(pol, db2, c).Apply(bg, plan, facts(plan))
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]remediate.Outcome{{StepID: plan.Steps[0].ID, State: remediate.StateDone, Detail: "user bob no longer exists"}}, out); d != "" {
		t.Errorf("second outcomes (-want +got):\n%s", d)
	}
}

func TestMotoConsoleInlineAndGroup(t *testing.T) {
	c := motoClient(t)
	name := aws.String("carol")
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`
	must(c.CreateUser(bg, &iam.CreateUserInput{UserName: name}))
	must(c.CreateLoginProfile(bg, &iam.CreateLoginProfileInput{UserName: name, Password: aws.String("Not-a-real-secret-1")}))
	must(c.PutUserPolicy(bg, &iam.PutUserPolicyInput{UserName: name, PolicyName: aws.String("s3read"), PolicyDocument: aws.String(doc)}))
	must(c.CreateGroup(bg, &iam.CreateGroupInput{GroupName: aws.String("admins")}))
	must(c.AddUserToGroup(bg, &iam.AddUserToGroupInput{UserName: name, GroupName: aws.String("admins")}))
	p := motoPrincipal(t, c, "carol")
	fs := []finding.Finding{
		open(finding.Finding{CheckID: "P", Principal: p.ID, Qualifier: "password"}),
		open(finding.Finding{CheckID: "I", Principal: p.ID, Qualifier: p.ID + "/inline/s3read"}),
		open(finding.Finding{CheckID: "G", Principal: p.ID, Qualifier: "arn:aws:iam::" + motoAcct + ":group/admins"}),
	}
	pol, plan := planFor(t, motoSnap(p), fs, rule("P", remediate.ActRemoveConsoleLogin), rule("I", remediate.ActDetachPolicy), rule("G", remediate.ActRemoveFromGroup))
	db, _ := openStore(t)
	a := applier(pol, db, c)
	out, err := a.Apply(bg, plan, facts(plan))
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range out {
		if o.State != remediate.StateDone {
			t.Errorf("outcome %+v", o)
		}
	}
	if _, err := c.GetLoginProfile(bg, &iam.GetLoginProfileInput{UserName: name}); err == nil {
		t.Error("login profile still there")
	}
	if n := must(c.ListUserPolicies(bg, &iam.ListUserPoliciesInput{UserName: name})).PolicyNames; len(n) != 0 {
		t.Errorf("inline policies = %v", n)
	}
	if g := must(c.ListGroupsForUser(bg, &iam.ListGroupsForUserInput{UserName: name})).Groups; len(g) != 0 {
		t.Errorf("groups = %v", g)
	}
	for _, s := range plan.Steps {
		err := a.Undo(bg, s.ID)
		if s.Action == remediate.ActRemoveConsoleLogin {
			if err == nil {
				t.Error("login profile deletion undone")
			}
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	got := must(c.GetUserPolicy(bg, &iam.GetUserPolicyInput{UserName: name, PolicyName: aws.String("s3read")}))
	d, _ := url.QueryUnescape(aws.ToString(got.PolicyDocument))
	if diff := cmp.Diff(doc, d); diff != "" {
		t.Errorf("restored document (-want +got):\n%s", diff)
	}
	if g := must(c.ListGroupsForUser(bg, &iam.ListGroupsForUserInput{UserName: name})).Groups; len(g) != 1 || aws.ToString(g[0].GroupName) != "admins" {
		t.Errorf("groups after undo = %v", g)
	}
}
