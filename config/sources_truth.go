package config

import (
	"log/slog"
	"net"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// The sources of truth: HR exports, LDAP / Active Directory and SCIM identity providers. They
// produce the people that principals are linked to.

// HRFileSource reads the roster of people from an HR export (CSV or JSON).
type HRFileSource struct {
	Name string `toml:"name"`
	Path string `toml:"path"`
	// Format is csv or json; "" chooses by the file extension.
	Format string `toml:"format"`
	// Delimiter separates CSV fields: one character, "" meaning ",".
	Delimiter string `toml:"delimiter"`
	// ListSeparator separates several values in one cell (aliases, emails).
	ListSeparator string `toml:"list_separator"`
	// Records is the key of the array of people in a JSON object ("Report_Entry").
	Records     string   `toml:"records"`
	DateLayouts []string `toml:"date_layouts"`
	// StatusValues maps the export's status values to active, leave or terminated.
	StatusValues map[string]string `toml:"status_values"`
	Columns      HRColumns         `toml:"columns"`
}

// HRColumns names the export's column (or JSON key) for each field; "" means absent.
type HRColumns struct {
	EmployeeID string `toml:"employee_id"`
	Email      string `toml:"email"`
	Aliases    string `toml:"aliases"`
	Name       string `toml:"name"`
	FirstName  string `toml:"first_name"`
	LastName   string `toml:"last_name"`
	Department string `toml:"department"`
	Title      string `toml:"title"`
	Manager    string `toml:"manager"`
	Status     string `toml:"status"`
	StartDate  string `toml:"start_date"`
	EndDate    string `toml:"end_date"`
	ExternalID string `toml:"external_id"`
}

// DefaultHRFileSource returns the values a [[sources.hrfile]] table starts from. A [columns]
// table replaces the default columns as a whole: columns it leaves out are absent.
func DefaultHRFileSource() HRFileSource {
	return HRFileSource{
		ListSeparator: ";",
		DateLayouts:   []string{"2006-01-02", time.RFC3339},
		Columns: HRColumns{
			EmployeeID: "employee_id",
			Email:      "email",
			Aliases:    "aliases",
			Name:       "name",
			Department: "department",
			Title:      "title",
			Manager:    "manager",
			Status:     "status",
			StartDate:  "start_date",
			EndDate:    "end_date",
		},
	}
}

// LDAPSource reads people and accounts from an LDAP directory or Active Directory.
type LDAPSource struct {
	Name           string `toml:"name"`
	URL            string `toml:"url"`
	StartTLS       bool   `toml:"start_tls"`
	CAFile         string `toml:"ca_file"`
	TLSServerName  string `toml:"tls_server_name"`
	AllowPlaintext bool   `toml:"allow_plaintext"`
	BindDN         string `toml:"bind_dn"`
	// BindPassword is a secret: take it from ${ENV}.
	BindPassword   string            `toml:"bind_password"`
	Flavor         string            `toml:"flavor"` // ad, openldap, "" to detect
	BaseDN         string            `toml:"base_dn"`
	Filter         string            `toml:"filter"`
	Groups         bool              `toml:"groups"`
	GroupFilter    string            `toml:"group_filter"`
	PageSize       int               `toml:"page_size"`
	DialTimeout    Duration          `toml:"dial_timeout"`
	RequestTimeout Duration          `toml:"request_timeout"`
	StatusValues   map[string]string `toml:"status_values"`
	Attributes     LDAPAttributes    `toml:"attributes"`
}

// LDAPAttributes names the directory attribute of each field; "" uses the flavor's default.
type LDAPAttributes struct {
	EmployeeID string   `toml:"employee_id"`
	Email      string   `toml:"email"`
	Aliases    []string `toml:"aliases"`
	Username   string   `toml:"username"`
	Name       string   `toml:"name"`
	Department string   `toml:"department"`
	Title      string   `toml:"title"`
	Manager    string   `toml:"manager"`
	Status     string   `toml:"status"`
	EndDate    string   `toml:"end_date"`
	ExternalID string   `toml:"external_id"`
}

// DefaultLDAPSource returns the values a [[sources.ldap]] table starts from.
func DefaultLDAPSource() LDAPSource {
	return LDAPSource{
		Groups:         true,
		PageSize:       500,
		DialTimeout:    Duration(10 * time.Second),
		RequestTimeout: Duration(time.Minute),
	}
}

// LogValue implements slog.LogValuer and keeps the bind password out of logs.
func (s LDAPSource) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("name", s.Name),
		slog.String("url", s.URL),
		slog.Bool("start_tls", s.StartTLS),
		slog.String("bind_dn", s.BindDN),
		slog.String("bind_password", redacted(s.BindPassword)),
		slog.String("base_dn", s.BaseDN),
		slog.String("filter", s.Filter),
	)
}

// SCIMSource reads people and accounts from an identity provider over SCIM 2.0.
type SCIMSource struct {
	Name string `toml:"name"`
	URL  string `toml:"url"`
	// Token is the bearer token, a secret: take it from ${ENV}.
	Token           string            `toml:"token"`
	Filter          string            `toml:"filter"`
	PageSize        int               `toml:"page_size"`
	Groups          bool              `toml:"groups"`
	StatusAttribute string            `toml:"status_attribute"`
	StatusValues    map[string]string `toml:"status_values"`
	CAFile          string            `toml:"ca_file"`
	RequestTimeout  Duration          `toml:"request_timeout"`
}

