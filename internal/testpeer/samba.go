package testpeer

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/go-ldap/ldap/v3"
)

// Samba AD DC facts. The domain exists only inside the test peer, on loopback.
const (
	sambaRealm    = "PROVOST.TEST"
	sambaDomain   = "PROVOST"
	sambaDomainDN = "DC=provost,DC=test"
	// sambaAdminPassword is the throwaway domain's Administrator password; it meets AD's
	// complexity rules and exists only in the cached test provision.
	sambaAdminPassword = "Provost-Test-Admin-1"
	// sambaLockFile serialises Samba across test binaries and engineers: it must own ports 389
	// and 636, so only one can run on a machine.
	sambaLockFile    = "/tmp/provost-testpeer-samba.lock"
	sambaLockTimeout = 5 * time.Minute
	sambaStart       = 90 * time.Second
	// SambaCacheEnv overrides where the provisioned template domain is cached.
	SambaCacheEnv = "PROVOST_SAMBA_CACHE"
)

// SambaServer is a running Samba Active Directory domain controller (Debian's samba-ad-dc),
// serving LDAP on 127.0.0.1:389 (StartTLS) and LDAPS on 636 with a certificate for 127.0.0.1.
type SambaServer struct {
	URL      string // "ldap://127.0.0.1:389"
	LDAPSURL string // "ldaps://127.0.0.1:636"
	CAFile   string // the throwaway CA of the server certificate
	Realm    string // "PROVOST.TEST"
	DomainDN string // "DC=provost,DC=test"
	// BaseDN is an organizational unit created for this test alone.
	BaseDN   string
	BindDN   string // the domain Administrator
	Password string
	// Provisioned is how long `samba-tool domain provision` took in this process: zero when the
	// cached template domain was used.
	Provisioned time.Duration
	// Started is how long the copy of the template took to answer a bind.
	Started time.Duration
}

var (
	sambaOnce sync.Once
	sambaSrv  SambaServer
	sambaErr  error
	sambaLock *os.File // held, never closed: the lock is released when the process exits
)

// Samba returns a Samba AD DC and a fresh, empty organizational unit for the calling test,
// removed with everything in it when the test ends. Account names are unique domain-wide, so
// tests that use Samba must not run in parallel when they create the same names.
//
// The domain is provisioned once per machine into a cache directory (`samba-tool domain
// provision` takes several seconds) and each test binary runs a fresh copy of it, stopped by
// StopAll. Samba must run as root and owns ports 389 and 636, so test binaries take turns
// through a lock file. Missing packages (scripts/peers/install.sh installs them), a non-root
// user or a busy port 389 fail the test.
func Samba(t testing.TB) SambaServer {
	t.Helper()
	sambaOnce.Do(func() { sambaSrv, sambaErr = startSamba() })
	if sambaErr != nil {
		t.Fatalf("testpeer: the Samba AD domain controller is required for this test and could not be started: %v "+
			"(install it with scripts/peers/install.sh)", sambaErr)
	}
	srv := sambaSrv
	ou := "t" + strconv.FormatInt(ouSeq.Add(1), 10) + "-" + sanitize(t.Name())
	srv.BaseDN = "OU=" + ou + "," + srv.DomainDN
	if err := addEntry(srv.URL, srv.BindDN, srv.Password, srv.BaseDN, map[string][]string{
		"objectClass": {"organizationalUnit"}, "ou": {ou},
	}); err != nil {
		t.Fatalf("testpeer: create %s in Samba: %v", srv.BaseDN, err)
	}
	// Account names (sAMAccountName) are unique across the whole domain: remove the test's
	// entries when it ends so that later tests of this binary may reuse them.
	t.Cleanup(func() {
		if err := deleteTree(srv.URL, srv.BindDN, srv.Password, srv.BaseDN); err != nil {
			t.Errorf("testpeer: remove %s from Samba: %v", srv.BaseDN, err)
		}
	})
	return srv
}

// deleteTree removes dn and everything below it with the tree-delete control.
func deleteTree(url, bindDN, password, dn string) error {
	conn, err := dialBind(url, bindDN, password)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Del(ldap.NewDelRequest(dn, []ldap.Control{ldap.NewControlSubtreeDelete()}))
}

func startSamba() (SambaServer, error) {
	if os.Geteuid() != 0 {
		return SambaServer{}, errors.New("Samba AD DC must run as root (it binds port 389)")
	}
	samba, err := lookBin("samba")
	if err != nil {
		return SambaServer{}, err
	}
	tool, err := lookBin("samba-tool")
	if err != nil {
		return SambaServer{}, err
	}
	if err := lockSamba(); err != nil {
		return SambaServer{}, err
	}
	for _, port := range []int{389, 636} {
		l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port))
		if err != nil {
			return SambaServer{}, fmt.Errorf("port %d on 127.0.0.1 is in use (a leftover samba or slapd?): %w", port, err)
		}
		l.Close()
	}
	template, provisioned, err := sambaTemplate(samba, tool)
	if err != nil {
		return SambaServer{}, err
	}

	dir, err := os.MkdirTemp("", "provost-samba-")
	if err != nil {
		return SambaServer{}, err
	}
	ok := false
	defer func() {
		if !ok {
			_ = os.RemoveAll(dir)
		}
	}()
	dc := filepath.Join(dir, "dc")
	if out, err := exec.Command("cp", "-a", template, dc).CombinedOutput(); err != nil {
		return SambaServer{}, fmt.Errorf("copy the template domain: %w: %s", err, out)
	}
	certs, err := writeTestCerts(dir)
	if err != nil {
		return SambaServer{}, err
	}
	conf := filepath.Join(dc, "etc", "smb.conf")
	if err := rewriteSmbConf(conf, template, dc, certs); err != nil {
		return SambaServer{}, err
	}

	start := time.Now()
	cmd := exec.Command(samba, "-s", conf, "-i", "-M", "single", "--no-process-group")
	cmd.Dir = dir
	out := &lockedBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return SambaServer{}, fmt.Errorf("start %s: %w", samba, err)
	}
	ok = true
	p := &peerProc{cmd: cmd, done: make(chan struct{}), out: out}
	go func() {
		_ = cmd.Wait()
		_ = os.RemoveAll(dir)
		close(p.done)
	}()
	procsMu.Lock()
	procs = append(procs, p)
	procsMu.Unlock()

	srv := SambaServer{
		URL:         "ldap://127.0.0.1:389",
		LDAPSURL:    "ldaps://127.0.0.1:636",
		CAFile:      certs.CAFile,
		Realm:       sambaRealm,
		DomainDN:    sambaDomainDN,
		BindDN:      "CN=Administrator,CN=Users," + sambaDomainDN,
		Password:    sambaAdminPassword,
		Provisioned: provisioned,
	}
	if err := waitBind(srv.URL, srv.BindDN, srv.Password, p, sambaStart); err != nil {
		p.stop()
		return SambaServer{}, fmt.Errorf("samba: %w", err)
	}
	srv.Started = time.Since(start)
	return srv, nil
}

