package awsiam

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/provost-dev/provost/inventory"
)

// Policy is a parsed IAM identity policy document: only what privilege computation needs.
type Policy struct {
	Version    string
	Statements []Statement
}

// Statement is one statement of a policy. Exactly one of Action/NotAction and at most one of
// Resource/NotResource is set; the Not* flags say which.
type Statement struct {
	Sid    string
	Effect string // "Allow" or "Deny"
	// Actions holds the Action or, when NotAction is true, the NotAction patterns.
	Actions   []string
	NotAction bool
	// Resources holds the Resource or, when NotResource is true, the NotResource patterns.
	Resources   []string
	NotResource bool
	// Conditional is true when the statement has a Condition block.
	Conditional bool
}

// rawPolicy and rawStatement mirror the JSON grammar; values that may be a string or an array
// are decoded by stringList.
type rawPolicy struct {
	Version   string          `json:"Version"`
	Statement json.RawMessage `json:"Statement"`
}

type rawStatement struct {
	Sid         string          `json:"Sid"`
	Effect      string          `json:"Effect"`
	Action      json.RawMessage `json:"Action"`
	NotAction   json.RawMessage `json:"NotAction"`
	Resource    json.RawMessage `json:"Resource"`
	NotResource json.RawMessage `json:"NotResource"`
	Condition   json.RawMessage `json:"Condition"`
}

// ParsePolicy parses an IAM policy document (plain JSON, not URL-encoded). Statement may be one
// object or an array; Action, NotAction, Resource and NotResource may be a string or an array of
// strings. It returns an error naming the statement and key for anything else.
func ParsePolicy(doc string) (*Policy, error) {
	var raw rawPolicy
	if err := json.Unmarshal([]byte(doc), &raw); err != nil {
		return nil, fmt.Errorf("parse policy: %w", err)
	}
	p := &Policy{Version: raw.Version}
	stmts, err := statementList(raw.Statement)
	if err != nil {
		return nil, err
	}
	for i, rs := range stmts {
		s, err := parseStatement(rs)
		if err != nil {
			return nil, fmt.Errorf("parse policy: statement %d: %w", i, err)
		}
		p.Statements = append(p.Statements, s)
	}
	return p, nil
}

func statementList(msg json.RawMessage) ([]rawStatement, error) {
	msg = bytes.TrimSpace(msg)
	if len(msg) == 0 || bytes.Equal(msg, []byte("null")) {
		return nil, errors.New("parse policy: missing Statement")
	}
	if msg[0] == '{' {
		var one rawStatement
		if err := json.Unmarshal(msg, &one); err != nil {
			return nil, fmt.Errorf("parse policy: Statement: %w", err)
		}
		return []rawStatement{one}, nil
	}
	var many []rawStatement
	if err := json.Unmarshal(msg, &many); err != nil {
		return nil, fmt.Errorf("parse policy: Statement must be an object or an array of objects: %w", err)
	}
	return many, nil
}

func parseStatement(rs rawStatement) (Statement, error) {
	s := Statement{Sid: rs.Sid, Effect: rs.Effect}
	if s.Effect != "Allow" && s.Effect != "Deny" {
		return s, fmt.Errorf("Effect %q: want \"Allow\" or \"Deny\"", rs.Effect)
	}
	var err error
	switch {
	case present(rs.Action) && present(rs.NotAction):
		return s, errors.New("both Action and NotAction are set")
	case present(rs.Action):
		s.Actions, err = stringList("Action", rs.Action)
	case present(rs.NotAction):
		s.NotAction = true
		s.Actions, err = stringList("NotAction", rs.NotAction)
	default:
		return s, errors.New("missing Action or NotAction")
	}
	if err != nil {
		return s, err
	}
	switch {
	case present(rs.Resource) && present(rs.NotResource):
		return s, errors.New("both Resource and NotResource are set")
	case present(rs.Resource):
		s.Resources, err = stringList("Resource", rs.Resource)
	case present(rs.NotResource):
		s.NotResource = true
		s.Resources, err = stringList("NotResource", rs.NotResource)
	default:
		return s, errors.New("missing Resource or NotResource")
	}
	if err != nil {
		return s, err
	}
	s.Conditional = present(rs.Condition)
	return s, nil
}

