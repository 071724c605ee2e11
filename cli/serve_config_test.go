package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/spf13/cobra"

	"github.com/provost-dev/provost/audit"
	"github.com/provost-dev/provost/config"
	"github.com/provost-dev/provost/daemon"
	"github.com/provost-dev/provost/finding"
	"github.com/provost-dev/provost/reports"
	"github.com/provost-dev/provost/sandbox"
)

// config cannot import reports or finding; its lists of names must stay equal to theirs.
func TestConfigNameListsMatchTheirPackages(t *testing.T) {
	var formats []string
	for _, f := range reports.Formats() {
		formats = append(formats, string(f))
	}
	if d := cmp.Diff(formats, config.ReportFormats); d != "" {
		t.Errorf("config.ReportFormats differs from reports.Formats() (-reports +config):\n%s", d)
	}
	var sevs []string
	for _, s := range finding.Severities() {
		sevs = append(sevs, s.String())
	}
	if d := cmp.Diff(sevs, config.Severities); d != "" {
		t.Errorf("config.Severities differs from finding.Severities() (-finding +config):\n%s", d)
	}
}

// The [daemon] defaults are the daemon's own, so a file without [daemon] serves as before.
func TestDaemonDefaultsMatch(t *testing.T) {
	cfg, nf := serveSettings(config.Default().Daemon, func(string) bool { return false }, daemon.Config{}, notifyFlags{})
	if d := cmp.Diff(daemon.DefaultConfig(), cfg); d != "" {
		t.Errorf("daemon config from config.Default (-daemon.DefaultConfig +got):\n%s", d)
	}
	if d := cmp.Diff(notifyFlags{minSeverity: "high"}, nf, cmp.AllowUnexported(notifyFlags{})); d != "" {
		t.Errorf("notify settings (-want +got):\n%s", d)
	}
}

