package scim

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// Schema URNs (RFC 7643).
const (
	SchemaUser           = "urn:ietf:params:scim:schemas:core:2.0:User"
	SchemaGroup          = "urn:ietf:params:scim:schemas:core:2.0:Group"
	SchemaEnterpriseUser = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
	SchemaListResponse   = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
	SchemaError          = "urn:ietf:params:scim:api:messages:2.0:Error"
)

// User is the part of a SCIM User resource (RFC 7643 §4.1, with the enterprise extension of
// §4.3) that Provost reads. Attribute names match case-insensitively, as the RFC requires.
type User struct {
	ID          string     `json:"id"`
	ExternalID  string     `json:"externalId"`
	UserName    string     `json:"userName"`
	Name        Name       `json:"name"`
	DisplayName string     `json:"displayName"`
	Title       string     `json:"title"`
	UserType    string     `json:"userType"`
	Active      *flexBool  `json:"active"`
	Emails      []Email    `json:"emails"`
	Groups      []Ref      `json:"groups"`
	Meta        Meta       `json:"meta"`
	Enterprise  Enterprise `json:"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"`
	// raw keeps every attribute for Options.StatusAttribute.
	raw map[string]any
}

// IsActive reports the "active" attribute; a user without one is active (RFC 7643 makes it
// optional and services that omit it do not disable users).
func (u *User) IsActive() bool { return u.Active == nil || bool(*u.Active) }

// Name is a user's structured name.
type Name struct {
	Formatted  string `json:"formatted"`
	GivenName  string `json:"givenName"`
	FamilyName string `json:"familyName"`
}

// Email is one of a user's emails.
type Email struct {
	Value   string   `json:"value"`
	Type    string   `json:"type"`
	Primary flexBool `json:"primary"`
}

// Ref is a reference to another resource: a group membership, a group member, a manager.
type Ref struct {
	Value   string `json:"value"`
	Display string `json:"display"`
	Type    string `json:"type"`
}

// Meta is a resource's metadata.
type Meta struct {
	Created      flexTime `json:"created"`
	LastModified flexTime `json:"lastModified"`
}

// Enterprise is the enterprise User extension.
type Enterprise struct {
	EmployeeNumber string     `json:"employeeNumber"`
	Department     string     `json:"department"`
	Organization   string     `json:"organization"`
	Division       string     `json:"division"`
	CostCenter     string     `json:"costCenter"`
	Manager        managerRef `json:"manager"`
}

// Group is the part of a SCIM Group resource Provost reads.
type Group struct {
	ID          string `json:"id"`
	ExternalID  string `json:"externalId"`
	DisplayName string `json:"displayName"`
	Members     []Ref  `json:"members"`
	Meta        Meta   `json:"meta"`
}

// listResponse is a page of a list (RFC 7644 §3.4.2).
type listResponse struct {
	TotalResults flexInt           `json:"totalResults"`
	StartIndex   flexInt           `json:"startIndex"`
	ItemsPerPage flexInt           `json:"itemsPerPage"`
	Resources    []json.RawMessage `json:"Resources"`
}

// errorResponse is a SCIM error (RFC 7644 §3.12).
type errorResponse struct {
	Status   flexString `json:"status"`
	ScimType string     `json:"scimType"`
	Detail   string     `json:"detail"`
}

// DecodeUser decodes one User resource. Values of the wrong JSON type are errors naming the
// attribute; unknown attributes are ignored.
func DecodeUser(data []byte) (User, error) {
	var u User
	if err := decodeStrict(data, &u); err != nil {
		return User{}, err
	}
	if err := json.Unmarshal(data, &u.raw); err != nil {
		return User{}, err
	}
	if strings.TrimSpace(u.ID) == "" {
		return User{}, errors.New(`the user has no "id"`)
	}
	return u, nil
}

// DecodeGroup decodes one Group resource.
func DecodeGroup(data []byte) (Group, error) {
	var g Group
	if err := decodeStrict(data, &g); err != nil {
		return Group{}, err
	}
	if strings.TrimSpace(g.ID) == "" {
		return Group{}, errors.New(`the group has no "id"`)
	}
	return g, nil
}

// decodeStrict unmarshals and names the attribute of a type mismatch.
func decodeStrict(data []byte, v any) error {
	err := json.Unmarshal(data, v)
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Errorf("attribute %q is a JSON %s, want %s", te.Field, te.Value, te.Type)
	}
	return err
}