func present(m json.RawMessage) bool {
	m = bytes.TrimSpace(m)
	return len(m) > 0 && !bytes.Equal(m, []byte("null"))
}

// stringList decodes a JSON string or array of strings.
func stringList(key string, m json.RawMessage) ([]string, error) {
	m = bytes.TrimSpace(m)
	if m[0] == '"' {
		var s string
		if err := json.Unmarshal(m, &s); err != nil {
			return nil, fmt.Errorf("%s: %w", key, err)
		}
		return []string{s}, nil
	}
	var list []string
	if err := json.Unmarshal(m, &list); err != nil {
		return nil, fmt.Errorf("%s must be a string or an array of strings: %w", key, err)
	}
	return list, nil
}

// PolicyPrivilege parses doc and returns its privilege level.
func PolicyPrivilege(doc string) (inventory.Privilege, error) {
	p, err := ParsePolicy(doc)
	if err != nil {
		return inventory.PrivilegeNone, err
	}
	return p.Privilege(), nil
}

// iamEquivalentServices are services whose full control is control of identities: "<svc>:*" on
// all resources is admin.
var iamEquivalentServices = []string{"iam", "organizations", "sso", "sso-directory", "identitystore"}

// escalationActions let their holder raise their own privileges when allowed on all resources
// of their type (lowercase; IAM action names are case-insensitive).
var escalationActions = []string{
	"iam:passrole",
	"iam:createpolicyversion",
	"iam:setdefaultpolicyversion",
	"iam:attachuserpolicy",
	"iam:attachgrouppolicy",
	"iam:attachrolepolicy",
	"iam:putuserpolicy",
	"iam:putgrouppolicy",
	"iam:putrolepolicy",
	"iam:createaccesskey",
	"iam:createloginprofile",
	"iam:updateloginprofile",
	"iam:updateassumerolepolicy",
	"iam:addusertogroup",
	"iam:putuserpermissionsboundary",
	"iam:putrolepermissionsboundary",
	"iam:deleteuserpermissionsboundary",
	"iam:deleterolepermissionsboundary",
	"sso:createaccountassignment",
	"sso:putinlinepolicytopermissionset",
	"sso:attachmanagedpolicytopermissionset",
	"sso:attachcustomermanagedpolicyreferencetopermissionset",
	"identitystore:creategroupmembership",
}

// readVerbs begin the names of actions that only read. A verb matches when the action name
// starts with it (case-insensitively) and the next character is not a lowercase letter, so
// "Get*" and "GetObject" are reads but "Generate" is not "Ge…t".
var readVerbs = []string{
	"get", "list", "describe", "view", "search", "query", "lookup", "read", "scan", "select",
	"simulate", "check", "preview", "validate", "test", "is", "discover", "retrieve", "detect",
	"verify", "download", "evaluate", "estimate", "count", "filter", "compare", "resolve",
	"sample", "probe", "batchget", "batchdescribe", "batchcheck", "batchread", "batchdetect",
}

