package config

import (
	"cmp"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
)

// Validate checks every value and returns all problems at once: an errors.Join of *FieldError,
// each naming the key, the line when the config came from a file, and what would be valid.
func (c *Config) Validate() error { return joinErrors(c.problems()) }

var (
	sourceNameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*$`)
	awsAccountRE = regexp.MustCompile(`^[0-9]{12}$`)
	awsRegionRE  = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]+$`)
	iamNameRE    = regexp.MustCompile(`^[\w+=,.@-]{1,64}$`)
	externalIDRE = regexp.MustCompile(`^[\w+=,.@:/-]+$`)
	gcpOrgRE     = regexp.MustCompile(`^organizations/[0-9]+$`)
	gcpProjectRE = regexp.MustCompile(`^[a-z][a-z0-9-]{4,28}[a-z0-9]$`)
	domainRE     = regexp.MustCompile(`^(?i)([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}$`)
	placeholder  = regexp.MustCompile(`\{[^{}]*\}`)
)

// LinkRules are the linking rule names linking.order accepts.
var LinkRules = []string{"mapping", "email", "tag", "external_id", "username"}

// UsernamePlaceholders are what linking.username_patterns may contain: the local part of a
// person's email, their first and last name, and the first letter of their first name.
var UsernamePlaceholders = []string{"{local}", "{first}", "{last}", "{f}"}

type validator struct {
	origin origin
	errs   []*FieldError
}

func (v *validator) fail(key, format string, args ...any) {
	v.errs = append(v.errs, &FieldError{
		File: v.origin.file,
		Line: v.origin.line(key),
		Key:  key,
		Msg:  key + ": " + fmt.Sprintf(format, args...),
	})
}

func (v *validator) oneOf(key, value string, valid ...string) {
	if !slices.Contains(valid, value) {
		v.fail(key, "%q is not valid; want one of %s", value, strings.Join(valid, ", "))
	}
}

func (v *validator) atLeast(key string, value, lo int, meaning string) {
	if value < lo {
		v.fail(key, "%d is not valid; want %d or more%s", value, lo, meaning)
	}
}

func (v *validator) between(key string, value, lo, hi int) {
	if value < lo || value > hi {
		v.fail(key, "%d is not valid; want %d to %d", value, lo, hi)
	}
}

func (v *validator) duration(key string, d Duration) {
	if d < 0 {
		v.fail(key, "%q is not valid; want 0 (no limit) or a positive duration", d)
	}
}

func (v *validator) required(key, value, what string) bool {
	if strings.TrimSpace(value) == "" {
		v.fail(key, "must be set to %s", what)
		return false
	}
	return true
}

func (v *validator) match(key, value string, re *regexp.Regexp, want string) {
	if !re.MatchString(value) {
		v.fail(key, "%q is not valid; want %s", value, want)
	}
}

func (v *validator) endpoint(key, value string) {
	if value == "" {
		return
	}
	u, err := url.Parse(value)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		v.fail(key, "%q is not valid; want an http:// or https:// URL, or \"\" for the default", value)
	}
}

// list checks each element of a list and that none repeats.
func (v *validator) list(key string, values []string, each func(key, value string)) {
	seen := map[string]int{}
	for i, s := range values {
		k := indexKey(key, i)
		if first, dup := seen[s]; dup {
			v.fail(k, "%q repeats %s", s, indexKey(key, first))
			continue
		}
		seen[s] = i
		each(k, s)
	}
}

func (v *validator) nonEmpty(what string) func(key, value string) {
	return func(key, value string) { v.required(key, value, what) }
}

func (c *Config) problems() []*FieldError {
	v := &validator{origin: c.origin}

	v.oneOf("log.level", c.Log.Level, "debug", "info", "warn", "error")
	v.oneOf("log.format", c.Log.Format, "text", "json")

	v.required("store.path", c.Store.Path, "the database file")
	v.duration("store.lock_timeout", c.Store.LockTimeout)
	v.atLeast("store.keep_last", c.Store.KeepLast, 0, " (0 keeps all)")
	v.atLeast("store.keep_days", c.Store.KeepDays, 0, " (0 keeps all)")

	v.duration("collect.timeout", c.Collect.Timeout)
	v.atLeast("collect.parallelism", c.Collect.Parallelism, 1, "")

	c.validateSources(v)
	c.validateTruthSources(v)
	c.validateLinking(v)
	c.validatePolicy(v)
	c.validateRemediation(v)
	c.validateDaemon(v)
	c.validateReports(v)
	return v.errs
}

