package awsiam

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/smithy-go"

	"github.com/provost-dev/provost/remediate"
)

// API is the part of the IAM client the executor calls (*iam.Client implements it).
type API interface {
	ListAccessKeys(context.Context, *iam.ListAccessKeysInput, ...func(*iam.Options)) (*iam.ListAccessKeysOutput, error)
	GetAccessKeyLastUsed(context.Context, *iam.GetAccessKeyLastUsedInput, ...func(*iam.Options)) (*iam.GetAccessKeyLastUsedOutput, error)
	UpdateAccessKey(context.Context, *iam.UpdateAccessKeyInput, ...func(*iam.Options)) (*iam.UpdateAccessKeyOutput, error)
	DeleteAccessKey(context.Context, *iam.DeleteAccessKeyInput, ...func(*iam.Options)) (*iam.DeleteAccessKeyOutput, error)
	GetLoginProfile(context.Context, *iam.GetLoginProfileInput, ...func(*iam.Options)) (*iam.GetLoginProfileOutput, error)
	DeleteLoginProfile(context.Context, *iam.DeleteLoginProfileInput, ...func(*iam.Options)) (*iam.DeleteLoginProfileOutput, error)
	ListUserPolicies(context.Context, *iam.ListUserPoliciesInput, ...func(*iam.Options)) (*iam.ListUserPoliciesOutput, error)
	GetUserPolicy(context.Context, *iam.GetUserPolicyInput, ...func(*iam.Options)) (*iam.GetUserPolicyOutput, error)
	PutUserPolicy(context.Context, *iam.PutUserPolicyInput, ...func(*iam.Options)) (*iam.PutUserPolicyOutput, error)
	DeleteUserPolicy(context.Context, *iam.DeleteUserPolicyInput, ...func(*iam.Options)) (*iam.DeleteUserPolicyOutput, error)
	ListAttachedUserPolicies(context.Context, *iam.ListAttachedUserPoliciesInput, ...func(*iam.Options)) (*iam.ListAttachedUserPoliciesOutput, error)
	AttachUserPolicy(context.Context, *iam.AttachUserPolicyInput, ...func(*iam.Options)) (*iam.AttachUserPolicyOutput, error)
	DetachUserPolicy(context.Context, *iam.DetachUserPolicyInput, ...func(*iam.Options)) (*iam.DetachUserPolicyOutput, error)
	ListGroupsForUser(context.Context, *iam.ListGroupsForUserInput, ...func(*iam.Options)) (*iam.ListGroupsForUserOutput, error)
	RemoveUserFromGroup(context.Context, *iam.RemoveUserFromGroupInput, ...func(*iam.Options)) (*iam.RemoveUserFromGroupOutput, error)
	AddUserToGroup(context.Context, *iam.AddUserToGroupInput, ...func(*iam.Options)) (*iam.AddUserToGroupOutput, error)
	ListUserTags(context.Context, *iam.ListUserTagsInput, ...func(*iam.Options)) (*iam.ListUserTagsOutput, error)
	TagUser(context.Context, *iam.TagUserInput, ...func(*iam.Options)) (*iam.TagUserOutput, error)
	UntagUser(context.Context, *iam.UntagUserInput, ...func(*iam.Options)) (*iam.UntagUserOutput, error)
	ListMFADevices(context.Context, *iam.ListMFADevicesInput, ...func(*iam.Options)) (*iam.ListMFADevicesOutput, error)
	DeactivateMFADevice(context.Context, *iam.DeactivateMFADeviceInput, ...func(*iam.Options)) (*iam.DeactivateMFADeviceOutput, error)
	ListSigningCertificates(context.Context, *iam.ListSigningCertificatesInput, ...func(*iam.Options)) (*iam.ListSigningCertificatesOutput, error)
	DeleteSigningCertificate(context.Context, *iam.DeleteSigningCertificateInput, ...func(*iam.Options)) (*iam.DeleteSigningCertificateOutput, error)
	ListSSHPublicKeys(context.Context, *iam.ListSSHPublicKeysInput, ...func(*iam.Options)) (*iam.ListSSHPublicKeysOutput, error)
	DeleteSSHPublicKey(context.Context, *iam.DeleteSSHPublicKeyInput, ...func(*iam.Options)) (*iam.DeleteSSHPublicKeyOutput, error)
	ListServiceSpecificCredentials(context.Context, *iam.ListServiceSpecificCredentialsInput, ...func(*iam.Options)) (*iam.ListServiceSpecificCredentialsOutput, error)
	DeleteServiceSpecificCredential(context.Context, *iam.DeleteServiceSpecificCredentialInput, ...func(*iam.Options)) (*iam.DeleteServiceSpecificCredentialOutput, error)
	GetUser(context.Context, *iam.GetUserInput, ...func(*iam.Options)) (*iam.GetUserOutput, error)
	DeleteUser(context.Context, *iam.DeleteUserInput, ...func(*iam.Options)) (*iam.DeleteUserOutput, error)
}

