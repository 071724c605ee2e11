package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"slices"
	"time"

	"github.com/spf13/cobra"

	"github.com/provost-dev/provost/audit"
	"github.com/provost-dev/provost/collector"
	"github.com/provost-dev/provost/config"
	"github.com/provost-dev/provost/daemon"
	"github.com/provost-dev/provost/finding"
	"github.com/provost-dev/provost/notify"
	"github.com/provost-dev/provost/store"
)

// notifyFlags configure the channels; secrets are named by environment variable, never given
// on the command line.
type notifyFlags struct {
	minSeverity      string
	slackURLEnv      string
	webhookURL       string
	webhookSecretEnv string
	smtpAddr         string
	smtpFrom         string
	smtpTo           []string
	smtpUser         string
	smtpPasswordEnv  string
}

func (a *app) newServeCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the daemon: scheduled scans, HTTP API, Prometheus metrics",
		Long: `serve runs Provost as a service: it scans on the cron schedules given with --schedule (standard
five-field specs, an optional leading seconds field, or descriptors like @daily), skipping a tick
while a scan is still going, and serves the JSON API under /api/v1, /metrics, /healthz and
/readyz on --listen (loopback by default).

Every route but the health checks needs "Authorization: Bearer <token>", the token read from the
environment variable named by --token-env. On SIGTERM or SIGINT serve stops taking scans, lets
the one in progress finish within --shutdown-timeout, then cancels it (a cancelled scan stores
nothing). Only one process may use the database at a time: a second serve refuses to start.

Every flag has a key in the config file's [daemon] and [daemon.notify] tables (see
config.example.toml); a flag given on the command line wins over the file. Each scan also writes
the reports the [reports] table asks for.`,
		Args: noArgs,
	}
	cfg, nf := addServeFlags(cmd)
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		dc, n := serveSettings(a.cfg.Daemon, cmd.Flags().Changed, *cfg, *nf)
		return a.serve(cmd.Context(), dc, n)
	}
	return cmd
}

// addServeFlags defines serve's flags on cmd and returns where their values land; serveSettings
// takes only those given on the command line over the config file's [daemon] table.
func addServeFlags(cmd *cobra.Command) (*daemon.Config, *notifyFlags) {
	cfg := daemon.DefaultConfig()
	var nf notifyFlags
	f := cmd.Flags()
	f.StringVar(&cfg.Listen, "listen", cfg.Listen, "HTTP listen address")
	f.StringArrayVar(&cfg.Schedules, "schedule", nil, `cron schedule, repeatable ("0 2 * * *", "@every 6h")`)
	f.StringVar(&cfg.Timezone, "timezone", cfg.Timezone, "time zone the schedules are read in (IANA name)")
	f.DurationVar(&cfg.Jitter, "jitter", 0, "delay each scheduled scan by a random duration up to this")
	f.BoolVar(&cfg.RunAtStartup, "run-at-startup", false, "scan as soon as the daemon is up")
	f.DurationVar(&cfg.ShutdownTimeout, "shutdown-timeout", cfg.ShutdownTimeout, "how long a scan in progress may finish at shutdown before it is cancelled")
	f.StringVar(&cfg.TokenEnv, "token-env", cfg.TokenEnv, "environment variable holding the API bearer token")
	f.StringVar(&cfg.TLSCert, "tls-cert", "", "TLS certificate file (PEM); with --tls-key serves HTTPS")
	f.StringVar(&cfg.TLSKey, "tls-key", "", "TLS private key file (PEM)")
	f.Int64Var(&cfg.MaxBodyBytes, "max-body-bytes", cfg.MaxBodyBytes, "largest request body accepted")
	f.StringVar(&nf.minSeverity, "notify-min-severity", "high", "notify on new findings at or above this severity")
	f.StringVar(&nf.slackURLEnv, "slack-webhook-env", "", "environment variable holding a Slack incoming webhook URL")
	f.StringVar(&nf.webhookURL, "webhook-url", "", "generic webhook URL receiving each run's digest as JSON")
	f.StringVar(&nf.webhookSecretEnv, "webhook-secret-env", "", "environment variable holding the webhook's HMAC-SHA256 signing secret")
	f.StringVar(&nf.smtpAddr, "smtp-addr", "", "SMTP server host:port for email digests (STARTTLS required)")
	f.StringVar(&nf.smtpFrom, "smtp-from", "", "email sender address")
	f.StringArrayVar(&nf.smtpTo, "smtp-to", nil, "email recipient, repeatable")
	f.StringVar(&nf.smtpUser, "smtp-user", "", "SMTP user name (PLAIN auth over TLS)")
	f.StringVar(&nf.smtpPasswordEnv, "smtp-password-env", "", "environment variable holding the SMTP password")
	return &cfg, &nf
}

