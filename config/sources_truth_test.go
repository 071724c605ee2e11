package config

import (
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestParseTruthSources(t *testing.T) {
	doc := `
[[sources.hrfile]]
name = "workday"
path = "w.csv"
status_values = { "Terminated" = "terminated", "LOA" = "leave" }

[[sources.hrfile]]
name = "bamboo"
path = "b.json"
records = "employees"
[sources.hrfile.columns]
employee_id = "id"
email = "workEmail"
status = "status"

[[sources.ldap]]
name = "ad"
url = "ldaps://dc.corp.example"
bind_dn = "CN=reader,DC=corp"
bind_password = "${LDAP_PW}"
attributes.status = "employeeType"
attributes.aliases = ["proxyAddresses"]
status_values = { "LOA" = "leave" }

[[sources.scim]]
name = "okta"
url = "https://corp.okta.example/scim/v2"
token = "${SCIM_TOKEN}"
groups = false
`
	got, err := Parse("config.toml", []byte(doc), env(map[string]string{"LDAP_PW": "s3cret", "SCIM_TOKEN": "tok3n"}))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	w := DefaultHRFileSource()
	w.Name, w.Path, w.StatusValues = "workday", "w.csv", map[string]string{"Terminated": "terminated", "LOA": "leave"}
	b := DefaultHRFileSource()
	b.Name, b.Path, b.Records = "bamboo", "b.json", "employees"
	b.Columns = HRColumns{EmployeeID: "id", Email: "workEmail", Status: "status"} // the table replaces the defaults
	ad := DefaultLDAPSource()
	ad.Name, ad.URL, ad.BindDN, ad.BindPassword = "ad", "ldaps://dc.corp.example", "CN=reader,DC=corp", "s3cret"
	ad.Attributes = LDAPAttributes{Status: "employeeType", Aliases: []string{"proxyAddresses"}}
	ad.StatusValues = map[string]string{"LOA": "leave"}
	okta := DefaultSCIMSource()
	okta.Name, okta.URL, okta.Token, okta.Groups = "okta", "https://corp.okta.example/scim/v2", "tok3n", false
	want := Default()
	want.Sources = Sources{HRFile: []HRFileSource{w, b}, LDAP: []LDAPSource{ad}, SCIM: []SCIMSource{okta}}
	if diff := cmp.Diff(want, got, ignoreOrigin, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("config (-want +got):\n%s", diff)
	}
	if want := 120 * time.Second / 2; got.Sources.LDAP[0].RequestTimeout.Std() != want {
		t.Errorf("request_timeout = %s, want %s", got.Sources.LDAP[0].RequestTimeout, want)
	}
}

func TestTruthSourceErrors(t *testing.T) {
	doc := `[[sources.hrfile]]
name = "hr"
path = ""
format = "xlsx"
delimiter = ";;"
list_separator = ""
status_values = { "Gone" = "departed" }
[sources.hrfile.columns]
name = "n"

[[sources.ldap]]
name = "hr"
url = "ldap://dc.corp.example"
bind_dn = "CN=reader"
bind_password = "${PW}"
flavor = "novell"
page_size = 0
filter = "uid=x"
status_values = { "LOA" = "leave" }

[[sources.ldap]]
name = "ad2"
url = "ldaps://dc"
start_tls = true
bind_dn = "CN=reader"

[[sources.scim]]
name = "okta"
url = "http://idp.example.com/scim/v2"
page_size = 20000
status_values = { "x" = "gone" }
`
	_, err := Parse("config.toml", []byte(doc), env(map[string]string{"PW": "hunter2-secret"}))
	if err == nil {
		t.Fatal("Parse accepted the document")
	}
	// Problems come sorted by line.
	want := strings.Join([]string{
		`config.toml:3: sources.hrfile[0].path: must be set to the HR export file (CSV or JSON)`,
		`config.toml:4: sources.hrfile[0].format: "xlsx" is not valid; want one of csv, json`,
		`config.toml:5: sources.hrfile[0].delimiter: ";;" is not valid; want one character such as ",", ";" or "\t"`,
		`config.toml:6: sources.hrfile[0].list_separator: must be set to a separator such as ";"`,
		`config.toml:7: sources.hrfile[0].status_values.Gone: "departed" is not valid; want one of active, leave, terminated`,
		`config.toml:8: sources.hrfile[0].columns.employee_id: must be set to the column holding employee IDs`,
		`config.toml:8: sources.hrfile[0].columns: set columns.email or columns.aliases: people without emails or usernames cannot be linked`,
		`config.toml:12: sources.ldap[0].name: "hr" is already the name of sources.hrfile[0]; source names must be unique`,
		`config.toml:13: sources.ldap[0].url: "ldap://dc.corp.example" without start_tls would send the bind password in clear text; use ldaps://, start_tls = true or allow_plaintext = true`,
		`config.toml:16: sources.ldap[0].flavor: "novell" is not valid; want one of ad, openldap`,
		`config.toml:17: sources.ldap[0].page_size: 0 is not valid; want 1 to 100000`,
		`config.toml:18: sources.ldap[0].filter: "uid=x" is not valid; want an LDAP filter in parentheses, e.g. "(objectClass=person)"`,
		`config.toml:19: sources.ldap[0].status_values: is set but attributes.status is not: name the attribute the values are read from`,
		`config.toml:21: sources.ldap[1].bind_password: bind_dn and bind_password go together: set both (the password from ${ENV}), or neither for an anonymous bind`,
		`config.toml:24: sources.ldap[1].start_tls: is for ldap:// URLs; ldaps://dc is TLS already`,
		`config.toml:27: sources.scim[0].token: must be set to the bearer token, from the environment: token = "${PROVOST_SCIM_TOKEN}"`,
		`config.toml:29: sources.scim[0].url: "http://idp.example.com/scim/v2" is plain http; the bearer token would travel in clear text, so use https`,
		`config.toml:30: sources.scim[0].page_size: 20000 is not valid; want 1 to 10000`,
		`config.toml:31: sources.scim[0].status_values.x: "gone" is not valid; want one of active, leave, terminated`,
		`config.toml:31: sources.scim[0].status_values: is set but status_attribute is not: name the attribute the values are read from`,
	}, "\n")
	if diff := cmp.Diff(want, err.Error()); diff != "" {
		t.Errorf("errors (-want +got):\n%s", diff)
	}
	if strings.Contains(err.Error(), "hunter2") {
		t.Errorf("errors reveal the bind password")
	}
}

func TestTruthSourcePathsResolve(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "provost.toml")
	doc := "[[sources.hrfile]]\nname = \"hr\"\npath = \"exports/hr.csv\"\n" +
		"[[sources.ldap]]\nname = \"ad\"\nurl = \"ldaps://dc\"\nca_file = \"certs/ca.pem\"\n" +
		"[[sources.scim]]\nname = \"okta\"\nurl = \"https://idp/scim/v2\"\ntoken = \"t\"\nca_file = \"/etc/ssl/ca.pem\"\n"
	if err := os.WriteFile(path, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	got := []string{c.Sources.HRFile[0].Path, c.Sources.LDAP[0].CAFile, c.Sources.SCIM[0].CAFile}
	want := []string{filepath.Join(dir, "exports/hr.csv"), filepath.Join(dir, "certs/ca.pem"), "/etc/ssl/ca.pem"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("paths (-want +got):\n%s", diff)
	}
}

func TestTruthSourceLogValuesRedact(t *testing.T) {
	var buf strings.Builder
	logger := slog.New(slog.NewJSONHandler(&buf, nil))
	l := DefaultLDAPSource()
	l.Name, l.BindDN, l.BindPassword = "ad", "CN=r", "ldap-s3cret"
	s := DefaultSCIMSource()
	s.Name, s.Token = "okta", "scim-s3cret"
	logger.Info("sources", "ldap", l, "scim", s)
	out := buf.String()
	if strings.Contains(out, "s3cret") || strings.Count(out, `"[redacted]"`) != 2 {
		t.Errorf("log line = %s; want both secrets redacted", out)
	}
}