var _ API = (*iam.Client)(nil)

// QuarantinePolicy is the inline policy name quarantine puts on a user; its document denies
// every action on every resource.
const QuarantinePolicy = "provost-quarantine"

const denyAll = `{"Version":"2012-10-17","Statement":[{"Sid":"ProvostQuarantine","Effect":"Deny","Action":"*","Resource":"*"}]}`

// Executor acts on IAM users. Client returns the IAM client for an account (e.g. through
// AssumeRole into it); it is called once per step.
type Executor struct {
	Client func(ctx context.Context, account string) (API, error)
	// NoServiceSpecificCredentials skips listing service-specific credentials before deleting a
	// user, for endpoints that do not serve that API (moto). With it set, a user that still has
	// such a credential makes DeleteUser fail with DeleteConflict, and the step fails.
	NoServiceSpecificCredentials bool
}

var _ remediate.Executor = (*Executor)(nil)

// New returns an executor that uses one IAM client for every account.
func New(c API) *Executor {
	return &Executor{Client: func(context.Context, string) (API, error) { return c, nil }}
}

func (e *Executor) client(ctx context.Context, s remediate.Step) (API, error) {
	if s.Target.Provider != "aws" {
		return nil, fmt.Errorf("target provider %q: %w", s.Target.Provider, remediate.ErrUnsupported)
	}
	c, err := e.Client(ctx, s.Target.Account)
	if err != nil {
		return nil, fmt.Errorf("iam client for %s: %w", s.Target.Account, err)
	}
	return c, nil
}

// notFound reports whether err is IAM's NoSuchEntity.
func notFound(err error) bool {
	var nse *types.NoSuchEntityException
	if errors.As(err, &nse) {
		return true
	}
	var api smithy.APIError
	return errors.As(err, &api) && api.ErrorCode() == "NoSuchEntity"
}

func gone(detail string) remediate.Live { return remediate.Live{Done: true, Detail: detail} }

