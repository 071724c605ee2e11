package ldap

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"strings"

	goldap "github.com/go-ldap/ldap/v3"

	"github.com/provost-dev/provost/collector"
	"github.com/provost-dev/provost/inventory"
)

// adCapability is the supportedCapabilities OID of an Active Directory domain controller
// (LDAP_CAP_ACTIVE_DIRECTORY_OID).
const adCapability = "1.2.840.113556.1.4.800"

// kindOf classifies an LDAP, TLS or network error.
func kindOf(err error) inventory.ErrorKind {
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return inventory.ErrTimeout
	}
	var ce *collector.Error
	if errors.As(err, &ce) && ce.Kind != inventory.ErrNone {
		return ce.Kind
	}
	if tlsProblem(err) {
		return inventory.ErrInvalid
	}
	var le *goldap.Error
	if errors.As(err, &le) {
		// Active Directory answers a search without a bind with operationsError: Windows says
		// "000004DC: ... a successful bind must be completed", Samba "00002020: Operation
		// unavailable without authentication".
		if msg := le.Error(); le.ResultCode == goldap.LDAPResultOperationsError &&
			(strings.Contains(msg, "successful bind must be completed") || strings.Contains(msg, "without authentication")) {
			return inventory.ErrPermissionDenied
		}
		switch le.ResultCode {
		case goldap.LDAPResultInvalidCredentials, goldap.LDAPResultInsufficientAccessRights,
			goldap.LDAPResultStrongAuthRequired, goldap.LDAPResultConfidentialityRequired,
			goldap.LDAPResultInappropriateAuthentication, goldap.LDAPResultAuthMethodNotSupported:
			return inventory.ErrPermissionDenied
		case goldap.LDAPResultNoSuchObject:
			return inventory.ErrNotFound
		case goldap.LDAPResultBusy, goldap.LDAPResultUnavailable, goldap.LDAPResultUnwillingToPerform,
			goldap.LDAPResultServerDown, goldap.LDAPResultConnectError, goldap.ErrorNetwork, goldap.LDAPResultTimeout:
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				return inventory.ErrTimeout
			}
			return inventory.ErrUnavailable
		case goldap.LDAPResultTimeLimitExceeded:
			return inventory.ErrTimeout
		case goldap.LDAPResultAdminLimitExceeded, goldap.LDAPResultSizeLimitExceeded:
			return inventory.ErrThrottled
		case goldap.LDAPResultFilterError, goldap.ErrorFilterCompile, goldap.LDAPResultInvalidDNSyntax,
			goldap.LDAPResultProtocolError, goldap.LDAPResultUndefinedAttributeType:
			return inventory.ErrInvalid
		}
	}
	var ne net.Error
	if errors.As(err, &ne) {
		if ne.Timeout() {
			return inventory.ErrTimeout
		}
		return inventory.ErrUnavailable
	}
	// go-ldap reports a connection that broke under its reader or writer as text ("unable to
	// read LDAP response packet: read tcp …: connection reset by peer", "unable to send request:
	// write tcp …"), without wrapping the network error: the server went away mid-exchange.
	if msg := err.Error(); strings.Contains(msg, "unable to read LDAP response packet") || strings.Contains(msg, "unable to send request") {
		if strings.Contains(msg, "i/o timeout") {
			return inventory.ErrTimeout
		}
		return inventory.ErrUnavailable
	}
	return inventory.ErrUnknown
}

func tlsProblem(err error) bool {
	var ua x509.UnknownAuthorityError
	var he x509.HostnameError
	var ci x509.CertificateInvalidError
	var rh tls.RecordHeaderError
	var ve *tls.CertificateVerificationError
	if errors.As(err, &ua) || errors.As(err, &he) || errors.As(err, &ci) || errors.As(err, &rh) || errors.As(err, &ve) {
		return true
	}
	// go-ldap's StartTLS reports the handshake error as text, without wrapping it.
	msg := err.Error()
	return strings.Contains(msg, "TLS handshake failed") && (strings.Contains(msg, "x509: ") || strings.Contains(msg, "tls: "))
}

// hint adds what the operator can do about an error.
func hint(err error) string {
	var le *goldap.Error
	switch {
	case tlsProblem(err):
		return "; check ca_file and tls_server_name"
	case errors.As(err, &le) && le.ResultCode == goldap.LDAPResultInvalidCredentials:
		return "; the bind DN or password is wrong, or the bind account is disabled, locked or expired"
	case errors.As(err, &le) && (le.ResultCode == goldap.LDAPResultStrongAuthRequired || le.ResultCode == goldap.LDAPResultConfidentialityRequired):
		return "; the server wants an encrypted connection: use ldaps:// or start_tls = true"
	case errors.As(err, &le) && le.ResultCode == goldap.LDAPResultNoSuchObject:
		return "; check base_dn"
	case kindOf(err) == inventory.ErrPermissionDenied && errors.As(err, &le) && le.ResultCode == goldap.LDAPResultOperationsError:
		return "; the directory does not answer anonymous searches: set bind_dn and bind_password"
	}
	return ""
}

// wrapErr gives err context and a hint, keeping it matchable.
func wrapErr(err error, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	return &collector.Error{Kind: kindOf(err), Err: fmt.Errorf("%s: %w%s", msg, err, hint(err))}
}

