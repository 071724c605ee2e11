package store

import (
	"context"
)

// Daemon run records: bucket "runs", run ID → the record (opaque to the store; package daemon
// encodes it as JSON). The bucket is created by its first write, so older files need no
// migration, and snapshot retention does not touch it. Each PutRun is one committed
// transaction.

var bucketRuns = []byte("runs")

// PutRun stores (replaces) the record of run id.
func (db *DB) PutRun(ctx context.Context, id string, v []byte) error {
	return db.putKV(ctx, bucketRuns, id, v)
}

// EachRun calls fn for every run record in ID order, inside a read transaction (fn must not
// write to the DB; v is only valid during the call).
func (db *DB) EachRun(fn func(id string, v []byte) error) error { return db.eachKV(bucketRuns, fn) }
