package store

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestJournalAndMarks(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "j.db")
	db, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if v, err := db.JournalEntry("a-1"); err != nil || v != nil {
		t.Fatalf("absent entry: %q, %v; want nil, nil", v, err)
	}
	for _, kv := range [][2]string{{"a-2", `{"state":"intent"}`}, {"a-1", `{"state":"done"}`}, {"a-2", `{"state":"done"}`}} {
		if err := db.PutJournalEntry(ctx, kv[0], []byte(kv[1])); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.PutMark(ctx, "f-1/deactivate_access_key", []byte(`{"m":1}`)); err != nil {
		t.Fatal(err)
	}
	if err := db.PutMark(ctx, "f-2/delete_user", []byte(`{"m":2}`)); err != nil {
		t.Fatal(err)
	}
	if err := db.DeleteMark(ctx, "f-2/delete_user"); err != nil {
		t.Fatal(err)
	}
	if err := db.DeleteMark(ctx, "absent"); err != nil {
		t.Fatal(err)
	}
	if err := db.PutJournalEntry(ctx, "", []byte("x")); err == nil {
		t.Fatal("empty key accepted")
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db, err = Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	got := map[string]string{}
	if err := db.EachJournalEntry(func(id string, v []byte) error { got["j:"+id] = string(v); return nil }); err != nil {
		t.Fatal(err)
	}
	if err := db.EachMark(func(k string, v []byte) error { got["m:"+k] = string(v); return nil }); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"j:a-1": `{"state":"done"}`, "j:a-2": `{"state":"done"}`, "m:f-1/deactivate_access_key": `{"m":1}`}
	if d := cmp.Diff(want, got); d != "" {
		t.Fatalf("after reopen (-want +got):\n%s", d)
	}
	v, err := db.Mark("f-1/deactivate_access_key")
	if err != nil || string(v) != `{"m":1}` {
		t.Fatalf("Mark = %q, %v", v, err)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if err := db.PutJournalEntry(cctx, "a-3", []byte("x")); err == nil {
		t.Fatal("cancelled context accepted")
	}
}
