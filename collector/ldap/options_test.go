package ldap_test

import (
	"log/slog"
	"strings"
	"testing"

	"github.com/provost-dev/provost/collector/ldap"
	"github.com/provost-dev/provost/inventory"
)

func TestNewValidates(t *testing.T) {
	tests := []struct {
		name string
		opts ldap.Options
		want string
	}{
		{"everything wrong", ldap.Options{URL: "http://dc", Flavor: "novell", BindDN: "cn=x", Filter: "(uid=ada", GroupFilter: "cn=x)",
			PageSize: 200000, StatusValues: map[string]inventory.PersonStatus{"x": "gone"}},
			strings.Join([]string{
				`ldap source "": name must be set`,
				`url "http://dc" is not valid; want ldap://host[:port] or ldaps://host[:port]`,
				`flavor "novell" is not valid; want ad, openldap or empty to detect it`,
				`bind_dn and bind_password go together: set both, or neither for an anonymous bind`,
				`filter "(uid=ada" is not a valid LDAP filter: LDAP Result Code 201 "Filter Compile Error": ldap: unexpected end of filter`,
				`group_filter "cn=x)" is not a valid LDAP filter: LDAP Result Code 201 "Filter Compile Error": ldap: filter does not start with an '('`,
				`page_size 200000 is not valid; want 1 to 100000`,
				`status_values["x"] = "gone" is not valid; want active, leave or terminated`,
				`status_values is set but attributes.status is not`,
			}, "\n")},
		{"a password in clear text to a remote host", ldap.Options{Name: "ad", URL: "ldap://dc.corp.example", BindDN: "cn=x", BindPassword: "p"},
			`ldap source "ad": url "ldap://dc.corp.example" without start_tls would send the bind password in clear text; use ldaps://, start_tls = true, or allow_plaintext = true`},
		{"StartTLS on LDAPS", ldap.Options{Name: "ad", URL: "ldaps://dc.corp.example", StartTLS: true},
			`ldap source "ad": start_tls is for ldap:// URLs; ldaps:// is TLS already`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ldap.New(tt.opts)
			if err == nil || err.Error() != tt.want {
				t.Errorf("New error:\n%v\nwant:\n%s", err, tt.want)
			}
		})
	}
	for _, ok := range []ldap.Options{
		{Name: "ad", URL: "ldap://dc.corp.example", BindDN: "cn=x", BindPassword: "p", StartTLS: true},
		{Name: "ad", URL: "ldap://dc.corp.example", BindDN: "cn=x", BindPassword: "p", AllowPlaintext: true},
		{Name: "ad", URL: "ldaps://dc.corp.example:636", BindDN: "cn=x", BindPassword: "p"},
		{Name: "anon", URL: "ldap://dc.corp.example"},
	} {
		if _, err := ldap.New(ok); err != nil {
			t.Errorf("New(%+v): %v", ok.URL, err)
		}
	}
}

func TestOptionsLogValueRedactsPassword(t *testing.T) {
	var b strings.Builder
	slog.New(slog.NewTextHandler(&b, nil)).Info("x", "opts", ldap.Options{Name: "ad", URL: "ldaps://dc", BindDN: "cn=svc", BindPassword: "hunter2"})
	if strings.Contains(b.String(), "hunter2") || !strings.Contains(b.String(), "opts.bind_password=[redacted]") {
		t.Errorf("log line %q leaks or loses the password", b.String())
	}
}
