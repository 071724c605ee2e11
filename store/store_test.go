package store

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/provost-dev/provost/inventory"
)

// The test binary doubles as the child process of the lock and crash tests.
const (
	childEnv     = "PROVOST_STORE_TEST_CHILD"
	childPathEnv = "PROVOST_STORE_TEST_PATH"
	childSizeEnv = "PROVOST_STORE_TEST_SIZE"
)

func TestMain(m *testing.M) {
	switch os.Getenv(childEnv) {
	case "":
		os.Exit(m.Run())
	case "hold-lock":
		childHoldLock()
	case "write-large":
		childWriteLarge()
	case "prune":
		childPrune()
	case "delete":
		childDelete()
	default:
		fmt.Fprintln(os.Stderr, "unknown child mode", os.Getenv(childEnv))
		os.Exit(2)
	}
}

// childHoldLock opens the store, says so, and keeps it open until stdin closes.
func childHoldLock() {
	db, err := Open(os.Getenv(childPathEnv), Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println("locked")
	_, _ = io.Copy(io.Discard, os.Stdin)
	_ = db.Close()
	os.Exit(0)
}

// childWriteLarge writes one large snapshot, announcing "writing" before it starts and
// "committing" when bbolt is about to commit, and "done" when it returns.
func childWriteLarge() {
	var n int
	fmt.Sscan(os.Getenv(childSizeEnv), &n)
	db, err := Open(os.Getenv(childPathEnv), Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	snap := genSnapshot("big", genPrincipals(n, 42), genEpoch.AddDate(0, 0, 7))
	testHookBeforeCommit = func() { fmt.Println("committing") }
	fmt.Println("writing")
	if err := db.PutSnapshot(context.Background(), snap); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println("done")
	_ = db.Close()
	os.Exit(0)
}

// startChild re-executes the test binary in the given mode and returns it with its stdout.
func startChild(t *testing.T, mode, path string, env ...string) (*exec.Cmd, *bufio.Reader, io.WriteCloser) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), append(env, childEnv+"="+mode, childPathEnv+"="+path)...)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	return cmd, bufio.NewReader(stdout), stdin
}

// waitLine reads lines until want (failing on EOF) and returns what came before it.
func waitLine(t *testing.T, r *bufio.Reader, want string) {
	t.Helper()
	for {
		line, err := r.ReadString('\n')
		if strings.TrimSpace(line) == want {
			return
		}
		if err != nil {
			t.Fatalf("child exited before printing %q: %v", want, err)
		}
	}
}

func TestOpenCreatesPrivateFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "new.db")
	db, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if db.Path() != path {
		t.Errorf("Path() = %q, want %q", db.Path(), path)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("new database has mode %v, want 0600", fi.Mode().Perm())
	}
}

func TestOpenLocked(t *testing.T) {
	path := filepath.Join(t.TempDir(), "locked.db")
	first, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	wantMsg := fmt.Sprintf("database %s is in use by another process (locked)", path)
	for _, ro := range []bool{false, true} {
		start := time.Now()
		second, err := Open(path, Options{Timeout: 100 * time.Millisecond, ReadOnly: ro})
		if err == nil {
			second.Close()
			t.Fatalf("second Open (read-only %v) succeeded while the file was open", ro)
		}
		if !errors.Is(err, ErrLocked) || err.Error() != wantMsg {
			t.Errorf("second Open (read-only %v): %q, want %q wrapping ErrLocked", ro, err, wantMsg)
		}
		if d := time.Since(start); d < 100*time.Millisecond || d > 10*time.Second {
			t.Errorf("second Open (read-only %v) gave up after %v, want about the 100ms timeout", ro, d)
		}
	}
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	again, err := Open(path, Options{Timeout: 100 * time.Millisecond})
	if err != nil {
		t.Fatalf("Open after Close: %v", err)
	}
	again.Close()
}

func TestOpenLockedByAnotherProcess(t *testing.T) {
	path := filepath.Join(t.TempDir(), "shared.db")
	cmd, out, stdin := startChild(t, "hold-lock", path)
	waitLine(t, out, "locked")
	_, err := Open(path, Options{Timeout: 200 * time.Millisecond})
	if want := fmt.Sprintf("database %s is in use by another process (locked)", path); !errors.Is(err, ErrLocked) || err.Error() != want {
		t.Fatalf("Open while another process holds the file: %v, want %q wrapping ErrLocked", err, want)
	}
	stdin.Close()
	if err := cmd.Wait(); err != nil {
		t.Fatalf("child: %v", err)
	}
	db, err := Open(path, Options{Timeout: time.Second})
	if err != nil {
		t.Fatalf("Open after the other process exited: %v", err)
	}
	db.Close()
}

