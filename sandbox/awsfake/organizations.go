package awsfake

import (
	"net/http"
)

func organizationsHandlers() map[string]handler {
	return map[string]handler{
		"DescribeOrganization":             {json: (*Server).describeOrganization},
		"ListRoots":                        {json: (*Server).listRoots},
		"ListOrganizationalUnitsForParent": {json: (*Server).listOrganizationalUnitsForParent},
		"ListAccountsForParent":            {json: (*Server).listAccountsForParent},
		"ListAccounts":                     {json: (*Server).listAccounts},
		"ListParents":                      {json: (*Server).listParents},
		"DescribeOrganizationalUnit":       {json: (*Server).describeOrganizationalUnit},
	}
}

// Organizations' list calls return at most 20 items per page.
const orgPageMax = 20

type orgPolicyType struct {
	Type   string `json:"Type"`
	Status string `json:"Status"`
}

var orgPolicyTypes = []orgPolicyType{{Type: "SERVICE_CONTROL_POLICY", Status: "ENABLED"}}

type orgOrganization struct {
	ID                   string          `json:"Id"`
	Arn                  string          `json:"Arn"`
	FeatureSet           string          `json:"FeatureSet"`
	MasterAccountArn     string          `json:"MasterAccountArn"`
	MasterAccountID      string          `json:"MasterAccountId"`
	MasterAccountEmail   string          `json:"MasterAccountEmail"`
	AvailablePolicyTypes []orgPolicyType `json:"AvailablePolicyTypes"`
}

type orgRoot struct {
	ID          string          `json:"Id"`
	Arn         string          `json:"Arn"`
	Name        string          `json:"Name"`
	PolicyTypes []orgPolicyType `json:"PolicyTypes"`
}

type orgOU struct {
	ID   string `json:"Id"`
	Arn  string `json:"Arn"`
	Name string `json:"Name"`
}

type orgAccount struct {
	ID              string `json:"Id"`
	Arn             string `json:"Arn"`
	Email           string `json:"Email"`
	Name            string `json:"Name"`
	Status          string `json:"Status"`
	State           string `json:"State"`
	JoinedMethod    string `json:"JoinedMethod"`
	JoinedTimestamp *epoch `json:"JoinedTimestamp,omitempty"`
}

type orgParent struct {
	ID   string `json:"Id"`
	Type string `json:"Type"`
}

// orgsGuard rejects calls made from a member account: only the management account may list the
// organization.
func (s *Server) orgsGuard(req *request) error {
	if req.account != s.w.org.ManagementAccount {
		return &apiError{status: http.StatusForbidden, code: "AccessDeniedException", msg: "You don't have permissions to access this resource."}
	}
	return nil
}

func (s *Server) orgARN(kind, id string) string {
	org := s.w.org
	if kind == "organization" {
		return "arn:aws:organizations::" + org.ManagementAccount + ":organization/" + org.ID
	}
	return "arn:aws:organizations::" + org.ManagementAccount + ":" + kind + "/" + org.ID + "/" + id
}

func (s *Server) orgAccountOut(id string) orgAccount {
	a := s.w.accounts[id].a
	state := a.Status
	return orgAccount{
		ID: a.ID, Arn: s.orgARN("account", a.ID), Email: a.Email, Name: a.Name,
		Status: a.Status, State: state, JoinedMethod: a.JoinedMethod, JoinedTimestamp: epochPtr(a.Joined),
	}
}

func (s *Server) describeOrganization(req *request, _ *acct) (any, error) {
	org := s.w.org
	mgmt := s.w.accounts[org.ManagementAccount]
	if mgmt == nil {
		return nil, errorf(http.StatusNotFound, "AWSOrganizationsNotInUseException", "Your account is not a member of an organization.")
	}
	return map[string]any{"Organization": orgOrganization{
		ID: org.ID, Arn: s.orgARN("organization", ""), FeatureSet: "ALL",
		MasterAccountArn: s.orgARN("account", org.ManagementAccount), MasterAccountID: org.ManagementAccount,
		MasterAccountEmail: mgmt.a.Email, AvailablePolicyTypes: orgPolicyTypes,
	}}, nil
}

type orgPageIn struct {
	NextToken  *string
	MaxResults *int
}

func (s *Server) listRoots(req *request, _ *acct) (any, error) {
	if err := s.orgsGuard(req); err != nil {
		return nil, err
	}
	var in orgPageIn
	if err := decodeJSON(req, &in); err != nil {
		return nil, err
	}
	start, end, next, err := pageBounds(req, 1, in.MaxResults, orgPageMax, orgPageMax, in.NextToken)
	if err != nil {
		return nil, err
	}
	roots := []orgRoot{{ID: s.w.root.id, Arn: s.orgARN("root", s.w.root.id), Name: "Root", PolicyTypes: orgPolicyTypes}}
	return listOut("Roots", roots[start:end], next), nil
}

