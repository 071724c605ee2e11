package sandbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/provost-dev/provost/collector"
	"github.com/provost-dev/provost/collector/hrfile"
	"github.com/provost-dev/provost/sandbox/awsfake"
	"github.com/provost-dev/provost/sandbox/gcpfake"
)

// StartOptions configure Start.
type StartOptions struct {
	// Dir receives the HR export and the mapping file; default a new temporary directory,
	// removed by Close.
	Dir string
	// Now is the fakes' and collectors' clock; default a clock frozen at the Org's Now, so
	// that a scan sees the organisation as generated (Env.Advance moves it).
	Now    func() time.Time
	Logger *slog.Logger
}

// Env is a running sandbox: the fakes serving an Org on 127.0.0.1 and the files the HR source
// and linking read.
type Env struct {
	Org         *Org
	AWS         *awsfake.Server
	GCP         *gcpfake.Server
	AWSURL      string
	GCPURL      string
	HRPath      string // the HR export (CSV, 0600)
	MappingPath string // the linking mapping file (JSON, 0600)
	Now         func() time.Time
	logger      *slog.Logger
	tmp         string
	clock       *atomic.Pointer[time.Time] // the clock Start chose, moved by Advance; nil for a caller's
}

// Source names the sandbox's sources use.
const (
	AWSSourceName = "aws"
	GCPSourceName = "gcp"
)

// Start serves org with awsfake and gcpfake on loopback ports and writes the HR export and
// mapping file. Close stops both servers.
func Start(ctx context.Context, org *Org, opts StartOptions) (*Env, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var clock *atomic.Pointer[time.Time]
	if opts.Now == nil {
		clock = new(atomic.Pointer[time.Time])
		at := org.Now
		clock.Store(&at)
		opts.Now = func() time.Time { return *clock.Load() }
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	env := &Env{Org: org, Now: opts.Now, logger: opts.Logger, clock: clock}
	dir := opts.Dir
	if dir == "" {
		d, err := os.MkdirTemp("", "provost-sandbox-")
		if err != nil {
			return nil, fmt.Errorf("sandbox: %w", err)
		}
		dir, env.tmp = d, d
	} else if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("sandbox: %w", err)
	}
	env.HRPath = filepath.Join(dir, "hr.csv")
	env.MappingPath = filepath.Join(dir, "mapping.json")
	if err := os.WriteFile(env.HRPath, org.HRCSV, 0o600); err != nil {
		env.Close()
		return nil, fmt.Errorf("sandbox: %w", err)
	}
	if err := writeJSON(env.MappingPath, org.Mapping); err != nil {
		env.Close()
		return nil, fmt.Errorf("sandbox: %w", err)
	}

	env.AWS = awsfake.New(awsfake.Options{Now: opts.Now, Logger: opts.Logger})
	if err := env.AWS.LoadOrganization(org.AWS); err != nil {
		env.Close()
		return nil, fmt.Errorf("sandbox: aws organization: %w", err)
	}
	if err := org.GCP.Validate(); err != nil {
		env.Close()
		return nil, fmt.Errorf("sandbox: gcp organization: %w", err)
	}
	env.GCP = gcpfake.New(gcpfake.Options{Now: opts.Now, Logger: opts.Logger})
	env.GCP.SetOrganization(org.GCP)
	if err := env.AWS.Start(); err != nil {
		env.Close()
		return nil, fmt.Errorf("sandbox: start aws: %w", err)
	}
	if err := env.GCP.Start(); err != nil {
		env.Close()
		return nil, fmt.Errorf("sandbox: start gcp: %w", err)
	}
	env.AWSURL, env.GCPURL = env.AWS.URL(), env.GCP.URL()
	return env, nil
}

// Close stops the fakes and removes the temporary directory Start made, if any.
func (e *Env) Close() error {
	var errs []error
	if e.AWS != nil {
		errs = append(errs, e.AWS.Close())
	}
	if e.GCP != nil {
		errs = append(errs, e.GCP.Close())
	}
	if e.tmp != "" {
		errs = append(errs, os.RemoveAll(e.tmp))
	}
	return errors.Join(errs...)
}