func TestOpenOptions(t *testing.T) {
	dir := t.TempDir()
	if _, err := Open(filepath.Join(dir, "x.db"), Options{Timeout: -time.Second}); err == nil || !strings.Contains(err.Error(), "negative lock timeout") {
		t.Errorf("negative timeout: err = %v", err)
	}
	if _, err := Open(filepath.Join(dir, "missing.db"), Options{ReadOnly: true}); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("read-only Open of a missing file: err = %v, want fs.ErrNotExist", err)
	}
	if _, err := Open(dir, Options{}); err == nil {
		t.Error("Open of a directory succeeded")
	}
}

func TestReadOnly(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ro.db")
	db, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	ps := genPrincipals(40, 1)
	mustPut(t, db, genSnapshot("s1", ps, genEpoch))
	db.Close()

	r1, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer r1.Close()
	r2, err := Open(path, Options{ReadOnly: true, Timeout: 100 * time.Millisecond})
	if err != nil {
		t.Fatalf("second read-only Open: %v", err)
	}
	defer r2.Close()
	checkSnapshot(t, r2, "s1", ps)
	wantErr := fmt.Sprintf("database %s is open read-only", path)
	if err := r1.PutSnapshot(context.Background(), genSnapshot("s2", ps, genEpoch)); err == nil || !strings.Contains(err.Error(), wantErr) {
		t.Errorf("PutSnapshot on a read-only store: %v", err)
	}
	if err := r1.DeleteSnapshot("s1"); err == nil || !strings.Contains(err.Error(), wantErr) {
		t.Errorf("DeleteSnapshot on a read-only store: %v", err)
	}
	if _, err := r1.Prune(context.Background(), Retention{KeepLast: 1}, genEpoch, false); err == nil || !strings.Contains(err.Error(), wantErr) {
		t.Errorf("Prune on a read-only store: %v", err)
	}
	if res, err := r1.Prune(context.Background(), Retention{KeepLast: 1}, genEpoch, true); err != nil || len(res.Deleted) != 0 {
		t.Errorf("dry-run Prune on a read-only store: %v, %v", res, err)
	}
}

func TestSchemaVersion(t *testing.T) {
	path := filepath.Join(t.TempDir(), "future.db")
	db, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	setSchema(t, path, 7)
	want := fmt.Sprintf("database %s has schema version 7, newer than version 1 that this provost reads: newer schema (upgrade provost)", path)
	for _, ro := range []bool{false, true} {
		_, err := Open(path, Options{ReadOnly: ro})
		if !errors.Is(err, ErrNewerSchema) || err.Error() != want {
			t.Errorf("Open (read-only %v) of a newer schema: %v, want %q wrapping ErrNewerSchema", ro, err, want)
		}
	}

	// A bbolt file without any bucket is an empty store: a writer lays it out, a reader cannot.
	empty := filepath.Join(t.TempDir(), "empty.db")
	bdb, err := bolt.Open(empty, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	bdb.Close()
	if _, err := Open(empty, Options{ReadOnly: true}); err == nil || !strings.Contains(err.Error(), "has schema version 0 and needs upgrading to 1") {
		t.Errorf("read-only Open of an empty bbolt file: %v", err)
	}
	db, err = Open(empty, Options{})
	if err != nil {
		t.Fatalf("Open of an empty bbolt file: %v", err)
	}
	mustPut(t, db, genSnapshot("s", genPrincipals(3, 1), genEpoch))
	db.Close()
}

func setSchema(t *testing.T, path string, v uint32) {
	t.Helper()
	bdb, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer bdb.Close()
	if err := bdb.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketMeta).Put(keySchema, binary.BigEndian.AppendUint32(nil, v))
	}); err != nil {
		t.Fatal(err)
	}
}

// validDB writes a store with a few snapshots at path and returns their principals.
func validDB(t *testing.T, path string) map[string][]inventory.Principal {
	return validDBOf(t, path, 1500)
}