// Check re-reads the live state of the step's target.
func (e *Executor) Check(ctx context.Context, s remediate.Step) (remediate.Live, error) {
	c, err := e.client(ctx, s)
	if err != nil {
		return remediate.Live{}, err
	}
	user := s.Target.Name
	switch s.Action {
	case remediate.ActMark:
		out, err := c.ListUserTags(ctx, &iam.ListUserTagsInput{UserName: &user})
		if notFound(err) {
			return remediate.Live{Detail: "user " + user + " no longer exists"}, nil
		}
		if err != nil {
			return remediate.Live{}, fmt.Errorf("list tags of %s: %w", user, err)
		}
		for _, t := range out.Tags {
			if aws.ToString(t.Key) == remediate.MarkTag && aws.ToString(t.Value) == s.Target.Object {
				return remediate.Live{Done: true, Detail: "already tagged " + remediate.MarkTag + "=" + s.Target.Object}, nil
			}
		}
		return remediate.Live{Holds: true, Detail: "tag " + remediate.MarkTag + "=" + s.Target.Object}, nil
	case remediate.ActDeactivateAccessKey, remediate.ActDeleteAccessKey:
		return e.checkKey(ctx, c, s)
	case remediate.ActRemoveConsoleLogin:
		_, err := c.GetLoginProfile(ctx, &iam.GetLoginProfileInput{UserName: &user})
		if notFound(err) {
			return gone("user " + user + " has no console password"), nil
		}
		if err != nil {
			return remediate.Live{}, fmt.Errorf("get login profile of %s: %w", user, err)
		}
		if lu, err := passwordLastUsed(ctx, c, user); err != nil {
			return remediate.Live{}, err
		} else if s.Target.CredentialLastUsed.Before(lu.Truncate(time.Second)) {
			return remediate.Live{Detail: fmt.Sprintf("console password of %s used at %s, after the snapshot", user, lu.UTC().Format(time.RFC3339))}, nil
		}
		return remediate.Live{Holds: true, Detail: "delete console password of " + user}, nil
	case remediate.ActQuarantine:
		names, err := inlineNames(ctx, c, user)
		if notFound(err) {
			return gone("user " + user + " no longer exists"), nil
		}
		if err != nil {
			return remediate.Live{}, err
		}
		for _, n := range names {
			if n == QuarantinePolicy {
				return gone("user " + user + " already quarantined"), nil
			}
		}
		return remediate.Live{Holds: true, Detail: "put deny-all policy " + QuarantinePolicy + " on " + user}, nil
	case remediate.ActRemoveFromGroup:
		group := groupName(s.Target.Object)
		out, err := c.ListGroupsForUser(ctx, &iam.ListGroupsForUserInput{UserName: &user})
		if notFound(err) {
			return gone("user " + user + " no longer exists"), nil
		}
		if err != nil {
			return remediate.Live{}, fmt.Errorf("list groups of %s: %w", user, err)
		}
		for _, g := range out.Groups {
			if aws.ToString(g.GroupName) == group {
				return remediate.Live{Holds: true, Detail: "remove " + user + " from group " + group}, nil
			}
		}
		return gone("user " + user + " is not in group " + group), nil
	case remediate.ActDetachPolicy:
		if name, ok := inlineName(s.Target.Object); ok {
			names, err := inlineNames(ctx, c, user)
			if notFound(err) {
				return gone("user " + user + " no longer exists"), nil
			}
			if err != nil {
				return remediate.Live{}, err
			}
			for _, n := range names {
				if n == name {
					return remediate.Live{Holds: true, Detail: "delete inline policy " + name + " of " + user}, nil
				}
			}
			return gone("user " + user + " has no inline policy " + name), nil
		}
		out, err := c.ListAttachedUserPolicies(ctx, &iam.ListAttachedUserPoliciesInput{UserName: &user})
		if notFound(err) {
			return gone("user " + user + " no longer exists"), nil
		}
		if err != nil {
			return remediate.Live{}, fmt.Errorf("list attached policies of %s: %w", user, err)
		}
		for _, p := range out.AttachedPolicies {
			if aws.ToString(p.PolicyArn) == s.Target.Object {
				return remediate.Live{Holds: true, Detail: "detach " + s.Target.Object + " from " + user}, nil
			}
		}
		return gone(s.Target.Object + " is not attached to " + user), nil
	case remediate.ActDeleteUser:
		_, err := c.GetUser(ctx, &iam.GetUserInput{UserName: &user})
		if notFound(err) {
			return gone("user " + user + " no longer exists"), nil
		}
		if err != nil {
			return remediate.Live{}, fmt.Errorf("get user %s: %w", user, err)
		}
		return remediate.Live{Holds: true, Detail: "delete user " + user}, nil
	}
	return remediate.Live{}, fmt.Errorf("action %s: %w", s.Action, remediate.ErrUnsupported)
}

