package config

import (
	"fmt"
	"log/slog"
	"time"
)

// Config is the whole of a Provost configuration file. Every key is documented in
// config.example.toml at the repository root.
type Config struct {
	Log     Log     `toml:"log"`
	Store   Store   `toml:"store"`
	Collect Collect `toml:"collect"`
	Sources Sources `toml:"sources"`
	Linking Linking `toml:"linking"`
	Policy  Policy  `toml:"policy"`
	// Remediation is the [remediation] section (remediate.go).
	Remediation Remediation `toml:"remediation"`
	// Daemon and Reports are the [daemon] and [reports] sections (daemon.go).
	Daemon  Daemon  `toml:"daemon"`
	Reports Reports `toml:"reports"`

	// origin records where the config came from, for error positions; zero for a Config built
	// in code.
	origin origin
}

// Log configures the process logger; only main applies it.
type Log struct {
	Level  string `toml:"level"`  // debug, info, warn, error
	Format string `toml:"format"` // text, json
}

// Store configures the bbolt database.
type Store struct {
	Path        string   `toml:"path"`
	LockTimeout Duration `toml:"lock_timeout"` // 0 waits for ever
	KeepLast    int      `toml:"keep_last"`    // snapshots to keep; 0 = no limit
	KeepDays    int      `toml:"keep_days"`    // days of snapshots to keep; 0 = no limit
}

// Collect configures the collector runner.
type Collect struct {
	Timeout     Duration `toml:"timeout"`     // per source; 0 = no limit
	Parallelism int      `toml:"parallelism"` // sources collected at once
}

// Sources lists the configured sources by type. Names are unique across all types.
type Sources struct {
	Static []StaticSource `toml:"static"`
	AWS    []AWSSource    `toml:"aws"`
	GCP    []GCPSource    `toml:"gcp"`
	// Sources of truth (sources_truth.go).
	HRFile []HRFileSource `toml:"hrfile"`
	LDAP   []LDAPSource   `toml:"ldap"`
	SCIM   []SCIMSource   `toml:"scim"`
}

// StaticSource reads a snapshot-shaped JSON file.
type StaticSource struct {
	Name string `toml:"name"`
	Path string `toml:"path"`
}

// AWSSource collects IAM and Identity Center from one AWS organization or set of accounts.
type AWSSource struct {
	Name             string   `toml:"name"`
	Region           string   `toml:"region"`
	Endpoint         string   `toml:"endpoint"`     // override for moto or the sandbox
	Organization     bool     `toml:"organization"` // discover accounts via Organizations
	Accounts         []string `toml:"accounts"`
	RoleName         string   `toml:"role_name"`
	ExternalID       string   `toml:"external_id"` // secret-ish: take it from ${ENV}
	Profiles         []string `toml:"profiles"`
	IdentityCenter   bool     `toml:"identity_center"`
	Parallelism      int      `toml:"parallelism"`     // accounts at once
	AccountTimeout   Duration `toml:"account_timeout"` // 0 = no limit
	MaxItems         int      `toml:"max_items"`       // IAM page size, 1..1000
	IncludeSuspended bool     `toml:"include_suspended"`
}

// LogValue implements slog.LogValuer and keeps the external ID out of logs.
func (s AWSSource) LogValue() slog.Value {
	ext := ""
	if s.ExternalID != "" {
		ext = "[redacted]"
	}
	return slog.GroupValue(
		slog.String("name", s.Name),
		slog.String("region", s.Region),
		slog.String("endpoint", s.Endpoint),
		slog.Bool("organization", s.Organization),
		slog.Any("accounts", s.Accounts),
		slog.String("role_name", s.RoleName),
		slog.String("external_id", ext),
		slog.Any("profiles", s.Profiles),
	)
}