func (c *Config) validateSources(v *validator) {
	// Names are checked in the order the file gives them, so that the later one is the duplicate.
	type named struct{ key, name string }
	var all []named
	for i, s := range c.Sources.Static {
		all = append(all, named{indexKey("sources.static", i) + ".name", s.Name})
	}
	for i, s := range c.Sources.AWS {
		all = append(all, named{indexKey("sources.aws", i) + ".name", s.Name})
	}
	for i, s := range c.Sources.GCP {
		all = append(all, named{indexKey("sources.gcp", i) + ".name", s.Name})
	}
	for i, s := range c.Sources.HRFile {
		all = append(all, named{indexKey("sources.hrfile", i) + ".name", s.Name})
	}
	for i, s := range c.Sources.LDAP {
		all = append(all, named{indexKey("sources.ldap", i) + ".name", s.Name})
	}
	for i, s := range c.Sources.SCIM {
		all = append(all, named{indexKey("sources.scim", i) + ".name", s.Name})
	}
	slices.SortStableFunc(all, func(a, b named) int {
		return cmp.Compare(v.origin.line(a.key), v.origin.line(b.key))
	})
	names := map[string]string{} // name → key that first used it
	for _, n := range all {
		key, value := n.key, n.name
		if !v.required(key, value, `a name such as "aws-prod"`) {
			continue
		}
		if !sourceNameRE.MatchString(value) {
			v.fail(key, "%q is not valid; want lowercase letters, digits, \"_\" and \"-\", starting with a letter or digit", value)
			continue
		}
		if first, dup := names[value]; dup {
			v.fail(key, "%q is already the name of %s; source names must be unique", value, strings.TrimSuffix(first, ".name"))
			continue
		}
		names[value] = key
	}

	for i, s := range c.Sources.Static {
		k := indexKey("sources.static", i)
		v.required(k+".path", s.Path, "a snapshot JSON file")
	}

	for i, s := range c.Sources.AWS {
		k := indexKey("sources.aws", i)
		v.match(k+".region", s.Region, awsRegionRE, "an AWS region such as us-east-1")
		v.endpoint(k+".endpoint", s.Endpoint)
		v.list(k+".accounts", s.Accounts, func(key, value string) {
			v.match(key, value, awsAccountRE, "a 12-digit AWS account ID")
		})
		if s.Organization || len(s.Accounts) > 0 || s.RoleName != "" {
			v.match(k+".role_name", s.RoleName, iamNameRE, "an IAM role name (letters, digits and +=,.@_-, at most 64) to assume in each account")
		}
		if n := len(s.ExternalID); n > 0 && (n < 2 || n > 1224 || !externalIDRE.MatchString(s.ExternalID)) {
			// Never echo the value: it is a shared secret.
			v.fail(k+".external_id", "is not valid; want 2 to 1224 letters, digits or +=,.@:/_-")
		}
		v.list(k+".profiles", s.Profiles, v.nonEmpty("an AWS profile name"))
		v.between(k+".parallelism", s.Parallelism, 1, 256)
		v.duration(k+".account_timeout", s.AccountTimeout)
		v.between(k+".max_items", s.MaxItems, 1, 1000)
	}

	for i, s := range c.Sources.GCP {
		k := indexKey("sources.gcp", i)
		if s.Organization != "" {
			v.match(k+".organization", s.Organization, gcpOrgRE, `"organizations/" and the organization number`)
		}
		v.list(k+".projects", s.Projects, func(key, value string) {
			v.match(key, value, gcpProjectRE, "a project ID (6 to 30 lowercase letters, digits and hyphens)")
		})
		if s.Organization == "" && len(s.Projects) == 0 {
			v.fail(k, "set organization or projects to say what to collect")
		}
		v.endpoint(k+".endpoint", s.Endpoint)
		if sa := s.ImpersonateServiceAccount; sa != "" && (!strings.Contains(sa, "@") || !strings.HasSuffix(sa, ".gserviceaccount.com")) {
			v.fail(k+".impersonate_service_account", "%q is not valid; want a service account email ending in .gserviceaccount.com", sa)
		}
		v.between(k+".parallelism", s.Parallelism, 1, 256)
		v.duration(k+".project_timeout", s.ProjectTimeout)
	}
}

func (c *Config) validateLinking(v *validator) {
	l := c.Linking
	v.list("linking.order", l.Order, func(key, value string) {
		v.oneOf(key, value, LinkRules...)
	})
	v.list("linking.owner_tags", l.OwnerTags, v.nonEmpty("a tag or label key"))
	v.list("linking.username_patterns", l.UsernamePatterns, func(key, value string) {
		found := placeholder.FindAllString(value, -1)
		rest := placeholder.ReplaceAllString(value, "")
		if len(found) == 0 || strings.ContainsAny(rest, "{}") {
			v.fail(key, "%q is not valid; want a pattern using %s, e.g. \"{first}.{last}\"", value, strings.Join(UsernamePlaceholders, ", "))
			return
		}
		for _, p := range found {
			if !slices.Contains(UsernamePlaceholders, p) {
				v.fail(key, "%q is not valid: unknown placeholder %s; want %s", value, p, strings.Join(UsernamePlaceholders, ", "))
				return
			}
		}
	})
	v.list("linking.email_domains", l.EmailDomains, func(key, value string) {
		v.match(key, value, domainRE, `a domain such as "example.com"`)
	})
}

func (c *Config) validatePolicy(v *validator) {
	p := c.Policy
	v.list("policy.dirs", p.Dirs, v.nonEmpty("a directory of .rego files"))
	v.list("policy.bundles", p.Bundles, v.nonEmpty("an OPA bundle file or directory"))
	v.atLeast("policy.params.stale_days", p.Params.StaleDays, 1, "")
	v.atLeast("policy.params.key_rotation_days", p.Params.KeyRotationDays, 1, "")
	v.atLeast("policy.params.inactive_days", p.Params.InactiveDays, 1, "")
	v.atLeast("policy.params.leaver_sla_hours", p.Params.LeaverSLAHours, 0, "")
	v.list("policy.params.org_domains", p.Params.OrgDomains, func(key, value string) {
		v.match(key, value, domainRE, `a domain such as "example.com"`)
	})
	v.list("policy.params.protected_principals", p.Params.ProtectedPrincipals, v.nonEmpty("a principal ID or pattern"))
	v.list("policy.params.admin_policy_names", p.Params.AdminPolicyNames, v.nonEmpty("a policy or role name"))
}
