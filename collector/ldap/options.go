package ldap

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"strings"
	"time"

	goldap "github.com/go-ldap/ldap/v3"

	"github.com/provost-dev/provost/inventory"
)

// Flavor is the kind of directory server; it chooses default filters and attributes.
type Flavor string

const (
	// FlavorAuto reads the root DSE: Active Directory announces itself in supportedCapabilities.
	FlavorAuto     Flavor = ""
	FlavorOpenLDAP Flavor = "openldap"
	FlavorAD       Flavor = "ad"
)

// Attributes names the directory attributes each field of a person or account is read from.
// Empty names are left unread; Defaults fills them per flavor.
type Attributes struct {
	EmployeeID string
	Email      string
	// Aliases are attributes with further emails and usernames. AD's proxyAddresses are read as
	// email addresses ("smtp:" prefixes removed, other address types ignored).
	Aliases []string
	// Username is the account's login name, the principal's Name.
	Username   string
	Name       string // the display name; cn when empty on an entry
	Department string
	Title      string
	// Manager holds the manager's DN; a person's Manager is the manager's employee ID.
	Manager string
	// Status, with Options.StatusValues, maps a value (employeeType "LOA", say) to the status
	// of an enabled account. Disabled, locked or expired accounts are always terminated.
	Status string
	// EndDate is read as a generalized time, or as days since 1970 for shadowExpire. On Active
	// Directory accountExpires is always read too.
	EndDate    string
	ExternalID string
}

// Defaults returns the attribute names of a flavor.
func Defaults(f Flavor) Attributes {
	if f == FlavorAD {
		return Attributes{
			EmployeeID: "employeeID",
			Email:      "mail",
			Aliases:    []string{"proxyAddresses", "userPrincipalName"},
			Username:   "sAMAccountName",
			Name:       "displayName",
			Department: "department",
			Title:      "title",
			Manager:    "manager",
		}
	}
	return Attributes{
		EmployeeID: "employeeNumber",
		Email:      "mail",
		Username:   "uid",
		Name:       "displayName",
		Department: "departmentNumber",
		Title:      "title",
		Manager:    "manager",
		EndDate:    "shadowExpire",
	}
}

// DefaultFilter returns the user filter of a flavor. On AD it excludes computers and the
// critical system objects (Administrator, Guest, krbtgt), which are not people.
func DefaultFilter(f Flavor) string {
	if f == FlavorAD {
		return "(&(objectCategory=person)(objectClass=user)(!(isCriticalSystemObject=TRUE)))"
	}
	return "(objectClass=inetOrgPerson)"
}

// DefaultGroupFilter returns the group filter of a flavor.
func DefaultGroupFilter(f Flavor) string {
	if f == FlavorAD {
		return "(objectClass=group)"
	}
	return "(|(objectClass=groupOfNames)(objectClass=groupOfUniqueNames)(objectClass=posixGroup))"
}

// Options configure a Source.
type Options struct {
	// Name is the source's configured name; people are "<Name>:<employee ID or directory ID>".
	Name string
	// URL is "ldap://host[:port]" or "ldaps://host[:port]".
	URL string
	// StartTLS upgrades an ldap:// connection before binding.
	StartTLS bool
	// CAFile is a PEM bundle to trust instead of the system roots; TLSServerName overrides the
	// name the certificate must carry (default: the URL's host).
	CAFile        string
	TLSServerName string
	// AllowPlaintext permits a password bind over ldap:// without StartTLS to a host that is
	// not loopback. Off by default: the password would travel in clear text.
	AllowPlaintext bool
	// BindDN and BindPassword authenticate; both empty binds anonymously. Take the password
	// from the environment (the config's "${NAME}"); it is never logged.
	BindDN       string
	BindPassword string
	// Flavor chooses defaults; empty detects it from the root DSE.
	Flavor Flavor
	// BaseDN is where users are searched; empty means the server's default naming context.
	BaseDN string
	// Filter selects user entries; empty means DefaultFilter.
	Filter string
	// Groups also searches groups (GroupFilter, default DefaultGroupFilter), so that users carry
	// memberships even where the server keeps no memberOf.
	Groups      bool
	GroupFilter string
	// Attributes overrides the flavor's attribute names field by field.
	Attributes Attributes
	// StatusValues maps Attributes.Status values to a person status (case-insensitive).
	StatusValues map[string]inventory.PersonStatus
	// PageSize is the paged-results page size; default 500 (Active Directory's MaxPageSize is
	// 1000).
	PageSize int
	// DialTimeout and RequestTimeout bound connecting and each request; defaults 10s and 60s.
	DialTimeout    time.Duration
	RequestTimeout time.Duration
	Logger         *slog.Logger
	// Now decides whether expiry times have passed; default time.Now.
	Now func() time.Time
}

