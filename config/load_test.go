package config

import (
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

var ignoreOrigin = cmpopts.IgnoreUnexported(Config{})

func env(vars map[string]string) func(string) (string, bool) {
	return func(name string) (string, bool) {
		v, ok := vars[name]
		return v, ok
	}
}

func TestParse(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		env  map[string]string
		want func(c *Config)
	}{
		{
			name: "empty document is the defaults",
			doc:  "",
			want: func(c *Config) {},
		},
		{
			name: "tables override only the keys they set",
			doc: `
[log]
level = "debug"
[store]
keep_last = 0
lock_timeout = "500ms"
[collect]
timeout = "0s"
`,
			want: func(c *Config) {
				c.Log.Level = "debug"
				c.Store.KeepLast = 0
				c.Store.LockTimeout = Duration(500 * time.Millisecond)
				c.Collect.Timeout = 0
			},
		},
		{
			name: "lists replace the default lists",
			doc:  "[linking]\norder = [\"email\"]\nowner_tags = []\n",
			want: func(c *Config) {
				c.Linking.Order = []string{"email"}
				c.Linking.OwnerTags = []string{}
			},
		},
		{
			name: "source tables start from their type's defaults",
			doc: `
[[sources.aws]]
name = "a"
[[sources.aws]]
name = "b"
organization = false
accounts = ["111122223333"]
max_items = 100
[[sources.gcp]]
name = "g"
projects = ["acme-prod-1"]
use_asset_inventory = false
[[sources.static]]
name = "s"
path = "x.json"
`,
			want: func(c *Config) {
				a, b, g := DefaultAWSSource(), DefaultAWSSource(), DefaultGCPSource()
				a.Name = "a"
				b.Name, b.Organization, b.Accounts, b.MaxItems = "b", false, []string{"111122223333"}, 100
				g.Name, g.Projects, g.UseAssetInventory = "g", []string{"acme-prod-1"}, false
				c.Sources = Sources{
					AWS:    []AWSSource{a, b},
					GCP:    []GCPSource{g},
					Static: []StaticSource{{Name: "s", Path: "x.json"}},
				}
			},
		},
		{
			name: "inline tables and dotted keys",
			doc:  "sources.aws = [{name = \"a\", region = \"eu-west-2\"}]\nlog.format = \"json\"\n",
			want: func(c *Config) {
				a := DefaultAWSSource()
				a.Name, a.Region = "a", "eu-west-2"
				c.Sources.AWS = []AWSSource{a}
				c.Log.Format = "json"
			},
		},
		{
			name: "environment references in strings, lists and durations",
			doc: `
[collect]
timeout = "${TIMEOUT}"
[[sources.aws]]
name = "aws-${STAGE}"
external_id = "${EXT}"
profiles = ["${STAGE}-audit", 'literal-$$']
[policy.params.custom]
owner = "${OWNER}"
`,
			env: map[string]string{"TIMEOUT": "3m", "STAGE": "prod", "EXT": "s3cr=et/1", "OWNER": "sec@acme.example"},
			want: func(c *Config) {
				c.Collect.Timeout = Duration(3 * time.Minute)
				a := DefaultAWSSource()
				a.Name, a.ExternalID, a.Profiles = "aws-prod", "s3cr=et/1", []string{"prod-audit", "literal-$"}
				c.Sources.AWS = []AWSSource{a}
				c.Policy.Params.Custom = map[string]any{"owner": "sec@acme.example"}
			},
		},
		{
			name: "expanded values are quoted back",
			doc:  "[linking]\nmapping_file = \"${ODD}\"\n",
			env:  map[string]string{"ODD": "C:\\maps\\\"q\"\ttab\u0001"},
			want: func(c *Config) { c.Linking.MappingFile = "C:\\maps\\\"q\"\ttab\u0001" },
		},
		{
			name: "an empty variable is a value",
			doc:  "[linking]\nmapping_file = \"${EMPTY}\"\n",
			env:  map[string]string{"EMPTY": ""},
			want: func(c *Config) {},
		},
		{
			name: "custom params pass through",
			doc:  "[policy.params.custom]\nmax_admins = 3\nteams = [\"a\", \"b\"]\nstrict = true\n",
			want: func(c *Config) {
				c.Policy.Params.Custom = map[string]any{"max_admins": int64(3), "teams": []any{"a", "b"}, "strict": true}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse("config.toml", []byte(tt.doc), env(tt.env))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			want := Default()
			tt.want(want)
			if diff := cmp.Diff(want, got, ignoreOrigin, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("config (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		env  map[string]string
		want []string
	}{
		{
			name: "malformed TOML",
			doc:  "[log]\nlevel = \"info\"\nformat \"json\"\n",
			want: []string{`config.toml:3:8: expected '=' after key`},
		},
		{
			name: "unterminated string",
			doc:  "[log]\nlevel = \"info\n",
			want: []string{`config.toml:2:14: basic strings cannot have new lines`},
		},
		{
			name: "key defined twice",
			doc:  "[log]\nlevel = \"info\"\nlevel = \"debug\"\n",
			want: []string{`config.toml:3:1: key level is already defined`},
		},
		{
			name: "unknown keys, nested and top-level, with suggestions",
			doc:  "[[sources.aws]]\nname = \"a\"\nrol_name = \"x\"\n[sourcs]\nx = 1\n[log]\ncolour = \"red\"\n[policy.params]\nstale = 1\n",
			want: []string{
				`config.toml:3: unknown key "sources.aws.rol_name" (did you mean "role_name"?)`,
				`config.toml:4: unknown key "sourcs" (did you mean "sources"?)`,
				`config.toml:7: unknown key "log.colour" (valid keys here: format, level)`,
				`config.toml:9: unknown key "policy.params.stale" (did you mean "stale_days"?)`,
			},
		},
		{
			name: "values of unknown keys are not expanded",
			doc:  "[log]\ncolor = \"$TERM\"\n",
			want: []string{`config.toml:2: unknown key "log.color" (valid keys here: format, level)`},
		},
		{
			name: "CRLF line endings",
			doc:  "[log]\r\nlevel = \"loud\"\r\n[store]\r\nkeep_days = -1\r\n",
			want: []string{
				`config.toml:2: log.level: "loud" is not valid; want one of debug, info, warn, error`,
				`config.toml:4: store.keep_days: -1 is not valid; want 0 or more (0 keeps all)`,
			},
		},
		{
			name: "wrong types",
			doc:  "[log]\nlevel = 5\n[collect]\nparallelism = \"four\"\ntimeout = 10\n[policy]\ndirs = [\"a\", 2]\nparams = 3\n",
			want: []string{
				`config.toml:2: log.level: want a string, got an integer`,
				`config.toml:4: collect.parallelism: want an integer, got a string`,
				`config.toml:5: collect.timeout: want a duration such as "90s", "10m" or "1h30m", got an integer`,
				`config.toml:7: policy.dirs[1]: want a string, got an integer`,
				`config.toml:8: policy.params: want a table, got an integer`,
			},
		},
		{
			name: "invalid values",
			doc: `[log]
level = "verbose"
format = "xml"
[store]
path = ""
keep_last = -1
lock_timeout = "-1s"
[collect]
parallelism = 0
[linking]
order = ["email", "guess", "email"]
username_patterns = ["{first}.{middle}", "plain", "{local"]
email_domains = ["acme.example", "not a domain"]
[policy.params]
stale_days = 0
leaver_sla_hours = -2
org_domains = ["@acme.example"]
admin_policy_names = [""]
`,
			want: []string{
				`config.toml:2: log.level: "verbose" is not valid; want one of debug, info, warn, error`,
				`config.toml:3: log.format: "xml" is not valid; want one of text, json`,
				`config.toml:5: store.path: must be set to the database file`,
				`config.toml:6: store.keep_last: -1 is not valid; want 0 or more (0 keeps all)`,
				`config.toml:7: store.lock_timeout: "-1s" is not valid; want 0 (no limit) or a positive duration`,
				`config.toml:9: collect.parallelism: 0 is not valid; want 1 or more`,
				`config.toml:11: linking.order[1]: "guess" is not valid; want one of mapping, email, tag, external_id, username`,
				`config.toml:11: linking.order[2]: "email" repeats linking.order[0]`,
				`config.toml:12: linking.username_patterns[0]: "{first}.{middle}" is not valid: unknown placeholder {middle}; want {local}, {first}, {last}, {f}`,
				`config.toml:12: linking.username_patterns[1]: "plain" is not valid; want a pattern using {local}, {first}, {last}, {f}, e.g. "{first}.{last}"`,
				`config.toml:12: linking.username_patterns[2]: "{local" is not valid; want a pattern using {local}, {first}, {last}, {f}, e.g. "{first}.{last}"`,
				`config.toml:13: linking.email_domains[1]: "not a domain" is not valid; want a domain such as "example.com"`,
				`config.toml:15: policy.params.stale_days: 0 is not valid; want 1 or more`,
				`config.toml:16: policy.params.leaver_sla_hours: -2 is not valid; want 0 or more`,
				`config.toml:17: policy.params.org_domains[0]: "@acme.example" is not valid; want a domain such as "example.com"`,
				`config.toml:18: policy.params.admin_policy_names[0]: must be set to a policy or role name`,
			},
		},
		{
			name: "bad durations",
			doc:  "[store]\nlock_timeout = \"2 secs\"\n[[sources.aws]]\nname = \"a\"\naccount_timeout = \"5\"\n",
			want: []string{
				`config.toml:2: store.lock_timeout: "2 secs" is not a duration; want e.g. "90s", "10m" or "1h30m"`,
				`config.toml:5: sources.aws[0].account_timeout: "5" is not a duration; want e.g. "90s", "10m" or "1h30m"`,
			},
		},
		{
			name: "environment problems",
			doc: `[[sources.aws]]
name = "a"
external_id = "${AWS_EXTERNAL_ID}"
role_name = "${ROLE"
region = "${1X}"
endpoint = "http://$HOST"
[collect]
timeout = "${MISSING_TIMEOUT}"
`,
			want: []string{
				`config.toml:3: sources.aws[0].external_id: environment variable AWS_EXTERNAL_ID is not set`,
				`config.toml:4: sources.aws[0].role_name: "${" has no closing "}"`,
				`config.toml:5: sources.aws[0].region: "1X" is not an environment variable name; want letters, digits and _, not starting with a digit`,
				`config.toml:6: sources.aws[0].endpoint: "$" must start "${NAME}" or be doubled as "$$"`,
				`config.toml:8: collect.timeout: environment variable MISSING_TIMEOUT is not set`,
			},
		},
		{
			name: "source names: pattern, missing and duplicates across types",
			doc: `[[sources.static]]
name = "prod"
path = "a.json"
[[sources.aws]]
name = "Prod"
[[sources.aws]]
name = "prod"
[[sources.gcp]]
organization = "organizations/1"
[[sources.gcp]]
name = "prod"
projects = ["acme-prod-1"]
`,
			want: []string{
				`config.toml:5: sources.aws[0].name: "Prod" is not valid; want lowercase letters, digits, "_" and "-", starting with a letter or digit`,
				`config.toml:7: sources.aws[1].name: "prod" is already the name of sources.static[0]; source names must be unique`,
				`config.toml:8: sources.gcp[0].name: must be set to a name such as "aws-prod"`,
				`config.toml:11: sources.gcp[1].name: "prod" is already the name of sources.static[0]; source names must be unique`,
			},
		},
		{
			name: "source values",
			doc: `[[sources.static]]
name = "s"
[[sources.aws]]
name = "a"
region = "moon-1"
endpoint = "localhost:5000"
accounts = ["1234", "111122223333", "111122223333"]
role_name = "bad role"
external_id = "x"
profiles = [""]
parallelism = 0
account_timeout = "-5m"
max_items = 1001
[[sources.gcp]]
name = "g"
organization = "123"
projects = ["Acme_Prod"]
endpoint = "ftp://x"
impersonate_service_account = "me@acme.example"
parallelism = 300
[[sources.gcp]]
name = "h"
`,
			want: []string{
				`config.toml:1: sources.static[0].path: must be set to a snapshot JSON file`,
				`config.toml:5: sources.aws[0].region: "moon-1" is not valid; want an AWS region such as us-east-1`,
				`config.toml:6: sources.aws[0].endpoint: "localhost:5000" is not valid; want an http:// or https:// URL, or "" for the default`,
				`config.toml:7: sources.aws[0].accounts[0]: "1234" is not valid; want a 12-digit AWS account ID`,
				`config.toml:7: sources.aws[0].accounts[2]: "111122223333" repeats sources.aws[0].accounts[1]`,
				`config.toml:8: sources.aws[0].role_name: "bad role" is not valid; want an IAM role name (letters, digits and +=,.@_-, at most 64) to assume in each account`,
				`config.toml:9: sources.aws[0].external_id: is not valid; want 2 to 1224 letters, digits or +=,.@:/_-`,
				`config.toml:10: sources.aws[0].profiles[0]: must be set to an AWS profile name`,
				`config.toml:11: sources.aws[0].parallelism: 0 is not valid; want 1 to 256`,
				`config.toml:12: sources.aws[0].account_timeout: "-5m0s" is not valid; want 0 (no limit) or a positive duration`,
				`config.toml:13: sources.aws[0].max_items: 1001 is not valid; want 1 to 1000`,
				`config.toml:16: sources.gcp[0].organization: "123" is not valid; want "organizations/" and the organization number`,
				`config.toml:17: sources.gcp[0].projects[0]: "Acme_Prod" is not valid; want a project ID (6 to 30 lowercase letters, digits and hyphens)`,
				`config.toml:18: sources.gcp[0].endpoint: "ftp://x" is not valid; want an http:// or https:// URL, or "" for the default`,
				`config.toml:19: sources.gcp[0].impersonate_service_account: "me@acme.example" is not valid; want a service account email ending in .gserviceaccount.com`,
				`config.toml:20: sources.gcp[0].parallelism: 300 is not valid; want 1 to 256`,
				`config.toml:21: sources.gcp[1]: set organization or projects to say what to collect`,
			},
		},
		{
			name: "several kinds of problem at once",
			doc: `[log]
level = "loud"
[store]
keep_days = "ninety"
[[sources.aws]]
name = "a"
region = "${REGION}"
acounts = []
[[sources.static]]
name = "a"
path = "x.json"
`,
			want: []string{
				`config.toml:2: log.level: "loud" is not valid; want one of debug, info, warn, error`,
				`config.toml:4: store.keep_days: want an integer, got a string`,
				`config.toml:7: sources.aws[0].region: environment variable REGION is not set`,
				`config.toml:8: unknown key "sources.aws.acounts" (did you mean "accounts"?)`,
				`config.toml:10: sources.static[0].name: "a" is already the name of sources.aws[0]; source names must be unique`,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse("config.toml", []byte(tt.doc), env(tt.env))
			if err == nil {
				t.Fatalf("Parse succeeded, want errors:\n%s", strings.Join(tt.want, "\n"))
			}
			if c != nil {
				t.Errorf("Parse returned a config with an error")
			}
			if !errors.Is(err, ErrConfig) {
				t.Errorf("errors.Is(err, ErrConfig) = false for %v", err)
			}
			if diff := cmp.Diff(tt.want, strings.Split(err.Error(), "\n")); diff != "" {
				t.Errorf("errors (-want +got):\n%s", diff)
			}
			for _, e := range unwrapAll(err) {
				var fe *FieldError
				if !errors.As(e, &fe) {
					t.Errorf("error %q is not a *FieldError", e)
				}
			}
		})
	}
}

func unwrapAll(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

// Positions in the rewritten document map back to the original, whatever was replaced before
// them on the same line or earlier lines.
func TestRewrittenPositions(t *testing.T) {
	doc := "a = \"${LONG}\", b = \"${S}\" x\nc = \"${S}\"\nd = 1\n"
	w := newWalker("config.toml", []byte(doc), env(map[string]string{"LONG": strings.Repeat("L", 20), "S": ""}))
	w.replace(edit{off: 4, n: 9}, `"`+strings.Repeat("L", 20)+`"`) // a's value grows by 13
	w.replace(edit{off: 19, n: 6}, `""`)                           // b's value shrinks by 4
	w.replace(edit{off: 32, n: 6}, `""`)                           // c's value shrinks by 4
	out, position := w.rewritten()
	wantDoc := "a = \"" + strings.Repeat("L", 20) + "\", b = \"\" x\nc = \"\"\nd = 1\n"
	if string(out) != wantDoc {
		t.Fatalf("rewritten = %q, want %q", out, wantDoc)
	}
	tests := []struct{ line, col, wantLine, wantCol int }{
		{1, 1, 1, 1},   // before any edit
		{1, 10, 1, 5},  // inside a's new value: the start of the old one
		{1, 29, 1, 16}, // "b" after a's value
		{1, 36, 1, 27}, // "x" after both
		{2, 1, 2, 1},   // next line
		{2, 5, 2, 5},   // inside c's value
		{3, 5, 3, 5},   // after everything
	}
	for _, tt := range tests {
		if l, c := position(tt.line, tt.col); l != tt.wantLine || c != tt.wantCol {
			t.Errorf("position(%d, %d) = %d, %d; want %d, %d", tt.line, tt.col, l, c, tt.wantLine, tt.wantCol)
		}
	}
}

func TestSecretsStayOutOfErrors(t *testing.T) {
	doc := "[[sources.aws]]\nname = \"a\"\nexternal_id = \"${EXT}\"\nregion = 1\n"
	_, err := Parse("config.toml", []byte(doc), env(map[string]string{"EXT": "!not valid secret!"}))
	if err == nil {
		t.Fatal("Parse succeeded, want errors")
	}
	if strings.Contains(err.Error(), "not valid secret") {
		t.Errorf("error reveals the external ID: %v", err)
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "provost.toml")
	doc := `[store]
path = "data/provost.db"
[[sources.static]]
name = "s"
path = "/abs/org.json"
[linking]
mapping_file = "${MAPPING}"
[policy]
dirs = ["policies"]
bundles = ["https://bundles.acme.example/provost.tar.gz"]
waivers_file = "waivers.toml"
[daemon]
tls_cert = "tls/cert.pem"
tls_key = "/abs/key.pem"
`
	if err := os.WriteFile(path, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("MAPPING", "mapping.json")
	got, err := Load(path)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	want := Default()
	want.Store.Path = filepath.Join(dir, "data/provost.db")
	want.Sources.Static = []StaticSource{{Name: "s", Path: "/abs/org.json"}}
	want.Linking.MappingFile = filepath.Join(dir, "mapping.json")
	want.Policy.Dirs = []string{filepath.Join(dir, "policies")}
	want.Policy.Bundles = []string{"https://bundles.acme.example/provost.tar.gz"}
	want.Policy.WaiversFile = filepath.Join(dir, "waivers.toml")
	want.Reports.Dir = filepath.Join(dir, "reports")
	want.Daemon.TLSCert, want.Daemon.TLSKey = filepath.Join(dir, "tls/cert.pem"), "/abs/key.pem"
	if diff := cmp.Diff(want, got, ignoreOrigin); diff != "" {
		t.Errorf("config (-want +got):\n%s", diff)
	}
	if got.File() != path {
		t.Errorf("File() = %q, want %q", got.File(), path)
	}
}

func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.toml")
	if err := os.WriteFile(bad, []byte("[store]\nkeep_last = -3\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing.toml")
	tests := []struct {
		path   string
		want   string
		target error
	}{
		{bad, bad + `:2: store.keep_last: -3 is not valid; want 0 or more (0 keeps all)`, ErrConfig},
		{missing, "invalid configuration: open " + missing + ": no such file or directory", os.ErrNotExist},
	}
	for _, tt := range tests {
		t.Run(filepath.Base(tt.path), func(t *testing.T) {
			_, err := Load(tt.path)
			if err == nil || err.Error() != tt.want {
				t.Fatalf("Load error = %v, want %s", err, tt.want)
			}
			if !errors.Is(err, ErrConfig) || !errors.Is(err, tt.target) {
				t.Errorf("error %v does not match ErrConfig and %v", err, tt.target)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	if err := Default().Validate(); err != nil {
		t.Fatalf("Default().Validate() = %v", err)
	}
	c := Default()
	c.Log.Level = "trace"
	c.Sources.AWS = []AWSSource{DefaultAWSSource()}
	err := c.Validate()
	want := "log.level: \"trace\" is not valid; want one of debug, info, warn, error\n" +
		"sources.aws[0].name: must be set to a name such as \"aws-prod\""
	if err == nil || err.Error() != want {
		t.Fatalf("Validate() = %v, want\n%s", err, want)
	}
	if !errors.Is(err, ErrConfig) {
		t.Errorf("errors.Is(err, ErrConfig) = false")
	}
	var fe *FieldError
	if !errors.As(err, &fe) || fe.Key != "log.level" || fe.File != "" || fe.Line != 0 {
		t.Errorf("first FieldError = %+v, want key log.level without a position", fe)
	}
}

func TestExpandEnv(t *testing.T) {
	vars := env(map[string]string{"A": "1", "B_2": "two", "EMPTY": "", "DOLLAR": "$x"})
	tests := []struct {
		in, want, err string
	}{
		{in: "plain", want: "plain"},
		{in: "${A}", want: "1"},
		{in: "x${A}y${B_2}z", want: "x1ytwoz"},
		{in: "${EMPTY}", want: ""},
		{in: "${DOLLAR}", want: "$x"}, // values are not expanded again
		{in: "$$", want: "$"},
		{in: "$${A}", want: "${A}"},
		{in: "a$$$${A}", want: "a$${A}"},
		{in: "a$$${A}", want: "a$1"},
		{in: "${NOPE}", err: "environment variable NOPE is not set"},
		{in: "${}", err: `"" is not an environment variable name; want letters, digits and _, not starting with a digit`},
		{in: "${A-B}", err: `"A-B" is not an environment variable name; want letters, digits and _, not starting with a digit`},
		{in: "${A", err: `"${" has no closing "}"`},
		{in: "$A", err: `"$" must start "${NAME}" or be doubled as "$$"`},
		{in: "end$", err: `"$" must start "${NAME}" or be doubled as "$$"`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := expandEnv(tt.in, vars)
			gotErr := ""
			if err != nil {
				gotErr = err.Error()
			}
			if got != tt.want || gotErr != tt.err {
				t.Errorf("expandEnv(%q) = %q, %q; want %q, %q", tt.in, got, gotErr, tt.want, tt.err)
			}
		})
	}
}

func TestDuration(t *testing.T) {
	var d Duration
	if err := d.UnmarshalText([]byte("1h30m")); err != nil || d.Std() != 90*time.Minute {
		t.Fatalf("UnmarshalText(1h30m) = %v, %v", d, err)
	}
	text, _ := d.MarshalText()
	if string(text) != "1h30m0s" {
		t.Errorf("MarshalText = %q", text)
	}
	err := d.UnmarshalText([]byte("soon"))
	if err == nil || err.Error() != `"soon" is not a duration; want e.g. "90s", "10m" or "1h30m"` {
		t.Errorf("UnmarshalText(soon) error = %v", err)
	}
}

func TestAWSSourceLogValueRedacts(t *testing.T) {
	var buf strings.Builder
	logger := slog.New(slog.NewJSONHandler(&buf, nil))
	s := DefaultAWSSource()
	s.Name, s.ExternalID = "aws-prod", "s3cret-external-id"
	logger.Info("source", "aws", s)
	out := buf.String()
	if strings.Contains(out, "s3cret") || !strings.Contains(out, `"external_id":"[redacted]"`) || !strings.Contains(out, `"name":"aws-prod"`) {
		t.Errorf("log line = %s; want the name and a redacted external ID", out)
	}
}