// readExceptions are actions (lowercase) that AWS's own read-only managed policies
// (ReadOnlyAccess, SecurityAudit, ViewOnlyAccess) grant although their names do not start with
// a read verb.
var readExceptions = map[string]bool{
	"athena:batch*":                             true,
	"codedeploy:batch*":                         true,
	"codecommit:gitpull":                        true,
	"cognito-idp:adminget*":                     true,
	"cognito-idp:adminlist*":                    true,
	"devops-guru:startcostestimation":           true,
	"dynamodb:partiqlselect":                    true,
	"elasticbeanstalk:request*":                 true,
	"es:eshttpget":                              true,
	"es:eshttphead":                             true,
	"logs:startlivetail":                        true,
	"logs:stoplivetail":                         true,
	"logs:startquery":                           true,
	"logs:stopquery":                            true,
	"s3express:createsession":                   true,
	"sdb:domainmetadata":                        true,
	"servicequotas:startquotautilizationreport": true,
	"xray:starttraceretrieval":                  true,
	"xray:canceltraceretrieval":                 true,
	"cloudwatch:generatequery":                  true,
	"cloudwatch:generatequeryresultssummary":    true,
	"comprehend:classify*":                      true,
	"comprehend:contains*":                      true,
	"config:deliver*":                           true,
	"iam:generate*":                             true,
	"polly:synthesizespeech":                    true,
	"rekognition:recognizecelebrities":          true,
	"sqs:receive*":                              true,
	"wellarchitected:exportlens":                true,
	"iam:generatecredentialreport":              true,
	"iam:generateservicelastaccesseddetails":    true,
}

// Privilege computes the policy's privilege level:
//
//   - admin: an unconditionally undenied Allow, on all resources of the right service, of
//     "*", "iam:*" or another IAM-equivalent service's "<svc>:*", or of a privilege-escalation
//     action (iam:PassRole, iam:CreatePolicyVersion, iam:Attach*Policy, iam:Put*Policy,
//     iam:CreateAccessKey, iam:UpdateAssumeRolePolicy, …). Allow conditions are ignored
//     (conservatively: a conditioned grant still grants); NotResource counts as all resources.
//   - write: an Allow of any action that does not only read (on any resource).
//   - read: Allows of read actions only (Get*, List*, Describe* and similar).
//
// Deny statements lower the result only when they are unconditional and on "*", and cover the
// allowed pattern as written.
func (p *Policy) Privilege() inventory.Privilege {
	var denies []Statement
	for _, s := range p.Statements {
		if s.Effect == "Deny" && !s.Conditional && !s.NotResource && containsStar(s.Resources) {
			denies = append(denies, s)
		}
	}
	denied := func(action string) bool {
		for _, d := range denies {
			if d.matches(action) {
				return true
			}
		}
		return false
	}

	for _, s := range p.Statements {
		if s.Effect != "Allow" {
			continue
		}
		for _, a := range escalationActions {
			if s.grantsAdmin(a, denied) {
				return inventory.PrivilegeAdmin
			}
		}
		for _, svc := range iamEquivalentServices {
			if s.grantsAdmin(svc+":*", denied) {
				return inventory.PrivilegeAdmin
			}
		}
	}

	level := inventory.PrivilegeNone
	for _, s := range p.Statements {
		if s.Effect != "Allow" {
			continue
		}
		if s.NotAction {
			// Allows everything but the listed patterns: write unless it excludes everything.
			if !anyMatch(s.Actions, "*") && !denied("*") {
				return inventory.PrivilegeWrite
			}
			continue
		}
		for _, a := range s.Actions {
			for _, left := range undenied(a, denies, denied) {
				if !isReadAction(left) {
					return inventory.PrivilegeWrite
				}
				level = inventory.PrivilegeRead
			}
		}
	}
	return level
}

// undenied returns what remains of allowed action pattern a after the denies: a itself when no
// deny covers it, else the patterns a NotAction deny spares ("Deny NotAction s3:Get*" leaves
// s3:Get* of an allowed "*") that no other deny covers.
func undenied(a string, denies []Statement, denied func(string) bool) []string {
	if !denied(a) {
		return []string{a}
	}
	la := strings.ToLower(a)
	var left []string
	for _, d := range denies {
		if !d.NotAction || !d.matches(a) {
			continue
		}
		for _, spared := range d.Actions {
			if globMatch(la, strings.ToLower(spared)) && !denied(spared) {
				left = append(left, spared)
			}
		}
	}
	return left
}

// grantsAdmin reports whether the Allow statement grants action on all resources of its service
// and no deny takes it away. A NotAction statement grants Identity Center powers only when it
// names them: PowerUserAccess ("everything but iam, organizations, account") would otherwise
// be admin through sso:*, which only works in the Identity Center administration account.
func (s Statement) grantsAdmin(action string, denied func(string) bool) bool {
	svc := serviceOf(action)
	if s.NotAction && identityCenterServices[svc] {
		return false
	}
	return s.matches(action) && s.broadFor(svc) && !denied(action)
}

