package daemon

import (
	"log/slog"
	"path/filepath"
	"testing"

	"github.com/provost-dev/provost/store"
)

const testToken = "s3cret-test-token-0123456789"

func discard() *slog.Logger { return slog.New(slog.DiscardHandler) }

func configWith(fn func(*Config)) Config {
	c := DefaultConfig()
	fn(&c)
	return c
}

func openStore(t *testing.T) *store.DB {
	t.Helper()
	db, err := store.Open(filepath.Join(t.TempDir(), "provost.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// newTestDaemon fills Store and Token when unset.
func newTestDaemon(t *testing.T, opts Options) *Daemon {
	t.Helper()
	if opts.Store == nil {
		opts.Store = openStore(t)
	}
	if opts.Token == "" {
		opts.Token = testToken
	}
	d, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return d
}