// LogValue implements slog.LogValuer and keeps the bind password out of logs.
func (o Options) LogValue() slog.Value {
	pw := ""
	if o.BindPassword != "" {
		pw = "[redacted]"
	}
	return slog.GroupValue(
		slog.String("name", o.Name),
		slog.String("url", o.URL),
		slog.Bool("start_tls", o.StartTLS),
		slog.String("bind_dn", o.BindDN),
		slog.String("bind_password", pw),
		slog.String("base_dn", o.BaseDN),
		slog.String("filter", o.Filter),
	)
}

func (o *Options) defaults() {
	if o.PageSize <= 0 {
		o.PageSize = 500
	}
	if o.DialTimeout <= 0 {
		o.DialTimeout = 10 * time.Second
	}
	if o.RequestTimeout <= 0 {
		o.RequestTimeout = 60 * time.Second
	}
	statuses := map[string]inventory.PersonStatus{}
	for k, v := range o.StatusValues {
		statuses[strings.ToLower(strings.TrimSpace(k))] = v
	}
	o.StatusValues = statuses
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
}

func (o *Options) validate() error {
	var errs []error
	if o.Name == "" {
		errs = append(errs, errors.New("name must be set"))
	}
	u, err := url.Parse(o.URL)
	switch {
	case err != nil || u.Host == "" || (u.Scheme != "ldap" && u.Scheme != "ldaps"):
		errs = append(errs, fmt.Errorf("url %q is not valid; want ldap://host[:port] or ldaps://host[:port]", o.URL))
	case u.Scheme == "ldaps" && o.StartTLS:
		errs = append(errs, errors.New("start_tls is for ldap:// URLs; ldaps:// is TLS already"))
	case u.Scheme == "ldap" && !o.StartTLS && o.BindPassword != "" && !o.AllowPlaintext && !loopback(u.Hostname()):
		errs = append(errs, fmt.Errorf("url %q without start_tls would send the bind password in clear text; use ldaps://, start_tls = true, or allow_plaintext = true", o.URL))
	}
	if o.Flavor != FlavorAuto && o.Flavor != FlavorAD && o.Flavor != FlavorOpenLDAP {
		errs = append(errs, fmt.Errorf("flavor %q is not valid; want ad, openldap or empty to detect it", o.Flavor))
	}
	if (o.BindDN == "") != (o.BindPassword == "") {
		errs = append(errs, errors.New("bind_dn and bind_password go together: set both, or neither for an anonymous bind"))
	}
	for _, f := range []struct{ key, filter string }{{"filter", o.Filter}, {"group_filter", o.GroupFilter}} {
		if f.filter == "" {
			continue
		}
		if _, err := goldap.CompileFilter(f.filter); err != nil {
			errs = append(errs, fmt.Errorf("%s %q is not a valid LDAP filter: %v", f.key, f.filter, err))
		}
	}
	if o.PageSize > 100000 {
		errs = append(errs, fmt.Errorf("page_size %d is not valid; want 1 to 100000", o.PageSize))
	}
	for k, v := range o.StatusValues {
		switch v {
		case inventory.PersonActive, inventory.PersonLeave, inventory.PersonTerminated:
		default:
			errs = append(errs, fmt.Errorf("status_values[%q] = %q is not valid; want active, leave or terminated", k, v))
		}
	}
	if len(o.StatusValues) > 0 && o.Attributes.Status == "" {
		errs = append(errs, errors.New("status_values is set but attributes.status is not"))
	}
	return errors.Join(errs...)
}

func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// merged returns the flavor's defaults overridden by the configured names.
func (a Attributes) merged(f Flavor) Attributes {
	d := Defaults(f)
	set := func(dst *string, v string) {
		if v != "" {
			*dst = v
		}
	}
	set(&d.EmployeeID, a.EmployeeID)
	set(&d.Email, a.Email)
	set(&d.Username, a.Username)
	set(&d.Name, a.Name)
	set(&d.Department, a.Department)
	set(&d.Title, a.Title)
	set(&d.Manager, a.Manager)
	set(&d.Status, a.Status)
	set(&d.EndDate, a.EndDate)
	set(&d.ExternalID, a.ExternalID)
	if a.Aliases != nil {
		d.Aliases = a.Aliases
	}
	return d
}
