package cli

import (
	"context"
	"log/slog"

	"github.com/provost-dev/provost/collector"
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
