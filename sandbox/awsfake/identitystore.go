package awsfake

import (
	"net/http"
)

func identityStoreHandlers() map[string]handler {
	return map[string]handler{
		"ListUsers":            {json: (*Server).idsListUsers},
		"ListGroups":           {json: (*Server).idsListGroups},
		"ListGroupMemberships": {json: (*Server).idsListGroupMemberships},
		"DescribeUser":         {json: (*Server).idsDescribeUser},
	}
}

type idsName struct {
	Formatted  string `json:"Formatted,omitempty"`
	GivenName  string `json:"GivenName,omitempty"`
	FamilyName string `json:"FamilyName,omitempty"`
}

type idsEmail struct {
	Value   string `json:"Value"`
	Type    string `json:"Type,omitempty"`
	Primary bool   `json:"Primary"`
}

type idsExternalID struct {
	Issuer string `json:"Issuer"`
	ID     string `json:"Id"`
}

type idsUser struct {
	IdentityStoreID string          `json:"IdentityStoreId"`
	UserID          string          `json:"UserId"`
	UserName        string          `json:"UserName"`
	DisplayName     string          `json:"DisplayName,omitempty"`
	Name            *idsName        `json:"Name,omitempty"`
	Emails          []idsEmail      `json:"Emails,omitempty"`
	ExternalIDs     []idsExternalID `json:"ExternalIds,omitempty"`
	UserStatus      string          `json:"UserStatus,omitempty"`
}

type idsGroup struct {
	IdentityStoreID string          `json:"IdentityStoreId"`
	GroupID         string          `json:"GroupId"`
	DisplayName     string          `json:"DisplayName,omitempty"`
	Description     string          `json:"Description,omitempty"`
	ExternalIDs     []idsExternalID `json:"ExternalIds,omitempty"`
}

type idsMembership struct {
	IdentityStoreID string            `json:"IdentityStoreId"`
	MembershipID    string            `json:"MembershipId"`
	GroupID         string            `json:"GroupId"`
	MemberID        map[string]string `json:"MemberId"`
}

type idsFilter struct {
	AttributePath  string
	AttributeValue string
}

type idsIn struct {
	IdentityStoreID string `json:"IdentityStoreId"`
	UserID          string `json:"UserId"`
	GroupID         string `json:"GroupId"`
	Filters         []idsFilter
	NextToken       *string
	MaxResults      *int
}

func idsNotFound(resourceType, id, format string, args ...any) *apiError {
	e := errorf(http.StatusNotFound, "ResourceNotFoundException", format, args...)
	e.fields = map[string]string{"ResourceType": resourceType, "ResourceId": id}
	return e
}

// idsRequest decodes an identity store request and checks its IdentityStoreId.
func (s *Server) idsRequest(req *request) (*ssoIndex, idsIn, error) {
	var in idsIn
	if err := decodeJSON(req, &in); err != nil {
		return nil, in, err
	}
	if in.IdentityStoreID == "" {
		return nil, in, jsonValidation(req, "1 validation error detected: Value null at 'identityStoreId' failed to satisfy constraint: Member must not be null")
	}
	x := s.w.sso
	if req.account != s.w.org.ManagementAccount || x == nil {
		return nil, in, accessDenied(req, "arn:aws:identitystore::"+req.account+":identitystore/"+in.IdentityStoreID)
	}
	if in.IdentityStoreID != x.ic.IdentityStoreID {
		return nil, in, idsNotFound("IDENTITY_STORE", in.IdentityStoreID, "Identity store %s does not exist.", in.IdentityStoreID)
	}
	return x, in, nil
}

// filterValue returns the value of the only supported filter attribute, if any.
func filterValue(req *request, filters []idsFilter, attribute string) (string, bool, error) {
	if len(filters) == 0 {
		return "", false, nil
	}
	if len(filters) > 1 || filters[0].AttributePath != attribute {
		return "", false, jsonValidation(req, "Filtering is supported only on the %s attribute.", attribute)
	}
	return filters[0].AttributeValue, true, nil
}

