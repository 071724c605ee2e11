package config

import (
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

const exampleFile = "../config.example.toml"

// The example file parses, and shows the real defaults for every key that has one.
func TestExampleConfigParses(t *testing.T) {
	data, err := os.ReadFile(exampleFile)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Parse(exampleFile, data, env(map[string]string{"PROVOST_LDAP_PASSWORD": "pw", "PROVOST_SCIM_TOKEN": "tok"}))
	if err != nil {
		t.Fatalf("Parse(%s): %v", exampleFile, err)
	}
	want := Default()
	aws := DefaultAWSSource()
	aws.Name = "aws-prod"
	aws.Accounts, aws.Profiles = []string{}, []string{}
	gcp := DefaultGCPSource()
	gcp.Name, gcp.Organization, gcp.Projects = "gcp-prod", "organizations/123456789012", []string{}
	hr := DefaultHRFileSource()
	hr.Name, hr.Path, hr.StatusValues = "workday", "hr/workday.csv", map[string]string{}
	ad := DefaultLDAPSource()
	ad.Name, ad.URL, ad.BindDN, ad.BindPassword = "corp-ad", "ldaps://dc1.corp.example:636", "CN=provost-reader,OU=Service Accounts,DC=corp,DC=example", "pw"
	ad.StatusValues, ad.Attributes.Aliases = map[string]string{}, []string{}
	okta := DefaultSCIMSource()
	okta.Name, okta.URL, okta.Token, okta.StatusValues = "okta", "https://corp.okta.example/scim/v2", "tok", map[string]string{}
	want.Sources = Sources{
		Static: []StaticSource{{Name: "example", Path: "sandbox/example-org.json"}},
		AWS:    []AWSSource{aws},
		GCP:    []GCPSource{gcp},
		HRFile: []HRFileSource{hr},
		LDAP:   []LDAPSource{ad},
		SCIM:   []SCIMSource{okta},
	}
	want.Linking.EmailDomains = []string{}
	want.Policy.Dirs, want.Policy.Bundles = []string{}, []string{}
	want.Policy.Params.OrgDomains, want.Policy.Params.ProtectedPrincipals = []string{}, []string{}
	want.Remediation.Protected, want.Remediation.Self = []string{}, []string{}
	want.Remediation.Rules = []RemediationRule{{Check: "PV-AWS-002", Action: "deactivate_access_key", Grace: Duration(168 * time.Hour),
		DeleteAction: "delete_access_key", DeleteAfter: Duration(720 * time.Hour), Accounts: []string{}, OUs: []string{}, Departments: []string{}}}
	want.Daemon.Schedules, want.Daemon.Notify.SMTPTo = []string{}, []string{}
	want.Reports.Formats = []string{}
	if diff := cmp.Diff(want, got, ignoreOrigin); diff != "" {
		t.Errorf("example config differs from the defaults (-want +got):\n%s", diff)
	}
}

// Every key of Config appears in the example file, each under a comment that explains it.
func TestExampleConfigDocumentsEveryKey(t *testing.T) {
	data, err := os.ReadFile(exampleFile)
	if err != nil {
		t.Fatal(err)
	}
	w := newWalker(exampleFile, data, env(nil))
	if err := w.walk(); err != nil {
		t.Fatal(err)
	}
	documented := map[string]int{}
	for path, line := range w.seen {
		documented[stripIndices(path)] = line
	}
	lines := strings.Split(string(data), "\n")
	leaves := configSchema().leaves()
	if len(leaves) < 40 {
		t.Fatalf("schema has %d keys; the reflection walk is broken", len(leaves))
	}
	for _, key := range leaves {
		line, ok := documented[key]
		if !ok {
			t.Errorf("key %s is not in %s", key, exampleFile)
			continue
		}
		if line < 2 || !strings.HasPrefix(strings.TrimSpace(lines[line-2]), "#") {
			t.Errorf("%s:%d: key %s has no comment on the line above", exampleFile, line, key)
		}
	}
	for key := range documented {
		if _, ok := configSchema().types[key]; !ok {
			t.Errorf("%s has key %s, which Config does not", exampleFile, key)
		}
	}
}

func TestSchemaLeaves(t *testing.T) {
	leaves := configSchema().leaves()
	for _, want := range []string{"log.level", "store.lock_timeout", "sources.aws.role_name", "sources.gcp.project_timeout", "policy.params.custom"} {
		if !slices.Contains(leaves, want) {
			t.Errorf("schema leaves lack %s: %v", want, leaves)
		}
	}
	for _, table := range []string{"log", "sources", "sources.aws", "policy.params"} {
		if slices.Contains(leaves, table) {
			t.Errorf("schema leaves include the table %s", table)
		}
	}
}