// Attribute returns the string value of an attribute path of the user: "userType", "name.givenName",
// or "<schema URN>:<attribute>" for an extension ("urn:...:enterprise:2.0:User:employeeType").
// Matching ignores case. ok is false when the user has no such scalar attribute.
func (u *User) Attribute(path string) (string, bool) {
	obj := u.raw
	if i := strings.LastIndex(path, ":"); strings.HasPrefix(strings.ToLower(path), "urn:") && i > 0 {
		ext, ok := lookupFold(obj, path[:i])
		if !ok {
			return "", false
		}
		m, ok := ext.(map[string]any)
		if !ok {
			return "", false
		}
		obj, path = m, path[i+1:]
	}
	parts := strings.Split(path, ".")
	var cur any = obj
	for _, p := range parts {
		m, ok := cur.(map[string]any)
		if !ok {
			return "", false
		}
		if cur, ok = lookupFold(m, p); !ok {
			return "", false
		}
	}
	switch v := cur.(type) {
	case string:
		return v, true
	case bool:
		return strconv.FormatBool(v), true
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64), true
	}
	return "", false
}

func lookupFold(m map[string]any, key string) (any, bool) {
	if v, ok := m[key]; ok {
		return v, true
	}
	for k, v := range m {
		if strings.EqualFold(k, key) {
			return v, true
		}
	}
	return nil, false
}

var (
	typeOfBool   = reflect.TypeFor[bool]()
	typeOfInt    = reflect.TypeFor[int]()
	typeOfString = reflect.TypeFor[string]()
	typeOfTime   = reflect.TypeFor[time.Time]()
)

// flexBool accepts true/false and the strings "true"/"false" some services send.
type flexBool bool

func (b *flexBool) UnmarshalJSON(data []byte) error {
	s := string(bytes.TrimSpace(data))
	switch strings.ToLower(strings.Trim(s, `"`)) {
	case "true":
		*b = true
	case "false", "null", "":
		*b = false
	default:
		return &json.UnmarshalTypeError{Value: "value " + s, Type: typeOfBool}
	}
	return nil
}

// flexInt accepts a number or a numeric string.
type flexInt int

func (n *flexInt) UnmarshalJSON(data []byte) error {
	s := strings.Trim(string(bytes.TrimSpace(data)), `"`)
	if s == "null" || s == "" {
		*n = 0
		return nil
	}
	v, err := strconv.Atoi(s)
	if err != nil {
		return &json.UnmarshalTypeError{Value: "value " + string(data), Type: typeOfInt}
	}
	*n = flexInt(v)
	return nil
}

// flexString accepts a string or a number (scimmy sends error statuses as strings, others as
// numbers).
type flexString string

func (s *flexString) UnmarshalJSON(data []byte) error {
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		return err
	}
	switch v := v.(type) {
	case string:
		*s = flexString(v)
	case float64:
		*s = flexString(strconv.FormatFloat(v, 'f', -1, 64))
	case nil:
		*s = ""
	default:
		return &json.UnmarshalTypeError{Value: "value " + string(data), Type: typeOfString}
	}
	return nil
}

// flexTime accepts RFC 3339 times; an empty or missing value is the zero time.
type flexTime time.Time

func (t *flexTime) UnmarshalJSON(data []byte) error {
	var s *string
	if err := json.Unmarshal(data, &s); err != nil {
		return &json.UnmarshalTypeError{Value: "value " + string(data), Type: typeOfTime}
	}
	if s == nil || *s == "" {
		*t = flexTime{}
		return nil
	}
	v, err := time.Parse(time.RFC3339Nano, *s)
	if err != nil {
		return &json.UnmarshalTypeError{Value: fmt.Sprintf("string %q", *s), Type: typeOfTime}
	}
	*t = flexTime(v.UTC())
	return nil
}

// managerRef accepts the RFC's {"value": ...} and a bare string ID.
type managerRef struct {
	Value       string `json:"value"`
	DisplayName string `json:"displayName"`
}

func (m *managerRef) UnmarshalJSON(data []byte) error {
	var s *string
	if err := json.Unmarshal(data, &s); err == nil {
		if s != nil {
			*m = managerRef{Value: *s}
		}
		return nil
	}
	type plain managerRef
	var p plain
	if err := json.Unmarshal(data, &p); err != nil {
		return err
	}
	*m = managerRef(p)
	return nil
}
