package awsfake

import (
	"net/http"
	"strings"
)

func ssoHandlers() map[string]handler {
	return map[string]handler{
		"ListInstances":                           {json: (*Server).listInstances},
		"ListPermissionSets":                      {json: (*Server).listPermissionSets},
		"DescribePermissionSet":                   {json: (*Server).describePermissionSet},
		"ListManagedPoliciesInPermissionSet":      {json: (*Server).listManagedPoliciesInPermissionSet},
		"GetInlinePolicyForPermissionSet":         {json: (*Server).getInlinePolicyForPermissionSet},
		"ListAccountsForProvisionedPermissionSet": {json: (*Server).listAccountsForProvisionedPermissionSet},
		"ListPermissionSetsProvisionedToAccount":  {json: (*Server).listPermissionSetsProvisionedToAccount},
		"ListAccountAssignments":                  {json: (*Server).listAccountAssignments},
		"ListCustomerManagedPolicyReferencesInPermissionSet": {
			json: (*Server).listCustomerManagedPolicyReferencesInPermissionSet,
		},
	}
}

// SSO admin and identity store list calls return at most 100 items per page.
const ssoPageMax = 100

type ssoInstance struct {
	InstanceArn     string `json:"InstanceArn"`
	IdentityStoreID string `json:"IdentityStoreId"`
	OwnerAccountID  string `json:"OwnerAccountId"`
	Name            string `json:"Name,omitempty"`
	CreatedDate     *epoch `json:"CreatedDate,omitempty"`
	Status          string `json:"Status"`
}

type ssoPermissionSet struct {
	Name             string `json:"Name"`
	PermissionSetArn string `json:"PermissionSetArn"`
	Description      string `json:"Description,omitempty"`
	CreatedDate      *epoch `json:"CreatedDate,omitempty"`
	SessionDuration  string `json:"SessionDuration"`
}

type ssoNameArn struct {
	Name string `json:"Name"`
	Arn  string `json:"Arn"`
}

type ssoPolicyRef struct {
	Name string `json:"Name"`
	Path string `json:"Path"`
}

type ssoAssignment struct {
	AccountID        string `json:"AccountId"`
	PermissionSetArn string `json:"PermissionSetArn"`
	PrincipalType    string `json:"PrincipalType"`
	PrincipalID      string `json:"PrincipalId"`
}

type ssoIn struct {
	InstanceArn      string
	PermissionSetArn string
	AccountID        string `json:"AccountId"`
	NextToken        *string
	MaxResults       *int
}

func ssoNotFound(format string, args ...any) *apiError {
	return errorf(http.StatusNotFound, "ResourceNotFoundException", format, args...)
}

// ssoRequest decodes an SSO admin request and checks that it names this organization's
// instance, called from the management account (Identity Center lives there).
func (s *Server) ssoRequest(req *request) (*ssoIndex, ssoIn, error) {
	var in ssoIn
	if err := decodeJSON(req, &in); err != nil {
		return nil, in, err
	}
	if in.InstanceArn == "" {
		return nil, in, jsonValidation(req, "1 validation error detected: Value null at 'instanceArn' failed to satisfy constraint: Member must not be null")
	}
	if !strings.HasPrefix(in.InstanceArn, "arn:aws:sso:::instance/") {
		return nil, in, jsonValidation(req, "The instance ARN %s is not valid.", in.InstanceArn)
	}
	x := s.w.sso
	if req.account != s.w.org.ManagementAccount || x == nil {
		return nil, in, accessDenied(req, in.InstanceArn)
	}
	if in.InstanceArn != x.ic.InstanceArn {
		return nil, in, ssoNotFound("Instance %s does not exist.", in.InstanceArn)
	}
	return x, in, nil
}

func (x *ssoIndex) permissionSet(req *request, arn string) (*PermissionSet, error) {
	if arn == "" {
		return nil, jsonValidation(req, "1 validation error detected: Value null at 'permissionSetArn' failed to satisfy constraint: Member must not be null")
	}
	ps := x.psByArn[arn]
	if ps == nil {
		return nil, ssoNotFound("Could not find PermissionSet with arn %s.", arn)
	}
	return ps, nil
}

func (s *Server) listInstances(req *request, _ *acct) (any, error) {
	var in struct {
		NextToken  *string
		MaxResults *int
	}
	if err := decodeJSON(req, &in); err != nil {
		return nil, err
	}
	all := []ssoInstance{}
	if x := s.w.sso; x != nil && req.account == s.w.org.ManagementAccount {
		all = append(all, ssoInstance{
			InstanceArn: x.ic.InstanceArn, IdentityStoreID: x.ic.IdentityStoreID,
			OwnerAccountID: s.w.org.ManagementAccount, Name: x.ic.Name,
			CreatedDate: epochPtr(x.ic.Created), Status: "ACTIVE",
		})
	}
	start, end, next, err := pageBounds(req, len(all), in.MaxResults, ssoPageMax, ssoPageMax, in.NextToken)
	if err != nil {
		return nil, err
	}
	return listOut("Instances", all[start:end], next), nil
}