// DefaultSCIMSource returns the values a [[sources.scim]] table starts from.
func DefaultSCIMSource() SCIMSource {
	return SCIMSource{PageSize: 100, Groups: true, RequestTimeout: Duration(time.Minute)}
}

// LogValue implements slog.LogValuer and keeps the token out of logs.
func (s SCIMSource) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("name", s.Name),
		slog.String("url", s.URL),
		slog.String("token", redacted(s.Token)),
		slog.String("filter", s.Filter),
		slog.Int("page_size", s.PageSize),
		slog.Bool("groups", s.Groups),
	)
}

func redacted(secret string) string {
	if secret == "" {
		return ""
	}
	return "[redacted]"
}

// PersonStatuses are the values status_values may map to.
var PersonStatuses = []string{"active", "leave", "terminated"}

func (c *Config) validateTruthSources(v *validator) {
	statusValues := func(key string, m map[string]string) {
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			if strings.TrimSpace(k) == "" {
				v.fail(key, "has an empty status value; map each status the source writes, e.g. \"Terminated\" = \"terminated\"")
				continue
			}
			v.oneOf(joinKey(key, k), m[k], PersonStatuses...)
		}
	}
	for i, s := range c.Sources.HRFile {
		k := indexKey("sources.hrfile", i)
		v.required(k+".path", s.Path, "the HR export file (CSV or JSON)")
		if s.Format != "" {
			v.oneOf(k+".format", s.Format, "csv", "json")
		}
		if s.Delimiter != "" && (utf8.RuneCountInString(s.Delimiter) != 1 || strings.ContainsAny(s.Delimiter, "\"\r\n")) {
			v.fail(k+".delimiter", "%q is not valid; want one character such as \",\", \";\" or \"\\t\"", s.Delimiter)
		}
		v.required(k+".list_separator", s.ListSeparator, `a separator such as ";"`)
		v.list(k+".date_layouts", s.DateLayouts, v.nonEmpty(`a Go time layout such as "2006-01-02"`))
		v.required(k+".columns.employee_id", s.Columns.EmployeeID, "the column holding employee IDs")
		if s.Columns.Email == "" && s.Columns.Aliases == "" {
			v.fail(k+".columns", "set columns.email or columns.aliases: people without emails or usernames cannot be linked")
		}
		statusValues(k+".status_values", s.StatusValues)
	}
	for i, s := range c.Sources.LDAP {
		k := indexKey("sources.ldap", i)
		u, err := url.Parse(s.URL)
		switch {
		case err != nil || u.Host == "" || (u.Scheme != "ldap" && u.Scheme != "ldaps"):
			v.fail(k+".url", "%q is not valid; want ldap://host[:port] or ldaps://host[:port]", s.URL)
		case u.Scheme == "ldaps" && s.StartTLS:
			v.fail(k+".start_tls", "is for ldap:// URLs; %s is TLS already", s.URL)
		case u.Scheme == "ldap" && !s.StartTLS && s.BindPassword != "" && !s.AllowPlaintext && !loopbackHost(u.Hostname()):
			v.fail(k+".url", "%q without start_tls would send the bind password in clear text; use ldaps://, start_tls = true or allow_plaintext = true", s.URL)
		}
		if s.Flavor != "" {
			v.oneOf(k+".flavor", s.Flavor, "ad", "openldap")
		}
		if (s.BindDN == "") != (s.BindPassword == "") {
			// Never echo the password.
			v.fail(k+".bind_password", "bind_dn and bind_password go together: set both (the password from ${ENV}), or neither for an anonymous bind")
		}
		v.between(k+".page_size", s.PageSize, 1, 100000)
		v.duration(k+".dial_timeout", s.DialTimeout)
		v.duration(k+".request_timeout", s.RequestTimeout)
		for _, f := range []struct{ key, filter string }{{".filter", s.Filter}, {".group_filter", s.GroupFilter}} {
			if f.filter != "" && (!strings.HasPrefix(strings.TrimSpace(f.filter), "(") || strings.Count(f.filter, "(") != strings.Count(f.filter, ")")) {
				v.fail(k+f.key, "%q is not valid; want an LDAP filter in parentheses, e.g. \"(objectClass=person)\"", f.filter)
			}
		}
		v.list(k+".attributes.aliases", s.Attributes.Aliases, v.nonEmpty("an attribute name"))
		statusValues(k+".status_values", s.StatusValues)
		if len(s.StatusValues) > 0 && s.Attributes.Status == "" {
			v.fail(k+".status_values", "is set but attributes.status is not: name the attribute the values are read from")
		}
	}
	for i, s := range c.Sources.SCIM {
		k := indexKey("sources.scim", i)
		u, err := url.Parse(s.URL)
		switch {
		case err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http"):
			v.fail(k+".url", "%q is not valid; want the SCIM base URL, e.g. https://idp.example.com/scim/v2", s.URL)
		case u.Scheme == "http" && !loopbackHost(u.Hostname()):
			v.fail(k+".url", "%q is plain http; the bearer token would travel in clear text, so use https", s.URL)
		}
		v.required(k+".token", s.Token, `the bearer token, from the environment: token = "${PROVOST_SCIM_TOKEN}"`)
		v.between(k+".page_size", s.PageSize, 1, 10000)
		v.duration(k+".request_timeout", s.RequestTimeout)
		statusValues(k+".status_values", s.StatusValues)
		if len(s.StatusValues) > 0 && s.StatusAttribute == "" {
			v.fail(k+".status_values", "is set but status_attribute is not: name the attribute the values are read from")
		}
	}
}

func loopbackHost(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