// identityCenterServices are the IAM-equivalent services of Identity Center.
var identityCenterServices = map[string]bool{"sso": true, "sso-directory": true, "identitystore": true}

// matches reports whether the statement's action clause covers action. action may itself be a
// pattern ("s3:Put*"): it is then matched literally, which asks "does the clause cover every
// action the pattern could name" closely enough for wildcards at the end.
func (s Statement) matches(action string) bool {
	hit := anyMatch(s.Actions, action)
	if s.NotAction {
		return !hit
	}
	return hit
}

// broadFor reports whether the statement applies to all resources of service svc.
func (s Statement) broadFor(svc string) bool {
	if s.NotResource {
		return true
	}
	for _, r := range s.Resources {
		if broadResource(r, svc) {
			return true
		}
	}
	return false
}

// broadResource reports whether resource pattern r covers every resource of its type in
// service svc: "*", "arn:aws:iam::*:*", "arn:aws:iam::123456789012:role/*", but not
// "arn:aws:iam::*:role/app-*", "…:role/service-role/*" or a policy variable.
func broadResource(r, svc string) bool {
	if r == "*" {
		return true
	}
	parts := strings.SplitN(r, ":", 6)
	if parts[0] != "arn" {
		return false
	}
	if len(parts) >= 3 && parts[2] != "*" && !globMatch(strings.ToLower(parts[2]), svc) {
		return false
	}
	if len(parts) < 6 {
		return strings.HasSuffix(r, "*")
	}
	res := parts[5]
	i := strings.IndexAny(res, "*?$")
	if i != len(res)-1 || res[i] != '*' {
		return false
	}
	typ := res[:i]
	return typ == "" || (strings.HasSuffix(typ, "/") && strings.Count(typ, "/") == 1)
}

func serviceOf(action string) string {
	svc, _, _ := strings.Cut(action, ":")
	return svc
}

func containsStar(list []string) bool {
	for _, s := range list {
		if s == "*" {
			return true
		}
	}
	return false
}

// anyMatch reports whether any of the patterns matches s, case-insensitively.
func anyMatch(patterns []string, s string) bool {
	s = strings.ToLower(s)
	for _, p := range patterns {
		if globMatch(strings.ToLower(p), s) {
			return true
		}
	}
	return false
}

// isReadAction reports whether the action pattern only names read actions.
func isReadAction(a string) bool {
	la := strings.ToLower(a)
	if readExceptions[la] {
		return true
	}
	_, name, ok := strings.Cut(a, ":")
	if !ok {
		return false // "*" or malformed: everything
	}
	lname := strings.ToLower(name)
	// A name written all in lowercase ("describeinstances") has no word boundary to check;
	// accept the prefix then, except for two-letter verbs ("is" would take "issuecertificate").
	lower := lname == name
	for _, v := range readVerbs {
		if !strings.HasPrefix(lname, v) {
			continue
		}
		if len(name) == len(v) {
			return true
		}
		if next := name[len(v)]; next < 'a' || next > 'z' || (lower && len(v) > 2) {
			return true
		}
	}
	return false
}

// globMatch matches s against pattern p where '*' matches any run of characters and '?' any
// one character. It runs in O(len(p)*len(s)) at worst and never recurses.
func globMatch(p, s string) bool {
	px, sx := 0, 0
	starP, starS := -1, 0
	for sx < len(s) {
		switch {
		case px < len(p) && (p[px] == '?' || p[px] == s[sx]) && p[px] != '*':
			px++
			sx++
		case px < len(p) && p[px] == '*':
			starP, starS = px, sx
			px++
		case starP >= 0:
			starS++
			px, sx = starP+1, starS
		default:
			return false
		}
	}
	for px < len(p) && p[px] == '*' {
		px++
	}
	return px == len(p)
}
