package ldap

import (
	"context"
	"crypto/tls"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	goldap "github.com/go-ldap/ldap/v3"

	"github.com/provost-dev/provost/remediate"
)

// Directory is one configured directory.
type Directory struct {
	BaseDN   string // matches the principals' Account
	URL      string // ldap:// or ldaps://
	StartTLS bool
	TLS      *tls.Config
	BindDN   string
	Password string
	// AD selects Active Directory's userAccountControl; otherwise OpenLDAP's ppolicy lock.
	AD bool
}

// LogValue keeps the password out of logs.
func (d Directory) LogValue() slog.Value {
	return slog.GroupValue(slog.String("base_dn", d.BaseDN), slog.String("url", d.URL), slog.String("bind_dn", d.BindDN), slog.Bool("ad", d.AD))
}

var _ slog.LogValuer = Directory{}

// Executor acts on directory accounts.
type Executor struct {
	Directories []Directory
	Timeout     time.Duration // per connection; default 30s
}

var _ remediate.Executor = (*Executor)(nil)

const (
	uacDisabled = 0x2
	lockForever = "000001010000Z"
)

func (e *Executor) dir(s remediate.Step) (Directory, string, error) {
	dn, ok := strings.CutPrefix(s.Target.Principal, "ldap:")
	if !ok || dn == "" {
		return Directory{}, "", fmt.Errorf("principal %q is not ldap:<dn>", s.Target.Principal)
	}
	for _, d := range e.Directories {
		if strings.EqualFold(d.BaseDN, s.Target.Account) {
			return d, dn, nil
		}
	}
	return Directory{}, "", fmt.Errorf("no directory configured for base DN %q (principal %s)", s.Target.Account, s.Target.Principal)
}

func (e *Executor) dial(ctx context.Context, d Directory) (*goldap.Conn, error) {
	to := e.Timeout
	if to <= 0 {
		to = 30 * time.Second
	}
	opts := []goldap.DialOpt{}
	if d.TLS != nil {
		opts = append(opts, goldap.DialWithTLSConfig(d.TLS))
	}
	c, err := goldap.DialURL(d.URL, opts...)
	if err != nil {
		return nil, fmt.Errorf("dial %s: %w", d.URL, err)
	}
	c.SetTimeout(to)
	if dl, ok := ctx.Deadline(); ok {
		c.SetTimeout(min(to, time.Until(dl)))
	}
	if d.StartTLS {
		if err := c.StartTLS(d.TLS); err != nil {
			c.Close()
			return nil, fmt.Errorf("starttls %s: %w", d.URL, err)
		}
	}
	if err := c.Bind(d.BindDN, d.Password); err != nil {
		c.Close()
		return nil, fmt.Errorf("bind to %s as %s: %w", d.URL, d.BindDN, err)
	}
	return c, nil
}

func gone(err error) bool { return goldap.IsErrorWithCode(err, goldap.LDAPResultNoSuchObject) }

// read returns the entry's lock attribute: userAccountControl (AD) or pwdAccountLockedTime.
func read(c *goldap.Conn, d Directory, dn string) (string, bool, error) {
	attr := "pwdAccountLockedTime"
	if d.AD {
		attr = "userAccountControl"
	}
	res, err := c.Search(goldap.NewSearchRequest(dn, goldap.ScopeBaseObject, goldap.NeverDerefAliases, 1, 0, false, "(objectClass=*)", []string{attr}, nil))
	if gone(err) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("read %s: %w", dn, err)
	}
	if len(res.Entries) == 0 {
		return "", false, nil
	}
	return res.Entries[0].GetAttributeValue(attr), true, nil
}

// Check re-reads the account.
func (e *Executor) Check(ctx context.Context, s remediate.Step) (remediate.Live, error) {
	if s.Action == remediate.ActMark {
		return remediate.Live{Done: true, Detail: "directory accounts carry no mark; the mark is kept in the store"}, nil
	}
	if s.Action != remediate.ActDisableUser && s.Action != remediate.ActDeleteUser {
		return remediate.Live{}, fmt.Errorf("action %s: %w", s.Action, remediate.ErrUnsupported)
	}
	d, dn, err := e.dir(s)
	if err != nil {
		return remediate.Live{}, err
	}
	c, err := e.dial(ctx, d)
	if err != nil {
		return remediate.Live{}, err
	}
	defer c.Close()
	v, exists, err := read(c, d, dn)
	if err != nil {
		return remediate.Live{}, err
	}
	if !exists {
		return remediate.Live{Done: true, Detail: dn + " no longer exists"}, nil
	}
	if s.Action == remediate.ActDeleteUser {
		return remediate.Live{Holds: true, Detail: "delete " + dn}, nil
	}
	if d.AD {
		uac, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return remediate.Live{}, fmt.Errorf("%s: userAccountControl %q is not a number", dn, v)
		}
		if uac&uacDisabled != 0 {
			return remediate.Live{Done: true, Detail: dn + " already disabled"}, nil
		}
		return remediate.Live{Holds: true, Detail: "set ACCOUNTDISABLE on " + dn, Native: map[string]string{"userAccountControl": v}}, nil
	}
	if v != "" {
		return remediate.Live{Done: true, Detail: dn + " already locked"}, nil
	}
	return remediate.Live{Holds: true, Detail: "lock " + dn + " (pwdAccountLockedTime)"}, nil
}

// Do acts once; noSuchObject is success.
func (e *Executor) Do(ctx context.Context, s remediate.Step, l remediate.Live) (remediate.Undo, error) {
	d, dn, err := e.dir(s)
	if err != nil {
		return nil, err
	}
	c, err := e.dial(ctx, d)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	switch s.Action {
	case remediate.ActDeleteUser:
		if err := c.Del(goldap.NewDelRequest(dn, nil)); err != nil && !gone(err) {
			return nil, fmt.Errorf("delete %s: %w", dn, err)
		}
		return nil, nil
	case remediate.ActDisableUser:
		m := goldap.NewModifyRequest(dn, nil)
		undo := remediate.Undo{"dn": dn}
		if d.AD {
			old := l.Native["userAccountControl"]
			uac, err := strconv.ParseInt(old, 10, 64)
			if err != nil {
				return nil, fmt.Errorf("%s: userAccountControl %q is not a number", dn, old)
			}
			m.Replace("userAccountControl", []string{strconv.FormatInt(uac|uacDisabled, 10)})
			undo["userAccountControl"] = old
		} else {
			m.Replace("pwdAccountLockedTime", []string{lockForever})
		}
		if err := c.Modify(m); err != nil {
			if gone(err) {
				return nil, nil
			}
			return nil, fmt.Errorf("disable %s: %w", dn, err)
		}
		return undo, nil
	}
	return nil, fmt.Errorf("action %s: %w", s.Action, remediate.ErrUnsupported)
}

// Undo re-enables a disabled account.
func (e *Executor) Undo(ctx context.Context, s remediate.Step, u remediate.Undo) error {
	if s.Action != remediate.ActDisableUser || u["dn"] == "" {
		return fmt.Errorf("undo %s: %w", s.Action, remediate.ErrIrreversible)
	}
	d, dn, err := e.dir(s)
	if err != nil {
		return err
	}
	c, err := e.dial(ctx, d)
	if err != nil {
		return err
	}
	defer c.Close()
	m := goldap.NewModifyRequest(dn, nil)
	if d.AD {
		m.Replace("userAccountControl", []string{u["userAccountControl"]})
	} else {
		m.Delete("pwdAccountLockedTime", nil)
	}
	if err := c.Modify(m); err != nil {
		return fmt.Errorf("re-enable %s: %w", dn, err)
	}
	return nil
}