// connect dials, upgrades to TLS when asked and binds. The connection closes when ctx ends, so
// that a hung server cannot hold the collection past its deadline.
func (s *Source) connect(ctx context.Context) (*goldap.Conn, func(), error) {
	u, _ := url.Parse(s.opts.URL) // validated
	tc := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: u.Hostname()}
	if s.opts.TLSServerName != "" {
		tc.ServerName = s.opts.TLSServerName
	}
	if s.opts.CAFile != "" {
		pem, err := os.ReadFile(s.opts.CAFile)
		if err != nil {
			return nil, nil, collector.Errorf(inventory.ErrInvalid, "read ca_file: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, nil, collector.Errorf(inventory.ErrInvalid, "ca_file %s holds no PEM certificate", s.opts.CAFile)
		}
		tc.RootCAs = pool
	}
	dialer := &net.Dialer{Timeout: s.opts.DialTimeout}
	conn, err := goldap.DialURL(s.opts.URL, goldap.DialWithDialer(dialer), goldap.DialWithTLSConfig(tc))
	if err != nil {
		return nil, nil, wrapErr(err, "connect to %s", s.opts.URL)
	}
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	closeAll := func() {
		stop()
		conn.Close()
	}
	conn.SetTimeout(s.opts.RequestTimeout)
	if s.opts.StartTLS {
		if err := conn.StartTLS(tc); err != nil {
			closeAll()
			return nil, nil, s.ctxOr(ctx, wrapErr(err, "StartTLS with %s", s.opts.URL))
		}
	}
	if s.opts.BindDN != "" {
		err = conn.Bind(s.opts.BindDN, s.opts.BindPassword)
	} else {
		err = conn.UnauthenticatedBind("")
	}
	if err != nil {
		closeAll()
		who := s.opts.BindDN
		if who == "" {
			who = "anonymous"
		}
		return nil, nil, s.ctxOr(ctx, wrapErr(err, "bind to %s as %s", s.opts.URL, who))
	}
	return conn, closeAll, nil
}

// ctxOr returns ctx's error when ctx has ended (closing the connection made err), else err.
func (s *Source) ctxOr(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("%w (%v)", ctx.Err(), err)
	}
	return err
}

// rootDSE reads the server's flavor and default naming context.
func rootDSE(conn *goldap.Conn) (Flavor, string, error) {
	res, err := conn.Search(goldap.NewSearchRequest("", goldap.ScopeBaseObject, goldap.NeverDerefAliases, 1, 0, false,
		"(objectClass=*)", []string{"supportedCapabilities", "defaultNamingContext", "namingContexts"}, nil))
	if err != nil {
		return "", "", err
	}
	if len(res.Entries) == 0 {
		return FlavorOpenLDAP, "", nil
	}
	e := res.Entries[0]
	flavor := FlavorOpenLDAP
	for _, c := range e.GetEqualFoldAttributeValues("supportedCapabilities") {
		if c == adCapability {
			flavor = FlavorAD
		}
	}
	base := e.GetEqualFoldAttributeValue("defaultNamingContext")
	if base == "" {
		base = e.GetEqualFoldAttributeValue("namingContexts")
	}
	return flavor, base, nil
}

// searchPaged runs a subtree search with the paged-results control (RFC 2696), calling each for
// every entry as pages arrive. It stops at the first error, returning how many entries it saw.
func searchPaged(ctx context.Context, conn *goldap.Conn, base, filter string, attrs []string, pageSize int, each func(*goldap.Entry)) (int, error) {
	paging := goldap.NewControlPaging(uint32(pageSize))
	req := goldap.NewSearchRequest(base, goldap.ScopeWholeSubtree, goldap.NeverDerefAliases, 0, 0, false,
		filter, attrs, []goldap.Control{paging})
	n := 0
	for {
		if err := ctx.Err(); err != nil {
			return n, err
		}
		res, err := conn.Search(req)
		if res != nil {
			for _, e := range res.Entries {
				each(e)
				n++
			}
		}
		if err != nil {
			if ctx.Err() != nil {
				return n, fmt.Errorf("%w (%v)", ctx.Err(), err)
			}
			return n, err
		}
		ctrl, ok := goldap.FindControl(res.Controls, goldap.ControlTypePaging).(*goldap.ControlPaging)
		if !ok || len(ctrl.Cookie) == 0 {
			return n, nil
		}
		paging.SetCookie(ctrl.Cookie)
	}
}

// normalizeDN makes DNs comparable the way directories compare them: attribute types and
// values case-insensitively, spaces around separators ignored. DNs without escapes or
// multi-valued RDNs (nearly all) take a fast path; the others are parsed.
func normalizeDN(dn string) string {
	if !strings.ContainsAny(dn, "\\\"+#;<>") {
		var b strings.Builder
		b.Grow(len(dn))
		for i, rdn := range strings.Split(dn, ",") {
			typ, val, ok := strings.Cut(rdn, "=")
			if !ok {
				return strings.ToLower(strings.TrimSpace(dn))
			}
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(strings.ToLower(strings.TrimSpace(typ)))
			b.WriteByte('=')
			b.WriteString(strings.ToLower(strings.TrimSpace(val)))
		}
		return b.String()
	}
	parsed, err := goldap.ParseDN(dn)
	if err != nil {
		return strings.ToLower(strings.TrimSpace(dn))
	}
	return strings.ToLower(parsed.String())
}