// checkKey finds the live key of the snapshot's slot by its creation time.
func (e *Executor) checkKey(ctx context.Context, c API, s remediate.Step) (remediate.Live, error) {
	user := s.Target.Name
	out, err := c.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: &user})
	if notFound(err) {
		return gone("user " + user + " no longer exists"), nil
	}
	if err != nil {
		return remediate.Live{}, fmt.Errorf("list access keys of %s: %w", user, err)
	}
	want := s.Target.CredentialCreated.Truncate(time.Second)
	var key *types.AccessKeyMetadata
	for i, k := range out.AccessKeyMetadata {
		if aws.ToTime(k.CreateDate).Truncate(time.Second).Equal(want) {
			if key != nil {
				return remediate.Live{}, fmt.Errorf("%s of %s: keys %s and %s were both created at %s; refusing to guess which one the snapshot saw",
					s.Target.Credential, user, aws.ToString(key.AccessKeyId), aws.ToString(k.AccessKeyId), want.Format(time.RFC3339))
			}
			key = &out.AccessKeyMetadata[i]
		}
	}
	if key == nil {
		return gone(fmt.Sprintf("%s of %s (created %s) no longer exists", s.Target.Credential, user, want.Format(time.RFC3339))), nil
	}
	id := aws.ToString(key.AccessKeyId)
	native := map[string]string{"access_key_id": id, "user": user}
	if s.Action == remediate.ActDeactivateAccessKey && key.Status == types.StatusTypeInactive {
		return remediate.Live{Done: true, Detail: "key " + id + " already inactive", Native: native}, nil
	}
	if s.Phase == remediate.PhaseDelete && key.Status != types.StatusTypeInactive {
		// Deletion follows deactivation: a key someone turned back on is wanted by someone.
		return remediate.Live{Detail: "key " + id + " is active again since it was deactivated: not deleting it", Native: native}, nil
	}
	lu, err := c.GetAccessKeyLastUsed(ctx, &iam.GetAccessKeyLastUsedInput{AccessKeyId: &id})
	if err != nil {
		return remediate.Live{}, fmt.Errorf("get last use of %s: %w", id, err)
	}
	if lu.AccessKeyLastUsed != nil && lu.AccessKeyLastUsed.LastUsedDate != nil {
		used := lu.AccessKeyLastUsed.LastUsedDate.Truncate(time.Second)
		if used.After(s.Target.CredentialLastUsed.Truncate(time.Second)) {
			return remediate.Live{Detail: fmt.Sprintf("key %s was used at %s, after the snapshot: no longer stale", id, used.UTC().Format(time.RFC3339)), Native: native}, nil
		}
	}
	verb := "deactivate"
	if s.Action == remediate.ActDeleteAccessKey {
		verb = "delete"
	}
	return remediate.Live{Holds: true, Detail: verb + " key " + id + " (" + s.Target.Credential + ") of " + user, Native: native}, nil
}

func passwordLastUsed(ctx context.Context, c API, user string) (time.Time, error) {
	out, err := c.GetUser(ctx, &iam.GetUserInput{UserName: &user})
	if err != nil {
		return time.Time{}, fmt.Errorf("get user %s: %w", user, err)
	}
	return aws.ToTime(out.User.PasswordLastUsed), nil
}

func inlineNames(ctx context.Context, c API, user string) ([]string, error) {
	var names []string
	p := iam.NewListUserPoliciesPaginator(c, &iam.ListUserPoliciesInput{UserName: &user})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			if notFound(err) {
				return nil, err
			}
			return nil, fmt.Errorf("list inline policies of %s: %w", user, err)
		}
		names = append(names, out.PolicyNames...)
	}
	return names, nil
}

