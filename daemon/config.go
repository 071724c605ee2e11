package daemon

import (
	"errors"
	"fmt"
	"net"
	"os"
	"time"
)

// Config is the daemon's part of the configuration (the [daemon] table; see config.example.toml).
type Config struct {
	// Listen is the HTTP address; loopback by default so that nothing is exposed by accident.
	Listen string `toml:"listen"`
	// Schedules are cron specs: five fields, an optional leading seconds field, or a
	// descriptor (@daily, @hourly, @every 6h, …). Empty: runs only at start-up or through the API.
	Schedules []string `toml:"schedules"`
	// Timezone the schedules are read in (IANA name); default UTC.
	Timezone string `toml:"timezone"`
	// Jitter delays each scheduled run by a random duration in [0, Jitter).
	Jitter time.Duration `toml:"jitter"`
	// RunAtStartup starts a run as soon as the daemon is up.
	RunAtStartup bool `toml:"run_at_startup"`
	// ShutdownTimeout is how long a run in progress may continue after SIGTERM before it is
	// cancelled (a cancelled run stores nothing).
	ShutdownTimeout time.Duration `toml:"shutdown_timeout"`
	// TokenEnv names the environment variable holding the API bearer token.
	TokenEnv string `toml:"token_env"`
	// TLSCert and TLSKey, both or neither, serve HTTPS.
	TLSCert string `toml:"tls_cert"`
	TLSKey  string `toml:"tls_key"`
	// MaxBodyBytes bounds every request body.
	MaxBodyBytes int64 `toml:"max_body_bytes"`
}

// DefaultConfig is the configuration used when the [daemon] table sets nothing.
func DefaultConfig() Config {
	return Config{
		Listen:          "127.0.0.1:8080",
		Timezone:        "UTC",
		ShutdownTimeout: 5 * time.Minute,
		TokenEnv:        "PROVOST_API_TOKEN",
		MaxBodyBytes:    1 << 20,
	}
}

// Validate checks every key and returns all problems, each naming its key.
func (c Config) Validate() error {
	var errs []error
	if _, _, err := net.SplitHostPort(c.Listen); err != nil {
		errs = append(errs, fmt.Errorf("daemon.listen %q: want host:port, e.g. 127.0.0.1:8080", c.Listen))
	}
	if _, err := ParseSchedules(c.Schedules, c.Timezone); err != nil {
		errs = append(errs, err)
	}
	if c.Jitter < 0 {
		errs = append(errs, fmt.Errorf("daemon.jitter %v: must not be negative", c.Jitter))
	}
	if c.ShutdownTimeout < 0 {
		errs = append(errs, fmt.Errorf("daemon.shutdown_timeout %v: must not be negative", c.ShutdownTimeout))
	}
	if c.TokenEnv == "" {
		errs = append(errs, errors.New("daemon.token_env: empty; name the environment variable holding the API token"))
	}
	if (c.TLSCert == "") != (c.TLSKey == "") {
		errs = append(errs, errors.New("daemon.tls_cert and daemon.tls_key: set both or neither"))
	}
	if c.MaxBodyBytes <= 0 {
		errs = append(errs, fmt.Errorf("daemon.max_body_bytes %d: must be positive", c.MaxBodyBytes))
	}
	return errors.Join(errs...)
}

// Token reads the bearer token from the environment variable c.TokenEnv. An empty token is an
// error: the API never runs unauthenticated.
func (c Config) Token() (string, error) {
	t := os.Getenv(c.TokenEnv)
	if t == "" {
		return "", fmt.Errorf("the API token is missing: set the environment variable %s (daemon.token_env) to a long random secret", c.TokenEnv)
	}
	return t, nil
}
