package cli

import (
	"context"
	"fmt"
	"log/slog"
	"time"
	"unicode/utf8"

	"github.com/provost-dev/provost/collector"
	"github.com/provost-dev/provost/collector/awsiam"
	"github.com/provost-dev/provost/collector/gcpiam"
	"github.com/provost-dev/provost/collector/hrfile"
	"github.com/provost-dev/provost/collector/ldap"
	"github.com/provost-dev/provost/collector/scim"
	"github.com/provost-dev/provost/collector/static"
	"github.com/provost-dev/provost/config"
	"github.com/provost-dev/provost/inventory"
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
	for _, s := range cfg.Sources.HRFile {
		var delim rune
		if s.Delimiter != "" {
			delim, _ = utf8.DecodeRuneInString(s.Delimiter)
		}
		src, err := hrfile.New(hrfile.Options{
			Name: s.Name, Path: s.Path, Format: hrfile.Format(s.Format), Delimiter: delim,
			ListSeparator: s.ListSeparator, DateLayouts: s.DateLayouts, Records: s.Records,
			Columns: hrfile.Columns(s.Columns), StatusValues: statuses(s.StatusValues), Logger: logger,
		})
		if err != nil {
			return nil, fmt.Errorf("source %s: %w", s.Name, err)
		}
		sources = append(sources, src)
	}
	for _, s := range cfg.Sources.LDAP {
		src, err := ldap.New(ldap.Options{
			Name: s.Name, URL: s.URL, StartTLS: s.StartTLS, CAFile: s.CAFile, TLSServerName: s.TLSServerName,
			AllowPlaintext: s.AllowPlaintext, BindDN: s.BindDN, BindPassword: s.BindPassword,
			Flavor: ldap.Flavor(s.Flavor), BaseDN: s.BaseDN, Filter: s.Filter, Groups: s.Groups,
			GroupFilter: s.GroupFilter, Attributes: ldap.Attributes(s.Attributes),
			StatusValues: statuses(s.StatusValues), PageSize: s.PageSize,
			DialTimeout: s.DialTimeout.Std(), RequestTimeout: s.RequestTimeout.Std(), Logger: logger,
		})
		if err != nil {
			return nil, fmt.Errorf("source %s: %w", s.Name, err)
		}
		sources = append(sources, src)
	}
	for _, s := range cfg.Sources.SCIM {
		src, err := scim.New(scim.Options{
			Name: s.Name, URL: s.URL, Token: s.Token, Filter: s.Filter, PageSize: s.PageSize, Groups: s.Groups,
			StatusAttribute: s.StatusAttribute, StatusValues: statuses(s.StatusValues), CAFile: s.CAFile,
			RequestTimeout: s.RequestTimeout.Std(), Logger: logger,
		})
		if err != nil {
			return nil, fmt.Errorf("source %s: %w", s.Name, err)
		}
		sources = append(sources, src)
	}
	return sources, nil
}

// statuses maps a source's own status words onto person statuses; config has validated them.
func statuses(m map[string]string) map[string]inventory.PersonStatus {
	if m == nil {
		return nil
	}
	out := make(map[string]inventory.PersonStatus, len(m))
	for k, v := range m {
		out[k] = inventory.PersonStatus(v)
	}
	return out
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
	for _, s := range cfg.Sources.HRFile {
		names = append(names, s.Name)
	}
	for _, s := range cfg.Sources.LDAP {
		names = append(names, s.Name)
	}
	for _, s := range cfg.Sources.SCIM {
		names = append(names, s.Name)
	}
	return names
}

func linkOptions(cfg *config.Config) (collector.LinkOptions, error) {
	opts := collector.LinkOptions{
		Order:            cfg.Linking.Order,
		OwnerTags:        cfg.Linking.OwnerTags,
		UsernamePatterns: cfg.Linking.UsernamePatterns,
		EmailDomains:     cfg.Linking.EmailDomains,
	}
	if cfg.Linking.MappingFile != "" {
		m, err := collector.LoadMapping(cfg.Linking.MappingFile)
		if err != nil {
			return opts, usageErr(err)
		}
		opts.Mapping = m
	}
	return opts, nil
}