// GCPSource collects IAM from one GCP organization or a list of projects.
type GCPSource struct {
	Name                      string   `toml:"name"`
	Organization              string   `toml:"organization"` // "organizations/123"
	Projects                  []string `toml:"projects"`
	Endpoint                  string   `toml:"endpoint"`
	UseAssetInventory         bool     `toml:"use_asset_inventory"`
	ImpersonateServiceAccount string   `toml:"impersonate_service_account"`
	ExpandGroups              bool     `toml:"expand_groups"`
	Parallelism               int      `toml:"parallelism"`     // projects at once
	ProjectTimeout            Duration `toml:"project_timeout"` // 0 = no limit
}

// Linking configures how principals are matched to people.
type Linking struct {
	Order            []string `toml:"order"` // rules, highest precedence first
	MappingFile      string   `toml:"mapping_file"`
	OwnerTags        []string `toml:"owner_tags"`
	UsernamePatterns []string `toml:"username_patterns"`
	EmailDomains     []string `toml:"email_domains"`
}

// Policy configures the Rego policies and their thresholds.
type Policy struct {
	Dirs        []string `toml:"dirs"`
	Bundles     []string `toml:"bundles"`
	WaiversFile string   `toml:"waivers_file"`
	Params      Params   `toml:"params"`
}

// Params are the thresholds the checks read from data.provost.config.
type Params struct {
	StaleDays           int      `toml:"stale_days"`
	KeyRotationDays     int      `toml:"key_rotation_days"`
	InactiveDays        int      `toml:"inactive_days"`
	LeaverSLAHours      int      `toml:"leaver_sla_hours"`
	OrgDomains          []string `toml:"org_domains"`
	ProtectedPrincipals []string `toml:"protected_principals"`
	AdminPolicyNames    []string `toml:"admin_policy_names"`
	// Custom holds thresholds for user-written policies, passed through as they are.
	Custom map[string]any `toml:"custom"`
}

// Default returns the configuration used for every key a file leaves out.
func Default() *Config {
	return &Config{
		Log:     Log{Level: "info", Format: "text"},
		Store:   Store{Path: "provost.db", LockTimeout: Duration(2 * time.Second), KeepLast: 30, KeepDays: 90},
		Collect: Collect{Timeout: Duration(10 * time.Minute), Parallelism: 4},
		Linking: Linking{
			Order:            []string{"mapping", "email", "tag", "external_id", "username"},
			OwnerTags:        []string{"owner", "email"},
			UsernamePatterns: []string{"{local}"},
		},
		Policy: Policy{Params: Params{
			StaleDays:        90,
			KeyRotationDays:  90,
			InactiveDays:     45,
			LeaverSLAHours:   24,
			AdminPolicyNames: []string{"AdministratorAccess"},
		}},
		Remediation: DefaultRemediation(),
		Daemon:      DefaultDaemon(),
		Reports:     DefaultReports(),
	}
}

// DefaultAWSSource returns the values a [[sources.aws]] table starts from.
func DefaultAWSSource() AWSSource {
	return AWSSource{
		Region:         "us-east-1",
		Organization:   true,
		RoleName:       "OrganizationAccountAccessRole",
		IdentityCenter: true,
		Parallelism:    8,
		AccountTimeout: Duration(5 * time.Minute),
		MaxItems:       1000,
	}
}

// DefaultGCPSource returns the values a [[sources.gcp]] table starts from.
func DefaultGCPSource() GCPSource {
	return GCPSource{
		UseAssetInventory: true,
		Parallelism:       8,
		ProjectTimeout:    Duration(5 * time.Minute),
	}
}

// File returns the path the config was loaded from, or "" for one built in code.
func (c *Config) File() string { return c.origin.file }

// Duration is a time.Duration written in TOML as a string such as "90s", "10m" or "1h30m".
type Duration time.Duration

// Std returns d as a time.Duration.
func (d Duration) Std() time.Duration { return time.Duration(d) }

func (d Duration) String() string { return time.Duration(d).String() }

// MarshalText writes d as time.Duration.String does.
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText parses text with time.ParseDuration.
func (d *Duration) UnmarshalText(text []byte) error {
	v, err := time.ParseDuration(string(text))
	if err != nil {
		return fmt.Errorf("%q is not a duration; want e.g. \"90s\", \"10m\" or \"1h30m\"", text)
	}
	*d = Duration(v)
	return nil
}