func validDBOf(t *testing.T, path string, n int) map[string][]inventory.Principal {
	t.Helper()
	db, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	out := map[string][]inventory.Principal{}
	cur := genPrincipals(n, 1)
	for i := range 3 {
		id := fmt.Sprintf("s%d", i)
		mustPut(t, db, genSnapshot(id, cur, genEpoch.AddDate(0, 0, i)))
		out[id] = cur
		cur = mutate(cur, 0.2, uint64(i))
	}
	return out
}

func TestOpenCorruptFiles(t *testing.T) {
	overwrite := func(t *testing.T, path string, off int64, b []byte) {
		f, err := os.OpenFile(path, os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if _, err := f.WriteAt(b, off); err != nil {
			t.Fatal(err)
		}
	}
	meta := func(t *testing.T, path string) boltMeta {
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		b := make([]byte, maxPageSize+pageHeaderSize+metaSize)
		if _, err := io.ReadFull(f, b); err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Fatal(err)
		}
		m0, _ := parseMeta(b)
		m1, _ := parseMeta(b[m0.pageSize:])
		if m1.txid > m0.txid {
			return m1
		}
		return m0
	}
	random := func(n int, seed uint64) []byte {
		r := rand.New(rand.NewPCG(seed, 0))
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(r.Uint32())
		}
		return b
	}
	tests := []struct {
		name  string
		setup func(t *testing.T, path string)
		want  string
	}{
		{"random bytes", func(t *testing.T, path string) { os.WriteFile(path, random(64<<10, 1), 0o600) }, "not a bbolt file"},
		{"text file", func(t *testing.T, path string) {
			os.WriteFile(path, []byte(strings.Repeat("[store]\npath = \"/var/lib/provost.db\"\n", 300)), 0o600)
		}, "not a bbolt file"},
		{"short file", func(t *testing.T, path string) { os.WriteFile(path, []byte("abc"), 0o600) }, "too short"},
		{"truncated to half", func(t *testing.T, path string) {
			validDB(t, path)
			fi, _ := os.Stat(path)
			os.Truncate(path, fi.Size()/2)
		}, "truncated"},
		{"truncated to two pages", func(t *testing.T, path string) { validDB(t, path); os.Truncate(path, 8192) }, "truncated"},
		{"zeroed meta pages", func(t *testing.T, path string) {
			validDB(t, path)
			overwrite(t, path, 0, make([]byte, 2*meta(t, path).pageSize))
		}, "not a bbolt file"},
		{"bad root page", func(t *testing.T, path string) {
			validDB(t, path)
			m := meta(t, path)
			overwrite(t, path, int64(m.root)*int64(m.pageSize), random(64, 2))
		}, "root page"},
		{"bad freelist page", func(t *testing.T, path string) {
			validDB(t, path)
			m := meta(t, path)
			overwrite(t, path, int64(m.freelist)*int64(m.pageSize), random(64, 3))
		}, "freelist page"},
		{"another program's bbolt file", func(t *testing.T, path string) {
			bdb, err := bolt.Open(path, 0o600, nil)
			if err != nil {
				t.Fatal(err)
			}
			bdb.Update(func(tx *bolt.Tx) error { _, err := tx.CreateBucket([]byte("widgets")); return err })
			bdb.Close()
		}, "a bbolt database of another program"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "bad.db")
			tt.setup(t, path)
			for _, ro := range []bool{false, true} {
				db, err := Open(path, Options{ReadOnly: ro, Timeout: 100 * time.Millisecond})
				if err == nil {
					db.Close()
					t.Fatalf("Open (read-only %v) succeeded", ro)
				}
				if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), tt.want) {
					t.Errorf("Open (read-only %v): %q, want ErrCorrupt naming %s and saying %q", ro, err, path, tt.want)
				}
			}
			// The failed opens released the file: it can be replaced and opened.
			os.Remove(path)
			db, err := Open(path, Options{Timeout: 100 * time.Millisecond})
			if err != nil {
				t.Fatalf("Open after replacing the bad file: %v", err)
			}
			db.Close()
		})
	}
}

