package awsfake

import (
	"net/http"
	"regexp"
	"strings"
)

// This file serves the managed-policy reads GetPolicy and GetPolicyVersion, for the customer
// managed policies of the calling account and the built-in AWS managed policies (whether or not
// the account attaches them).

// versionIDPattern is the service model's pattern for PolicyVersion IDs.
var versionIDPattern = regexp.MustCompile(`^v[1-9][0-9]*(\.[A-Za-z0-9-]*)?$`)

// policyArnParam returns the policy named by PolicyArn: InvalidInput for a string that is not
// an IAM policy ARN, NoSuchEntity for one that is neither a customer managed policy of the
// calling account nor a built-in AWS managed policy.
func policyArnParam(req *request, x *acct) (string, *Policy, error) {
	arn, err := param(req, "PolicyArn")
	if err != nil {
		return "", nil, err
	}
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "iam" || !strings.HasPrefix(parts[5], "policy/") {
		return "", nil, errorf(http.StatusBadRequest, "InvalidInput", "ARN %s is not valid.", arn)
	}
	p, ok := x.policy(arn)
	if !ok {
		return "", nil, noSuchEntity("Policy %s was not found.", arn)
	}
	return arn, p, nil
}

func (s *Server) getPolicy(req *request, x *acct, w *xmlWriter) error {
	arn, p, err := policyArnParam(req, x)
	if err != nil {
		return err
	}
	w.open("Policy")
	w.text("PolicyName", p.Name)
	w.text("PolicyId", p.PolicyID)
	w.text("Arn", arn)
	w.text("Path", p.Path)
	w.text("DefaultVersionId", p.DefaultVersion)
	w.int("AttachmentCount", x.attached[arn])
	w.int("PermissionsBoundaryUsageCount", x.boundaries[arn])
	w.bool("IsAttachable", true)
	w.opt("Description", p.Description)
	w.time("CreateDate", p.Created)
	w.time("UpdateDate", p.Updated)
	w.close("Policy")
	return nil
}

func (s *Server) getPolicyVersion(req *request, x *acct, w *xmlWriter) error {
	id, err := param(req, "VersionId")
	if err != nil {
		return err
	}
	if !versionIDPattern.MatchString(id) {
		return validationError(`1 validation error detected: Value '%s' at 'versionId' failed to satisfy constraint: Member must satisfy regular expression pattern: v[1-9][0-9]*(\.[A-Za-z0-9-]*)?`, id)
	}
	arn, p, err := policyArnParam(req, x)
	if err != nil {
		return err
	}
	for _, v := range p.Versions {
		if v.ID != id {
			continue
		}
		w.open("PolicyVersion")
		w.doc("Document", v.Document)
		w.text("VersionId", v.ID)
		w.bool("IsDefaultVersion", v.ID == p.DefaultVersion)
		w.time("CreateDate", v.Created)
		w.close("PolicyVersion")
		return nil
	}
	return noSuchEntity("Policy %s version %s does not exist or is not attachable.", arn, id)
}
