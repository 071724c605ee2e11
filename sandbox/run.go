package sandbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/provost-dev/provost/collector"
	"github.com/provost-dev/provost/collector/awsiam"
	"github.com/provost-dev/provost/collector/gcpiam"
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
	// that a scan sees the organisation as generated.
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
	if opts.Now == nil {
		at := org.Now
		opts.Now = func() time.Time { return at }
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	env := &Env{Org: org, Now: opts.Now, logger: opts.Logger}
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
	mapping, err := json.MarshalIndent(org.Mapping, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("sandbox: encode mapping: %w", err)
	}
	for _, f := range []struct {
		path string
		data []byte
	}{{env.HRPath, org.HRCSV}, {env.MappingPath, mapping}} {
		if err := os.WriteFile(f.path, f.data, 0o600); err != nil {
			env.Close()
			return nil, fmt.Errorf("sandbox: %w", err)
		}
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
func (e *Env) AWSConfig() aws.Config {
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
func (e *Env) HROptions() hrfile.Options {
	return hrfile.Options{Name: HRSourceName, Path: e.HRPath, Format: hrfile.FormatCSV,
		Columns: hrfile.DefaultColumns(), Now: e.Now, Logger: e.logger}
}

// Sources builds the real collectors (awsiam with Organizations and Identity Center, gcpiam
// with Asset Inventory, hrfile) pointed at the fakes.
func (e *Env) Sources(ctx context.Context) ([]collector.Source, error) {
	cfg := e.AWSConfig()
	a, err := awsiam.New(awsiam.Options{Name: AWSSourceName, Endpoint: e.AWSURL, Organization: true, IdentityCenter: true,
		AWSConfig: &cfg, ReportPoll: 5 * time.Millisecond, Now: e.Now, Logger: e.logger})
	if err != nil {
		return nil, fmt.Errorf("sandbox: %w", err)
	}
	g, err := gcpiam.New(ctx, gcpiam.Options{Name: GCPSourceName, Organization: "organizations/" + e.Org.GCP.ID,
		Endpoint: e.GCPURL, UseAssetInventory: true, Now: e.Now, Logger: e.logger})
	if err != nil {
		return nil, fmt.Errorf("sandbox: %w", err)
	}
	h, err := hrfile.New(e.HROptions())
	if err != nil {
		return nil, fmt.Errorf("sandbox: %w", err)
	}
	return []collector.Source{a, g, h}, nil
}

// RunOptions are the collector run options for a scan of the sandbox: its clock and the
// linking mapping of service-account owners, with the default linking rules.
func (e *Env) RunOptions() collector.RunOptions {
	return collector.RunOptions{Now: e.Now, Logger: e.logger, Linking: collector.LinkOptions{
		Order:            []string{"mapping", "email", "tag", "external_id", "username"},
		OwnerTags:        []string{"owner", "email"},
		UsernamePatterns: []string{"{local}"},
		Mapping:          e.Org.Mapping,
	}}
}