func (s *Server) parentParam(req *request, id string) (*ouNode, error) {
	if id == "" {
		return nil, jsonValidation(req, "You provided a value that does not match the required pattern for ParentId.")
	}
	n := s.w.ous[id]
	if n == nil {
		return nil, errorf(http.StatusNotFound, "ParentNotFoundException", "We can't find a root or OU with the ParentId that you specified.")
	}
	return n, nil
}

func (s *Server) listOrganizationalUnitsForParent(req *request, _ *acct) (any, error) {
	if err := s.orgsGuard(req); err != nil {
		return nil, err
	}
	var in struct {
		orgPageIn
		ParentID string `json:"ParentId"`
	}
	if err := decodeJSON(req, &in); err != nil {
		return nil, err
	}
	n, err := s.parentParam(req, in.ParentID)
	if err != nil {
		return nil, err
	}
	start, end, next, err := pageBounds(req, len(n.children), in.MaxResults, orgPageMax, orgPageMax, in.NextToken)
	if err != nil {
		return nil, err
	}
	out := make([]orgOU, 0, end-start)
	for _, c := range n.children[start:end] {
		out = append(out, orgOU{ID: c.id, Arn: s.orgARN("ou", c.id), Name: c.name})
	}
	return listOut("OrganizationalUnits", out, next), nil
}

func (s *Server) listAccountsForParent(req *request, _ *acct) (any, error) {
	if err := s.orgsGuard(req); err != nil {
		return nil, err
	}
	var in struct {
		orgPageIn
		ParentID string `json:"ParentId"`
	}
	if err := decodeJSON(req, &in); err != nil {
		return nil, err
	}
	n, err := s.parentParam(req, in.ParentID)
	if err != nil {
		return nil, err
	}
	start, end, next, err := pageBounds(req, len(n.accounts), in.MaxResults, orgPageMax, orgPageMax, in.NextToken)
	if err != nil {
		return nil, err
	}
	out := make([]orgAccount, 0, end-start)
	for _, id := range n.accounts[start:end] {
		out = append(out, s.orgAccountOut(id))
	}
	return listOut("Accounts", out, next), nil
}

func (s *Server) listAccounts(req *request, _ *acct) (any, error) {
	if err := s.orgsGuard(req); err != nil {
		return nil, err
	}
	var in orgPageIn
	if err := decodeJSON(req, &in); err != nil {
		return nil, err
	}
	start, end, next, err := pageBounds(req, len(s.w.acctIDs), in.MaxResults, orgPageMax, orgPageMax, in.NextToken)
	if err != nil {
		return nil, err
	}
	out := make([]orgAccount, 0, end-start)
	for _, id := range s.w.acctIDs[start:end] {
		out = append(out, s.orgAccountOut(id))
	}
	return listOut("Accounts", out, next), nil
}

func (s *Server) listParents(req *request, _ *acct) (any, error) {
	if err := s.orgsGuard(req); err != nil {
		return nil, err
	}
	var in struct {
		orgPageIn
		ChildID string `json:"ChildId"`
	}
	if err := decodeJSON(req, &in); err != nil {
		return nil, err
	}
	var parent *ouNode
	if n := s.w.ous[in.ChildID]; n != nil && n.parent != nil {
		parent = n.parent
	} else if p := s.w.acctParent[in.ChildID]; p != nil {
		parent = p
	}
	if parent == nil {
		return nil, errorf(http.StatusNotFound, "ChildNotFoundException", "We can't find an organizational unit (OU) or AWS account with the ChildId that you specified.")
	}
	start, end, next, err := pageBounds(req, 1, in.MaxResults, orgPageMax, orgPageMax, in.NextToken)
	if err != nil {
		return nil, err
	}
	typ := "ORGANIZATIONAL_UNIT"
	if parent == s.w.root {
		typ = "ROOT"
	}
	parents := []orgParent{{ID: parent.id, Type: typ}}
	return listOut("Parents", parents[start:end], next), nil
}

func (s *Server) describeOrganizationalUnit(req *request, _ *acct) (any, error) {
	if err := s.orgsGuard(req); err != nil {
		return nil, err
	}
	var in struct {
		OrganizationalUnitID string `json:"OrganizationalUnitId"`
	}
	if err := decodeJSON(req, &in); err != nil {
		return nil, err
	}
	n := s.w.ous[in.OrganizationalUnitID]
	if n == nil || n == s.w.root {
		return nil, errorf(http.StatusNotFound, "OrganizationalUnitNotFoundException", "We can't find an OU with the OrganizationalUnitId that you specified.")
	}
	return map[string]any{"OrganizationalUnit": orgOU{ID: n.id, Arn: s.orgARN("ou", n.id), Name: n.name}}, nil
}