// inlineName splits "<principal ARN>/inline/<name>" (inventory's inline grant ID).
func inlineName(object string) (string, bool) {
	i := strings.LastIndex(object, "/inline/")
	if i < 0 {
		return "", false
	}
	return object[i+len("/inline/"):], true
}

// groupName takes a group ARN (arn:aws:iam::1:group/path/name) or a bare name.
func groupName(object string) string {
	if strings.HasPrefix(object, "arn:") {
		return object[strings.LastIndex(object, "/")+1:]
	}
	return object
}

// Do acts once. NoSuchEntity is success.
func (e *Executor) Do(ctx context.Context, s remediate.Step, l remediate.Live) (remediate.Undo, error) {
	c, err := e.client(ctx, s)
	if err != nil {
		return nil, err
	}
	user := s.Target.Name
	u, err := e.do(ctx, c, s, l, user)
	if notFound(err) {
		return u, nil
	}
	return u, err
}

func (e *Executor) do(ctx context.Context, c API, s remediate.Step, l remediate.Live, user string) (remediate.Undo, error) {
	switch s.Action {
	case remediate.ActMark:
		_, err := c.TagUser(ctx, &iam.TagUserInput{UserName: &user, Tags: []types.Tag{{Key: aws.String(remediate.MarkTag), Value: aws.String(s.Target.Object)}}})
		if err != nil {
			return nil, fmt.Errorf("tag %s: %w", user, err)
		}
		return remediate.Undo{"user": user}, nil
	case remediate.ActDeactivateAccessKey:
		id := l.Native["access_key_id"]
		if _, err := c.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: &user, AccessKeyId: &id, Status: types.StatusTypeInactive}); err != nil {
			return nil, fmt.Errorf("deactivate key %s of %s: %w", id, user, err)
		}
		return remediate.Undo{"user": user, "access_key_id": id}, nil
	case remediate.ActDeleteAccessKey:
		id := l.Native["access_key_id"]
		if _, err := c.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: &user, AccessKeyId: &id}); err != nil {
			return nil, fmt.Errorf("delete key %s of %s: %w", id, user, err)
		}
		return nil, nil
	case remediate.ActRemoveConsoleLogin:
		if _, err := c.DeleteLoginProfile(ctx, &iam.DeleteLoginProfileInput{UserName: &user}); err != nil {
			return nil, fmt.Errorf("delete login profile of %s: %w", user, err)
		}
		return nil, nil
	case remediate.ActQuarantine:
		if _, err := c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: &user, PolicyName: aws.String(QuarantinePolicy), PolicyDocument: aws.String(denyAll)}); err != nil {
			return nil, fmt.Errorf("quarantine %s: %w", user, err)
		}
		return remediate.Undo{"user": user, "policy": QuarantinePolicy}, nil
	case remediate.ActRemoveFromGroup:
		g := groupName(s.Target.Object)
		if _, err := c.RemoveUserFromGroup(ctx, &iam.RemoveUserFromGroupInput{UserName: &user, GroupName: &g}); err != nil {
			return nil, fmt.Errorf("remove %s from group %s: %w", user, g, err)
		}
		return remediate.Undo{"user": user, "group": g}, nil
	case remediate.ActDetachPolicy:
		if name, ok := inlineName(s.Target.Object); ok {
			doc, err := c.GetUserPolicy(ctx, &iam.GetUserPolicyInput{UserName: &user, PolicyName: &name})
			if err != nil {
				return nil, fmt.Errorf("read inline policy %s of %s before deleting: %w", name, user, err)
			}
			d, err := url.QueryUnescape(aws.ToString(doc.PolicyDocument))
			if err != nil {
				return nil, fmt.Errorf("decode inline policy %s of %s: %w", name, user, err)
			}
			if _, err := c.DeleteUserPolicy(ctx, &iam.DeleteUserPolicyInput{UserName: &user, PolicyName: &name}); err != nil {
				return nil, fmt.Errorf("delete inline policy %s of %s: %w", name, user, err)
			}
			return remediate.Undo{"user": user, "inline_policy": name, "document": d}, nil
		}
		arn := s.Target.Object
		if _, err := c.DetachUserPolicy(ctx, &iam.DetachUserPolicyInput{UserName: &user, PolicyArn: &arn}); err != nil {
			return nil, fmt.Errorf("detach %s from %s: %w", arn, user, err)
		}
		return remediate.Undo{"user": user, "policy_arn": arn}, nil
	case remediate.ActDeleteUser:
		return nil, deleteUser(ctx, c, user, !e.NoServiceSpecificCredentials)
	}
	return nil, fmt.Errorf("action %s: %w", s.Action, remediate.ErrUnsupported)
}