// TestDamagedPages destroys pages in use inside a valid database: every read either returns
// exactly the right data or an error wrapping ErrCorrupt — never a panic.
func TestDamagedPages(t *testing.T) {
	src := filepath.Join(t.TempDir(), "good.db")
	want := validDB(t, src)
	good, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	var inUse []int
	bdb, err := bolt.Open(src, 0o600, &bolt.Options{ReadOnly: true, PreLoadFreelist: true})
	if err != nil {
		t.Fatal(err)
	}
	ps := bdb.Info().PageSize
	bdb.View(func(tx *bolt.Tx) error {
		for id := 2; id < int(tx.Size()/int64(ps)); id++ {
			if info, err := tx.Page(id); err == nil && info != nil && (info.Type == "leaf" || info.Type == "branch") {
				inUse = append(inUse, id)
			}
		}
		return nil
	})
	bdb.Close()
	if len(inUse) < 20 {
		t.Fatalf("only %d pages in use", len(inUse))
	}
	r := rand.New(rand.NewPCG(7, 7))
	corrupted := 0
	for trial := range 12 {
		page := inUse[r.IntN(len(inUse))]
		bad := append([]byte(nil), good...)
		for i := range ps {
			bad[page*ps+i] = byte(r.Uint32())
		}
		path := filepath.Join(t.TempDir(), fmt.Sprintf("bad%d.db", trial))
		if err := os.WriteFile(path, bad, 0o600); err != nil {
			t.Fatal(err)
		}
		errs := readEverything(path, want)
		for _, err := range errs {
			if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), path) {
				t.Errorf("page %d destroyed: %v, want ErrCorrupt naming the file", page, err)
			}
		}
		if len(errs) > 0 {
			corrupted++
		} else {
			t.Errorf("page %d destroyed, yet every read returned the right data", page)
		}
	}
	t.Logf("%d of 12 damaged files reported as corrupt", corrupted)
}

// readEverything opens path and reads every snapshot through every path, returning the errors
// (a read that returns wrong data counts as an error without ErrCorrupt).
func readEverything(path string, want map[string][]inventory.Principal) []error {
	var errs []error
	db, err := Open(path, Options{ReadOnly: true, Timeout: 100 * time.Millisecond})
	if err != nil {
		return []error{err}
	}
	defer db.Close()
	metas, err := db.Snapshots()
	if err != nil {
		errs = append(errs, err)
	}
	if err == nil && len(metas) != len(want) {
		errs = append(errs, fmt.Errorf("%d snapshots listed, want %d", len(metas), len(want)))
	}
	for id, ps := range want {
		wantPs := canonical(ps)
		s, err := db.Snapshot(id)
		if err != nil {
			errs = append(errs, err)
		} else if !principalsEqual(wantPs, s.Principals) {
			errs = append(errs, fmt.Errorf("snapshot %s read back different", id))
		}
		i := 0
		err = db.EachPrincipal(id, func(p *inventory.Principal) error {
			if i >= len(wantPs) || !principalsEqual(wantPs[i:i+1], []inventory.Principal{*p}) {
				return fmt.Errorf("EachPrincipal(%s) principal %d read back different", id, i)
			}
			i++
			return nil
		})
		if err == nil && i != len(wantPs) {
			err = fmt.Errorf("EachPrincipal(%s): %d principals, want %d", id, i, len(wantPs))
		}
		if err != nil {
			errs = append(errs, err)
		}
		if err := db.EachPrincipalHash(id, func(string, inventory.Hash) error { return nil }); err != nil {
			errs = append(errs, err)
		}
	}
	return errs
}

func principalsEqual(a, b []inventory.Principal) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].ContentHash() != b[i].ContentHash() {
			return false
		}
	}
	return true
}