func (x *ssoIndex) userOut(u *SSOUser) idsUser {
	out := idsUser{
		IdentityStoreID: x.ic.IdentityStoreID, UserID: u.ID, UserName: u.UserName,
		DisplayName: u.DisplayName, UserStatus: u.Status,
	}
	if u.GivenName != "" || u.FamilyName != "" {
		formatted := u.GivenName
		if u.FamilyName != "" {
			if formatted != "" {
				formatted += " "
			}
			formatted += u.FamilyName
		}
		out.Name = &idsName{Formatted: formatted, GivenName: u.GivenName, FamilyName: u.FamilyName}
	}
	for _, e := range u.Emails {
		out.Emails = append(out.Emails, idsEmail(e))
	}
	for _, e := range u.ExternalIDs {
		out.ExternalIDs = append(out.ExternalIDs, idsExternalID(e))
	}
	return out
}

func (s *Server) idsListUsers(req *request, _ *acct) (any, error) {
	x, in, err := s.idsRequest(req)
	if err != nil {
		return nil, err
	}
	name, filtered, err := filterValue(req, in.Filters, "UserName")
	if err != nil {
		return nil, err
	}
	users := x.ic.Users
	if filtered {
		users = nil
		for _, u := range x.ic.Users {
			if u.UserName == name {
				users = append(users, u)
			}
		}
	}
	start, end, next, err := pageBounds(req, len(users), in.MaxResults, ssoPageMax, ssoPageMax, in.NextToken)
	if err != nil {
		return nil, err
	}
	out := make([]idsUser, 0, end-start)
	for _, u := range users[start:end] {
		out = append(out, x.userOut(u))
	}
	return listOut("Users", out, next), nil
}

func (s *Server) idsListGroups(req *request, _ *acct) (any, error) {
	x, in, err := s.idsRequest(req)
	if err != nil {
		return nil, err
	}
	name, filtered, err := filterValue(req, in.Filters, "DisplayName")
	if err != nil {
		return nil, err
	}
	groups := x.ic.Groups
	if filtered {
		groups = nil
		for _, g := range x.ic.Groups {
			if g.DisplayName == name {
				groups = append(groups, g)
			}
		}
	}
	start, end, next, err := pageBounds(req, len(groups), in.MaxResults, ssoPageMax, ssoPageMax, in.NextToken)
	if err != nil {
		return nil, err
	}
	out := make([]idsGroup, 0, end-start)
	for _, g := range groups[start:end] {
		og := idsGroup{IdentityStoreID: x.ic.IdentityStoreID, GroupID: g.ID, DisplayName: g.DisplayName, Description: g.Description}
		for _, e := range g.ExternalIDs {
			og.ExternalIDs = append(og.ExternalIDs, idsExternalID(e))
		}
		out = append(out, og)
	}
	return listOut("Groups", out, next), nil
}

func (s *Server) idsListGroupMemberships(req *request, _ *acct) (any, error) {
	x, in, err := s.idsRequest(req)
	if err != nil {
		return nil, err
	}
	if x.groupByID[in.GroupID] == nil {
		return nil, idsNotFound("GROUP", in.GroupID, "Group %s does not exist.", in.GroupID)
	}
	ms := x.membersByGroup[in.GroupID]
	start, end, next, err := pageBounds(req, len(ms), in.MaxResults, ssoPageMax, ssoPageMax, in.NextToken)
	if err != nil {
		return nil, err
	}
	out := make([]idsMembership, 0, end-start)
	for _, m := range ms[start:end] {
		out = append(out, idsMembership{
			IdentityStoreID: x.ic.IdentityStoreID, MembershipID: m.ID, GroupID: m.GroupID,
			MemberID: map[string]string{"UserId": m.UserID},
		})
	}
	return listOut("GroupMemberships", out, next), nil
}

func (s *Server) idsDescribeUser(req *request, _ *acct) (any, error) {
	x, in, err := s.idsRequest(req)
	if err != nil {
		return nil, err
	}
	u := x.userByID[in.UserID]
	if u == nil {
		return nil, idsNotFound("USER", in.UserID, "User %s does not exist.", in.UserID)
	}
	return x.userOut(u), nil
}