// ignoreGone drops NoSuchEntity: what is already gone need not be removed.
func ignoreGone(err error) error {
	if notFound(err) {
		return nil
	}
	return err
}

// deleteUser removes what IAM requires before DeleteUser, in its order: access keys, login
// profile, MFA devices, signing certificates, SSH public keys, service-specific credentials,
// inline policies, managed policies, group memberships; then the user.
func deleteUser(ctx context.Context, c API, user string, serviceSpecific bool) error {
	keys, err := c.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: &user})
	if err != nil {
		return fmt.Errorf("list access keys of %s: %w", user, err)
	}
	for _, k := range keys.AccessKeyMetadata {
		if _, err := c.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: &user, AccessKeyId: k.AccessKeyId}); ignoreGone(err) != nil {
			return fmt.Errorf("delete key %s of %s: %w", aws.ToString(k.AccessKeyId), user, err)
		}
	}
	if _, err := c.DeleteLoginProfile(ctx, &iam.DeleteLoginProfileInput{UserName: &user}); ignoreGone(err) != nil {
		return fmt.Errorf("delete login profile of %s: %w", user, err)
	}
	mfa, err := c.ListMFADevices(ctx, &iam.ListMFADevicesInput{UserName: &user})
	if err != nil {
		return fmt.Errorf("list mfa devices of %s: %w", user, err)
	}
	for _, d := range mfa.MFADevices {
		if _, err := c.DeactivateMFADevice(ctx, &iam.DeactivateMFADeviceInput{UserName: &user, SerialNumber: d.SerialNumber}); ignoreGone(err) != nil {
			return fmt.Errorf("deactivate mfa %s of %s: %w", aws.ToString(d.SerialNumber), user, err)
		}
	}
	certs, err := c.ListSigningCertificates(ctx, &iam.ListSigningCertificatesInput{UserName: &user})
	if err != nil {
		return fmt.Errorf("list signing certificates of %s: %w", user, err)
	}
	for _, ct := range certs.Certificates {
		if _, err := c.DeleteSigningCertificate(ctx, &iam.DeleteSigningCertificateInput{UserName: &user, CertificateId: ct.CertificateId}); ignoreGone(err) != nil {
			return fmt.Errorf("delete signing certificate of %s: %w", user, err)
		}
	}
	ssh, err := c.ListSSHPublicKeys(ctx, &iam.ListSSHPublicKeysInput{UserName: &user})
	if err != nil {
		return fmt.Errorf("list ssh keys of %s: %w", user, err)
	}
	for _, k := range ssh.SSHPublicKeys {
		if _, err := c.DeleteSSHPublicKey(ctx, &iam.DeleteSSHPublicKeyInput{UserName: &user, SSHPublicKeyId: k.SSHPublicKeyId}); ignoreGone(err) != nil {
			return fmt.Errorf("delete ssh key of %s: %w", user, err)
		}
	}
	if serviceSpecific {
		svc, err := c.ListServiceSpecificCredentials(ctx, &iam.ListServiceSpecificCredentialsInput{UserName: &user})
		if err != nil {
			return fmt.Errorf("list service-specific credentials of %s: %w", user, err)
		}
		for _, sc := range svc.ServiceSpecificCredentials {
			if _, err := c.DeleteServiceSpecificCredential(ctx, &iam.DeleteServiceSpecificCredentialInput{UserName: &user, ServiceSpecificCredentialId: sc.ServiceSpecificCredentialId}); ignoreGone(err) != nil {
				return fmt.Errorf("delete service-specific credential of %s: %w", user, err)
			}
		}
	}
	names, err := inlineNames(ctx, c, user)
	if err != nil {
		return err
	}
	for _, n := range names {
		if _, err := c.DeleteUserPolicy(ctx, &iam.DeleteUserPolicyInput{UserName: &user, PolicyName: aws.String(n)}); ignoreGone(err) != nil {
			return fmt.Errorf("delete inline policy %s of %s: %w", n, user, err)
		}
	}
	att, err := c.ListAttachedUserPolicies(ctx, &iam.ListAttachedUserPoliciesInput{UserName: &user})
	if err != nil {
		return fmt.Errorf("list attached policies of %s: %w", user, err)
	}
	for _, p := range att.AttachedPolicies {
		if _, err := c.DetachUserPolicy(ctx, &iam.DetachUserPolicyInput{UserName: &user, PolicyArn: p.PolicyArn}); ignoreGone(err) != nil {
			return fmt.Errorf("detach %s from %s: %w", aws.ToString(p.PolicyArn), user, err)
		}
	}
	groups, err := c.ListGroupsForUser(ctx, &iam.ListGroupsForUserInput{UserName: &user})
	if err != nil {
		return fmt.Errorf("list groups of %s: %w", user, err)
	}
	for _, g := range groups.Groups {
		if _, err := c.RemoveUserFromGroup(ctx, &iam.RemoveUserFromGroupInput{UserName: &user, GroupName: g.GroupName}); ignoreGone(err) != nil {
			return fmt.Errorf("remove %s from group %s: %w", user, aws.ToString(g.GroupName), err)
		}
	}
	if _, err := c.DeleteUser(ctx, &iam.DeleteUserInput{UserName: &user}); err != nil {
		return fmt.Errorf("delete user %s: %w", user, err)
	}
	return nil
}

