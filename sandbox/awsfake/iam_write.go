package awsfake

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// The IAM write calls remediation uses. They change the served state (Server.Organization shows
// it) with IAM's errors: NoSuchEntity for what does not exist, DeleteConflict for a user that
// still has attachments, LimitExceeded at IAM's quotas.

// accessKeyParam finds the key named by AccessKeyId, of the user named by UserName when given.
func accessKeyParam(req *request, x *acct) (*User, int, error) {
	id, err := param(req, "AccessKeyId")
	if err != nil {
		return nil, 0, err
	}
	var u *User
	if req.form.Get("UserName") != "" {
		if u, err = userParam(req, x); err != nil {
			return nil, 0, err
		}
	} else {
		u = x.keyOwner[id]
	}
	if u != nil {
		for i, k := range u.AccessKeys {
			if k.ID == id {
				return u, i, nil
			}
		}
	}
	return nil, 0, noSuchEntity("The Access Key with id %s cannot be found.", id)
}

func (s *Server) updateAccessKey(req *request, x *acct, w *xmlWriter) error {
	status, err := param(req, "Status")
	if err != nil {
		return err
	}
	if status != KeyActive && status != KeyInactive {
		return validationError("1 validation error detected: Value '%s' at 'status' failed to satisfy constraint: Member must satisfy enum value set: [Active, Inactive]", status)
	}
	u, i, err := accessKeyParam(req, x)
	if err != nil {
		return err
	}
	u.AccessKeys[i].Status = status
	return nil
}

func (s *Server) deleteAccessKey(req *request, x *acct, w *xmlWriter) error {
	u, i, err := accessKeyParam(req, x)
	if err != nil {
		return err
	}
	delete(x.keyOwner, u.AccessKeys[i].ID)
	u.AccessKeys = slices.Delete(u.AccessKeys, i, i+1)
	return nil
}

func (s *Server) deleteLoginProfile(req *request, x *acct, w *xmlWriter) error {
	u, err := userParam(req, x)
	if err != nil {
		return err
	}
	if !u.PasswordEnabled {
		return noSuchEntity("Login Profile for User %s cannot be found.", u.Name)
	}
	u.PasswordEnabled = false
	u.PasswordResetRequired = false
	return nil
}

func (s *Server) attachUserPolicy(req *request, x *acct, w *xmlWriter) error {
	u, err := userParam(req, x)
	if err != nil {
		return err
	}
	arn, err := param(req, "PolicyArn")
	if err != nil {
		return err
	}
	if !strings.HasPrefix(arn, "arn:aws:iam::") || !strings.Contains(arn, ":policy/") {
		return errorf(http.StatusBadRequest, "InvalidInput", "ARN %s is not valid.", arn)
	}
	if _, ok := x.policy(arn); !ok {
		return noSuchEntity("Policy %s does not exist or is not attachable.", arn)
	}
	if slices.Contains(u.AttachedPolicies, arn) {
		return nil // attaching twice is a no-op in IAM
	}
	if len(u.AttachedPolicies) >= 10 {
		return errorf(http.StatusConflict, "LimitExceeded", "Cannot exceed quota for PoliciesPerUser: 10")
	}
	u.AttachedPolicies = append(u.AttachedPolicies, arn)
	x.recount()
	return nil
}

func (s *Server) detachUserPolicy(req *request, x *acct, w *xmlWriter) error {
	u, err := userParam(req, x)
	if err != nil {
		return err
	}
	arn, err := param(req, "PolicyArn")
	if err != nil {
		return err
	}
	i := slices.Index(u.AttachedPolicies, arn)
	if i < 0 {
		return noSuchEntity("Policy %s was not found.", arn)
	}
	u.AttachedPolicies = slices.Delete(u.AttachedPolicies, i, i+1)
	x.recount()
	return nil
}

func (s *Server) putUserPolicy(req *request, x *acct, w *xmlWriter) error {
	u, err := userParam(req, x)
	if err != nil {
		return err
	}
	name, err := param(req, "PolicyName")
	if err != nil {
		return err
	}
	doc, err := param(req, "PolicyDocument")
	if err != nil {
		return err
	}
	var parsed struct {
		Statement json.RawMessage
	}
	if json.Unmarshal([]byte(doc), &parsed) != nil || len(parsed.Statement) == 0 {
		return errorf(http.StatusBadRequest, "MalformedPolicyDocument", "Syntax errors in policy.")
	}
	if u.InlinePolicies == nil {
		u.InlinePolicies = make(map[string]string)
	}
	u.InlinePolicies[name] = doc
	return nil
}

