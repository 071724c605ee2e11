package awsfake

import (
	"crypto/rand"
	"encoding/base64"
	"slices"
	"strconv"
	"strings"
	"time"
)

// session is a set of temporary credentials issued by AssumeRole. Requests signed with its
// access key ID act in its account.
type session struct {
	account string
	token   string
	expires time.Time
	who     caller
}

func stsHandlers() map[string]handler {
	return map[string]handler{
		"AssumeRole":        {query: (*Server).assumeRole},
		"GetCallerIdentity": {query: (*Server).getCallerIdentity},
	}
}

func (s *Server) getCallerIdentity(req *request, x *acct, w *xmlWriter) error {
	w.text("UserId", req.who.userID)
	w.text("Account", req.account)
	w.text("Arn", req.who.arn)
	return nil
}

func validSessionName(n string) bool {
	if len(n) < 2 || len(n) > 64 {
		return false
	}
	for _, c := range n {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("_+=,.@-", c)) {
			return false
		}
	}
	return true
}

// AssumeRole issues credentials for arn:aws:iam::<account>:role/<name> when the role is one of
// the account's RoleNames, the account is active and the ExternalId matches. Trust policies are
// not evaluated.
func (s *Server) assumeRole(req *request, _ *acct, w *xmlWriter) error {
	roleArn, err := param(req, "RoleArn")
	if err != nil {
		return err
	}
	sessionName, err := param(req, "RoleSessionName")
	if err != nil {
		return err
	}
	if !validSessionName(sessionName) {
		return validationError("1 validation error detected: Value '%s' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]* and have length between 2 and 64", sessionName)
	}
	rest, ok := strings.CutPrefix(roleArn, "arn:aws:iam::")
	account, resource, ok2 := strings.Cut(rest, ":")
	if !ok || !ok2 || !isAccountID(account) || !strings.HasPrefix(resource, "role/") {
		return validationError("%s is invalid", roleArn)
	}
	roleName := resource[strings.LastIndexByte(resource, '/')+1:]
	duration := 3600
	if v := req.form.Get("DurationSeconds"); v != "" {
		duration, err = strconv.Atoi(v)
		if err != nil || duration < 900 || duration > 43200 {
			return validationError("1 validation error detected: Value '%s' at 'durationSeconds' failed to satisfy constraint: Member must have value between 900 and 43200", v)
		}
	}
	if req.who.role != "" && duration > 3600 {
		return validationError("The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.")
	}

	target := s.w.accounts[account]
	if target == nil || target.a.Status == StatusSuspended || !slices.Contains(target.a.RoleNames, roleName) {
		return accessDenied(req, roleArn)
	}
	if target.a.ExternalID != "" && req.form.Get("ExternalId") != target.a.ExternalID {
		return accessDenied(req, roleArn)
	}
	roleID := uniqueID("AROA", account, "role", roleName)
	if r := target.byRole[strings.ToLower(roleName)]; r != nil {
		roleID = r.RoleID
		if duration > r.MaxSessionDuration {
			return validationError("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
		}
	}

	now := s.now()
	sess := &session{
		account: account,
		token:   "IQoJb3JpZ2luX2VjE" + randomString(120),
		expires: now.Add(time.Duration(duration) * time.Second),
		who: caller{
			arn:    "arn:aws:sts::" + account + ":assumed-role/" + roleName + "/" + sessionName,
			userID: roleID + ":" + sessionName,
			role:   roleName,
		},
	}
	secret := randomString(40)
	s.sessMu.Lock()
	s.sessSeq++
	keyID := "ASIA" + account + sessionSuffix(s.sessSeq)
	if len(s.sessions) > 10000 {
		for k, old := range s.sessions {
			if now.After(old.expires) {
				delete(s.sessions, k)
			}
		}
	}
	s.sessions[keyID] = sess
	s.sessMu.Unlock()

	w.open("Credentials")
	w.text("AccessKeyId", keyID)
	w.text("SecretAccessKey", secret)
	w.text("SessionToken", sess.token)
	w.time("Expiration", sess.expires)
	w.close("Credentials")
	w.open("AssumedRoleUser")
	w.text("AssumedRoleId", sess.who.userID)
	w.text("Arn", sess.who.arn)
	w.close("AssumedRoleUser")
	return nil
}

// sessionSuffix is 4 base-36 characters, so that the key ID has AWS's 20 characters: "ASIA",
// the 12-digit account, then the suffix. It wraps after 36^4 sessions.
func sessionSuffix(n int) string {
	s := strings.ToUpper(strconv.FormatInt(int64(n%(36*36*36*36)), 36))
	return strings.Repeat("0", 4-len(s)) + s
}

// randomString returns n random URL-safe characters: secrets are never derivable.
func randomString(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return base64.RawURLEncoding.EncodeToString(b)[:n]
}