// lockSamba takes the machine-wide Samba lock, waiting for other test binaries.
func lockSamba() error {
	f, err := os.OpenFile(sambaLockFile, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return fmt.Errorf("open %s: %w", sambaLockFile, err)
	}
	deadline := time.Now().Add(sambaLockTimeout)
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			sambaLock = f
			return nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) {
			f.Close()
			return fmt.Errorf("lock %s: %w", sambaLockFile, err)
		}
		if time.Now().After(deadline) {
			f.Close()
			return fmt.Errorf("another process has held %s for %s (a test binary using Samba)", sambaLockFile, sambaLockTimeout)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// sambaTemplate returns the cached provisioned domain, provisioning it first if needed (under
// the Samba lock, so only once per machine and Samba version).
func sambaTemplate(samba, tool string) (string, time.Duration, error) {
	version, err := exec.Command(samba, "-V").Output()
	if err != nil {
		return "", 0, fmt.Errorf("samba -V: %w", err)
	}
	cache := os.Getenv(SambaCacheEnv)
	if cache == "" {
		cache = "/var/tmp/provost-testpeer"
	}
	name := "samba-" + nonName.ReplaceAllString(strings.TrimSpace(string(version)), "_") + "-v1"
	template := filepath.Join(cache, name)
	if _, err := os.Stat(filepath.Join(template, "etc", "smb.conf")); err == nil {
		return template, 0, nil
	}
	if err := os.MkdirAll(cache, 0o700); err != nil {
		return "", 0, err
	}
	tmp, err := os.MkdirTemp(cache, name+".tmp-")
	if err != nil {
		return "", 0, err
	}
	defer os.RemoveAll(tmp)
	target := filepath.Join(tmp, "dc")
	start := time.Now()
	cmd := exec.Command(tool, "domain", "provision",
		"--targetdir="+target,
		"--realm="+sambaRealm,
		"--domain="+sambaDomain,
		"--server-role=dc",
		"--dns-backend=NONE",
		"--use-rfc2307",
		"--adminpass="+sambaAdminPassword,
		"--host-ip=127.0.0.1",
		"--option=interfaces=127.0.0.1",
		"--option=bind interfaces only=yes",
		"--option=server services=ldap kdc",
	)
	if out, err := cmd.CombinedOutput(); err != nil {
		tail := string(out)
		if len(tail) > 2048 {
			tail = tail[len(tail)-2048:]
		}
		return "", 0, fmt.Errorf("samba-tool domain provision: %w: %s", err, tail)
	}
	took := time.Since(start)
	// smb.conf records the directory; make it the template's, which copies rewrite in turn.
	conf := filepath.Join(target, "etc", "smb.conf")
	data, err := os.ReadFile(conf)
	if err != nil {
		return "", 0, err
	}
	if err := os.WriteFile(conf, []byte(strings.ReplaceAll(string(data), target, template)), 0o600); err != nil {
		return "", 0, err
	}
	if err := os.Rename(target, template); err != nil {
		return "", 0, fmt.Errorf("store the provisioned domain: %w", err)
	}
	return template, took, nil
}

// rewriteSmbConf points a copied domain's smb.conf at its new directory and adds what the
// tests need: simple binds over plain LDAP, TLS with the test certificate, logs in the copy.
func rewriteSmbConf(conf, from, to string, certs tlsFiles) error {
	data, err := os.ReadFile(conf)
	if err != nil {
		return err
	}
	text := strings.ReplaceAll(string(data), from, to)
	extra := strings.Join([]string{
		"\tldap server require strong auth = no",
		"\ttls enabled = yes",
		"\ttls certfile = " + certs.CertFile,
		"\ttls keyfile = " + certs.KeyFile,
		"\ttls cafile = " + certs.CAFile,
		"\tlog file = " + filepath.Join(to, "log.%m"),
		"\tlog level = 1",
		"\tpanic action = ",
		"",
	}, "\n")
	// Settings later in a section override earlier ones: add ours at the end of [global].
	i := strings.Index(text, "[global]\n")
	if i < 0 {
		return fmt.Errorf("%s has no [global] section", conf)
	}
	end := len(text)
	if j := strings.Index(text[i+1:], "\n["); j >= 0 {
		end = i + 1 + j + 1
	}
	text = text[:end] + extra + "\n" + text[end:]
	return os.WriteFile(conf, []byte(text), 0o600)
}