// TestCorruptValues writes bad values into a valid store behind its back.
func TestCorruptValues(t *testing.T) {
	tests := []struct {
		name   string
		damage func(tx *bolt.Tx) error
		read   func(db *DB) error
		want   string
	}{
		{"short principal value", func(tx *bolt.Tx) error {
			return tx.Bucket(bucketPrincipals).Bucket(seqKey(1)).Put([]byte("arn:aws:iam::zz"), []byte("short"))
		}, func(db *DB) error { return db.EachPrincipal("s0", func(*inventory.Principal) error { return nil }) }, `principal "arn:aws:iam::zz" has a 5-byte value`},
		{"undecodable record", func(tx *bolt.Tx) error {
			return tx.Bucket(bucketPrincipals).Bucket(seqKey(1)).Put([]byte("arn:aws:iam::zz"), append(make([]byte, hashLen), 1, 0, 99))
		}, func(db *DB) error { _, err := db.Principal("s0", "arn:aws:iam::zz"); return err }, `snapshot "s0" principal "arn:aws:iam::zz": malformed principal encoding`},
		{"string table gap", func(tx *bolt.Tx) error {
			return tx.Bucket(bucketStrings).Put(binary.BigEndian.AppendUint32(nil, 100000), []byte("x"))
		}, nil, "string table entry"},
		{"header not JSON", func(tx *bolt.Tx) error {
			return tx.Bucket(bucketSnapshots).Put(seqKey(1), []byte("{"))
		}, func(db *DB) error { _, err := db.Snapshots(); return err }, "snapshot header 1"},
		{"missing object", func(tx *bolt.Tx) error {
			c := tx.Bucket(bucketObjects).Cursor()
			k, _ := c.First()
			return tx.Bucket(bucketObjects).Delete(k)
		}, func(db *DB) error { _, err := db.Snapshot("s0"); return err }, "is missing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "v.db")
			validDB(t, path)
			bdb, err := bolt.Open(path, 0o600, nil)
			if err != nil {
				t.Fatal(err)
			}
			if err := bdb.Update(tt.damage); err != nil {
				t.Fatal(err)
			}
			bdb.Close()
			db, err := Open(path, Options{})
			if err == nil {
				defer db.Close()
				err = tt.read(db)
			}
			if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want ErrCorrupt naming %s and saying %q", err, path, tt.want)
			}
		})
	}
}

// TestCrashMidWrite kills a process writing a large snapshot at several moments; the store it
// leaves must hold the earlier snapshots intact and no trace of the partial one.
func TestCrashMidWrite(t *testing.T) {
	path := filepath.Join(t.TempDir(), "crash.db")
	want := validDBOf(t, path, 300)
	size := 100_000
	if raceEnabled {
		size = 15_000 // the race detector makes everything ~10× slower
	}
	kills := []struct {
		after string
		delay time.Duration
	}{
		{"writing", 50 * time.Millisecond},
		{"committing", 0},
		{"committing", 20 * time.Millisecond},
	}
	midWrite := 0
	for _, k := range kills {
		cmd, out, _ := startChild(t, "write-large", path, fmt.Sprintf("%s=%d", childSizeEnv, size))
		waitLine(t, out, k.after)
		time.Sleep(k.delay)
		if err := cmd.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		rest, _ := io.ReadAll(out)
		_ = cmd.Wait()
		finished := strings.Contains(string(rest), "done")
		if !finished {
			midWrite++
		}

		db, err := Open(path, Options{Timeout: time.Second})
		if err != nil {
			t.Fatalf("reopen after kill %s+%v: %v", k.after, k.delay, err)
		}
		if err := db.bolt.View(func(tx *bolt.Tx) error {
			for err := range tx.Check() {
				return err
			}
			return nil
		}); err != nil {
			t.Fatalf("bbolt consistency check after kill %s+%v: %v", k.after, k.delay, err)
		}
		for id, ps := range want {
			checkSnapshot(t, db, id, ps)
		}
		metas, err := db.Snapshots()
		if err != nil {
			t.Fatal(err)
		}
		ids := ""
		for _, m := range metas {
			ids += m.ID + " "
		}
		switch {
		case !finished && ids != "s0 s1 s2 ":
			t.Errorf("after a kill %s+%v mid-write, snapshots are %q, want only s0 s1 s2", k.after, k.delay, ids)
		case finished:
			t.Logf("the child finished before the kill %s+%v", k.after, k.delay)
			checkSnapshot(t, db, "big", genPrincipals(size, 42))
			if err := db.DeleteSnapshot("big"); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := db.Principal("big", genPrincipals(1, 42)[0].ID); !finished && !errors.Is(err, ErrNotFound) {
			t.Errorf("principal of the partial snapshot: err = %v, want ErrNotFound", err)
		}
		checkNoGarbage(t, db)
		db.Close()
	}
	if midWrite == 0 {
		t.Fatal("every child finished before it was killed: the test proved nothing")
	}
}
