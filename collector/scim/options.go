package scim

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/provost-dev/provost/inventory"
)

// Options configure a Source.
type Options struct {
	// Name is the source's configured name; principal IDs are "scim:<Name>:<id>".
	Name string
	// URL is the SCIM base URL, e.g. "https://example.okta.com/scim/v2"; /Users and /Groups are
	// below it. It must be https unless the host is loopback: the bearer token travels with
	// every request.
	URL string
	// Token is the bearer token. Take it from the environment (the config's "${NAME}"); it is
	// never logged.
	Token string
	// Filter is an optional SCIM filter for /Users, e.g. `userType eq "Employee"`.
	Filter string
	// PageSize is the count asked for per page; default 100. Servers may return fewer.
	PageSize int
	// Groups also lists /Groups, so that users carry their group memberships.
	Groups bool
	// StatusAttribute, when set, names an attribute whose value maps through StatusValues to the
	// status of an active user (e.g. "userType" with "LOA" = leave); inactive users are always
	// terminated. An extension attribute is "<schema URN>:<name>".
	StatusAttribute string
	StatusValues    map[string]inventory.PersonStatus
	// CAFile is a PEM bundle to trust instead of the system roots.
	CAFile string
	// MaxRetries is how many times a request answered 429 or 5xx is retried; default 4.
	MaxRetries int
	// RetryBaseDelay is the first backoff delay, doubled per retry with jitter up to 30s (a
	// Retry-After header wins); default 500ms.
	RetryBaseDelay time.Duration
	// RequestTimeout bounds one HTTP request; default 60s.
	RequestTimeout time.Duration
	// HTTPClient replaces the default client (tests, proxies); CAFile and RequestTimeout are
	// then the caller's business.
	HTTPClient *http.Client
	Logger     *slog.Logger
	Now        func() time.Time
}

// LogValue implements slog.LogValuer and keeps the token out of logs.
func (o Options) LogValue() slog.Value {
	tok := ""
	if o.Token != "" {
		tok = "[redacted]"
	}
	return slog.GroupValue(
		slog.String("name", o.Name),
		slog.String("url", o.URL),
		slog.String("token", tok),
		slog.String("filter", o.Filter),
		slog.Int("page_size", o.PageSize),
		slog.Bool("groups", o.Groups),
	)
}

func (o *Options) defaults() {
	o.URL = strings.TrimRight(o.URL, "/")
	if o.PageSize <= 0 {
		o.PageSize = 100
	}
	if o.MaxRetries <= 0 {
		o.MaxRetries = 4
	}
	if o.RetryBaseDelay <= 0 {
		o.RetryBaseDelay = 500 * time.Millisecond
	}
	if o.RequestTimeout <= 0 {
		o.RequestTimeout = 60 * time.Second
	}
	statuses := map[string]inventory.PersonStatus{}
	for k, v := range o.StatusValues {
		statuses[strings.ToLower(strings.TrimSpace(k))] = v
	}
	o.StatusValues = statuses
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
}

func (o *Options) validate() error {
	var errs []error
	if o.Name == "" {
		errs = append(errs, errors.New("name must be set"))
	}
	if u, err := url.Parse(o.URL); err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		errs = append(errs, fmt.Errorf("url %q is not valid; want the SCIM base URL, e.g. https://idp.example.com/scim/v2", o.URL))
	} else if u.Scheme == "http" && !loopback(u.Hostname()) {
		errs = append(errs, fmt.Errorf("url %q is plain http; the bearer token would travel in clear text, so use https", o.URL))
	}
	if strings.TrimSpace(o.Token) == "" {
		errs = append(errs, errors.New(`token must be set; take it from the environment, e.g. token = "${PROVOST_SCIM_TOKEN}"`))
	}
	if o.PageSize > 10000 {
		errs = append(errs, fmt.Errorf("page_size %d is not valid; want 1 to 10000", o.PageSize))
	}
	for k, v := range o.StatusValues {
		switch v {
		case inventory.PersonActive, inventory.PersonLeave, inventory.PersonTerminated:
		default:
			errs = append(errs, fmt.Errorf("status_values[%q] = %q is not valid; want active, leave or terminated", k, v))
		}
	}
	if len(o.StatusValues) > 0 && o.StatusAttribute == "" {
		errs = append(errs, errors.New("status_values is set but status_attribute is not"))
	}
	return errors.Join(errs...)
}

func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// httpClient builds the default client: the system roots or CAFile, TLS 1.2 or later.
func (o *Options) httpClient() (*http.Client, error) {
	if o.HTTPClient != nil {
		return o.HTTPClient, nil
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	if o.CAFile != "" {
		pem, err := os.ReadFile(o.CAFile)
		if err != nil {
			return nil, fmt.Errorf("read ca_file: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("ca_file %s holds no PEM certificate", o.CAFile)
		}
		tr.TLSClientConfig.RootCAs = pool
	}
	return &http.Client{Transport: tr, Timeout: o.RequestTimeout}, nil
}