// serveSettings is the daemon configuration and notification channels of the config file's
// [daemon] table, with each flag that changed (per the changed func, cobra's
// Flags().Changed) taking its value from flags and nf instead.
func serveSettings(c config.Daemon, changed func(flag string) bool, flags daemon.Config, nf notifyFlags) (daemon.Config, notifyFlags) {
	cfg := daemon.Config{
		Listen:          c.Listen,
		Schedules:       slices.Clone(c.Schedules),
		Timezone:        c.Timezone,
		Jitter:          c.Jitter.Std(),
		RunAtStartup:    c.RunAtStartup,
		ShutdownTimeout: c.ShutdownTimeout.Std(),
		TokenEnv:        c.TokenEnv,
		TLSCert:         c.TLSCert,
		TLSKey:          c.TLSKey,
		MaxBodyBytes:    int64(c.MaxBodyBytes),
	}
	n := c.Notify
	out := notifyFlags{
		minSeverity:      n.MinSeverity,
		slackURLEnv:      n.SlackWebhookEnv,
		webhookURL:       n.WebhookURL,
		webhookSecretEnv: n.WebhookSecretEnv,
		smtpAddr:         n.SMTPAddr(),
		smtpFrom:         n.SMTPFrom,
		smtpTo:           slices.Clone(n.SMTPTo),
		smtpUser:         n.SMTPUsername,
		smtpPasswordEnv:  n.SMTPPasswordEnv,
	}
	override := func(flag string, apply func()) {
		if changed(flag) {
			apply()
		}
	}
	override("listen", func() { cfg.Listen = flags.Listen })
	override("schedule", func() { cfg.Schedules = slices.Clone(flags.Schedules) })
	override("timezone", func() { cfg.Timezone = flags.Timezone })
	override("jitter", func() { cfg.Jitter = flags.Jitter })
	override("run-at-startup", func() { cfg.RunAtStartup = flags.RunAtStartup })
	override("shutdown-timeout", func() { cfg.ShutdownTimeout = flags.ShutdownTimeout })
	override("token-env", func() { cfg.TokenEnv = flags.TokenEnv })
	override("tls-cert", func() { cfg.TLSCert = flags.TLSCert })
	override("tls-key", func() { cfg.TLSKey = flags.TLSKey })
	override("max-body-bytes", func() { cfg.MaxBodyBytes = flags.MaxBodyBytes })
	override("notify-min-severity", func() { out.minSeverity = nf.minSeverity })
	override("slack-webhook-env", func() { out.slackURLEnv = nf.slackURLEnv })
	override("webhook-url", func() { out.webhookURL = nf.webhookURL })
	override("webhook-secret-env", func() { out.webhookSecretEnv = nf.webhookSecretEnv })
	override("smtp-addr", func() { out.smtpAddr = nf.smtpAddr })
	override("smtp-from", func() { out.smtpFrom = nf.smtpFrom })
	override("smtp-to", func() { out.smtpTo = slices.Clone(nf.smtpTo) })
	override("smtp-user", func() { out.smtpUser = nf.smtpUser })
	override("smtp-password-env", func() { out.smtpPasswordEnv = nf.smtpPasswordEnv })
	return cfg, out
}

