package cli

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/spf13/cobra"

	"github.com/provost-dev/provost/audit"
	"github.com/provost-dev/provost/collector"
	"github.com/provost-dev/provost/daemon"
	"github.com/provost-dev/provost/store"
)

func (a *app) newServeCommand() *cobra.Command {
	cfg := daemon.DefaultConfig()
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
nothing). Only one process may use the database at a time: a second serve refuses to start.`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return a.serve(cmd.Context(), cfg) },
	}
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
	return cmd
}

func (a *app) serve(ctx context.Context, cfg daemon.Config) error {
	if err := cfg.Validate(); err != nil {
		return usageErr(err)
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
	db, err := store.Open(a.cfg.Store.Path, store.Options{Timeout: time.Duration(a.cfg.Store.LockTimeout), Logger: a.logger})
	if errors.Is(err, store.ErrLocked) {
		return fmt.Errorf("cannot serve: %w; another provost (serve or scan) is using this database — stop it, or give this daemon its own file with --db", err)
	}
	if err != nil {
		return err
	}
	defer db.Close()

	run := func(ctx context.Context) (*audit.Result, error) {
		return audit.Run(ctx, audit.Options{
			Sources: sources,
			Collect: collector.RunOptions{
				Timeout:        time.Duration(a.cfg.Collect.Timeout),
				Parallelism:    a.cfg.Collect.Parallelism,
				Logger:         a.logger,
				Linking:        linking,
				ProvostVersion: version(),
			},
			Store:        db,
			Library:      lib,
			PolicyConfig: policyConfig(a.cfg.Policy),
			Waivers:      waivers,
			Retention:    store.Retention{KeepLast: a.cfg.Store.KeepLast, KeepDays: a.cfg.Store.KeepDays},
			Logger:       a.logger,
		})
	}
	d, err := daemon.New(daemon.Options{Config: cfg, Store: db, Run: run, Token: token, Logger: a.logger})
	if err != nil {
		return usageErr(err)
	}
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return fmt.Errorf("listen on %s (--listen): %w", cfg.Listen, err)
	}
	return d.Serve(ctx, ln)
}
