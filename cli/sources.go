package cli

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/provost-dev/provost/collector"
	"github.com/provost-dev/provost/collector/awsiam"
	"github.com/provost-dev/provost/collector/gcpiam"
	"github.com/provost-dev/provost/collector/static"
	"github.com/provost-dev/provost/config"
)

// buildSources turns the configuration into collector sources: one constructor and one case per
// source type.
func buildSources(ctx context.Context, cfg *config.Config, logger *slog.Logger) ([]collector.Source, error) {
	var sources []collector.Source
	for _, s := range cfg.Sources.Static {
		sources = append(sources, static.New(s.Name, s.Path))
	}
	for _, s := range cfg.Sources.AWS {
		src, err := awsiam.New(awsiam.Options{
			Name:             s.Name,
			Region:           s.Region,
			Endpoint:         s.Endpoint,
			Organization:     s.Organization,
			Accounts:         s.Accounts,
			RoleName:         s.RoleName,
			ExternalID:       s.ExternalID,
			Profiles:         s.Profiles,
			IdentityCenter:   s.IdentityCenter,
			Parallelism:      s.Parallelism,
			AccountTimeout:   time.Duration(s.AccountTimeout),
			MaxItems:         int32(s.MaxItems),
			IncludeSuspended: s.IncludeSuspended,
			Logger:           logger,
		})
		if err != nil {
			return nil, fmt.Errorf("source %s: %w", s.Name, err)
		}
		sources = append(sources, src)
	}
	for _, s := range cfg.Sources.GCP {
		src, err := gcpiam.New(ctx, gcpiam.Options{
			Name:                      s.Name,
			Organization:              s.Organization,
			Projects:                  s.Projects,
			Endpoint:                  s.Endpoint,
			UseAssetInventory:         s.UseAssetInventory,
			ImpersonateServiceAccount: s.ImpersonateServiceAccount,
			ExpandGroups:              s.ExpandGroups,
			Parallelism:               s.Parallelism,
			ProjectTimeout:            time.Duration(s.ProjectTimeout),
			Logger:                    logger,
		})
		if err != nil {
			return nil, fmt.Errorf("source %s: %w", s.Name, err)
		}
		sources = append(sources, src)
	}
	return sources, nil
}

// buildSourceNames lists the configured source names, in config order.
func buildSourceNames(cfg *config.Config) []string {
	var names []string
	for _, s := range cfg.Sources.Static {
		names = append(names, s.Name)
	}
	for _, s := range cfg.Sources.AWS {
		names = append(names, s.Name)
	}
	for _, s := range cfg.Sources.GCP {
		names = append(names, s.Name)
	}
	return names
}

func linkOptions(cfg *config.Config) collector.LinkOptions {
	return collector.LinkOptions{
		Order:            cfg.Linking.Order,
		OwnerTags:        cfg.Linking.OwnerTags,
		UsernamePatterns: cfg.Linking.UsernamePatterns,
		EmailDomains:     cfg.Linking.EmailDomains,
	}
}