func TestServeSettings(t *testing.T) {
	const file = `
[daemon]
listen = "0.0.0.0:9443"
schedules = ["0 2 * * *", "@every 6h"]
timezone = "Europe/Paris"
jitter = "90s"
run_at_startup = true
shutdown_timeout = "30s"
token_env = "MY_TOKEN"
tls_cert = "/etc/provost/cert.pem"
tls_key = "/etc/provost/key.pem"
max_body_bytes = 4096

[daemon.notify]
min_severity = "critical"
slack_webhook_env = "SLACK_URL"
webhook_url = "https://hooks.example.com/provost"
webhook_secret_env = "HOOK_SECRET"
smtp_host = "mail.example.com"
smtp_port = 465
smtp_from = "provost@example.com"
smtp_to = ["sec@example.com", "ops@example.com"]
smtp_username = "provost"
smtp_password_env = "SMTP_PASSWORD"
`
	fromFile := daemon.Config{
		Listen: "0.0.0.0:9443", Schedules: []string{"0 2 * * *", "@every 6h"}, Timezone: "Europe/Paris",
		Jitter: 90 * time.Second, RunAtStartup: true, ShutdownTimeout: 30 * time.Second, TokenEnv: "MY_TOKEN",
		TLSCert: "/etc/provost/cert.pem", TLSKey: "/etc/provost/key.pem", MaxBodyBytes: 4096,
	}
	notifyFromFile := notifyFlags{
		minSeverity: "critical", slackURLEnv: "SLACK_URL", webhookURL: "https://hooks.example.com/provost",
		webhookSecretEnv: "HOOK_SECRET", smtpAddr: "mail.example.com:465", smtpFrom: "provost@example.com",
		smtpTo: []string{"sec@example.com", "ops@example.com"}, smtpUser: "provost", smtpPasswordEnv: "SMTP_PASSWORD",
	}
	tests := []struct {
		name       string
		file       string
		args       []string
		want       func(*daemon.Config, *notifyFlags)
		wantConfig bool // start from the file's values rather than the defaults
	}{
		{name: "file only", file: file, wantConfig: true, want: func(*daemon.Config, *notifyFlags) {}},
		{
			name: "flags given win over the file, the others keep the file's values",
			file: file, wantConfig: true,
			args: []string{"--listen", "127.0.0.1:1", "--schedule", "@hourly", "--run-at-startup=false", "--jitter", "0s",
				"--notify-min-severity", "low", "--smtp-addr", "relay:25", "--smtp-to", "a@example.com"},
			want: func(c *daemon.Config, n *notifyFlags) {
				c.Listen, c.Schedules, c.RunAtStartup, c.Jitter = "127.0.0.1:1", []string{"@hourly"}, false, 0
				n.minSeverity, n.smtpAddr, n.smtpTo = "low", "relay:25", []string{"a@example.com"}
			},
		},
		{
			name: "every flag over the file",
			file: file, wantConfig: true,
			args: []string{"--listen", ":1", "--schedule", "@daily", "--timezone", "UTC", "--jitter", "1s", "--run-at-startup=false",
				"--shutdown-timeout", "2s", "--token-env", "T", "--tls-cert", "c", "--tls-key", "k", "--max-body-bytes", "9",
				"--notify-min-severity", "info", "--slack-webhook-env", "S2", "--webhook-url", "http://w", "--webhook-secret-env", "W2",
				"--smtp-addr", "m:1", "--smtp-from", "f@x.example", "--smtp-to", "t@x.example", "--smtp-user", "u", "--smtp-password-env", "P2"},
			want: func(c *daemon.Config, n *notifyFlags) {
				*c = daemon.Config{Listen: ":1", Schedules: []string{"@daily"}, Timezone: "UTC", Jitter: time.Second,
					ShutdownTimeout: 2 * time.Second, TokenEnv: "T", TLSCert: "c", TLSKey: "k", MaxBodyBytes: 9}
				*n = notifyFlags{minSeverity: "info", slackURLEnv: "S2", webhookURL: "http://w", webhookSecretEnv: "W2",
					smtpAddr: "m:1", smtpFrom: "f@x.example", smtpTo: []string{"t@x.example"}, smtpUser: "u", smtpPasswordEnv: "P2"}
			},
		},
		{
			name: "flags over an empty file",
			args: []string{"--schedule", "@daily", "--schedule", "@every 1h", "--token-env", "X"},
			want: func(c *daemon.Config, n *notifyFlags) {
				c.Schedules, c.TokenEnv = []string{"@daily", "@every 1h"}, "X"
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := config.Parse("provost.toml", []byte(tt.file), func(string) (string, bool) { return "", false })
			if err != nil {
				t.Fatal(err)
			}
			cmd := &cobra.Command{Use: "serve"}
			flagCfg, flagNotify := addServeFlags(cmd)
			if err := cmd.ParseFlags(tt.args); err != nil {
				t.Fatal(err)
			}
			gotCfg, gotNotify := serveSettings(c.Daemon, cmd.Flags().Changed, *flagCfg, *flagNotify)

			wantCfg, wantNotify := daemon.DefaultConfig(), notifyFlags{minSeverity: "high"}
			if tt.wantConfig {
				wantCfg, wantNotify = fromFile, notifyFromFile
				wantCfg.Schedules = append([]string(nil), fromFile.Schedules...)
				wantNotify.smtpTo = append([]string(nil), notifyFromFile.smtpTo...)
			}
			tt.want(&wantCfg, &wantNotify)
			if d := cmp.Diff(wantCfg, gotCfg); d != "" {
				t.Errorf("daemon config (-want +got):\n%s", d)
			}
			if d := cmp.Diff(wantNotify, gotNotify, cmp.AllowUnexported(notifyFlags{})); d != "" {
				t.Errorf("notify settings (-want +got):\n%s", d)
			}
			if err := gotCfg.Validate(); err != nil {
				t.Errorf("the daemon refuses the mapped config: %v", err)
			}
		})
	}
}