// notifier builds the configured channels; nil when none is.
func (nf notifyFlags) notifier(logger *slog.Logger) (*notify.Notifier, finding.Severity, error) {
	min, err := parseSeverity("--notify-min-severity", nf.minSeverity)
	if err != nil {
		return nil, 0, err
	}
	env := func(flag, name string) (string, error) {
		v := os.Getenv(name)
		if v == "" {
			return "", usageErr(fmt.Errorf("%s: the environment variable %s is empty", flag, name))
		}
		return v, nil
	}
	n := &notify.Notifier{Logger: logger}
	if nf.slackURLEnv != "" {
		u, err := env("--slack-webhook-env", nf.slackURLEnv)
		if err != nil {
			return nil, 0, err
		}
		n.Senders = append(n.Senders, &notify.Slack{URL: u})
	}
	if nf.webhookURL != "" {
		w := &notify.Webhook{URL: nf.webhookURL}
		if nf.webhookSecretEnv != "" {
			sec, err := env("--webhook-secret-env", nf.webhookSecretEnv)
			if err != nil {
				return nil, 0, err
			}
			w.Secret = []byte(sec)
		}
		n.Senders = append(n.Senders, w)
	}
	if nf.smtpAddr != "" {
		if nf.smtpFrom == "" || len(nf.smtpTo) == 0 {
			return nil, 0, usageErr(errors.New("--smtp-addr needs --smtp-from and at least one --smtp-to"))
		}
		e := &notify.Email{Addr: nf.smtpAddr, From: nf.smtpFrom, To: nf.smtpTo, Username: nf.smtpUser}
		if nf.smtpPasswordEnv != "" {
			if e.Password, err = env("--smtp-password-env", nf.smtpPasswordEnv); err != nil {
				return nil, 0, err
			}
		}
		n.Senders = append(n.Senders, e)
	}
	if len(n.Senders) == 0 {
		return nil, min, nil
	}
	return n, min, nil
}

func (a *app) serve(ctx context.Context, cfg daemon.Config, nf notifyFlags) error {
	if err := cfg.Validate(); err != nil {
		return usageErr(err)
	}
	notifier, notifyMin, err := nf.notifier(a.logger)
	if err != nil {
		return err
	}
	token, err := cfg.Token()
	if err != nil {
		return usageErr(err)
	}
	sources, err := buildSources(ctx, a.cfg, a.logger)
	if err != nil {
		return err
	}
	if len(sources) == 0 {
		return usageErr(errors.New("no sources configured: add a [[sources.static]], [[sources.aws]] or [[sources.gcp]] table to the config (see config.example.toml)"))
	}
	lib, waivers, err := a.loadPolicies(ctx, nil)
	if err != nil {
		return err
	}
	linking, err := linkOptions(a.cfg)
	if err != nil {
		return err
	}
	formats, err := reportFormats(a.cfg.Reports)
	if err != nil {
		return err
	}
	rem, err := a.auditRemediation(ctx)
	if err != nil {
		return err
	}
	db, err := store.Open(a.cfg.Store.Path, store.Options{Timeout: time.Duration(a.cfg.Store.LockTimeout), Logger: a.logger})
	if errors.Is(err, store.ErrLocked) {
		return fmt.Errorf("cannot serve: %w; another provost (serve or scan) is using this database — stop it, or give this daemon its own file with --db", err)
	}
	if err != nil {
		return err
	}
	defer db.Close()

	run := func(ctx context.Context) (*audit.Result, error) {
		o := audit.Options{
			Sources: sources,
			Collect: collector.RunOptions{
				Timeout:        time.Duration(a.cfg.Collect.Timeout),
				Parallelism:    a.cfg.Collect.Parallelism,
				Logger:         a.logger,
				Linking:        linking,
				ProvostVersion: version(),
			},
			Store:         db,
			Library:       lib,
			PolicyConfig:  policyConfig(a.cfg.Policy),
			Waivers:       waivers,
			Retention:     store.Retention{KeepLast: a.cfg.Store.KeepLast, KeepDays: a.cfg.Store.KeepDays},
			ReportDir:     a.cfg.Reports.Dir,
			ReportFormats: formats,
			Remediation:   rem,
			Logger:        a.logger,
		}
		if notifier != nil { // an untyped nil: a typed-nil *notify.Notifier would be called
			o.Notifier = notifier
		}
		return audit.Run(ctx, o)
	}
	opts := daemon.Options{Config: cfg, Store: db, Run: run, Token: token, NotifyMin: notifyMin, Logger: a.logger}
	if notifier != nil {
		opts.Notifier = notifier
	}
	d, err := daemon.New(opts)
	if err != nil {
		return usageErr(err)
	}
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return fmt.Errorf("listen on %s (--listen): %w", cfg.Listen, err)
	}
	return d.Serve(ctx, ln)
}