// AWSConfig is the base aws.Config the AWS collector uses against the fake: its base
// credentials (which are not secrets; the fake accepts only them).
func (e *Env) AWSConfig() aws.Config { return awsConfig() }

func awsConfig() aws.Config {
	return aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider(
		awsfake.DefaultAccessKeyID, awsfake.DefaultSecretAccessKey, "")}
}

// Credentials returns the environment variables that make the AWS SDK's default chain use
// the fake's base credentials (for a config-driven scan, e.g. `provost demo`).
func (e *Env) Credentials() map[string]string {
	return map[string]string{"AWS_ACCESS_KEY_ID": awsfake.DefaultAccessKeyID,
		"AWS_SECRET_ACCESS_KEY": awsfake.DefaultSecretAccessKey, "AWS_REGION": "us-east-1"}
}

// HROptions are the hrfile options that read the generated roster.
func (e *Env) HROptions() hrfile.Options { return hrOptions(e.HRPath, e.Now, e.logger) }

// Sources builds the real collectors (awsiam with Organizations and Identity Center, gcpiam
// with Asset Inventory, hrfile) pointed at the fakes.
func (e *Env) Sources(ctx context.Context) ([]collector.Source, error) {
	return sources(ctx, e.Endpoints(), e.Now, e.logger)
}

// RunOptions are the collector run options for a scan of the sandbox: its clock and the
// linking mapping of service-account owners, with the default linking rules.
func (e *Env) RunOptions() collector.RunOptions { return runOptions(e.Now, e.Org.Mapping, e.logger) }

// Endpoints describes the running sandbox for a scan from another process; Now is the value
// of e.Now at the call, PlantedPath is empty (see Serve).
func (e *Env) Endpoints() Endpoints {
	return Endpoints{AWSURL: e.AWSURL, GCPURL: e.GCPURL, GCPOrgID: e.Org.GCP.ID, HRPath: e.HRPath,
		MappingPath: e.MappingPath, Now: e.Now(), Day: e.Org.Day, OrgDomains: e.Org.OrgDomains,
		Protected: e.Org.Protected, Principals: e.Org.Principals, People: e.Org.People}
}

// Advance moves the served organisation on by days (see the package function Advance): the
// fakes serve the new Org, the HR export is rewritten and the call counters are reset. When
// Start chose the clock (StartOptions.Now nil), it moves to the new Org's Now for the fakes
// and the collectors alike; a caller's clock is left alone. Advance must not run concurrently
// with a scan.
func (e *Env) Advance(days int) error { return e.load(Advance(e.Org, days)) }

// load serves org instead of e.Org (see Advance).
func (e *Env) load(org *Org) error {
	if err := org.GCP.Validate(); err != nil {
		return fmt.Errorf("sandbox: advance: gcp organization: %w", err)
	}
	if e.clock != nil {
		e.clock.Store(&org.Now)
	}
	if err := e.AWS.LoadOrganization(org.AWS); err != nil {
		return fmt.Errorf("sandbox: advance: aws organization: %w", err)
	}
	e.GCP.SetOrganization(org.GCP)
	if err := os.WriteFile(e.HRPath, org.HRCSV, 0o600); err != nil {
		return fmt.Errorf("sandbox: advance: %w", err)
	}
	if err := writeJSON(e.MappingPath, org.Mapping); err != nil {
		return fmt.Errorf("sandbox: advance: %w", err)
	}
	e.Org = org
	e.AWS.ResetCalls()
	e.GCP.ResetCalls()
	return nil
}

// calls is the number of API calls both fakes answered since they started or last advanced.
func (e *Env) calls() int {
	n := 0
	for _, m := range []map[string]int{e.AWS.Calls(), e.GCP.Calls()} {
		for _, c := range m {
			n += c
		}
	}
	return n
}

// writeJSON writes v as indented JSON to path, mode 0600.
func writeJSON(path string, v any) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("encode %s: %w", filepath.Base(path), err)
	}
	return os.WriteFile(path, data, 0o600)
}