// serve takes its settings from the config file: a bad schedule there (which only the daemon's
// cron parser can judge) and the file's token_env reach the user. Both fail before serving.
func TestServeUsesConfigFile(t *testing.T) {
	dir := t.TempDir()
	org := writeFile(t, filepath.Join(dir, "org.json"), string(sandbox.ExampleOrg()))
	base := "[store]\npath = \"" + filepath.Join(dir, "p.db") + "\"\n[[sources.static]]\nname = \"acme\"\npath = \"" + org + "\"\n"
	tests := []struct {
		name, daemon string
		args         []string
		want         string
	}{
		{"schedule from the file", "[daemon]\nschedules = [\"@daily\", \"0 25 * * *\"]\n", nil,
			`provost: daemon.schedules[1] "0 25 * * *": end of range (25) above maximum (23): 25 (want e.g. "0 2 * * *", "0 0 2 * * *" or "@daily")` + "\n"},
		{"token_env from the file", "[daemon]\ntoken_env = \"PROVOST_TEST_UNSET_TOKEN\"\n", nil,
			"provost: the API token is missing: set the environment variable PROVOST_TEST_UNSET_TOKEN (daemon.token_env) to a long random secret\n"},
		{"flag over the file's bad schedule", "[daemon]\nschedules = [\"0 25 * * *\"]\ntoken_env = \"PROVOST_TEST_UNSET_TOKEN\"\n",
			[]string{"--schedule", "@daily"},
			"provost: the API token is missing: set the environment variable PROVOST_TEST_UNSET_TOKEN (daemon.token_env) to a long random secret\n"},
		{"notification channel from the file", "[daemon.notify]\nslack_webhook_env = \"PROVOST_TEST_UNSET_SLACK\"\n", nil,
			"provost: --slack-webhook-env: the environment variable PROVOST_TEST_UNSET_SLACK is empty\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := writeFile(t, filepath.Join(dir, "provost.toml"), base+tt.daemon)
			out, errOut, code := run(t, "", append([]string{"serve", "-c", cfg}, tt.args...)...)
			if code != ExitUsage || errOut != tt.want || out != "" {
				t.Errorf("code %d, stdout %q, stderr:\n%s\nwant code %d, stderr:\n%s", code, out, errOut, ExitUsage, tt.want)
			}
		})
	}
}

func TestScanWritesConfiguredReports(t *testing.T) {
	dir := t.TempDir()
	org := writeFile(t, filepath.Join(dir, "org.json"), string(sandbox.ExampleOrg()))
	cfg := writeFile(t, filepath.Join(dir, "provost.toml"),
		"[store]\npath = \"p.db\"\n[[sources.static]]\nname = \"acme\"\npath = \""+org+"\"\n"+
			"[reports]\ndir = \"out/reports\"\nformats = [\"json\", \"csv\", \"sarif\", \"review-html\"]\n")
	out, errOut, code := run(t, dir, "scan", "-c", cfg, "-o", "json")
	if code != ExitOK {
		t.Fatalf("scan: exit %d: %s", code, errOut)
	}
	var sum scanSummary
	if err := json.Unmarshal([]byte(out), &sum); err != nil {
		t.Fatalf("scan -o json: %v\n%s", err, out)
	}
	reportDir := filepath.Join(dir, "out", "reports") // relative to the config file
	var want []string
	for _, f := range []reports.Format{reports.FormatJSON, reports.FormatCSV, reports.FormatSARIF, reports.FormatReviewHTML} {
		want = append(want, filepath.Join(reportDir, audit.ReportFile(f)))
	}
	if d := cmp.Diff(want, sum.Reports); d != "" {
		t.Errorf("reports in the summary (-want +got):\n%s", d)
	}
	for _, p := range want {
		st, err := os.Stat(p)
		if err != nil {
			t.Errorf("report not written: %v", err)
			continue
		}
		if st.Mode().Perm() != 0o600 || st.Size() == 0 {
			t.Errorf("%s: mode %v, %d bytes; want 0600 and not empty", p, st.Mode().Perm(), st.Size())
		}
	}
	var rep struct {
		Findings []json.RawMessage `json:"findings"`
	}
	data, err := os.ReadFile(want[0])
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &rep); err != nil || len(rep.Findings) == 0 {
		t.Errorf("report.json has %d findings (%v); want the example org's findings", len(rep.Findings), err)
	}

	// Without [reports] formats, scan writes no report.
	cfg = writeFile(t, filepath.Join(dir, "plain.toml"),
		"[store]\npath = \"p2.db\"\n[[sources.static]]\nname = \"acme\"\npath = \""+org+"\"\n[reports]\ndir = \"none\"\n")
	out, errOut, code = run(t, "", "scan", "-c", cfg, "-o", "json")
	if code != ExitOK {
		t.Fatalf("scan: exit %d: %s", code, errOut)
	}
	sum = scanSummary{}
	if err := json.Unmarshal([]byte(out), &sum); err != nil || sum.Reports != nil {
		t.Errorf("scan without formats: reports %v (%v), want none", sum.Reports, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "none")); !os.IsNotExist(err) {
		t.Errorf("report directory made without formats: %v", err)
	}
}