func (s *Server) deleteUserPolicy(req *request, x *acct, w *xmlWriter) error {
	u, err := userParam(req, x)
	if err != nil {
		return err
	}
	name, err := param(req, "PolicyName")
	if err != nil {
		return err
	}
	if _, ok := u.InlinePolicies[name]; !ok {
		return noSuchEntity("The user policy with name %s cannot be found.", name)
	}
	delete(u.InlinePolicies, name)
	return nil
}

func (s *Server) removeUserFromGroup(req *request, x *acct, w *xmlWriter) error {
	groupName, err := param(req, "GroupName")
	if err != nil {
		return err
	}
	g := x.group(groupName)
	if g == nil {
		return noSuchEntity("The group with name %s cannot be found.", groupName)
	}
	u, err := userParam(req, x)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(u.Groups, func(n string) bool { return strings.EqualFold(n, g.Name) })
	if i < 0 {
		return noSuchEntity("User %s is not in group %s.", u.Name, g.Name)
	}
	u.Groups = slices.Delete(u.Groups, i, i+1)
	return nil
}

func (s *Server) tagUser(req *request, x *acct, w *xmlWriter) error {
	u, err := userParam(req, x)
	if err != nil {
		return err
	}
	tags := map[string]string{}
	for i := 1; ; i++ {
		prefix := "Tags.member." + strconv.Itoa(i)
		k, ok := req.form[prefix+".Key"]
		if !ok {
			break
		}
		tags[k[0]] = req.form.Get(prefix + ".Value")
	}
	if len(tags) == 0 {
		return validationError("1 validation error detected: Value null at 'tags' failed to satisfy constraint: Member must not be null")
	}
	merged := len(u.Tags)
	for k := range tags {
		if _, ok := u.Tags[k]; !ok {
			merged++
		}
	}
	if merged > 50 {
		return errorf(http.StatusConflict, "LimitExceeded", "The number of tags has reached the maximum limit.")
	}
	if u.Tags == nil {
		u.Tags = make(map[string]string, len(tags))
	}
	for k, v := range tags {
		u.Tags[k] = v
	}
	return nil
}

func (s *Server) untagUser(req *request, x *acct, w *xmlWriter) error {
	u, err := userParam(req, x)
	if err != nil {
		return err
	}
	for _, k := range listParam(req, "TagKeys") {
		delete(u.Tags, k)
	}
	return nil
}

func (s *Server) deactivateMFADevice(req *request, x *acct, w *xmlWriter) error {
	u, err := userParam(req, x)
	if err != nil {
		return err
	}
	serial, err := param(req, "SerialNumber")
	if err != nil {
		return err
	}
	i := slices.Index(u.MFADevices, serial)
	if i < 0 {
		return noSuchEntity("MFA Device with serial number %s does not exist.", serial)
	}
	u.MFADevices = slices.Delete(u.MFADevices, i, i+1)
	if isVirtualMFASerial(serial) {
		// The virtual device outlives its assignment until DeleteVirtualMFADevice.
		x.a.UnassignedMFADevices = append(x.a.UnassignedMFADevices, serial)
	}
	return nil
}

// deleteUser refuses, as IAM does, while the user still has anything attached.
func (s *Server) deleteUser(req *request, x *acct, w *xmlWriter) error {
	u, err := userParam(req, x)
	if err != nil {
		return err
	}
	conflict := ""
	switch {
	case u.PasswordEnabled:
		conflict = "must delete login profile first"
	case len(u.AccessKeys) > 0:
		conflict = "must delete access keys first"
	case len(u.Certificates) > 0:
		conflict = "must delete signing certificates first"
	case len(u.MFADevices) > 0:
		conflict = "must delete MFA device first"
	case len(u.InlinePolicies) > 0:
		conflict = "must delete policies first"
	case len(u.AttachedPolicies) > 0:
		conflict = "must detach all policies first"
	case len(u.Groups) > 0:
		conflict = "must remove users from group first"
	}
	if conflict != "" {
		return errorf(http.StatusConflict, "DeleteConflict", "Cannot delete entity, %s.", conflict)
	}
	x.deleteUser(u)
	return nil
}
