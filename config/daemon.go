package config

import (
	"net"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Daemon is the [daemon] section: what `provost serve` does when its flags say nothing. Its keys
// mirror package daemon's Config (this package does not import daemon; cli maps one onto the
// other and daemon.Config.Validate checks the result again, schedules included).
type Daemon struct {
	Listen string `toml:"listen"` // host:port; loopback by default
	// Schedules are cron specs or descriptors (@daily, @every 6h); empty runs only at start-up
	// or through the API.
	Schedules       []string `toml:"schedules"`
	Timezone        string   `toml:"timezone"` // IANA name the schedules are read in
	Jitter          Duration `toml:"jitter"`
	RunAtStartup    bool     `toml:"run_at_startup"`
	ShutdownTimeout Duration `toml:"shutdown_timeout"`
	// TokenEnv names the environment variable holding the API bearer token; never the token.
	TokenEnv     string `toml:"token_env"`
	TLSCert      string `toml:"tls_cert"`
	TLSKey       string `toml:"tls_key"`
	MaxBodyBytes int    `toml:"max_body_bytes"`
	Notify       Notify `toml:"notify"`
}

// Notify is the [daemon.notify] section: where each run's digest of new findings goes. Secrets
// (webhook URLs that embed a token, signing secrets, passwords) are named by environment
// variable only.
type Notify struct {
	MinSeverity      string   `toml:"min_severity"`
	SlackWebhookEnv  string   `toml:"slack_webhook_env"`
	WebhookURL       string   `toml:"webhook_url"`
	WebhookSecretEnv string   `toml:"webhook_secret_env"`
	SMTPHost         string   `toml:"smtp_host"`
	SMTPPort         int      `toml:"smtp_port"`
	SMTPFrom         string   `toml:"smtp_from"`
	SMTPTo           []string `toml:"smtp_to"`
	SMTPUsername     string   `toml:"smtp_username"`
	SMTPPasswordEnv  string   `toml:"smtp_password_env"`
}

// SMTPAddr is host:port of the SMTP server, or "" when no host is set.
func (n Notify) SMTPAddr() string {
	if n.SMTPHost == "" {
		return ""
	}
	return net.JoinHostPort(n.SMTPHost, strconv.Itoa(n.SMTPPort))
}

// Reports is the [reports] section: the files each scan writes. No formats, no reports.
type Reports struct {
	Dir     string   `toml:"dir"`
	Formats []string `toml:"formats"`
}

// Severities are the names daemon.notify.min_severity accepts (package finding's severities).
var Severities = []string{"info", "low", "medium", "high", "critical"}

// ReportFormats are the names reports.formats accepts (package reports' Formats; a test in cli
// keeps the two lists equal).
var ReportFormats = []string{"html", "json", "csv", "markdown", "ocsf", "sarif", "junit", "review-html", "review-csv"}

// DefaultDaemon is the [daemon] section a file leaves out; it equals daemon.DefaultConfig, with
// notifications off and the flag's default severity.
func DefaultDaemon() Daemon {
	return Daemon{
		Listen:          "127.0.0.1:8080",
		Timezone:        "UTC",
		ShutdownTimeout: Duration(5 * time.Minute),
		TokenEnv:        "PROVOST_API_TOKEN",
		MaxBodyBytes:    1 << 20,
		Notify:          Notify{MinSeverity: "high", SMTPPort: 587},
	}
}

// DefaultReports is the [reports] section a file leaves out: a directory, no formats.
func DefaultReports() Reports { return Reports{Dir: "reports"} }

var envNameRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// envName checks that value names an environment variable; "" is allowed unless required says
// what the variable holds.
func (v *validator) envName(key, value, required string) {
	if value == "" {
		if required != "" {
			v.required(key, value, "the name of the environment variable holding "+required)
		}
		return
	}
	v.match(key, value, envNameRE, "the name of an environment variable (letters, digits and _, not starting with a digit), not its value")
}

func (v *validator) email(key, value string) {
	if at := strings.LastIndexByte(value, '@'); at <= 0 || at == len(value)-1 || strings.ContainsAny(value, " <>") {
		v.fail(key, "%q is not valid; want an email address such as \"provost@example.com\"", value)
	}
}

func (c *Config) validateDaemon(v *validator) {
	d := c.Daemon
	if _, port, err := net.SplitHostPort(d.Listen); err != nil || port == "" {
		v.fail("daemon.listen", "%q is not valid; want host:port, e.g. \"127.0.0.1:8080\"", d.Listen)
	}
	v.list("daemon.schedules", d.Schedules, v.nonEmpty(`a cron spec such as "0 2 * * *" or "@daily"`))
	if _, err := time.LoadLocation(d.Timezone); err != nil || d.Timezone == "" || d.Timezone == "Local" {
		v.fail("daemon.timezone", "%q is not valid; want an IANA time zone name such as \"UTC\" or \"Europe/Paris\"", d.Timezone)
	}
	v.duration("daemon.jitter", d.Jitter)
	v.duration("daemon.shutdown_timeout", d.ShutdownTimeout)
	v.envName("daemon.token_env", d.TokenEnv, "the API token")
	if (d.TLSCert == "") != (d.TLSKey == "") {
		missing, set := "daemon.tls_key", "tls_cert"
		if d.TLSCert == "" {
			missing, set = "daemon.tls_cert", "tls_key"
		}
		v.fail(missing, "must be set since %s is; set both tls_cert and tls_key, or neither", set)
	}
	v.atLeast("daemon.max_body_bytes", d.MaxBodyBytes, 1, "")

	n := d.Notify
	v.oneOf("daemon.notify.min_severity", n.MinSeverity, Severities...)
	v.envName("daemon.notify.slack_webhook_env", n.SlackWebhookEnv, "")
	v.endpoint("daemon.notify.webhook_url", n.WebhookURL)
	v.envName("daemon.notify.webhook_secret_env", n.WebhookSecretEnv, "")
	if n.WebhookSecretEnv != "" && n.WebhookURL == "" {
		v.fail("daemon.notify.webhook_secret_env", "is set without webhook_url; want webhook_url too, or no webhook_secret_env")
	}
	v.between("daemon.notify.smtp_port", n.SMTPPort, 1, 65535)
	if n.SMTPHost != "" {
		if strings.ContainsAny(n.SMTPHost, ":/ ") {
			v.fail("daemon.notify.smtp_host", "%q is not valid; want a host name only, with the port in smtp_port", n.SMTPHost)
		}
		if v.required("daemon.notify.smtp_from", n.SMTPFrom, "the sender address when smtp_host is set") {
			v.email("daemon.notify.smtp_from", n.SMTPFrom)
		}
		if len(n.SMTPTo) == 0 {
			v.fail("daemon.notify.smtp_to", "must list at least one recipient when smtp_host is set")
		}
	} else if n.SMTPFrom != "" || len(n.SMTPTo) > 0 || n.SMTPUsername != "" || n.SMTPPasswordEnv != "" {
		v.fail("daemon.notify.smtp_host", "must be set when other smtp_ keys are; want the SMTP server's host name")
	}
	v.list("daemon.notify.smtp_to", n.SMTPTo, v.email)
	v.envName("daemon.notify.smtp_password_env", n.SMTPPasswordEnv, "")
}

func (c *Config) validateReports(v *validator) {
	r := c.Reports
	v.list("reports.formats", r.Formats, func(key, value string) {
		v.oneOf(key, value, ReportFormats...)
	})
	if len(r.Formats) > 0 {
		v.required("reports.dir", r.Dir, "the directory the reports are written to")
	}
}