func (s *Server) listPermissionSets(req *request, _ *acct) (any, error) {
	x, in, err := s.ssoRequest(req)
	if err != nil {
		return nil, err
	}
	start, end, next, err := pageBounds(req, len(x.psArns), in.MaxResults, ssoPageMax, ssoPageMax, in.NextToken)
	if err != nil {
		return nil, err
	}
	return listOut("PermissionSets", nonNil(x.psArns[start:end]), next), nil
}

func (s *Server) describePermissionSet(req *request, _ *acct) (any, error) {
	x, in, err := s.ssoRequest(req)
	if err != nil {
		return nil, err
	}
	ps, err := x.permissionSet(req, in.PermissionSetArn)
	if err != nil {
		return nil, err
	}
	return map[string]any{"PermissionSet": ssoPermissionSet{
		Name: ps.Name, PermissionSetArn: ps.Arn, Description: ps.Description,
		CreatedDate: epochPtr(ps.Created), SessionDuration: ps.SessionDuration,
	}}, nil
}

func (s *Server) listManagedPoliciesInPermissionSet(req *request, _ *acct) (any, error) {
	x, in, err := s.ssoRequest(req)
	if err != nil {
		return nil, err
	}
	ps, err := x.permissionSet(req, in.PermissionSetArn)
	if err != nil {
		return nil, err
	}
	start, end, next, err := pageBounds(req, len(ps.ManagedPolicies), in.MaxResults, ssoPageMax, ssoPageMax, in.NextToken)
	if err != nil {
		return nil, err
	}
	out := make([]ssoNameArn, 0, end-start)
	for _, arn := range ps.ManagedPolicies[start:end] {
		out = append(out, ssoNameArn{Name: policyNameFromARN(arn), Arn: arn})
	}
	return listOut("AttachedManagedPolicies", out, next), nil
}

func (s *Server) getInlinePolicyForPermissionSet(req *request, _ *acct) (any, error) {
	x, in, err := s.ssoRequest(req)
	if err != nil {
		return nil, err
	}
	ps, err := x.permissionSet(req, in.PermissionSetArn)
	if err != nil {
		return nil, err
	}
	return map[string]any{"InlinePolicy": ps.InlinePolicy}, nil
}

func (s *Server) listCustomerManagedPolicyReferencesInPermissionSet(req *request, _ *acct) (any, error) {
	x, in, err := s.ssoRequest(req)
	if err != nil {
		return nil, err
	}
	ps, err := x.permissionSet(req, in.PermissionSetArn)
	if err != nil {
		return nil, err
	}
	start, end, next, err := pageBounds(req, len(ps.CustomerManagedPolicies), in.MaxResults, ssoPageMax, ssoPageMax, in.NextToken)
	if err != nil {
		return nil, err
	}
	out := make([]ssoPolicyRef, 0, end-start)
	for _, r := range ps.CustomerManagedPolicies[start:end] {
		out = append(out, ssoPolicyRef(r))
	}
	return listOut("CustomerManagedPolicyReferences", out, next), nil
}

func (s *Server) listAccountsForProvisionedPermissionSet(req *request, _ *acct) (any, error) {
	x, in, err := s.ssoRequest(req)
	if err != nil {
		return nil, err
	}
	ps, err := x.permissionSet(req, in.PermissionSetArn)
	if err != nil {
		return nil, err
	}
	ids := x.accountsByPS[ps.Arn]
	start, end, next, err := pageBounds(req, len(ids), in.MaxResults, ssoPageMax, ssoPageMax, in.NextToken)
	if err != nil {
		return nil, err
	}
	return listOut("AccountIds", nonNil(ids[start:end]), next), nil
}

func (s *Server) listPermissionSetsProvisionedToAccount(req *request, _ *acct) (any, error) {
	x, in, err := s.ssoRequest(req)
	if err != nil {
		return nil, err
	}
	if !isAccountID(in.AccountID) {
		return nil, jsonValidation(req, "1 validation error detected: Value '%s' at 'accountId' failed to satisfy constraint: Member must satisfy regular expression pattern: \\d{12}", in.AccountID)
	}
	arns := x.psByAccount[in.AccountID]
	start, end, next, err := pageBounds(req, len(arns), in.MaxResults, ssoPageMax, ssoPageMax, in.NextToken)
	if err != nil {
		return nil, err
	}
	return listOut("PermissionSets", nonNil(arns[start:end]), next), nil
}

func (s *Server) listAccountAssignments(req *request, _ *acct) (any, error) {
	x, in, err := s.ssoRequest(req)
	if err != nil {
		return nil, err
	}
	if !isAccountID(in.AccountID) {
		return nil, jsonValidation(req, "1 validation error detected: Value '%s' at 'accountId' failed to satisfy constraint: Member must satisfy regular expression pattern: \\d{12}", in.AccountID)
	}
	ps, err := x.permissionSet(req, in.PermissionSetArn)
	if err != nil {
		return nil, err
	}
	as := x.assignments[[2]string{in.AccountID, ps.Arn}]
	start, end, next, err := pageBounds(req, len(as), in.MaxResults, ssoPageMax, ssoPageMax, in.NextToken)
	if err != nil {
		return nil, err
	}
	out := make([]ssoAssignment, 0, end-start)
	for _, a := range as[start:end] {
		out = append(out, ssoAssignment(a))
	}
	return listOut("AccountAssignments", out, next), nil
}

// nonNil makes an empty list encode as [] rather than null.
func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
