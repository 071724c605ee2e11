package config_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/provost-dev/provost/config"
)

func noEnv(string) (string, bool) { return "", false }

func TestDaemonAndReportsParse(t *testing.T) {
	doc := `
[reports]
dir = "/var/lib/provost/reports"
formats = ["html", "sarif", "review-csv"]

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
	c, err := config.Parse("d.toml", []byte(doc), noEnv)
	if err != nil {
		t.Fatal(err)
	}
	wantDaemon := config.Daemon{
		Listen: "0.0.0.0:9443", Schedules: []string{"0 2 * * *", "@every 6h"}, Timezone: "Europe/Paris",
		Jitter: config.Duration(90 * time.Second), RunAtStartup: true, ShutdownTimeout: config.Duration(30 * time.Second),
		TokenEnv: "MY_TOKEN", TLSCert: "/etc/provost/cert.pem", TLSKey: "/etc/provost/key.pem", MaxBodyBytes: 4096,
		Notify: config.Notify{
			MinSeverity: "critical", SlackWebhookEnv: "SLACK_URL", WebhookURL: "https://hooks.example.com/provost",
			WebhookSecretEnv: "HOOK_SECRET", SMTPHost: "mail.example.com", SMTPPort: 465, SMTPFrom: "provost@example.com",
			SMTPTo: []string{"sec@example.com", "ops@example.com"}, SMTPUsername: "provost", SMTPPasswordEnv: "SMTP_PASSWORD",
		},
	}
	if d := cmp.Diff(wantDaemon, c.Daemon); d != "" {
		t.Errorf("daemon (-want +got):\n%s", d)
	}
	wantReports := config.Reports{Dir: "/var/lib/provost/reports", Formats: []string{"html", "sarif", "review-csv"}}
	if d := cmp.Diff(wantReports, c.Reports); d != "" {
		t.Errorf("reports (-want +got):\n%s", d)
	}
	if got, want := c.Daemon.Notify.SMTPAddr(), "mail.example.com:465"; got != want {
		t.Errorf("SMTPAddr() = %q, want %q", got, want)
	}
}

func TestDaemonDefaults(t *testing.T) {
	want := config.Daemon{
		Listen: "127.0.0.1:8080", Timezone: "UTC", ShutdownTimeout: config.Duration(5 * time.Minute),
		TokenEnv: "PROVOST_API_TOKEN", MaxBodyBytes: 1 << 20, Notify: config.Notify{MinSeverity: "high", SMTPPort: 587},
	}
	if d := cmp.Diff(want, config.Default().Daemon); d != "" {
		t.Errorf("daemon defaults (-want +got):\n%s", d)
	}
	if d := cmp.Diff(config.Reports{Dir: "reports"}, config.Default().Reports); d != "" {
		t.Errorf("reports defaults (-want +got):\n%s", d)
	}
	if got := config.Default().Daemon.Notify.SMTPAddr(); got != "" {
		t.Errorf("SMTPAddr() without a host = %q, want \"\"", got)
	}
}

func TestDaemonAndReportsErrors(t *testing.T) {
	const envMsg = "want the name of an environment variable (letters, digits and _, not starting with a digit), not its value"
	tests := []struct {
		name, doc string
		want      []string
	}{
		{"bad listen", "[daemon]\nlisten = \"8080\"\n",
			[]string{`d.toml:2: daemon.listen: "8080" is not valid; want host:port, e.g. "127.0.0.1:8080"`}},
		{"empty schedule", "[daemon]\nschedules = [\"@daily\", \" \"]\n",
			[]string{`d.toml:2: daemon.schedules[1]: must be set to a cron spec such as "0 2 * * *" or "@daily"`}},
		{"repeated schedule", "[daemon]\nschedules = [\"@daily\", \"@daily\"]\n",
			[]string{`d.toml:2: daemon.schedules[1]: "@daily" repeats daemon.schedules[0]`}},
		{"unknown time zone", "[daemon]\ntimezone = \"Mars/Olympus\"\n",
			[]string{`d.toml:2: daemon.timezone: "Mars/Olympus" is not valid; want an IANA time zone name such as "UTC" or "Europe/Paris"`}},
		{"negative durations", "[daemon]\njitter = \"-1s\"\nshutdown_timeout = \"-2m\"\n",
			[]string{
				`d.toml:2: daemon.jitter: "-1s" is not valid; want 0 (no limit) or a positive duration`,
				`d.toml:3: daemon.shutdown_timeout: "-2m0s" is not valid; want 0 (no limit) or a positive duration`,
			}},
		{"token value instead of name", "[daemon]\ntoken_env = \"s3cr3t-t0ken!\"\n",
			[]string{`d.toml:2: daemon.token_env: "s3cr3t-t0ken!" is not valid; ` + envMsg}},
		{"empty token env", "[daemon]\ntoken_env = \"\"\n",
			[]string{`d.toml:2: daemon.token_env: must be set to the name of the environment variable holding the API token`}},
		{"cert without key", "[daemon]\ntls_cert = \"c.pem\"\n",
			[]string{`d.toml:1: daemon.tls_key: must be set since tls_cert is; set both tls_cert and tls_key, or neither`}},
		{"key without cert", "[daemon]\ntls_key = \"k.pem\"\n",
			[]string{`d.toml:1: daemon.tls_cert: must be set since tls_key is; set both tls_cert and tls_key, or neither`}},
		{"body limit", "[daemon]\nmax_body_bytes = 0\n",
			[]string{`d.toml:2: daemon.max_body_bytes: 0 is not valid; want 1 or more`}},
		{"body limit with a unit", "[daemon]\nmax_body_bytes = \"1MB\"\n",
			[]string{`d.toml:2: daemon.max_body_bytes: want an integer, got a string`}},
		{"notify severity", "[daemon.notify]\nmin_severity = \"urgent\"\n",
			[]string{`d.toml:2: daemon.notify.min_severity: "urgent" is not valid; want one of info, low, medium, high, critical`}},
		{"slack URL instead of its variable", "[daemon.notify]\nslack_webhook_env = \"https://hooks.slack.com/services/T/B/x\"\n",
			[]string{`d.toml:2: daemon.notify.slack_webhook_env: "https://hooks.slack.com/services/T/B/x" is not valid; ` + envMsg}},
		{"webhook URL", "[daemon.notify]\nwebhook_url = \"ftp://x\"\n",
			[]string{`d.toml:2: daemon.notify.webhook_url: "ftp://x" is not valid; want an http:// or https:// URL, or "" for the default`}},
		{"webhook secret without URL", "[daemon.notify]\nwebhook_secret_env = \"S\"\n",
			[]string{`d.toml:2: daemon.notify.webhook_secret_env: is set without webhook_url; want webhook_url too, or no webhook_secret_env`}},
		{"smtp incomplete", "[daemon.notify]\nsmtp_host = \"mail.example.com:25\"\nsmtp_port = 0\n",
			[]string{
				`d.toml:1: daemon.notify.smtp_from: must be set to the sender address when smtp_host is set`,
				`d.toml:1: daemon.notify.smtp_to: must list at least one recipient when smtp_host is set`,
				`d.toml:2: daemon.notify.smtp_host: "mail.example.com:25" is not valid; want a host name only, with the port in smtp_port`,
				`d.toml:3: daemon.notify.smtp_port: 0 is not valid; want 1 to 65535`,
			}},
		{"smtp addresses", "[daemon.notify]\nsmtp_host = \"mail\"\nsmtp_from = \"provost\"\nsmtp_to = [\"a@b.example\", \"@b.example\"]\nsmtp_password_env = \"hunter 2\"\n",
			[]string{
				`d.toml:3: daemon.notify.smtp_from: "provost" is not valid; want an email address such as "provost@example.com"`,
				`d.toml:4: daemon.notify.smtp_to[1]: "@b.example" is not valid; want an email address such as "provost@example.com"`,
				`d.toml:5: daemon.notify.smtp_password_env: "hunter 2" is not valid; ` + envMsg,
			}},
		{"smtp keys without a host", "[daemon.notify]\nsmtp_to = [\"a@b.example\"]\n",
			[]string{`d.toml:1: daemon.notify.smtp_host: must be set when other smtp_ keys are; want the SMTP server's host name`}},
		{"unknown report format", "[reports]\nformats = [\"html\", \"pdf\", \"html\"]\n",
			[]string{
				`d.toml:2: reports.formats[1]: "pdf" is not valid; want one of html, json, csv, markdown, ocsf, sarif, junit, review-html, review-csv`,
				`d.toml:2: reports.formats[2]: "html" repeats reports.formats[0]`,
			}},
		{"formats without a directory", "[reports]\ndir = \"\"\nformats = [\"json\"]\n",
			[]string{`d.toml:2: reports.dir: must be set to the directory the reports are written to`}},
		{"unknown key suggests", "[daemon]\nschedule = [\"@daily\"]\n",
			[]string{`d.toml:2: unknown key "daemon.schedule" (did you mean "schedules"?)`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := config.Parse("d.toml", []byte(tc.doc), noEnv)
			if err == nil {
				t.Fatal("no error")
			}
			if !errors.Is(err, config.ErrConfig) {
				t.Errorf("error %v does not match ErrConfig", err)
			}
			got := strings.Split(err.Error(), "\n")
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("errors (-want +got):\n%s", d)
			}
		})
	}
}