// Undo reverses a step from its undo data.
func (e *Executor) Undo(ctx context.Context, s remediate.Step, u remediate.Undo) error {
	c, err := e.client(ctx, s)
	if err != nil {
		return err
	}
	user := u["user"]
	if user == "" {
		return fmt.Errorf("undo %s: %w (no undo data)", s.Action, remediate.ErrIrreversible)
	}
	switch s.Action {
	case remediate.ActMark:
		_, err = c.UntagUser(ctx, &iam.UntagUserInput{UserName: &user, TagKeys: []string{remediate.MarkTag}})
	case remediate.ActDeactivateAccessKey:
		_, err = c.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: &user, AccessKeyId: aws.String(u["access_key_id"]), Status: types.StatusTypeActive})
	case remediate.ActQuarantine:
		_, err = c.DeleteUserPolicy(ctx, &iam.DeleteUserPolicyInput{UserName: &user, PolicyName: aws.String(QuarantinePolicy)})
		err = ignoreGone(err)
	case remediate.ActRemoveFromGroup:
		_, err = c.AddUserToGroup(ctx, &iam.AddUserToGroupInput{UserName: &user, GroupName: aws.String(u["group"])})
	case remediate.ActDetachPolicy:
		if name := u["inline_policy"]; name != "" {
			_, err = c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: &user, PolicyName: &name, PolicyDocument: aws.String(u["document"])})
		} else {
			_, err = c.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: &user, PolicyArn: aws.String(u["policy_arn"])})
		}
	default:
		return fmt.Errorf("undo %s: %w", s.Action, remediate.ErrIrreversible)
	}
	if err != nil {
		return fmt.Errorf("undo %s on %s: %w", s.Action, user, err)
	}
	return nil
}
