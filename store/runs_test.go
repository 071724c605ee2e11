package store

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestRuns(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "r.db")
	db, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var none []string
	if err := db.EachRun(func(id string, _ []byte) error { none = append(none, id); return nil }); err != nil || none != nil {
		t.Fatalf("runs of a new file: %v, %v", none, err)
	}
	for _, kv := range [][2]string{{"run-2", `{"status":"running"}`}, {"run-1", `{"status":"succeeded"}`}, {"run-2", `{"status":"failed"}`}} {
		if err := db.PutRun(ctx, kv[0], []byte(kv[1])); err != nil {
			t.Fatal(err)
		}
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if err := db.PutRun(cancelled, "run-3", []byte("{}")); !errors.Is(err, context.Canceled) {
		t.Errorf("PutRun with a cancelled ctx: %v", err)
	}
	if err := db.PutRun(ctx, "", []byte("{}")); err == nil {
		t.Error("PutRun with an empty ID succeeded")
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db, err = Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var got [][2]string
	if err := db.EachRun(func(id string, v []byte) error { got = append(got, [2]string{id, string(v)}); return nil }); err != nil {
		t.Fatal(err)
	}
	want := [][2]string{{"run-1", `{"status":"succeeded"}`}, {"run-2", `{"status":"failed"}`}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("runs after reopening (-want +got):\n%s", diff)
	}
}
