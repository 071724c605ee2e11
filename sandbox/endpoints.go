package sandbox

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/provost-dev/provost/collector"
	"github.com/provost-dev/provost/collector/awsiam"
	"github.com/provost-dev/provost/collector/gcpiam"
	"github.com/provost-dev/provost/collector/hrfile"
)

// Endpoints is everything a scan of a running sandbox needs, as plain data: a process that
// did not generate the organisation (e.g. a benchmark's audit process talking to a sandbox
// served by another process) builds its sources from it. Serve writes it as JSON.
type Endpoints struct {
	AWSURL   string `json:"aws_url"`
	GCPURL   string `json:"gcp_url"`
	GCPOrgID string `json:"gcp_org_id"`
	// HRPath and MappingPath are the HR export and the linking mapping file (0600);
	// PlantedPath, when set, holds what a scan must find as a JSON array: Org.Planted and
	// Org.Drift (the latter when the previous scan saw the previous day), sorted.
	HRPath      string `json:"hr_path"`
	MappingPath string `json:"mapping_path"`
	PlantedPath string `json:"planted_path,omitempty"`
	// Now is the organisation's time (the fakes' clock): scans use it as theirs.
	Now        time.Time `json:"now"`
	Day        int       `json:"day"`
	OrgDomains []string  `json:"org_domains"`
	Protected  []string  `json:"protected"`
	Principals int       `json:"principals"`
	People     int       `json:"people"`
}

// Clock is a clock frozen at Now.
func (ep Endpoints) Clock() func() time.Time {
	at := ep.Now
	return func() time.Time { return at }
}

// Sources builds the real collectors (awsiam with Organizations and Identity Center, gcpiam
// with Asset Inventory, hrfile) pointed at the endpoints, on ep's clock.
func (ep Endpoints) Sources(ctx context.Context, logger *slog.Logger) ([]collector.Source, error) {
	return sources(ctx, ep, ep.Clock(), logger)
}

// RunOptions are the collector run options for a scan of the sandbox: ep's clock and the
// default linking rules with mapping (the contents of MappingPath, see collector.LoadMapping).
func (ep Endpoints) RunOptions(mapping map[string]string, logger *slog.Logger) collector.RunOptions {
	return runOptions(ep.Clock(), mapping, logger)
}

func sources(ctx context.Context, ep Endpoints, now func() time.Time, logger *slog.Logger) ([]collector.Source, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	cfg := awsConfig()
	a, err := awsiam.New(awsiam.Options{Name: AWSSourceName, Endpoint: ep.AWSURL, Organization: true, IdentityCenter: true,
		AWSConfig: &cfg, ReportPoll: 5 * time.Millisecond, Now: now, Logger: logger})
	if err != nil {
		return nil, fmt.Errorf("sandbox: %w", err)
	}
	g, err := gcpiam.New(ctx, gcpiam.Options{Name: GCPSourceName, Organization: "organizations/" + ep.GCPOrgID,
		Endpoint: ep.GCPURL, UseAssetInventory: true, Now: now, Logger: logger})
	if err != nil {
		return nil, fmt.Errorf("sandbox: %w", err)
	}
	h, err := hrfile.New(hrOptions(ep.HRPath, now, logger))
	if err != nil {
		return nil, fmt.Errorf("sandbox: %w", err)
	}
	return []collector.Source{a, g, h}, nil
}

func hrOptions(path string, now func() time.Time, logger *slog.Logger) hrfile.Options {
	return hrfile.Options{Name: HRSourceName, Path: path, Format: hrfile.FormatCSV,
		Columns: hrfile.DefaultColumns(), Now: now, Logger: logger}
}

func runOptions(now func() time.Time, mapping map[string]string, logger *slog.Logger) collector.RunOptions {
	return collector.RunOptions{Now: now, Logger: logger, Linking: collector.LinkOptions{
		Order:            []string{"mapping", "email", "tag", "external_id", "username"},
		OwnerTags:        []string{"owner", "email"},
		UsernamePatterns: []string{"{local}"},
		Mapping:          mapping,
	}}
}
