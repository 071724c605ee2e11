package store

import (
	"bytes"
	"context"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// Remediation journal and grace marks: bucket "remediation_journal", step ID → the step's
// journal entry, and bucket "remediation_marks", mark key → the mark. Values are opaque to the
// store (package remediate encodes them as JSON). Both buckets are created by their first write,
// so older files need no migration, and neither is touched by snapshot retention: the journal
// is the audit trail of what was changed. Each Put is one committed (fsynced) transaction, so
// an intent written before a call is on disk before the call is made.

var (
	bucketJournal = []byte("remediation_journal")
	bucketMarks   = []byte("remediation_marks")
)

// JournalEntry returns the journal entry of step id, or nil, nil when there is none.
func (db *DB) JournalEntry(id string) ([]byte, error) { return db.getKV(bucketJournal, id) }

// PutJournalEntry stores (replaces) the journal entry of step id.
func (db *DB) PutJournalEntry(ctx context.Context, id string, v []byte) error {
	return db.putKV(ctx, bucketJournal, id, v)
}

// EachJournalEntry calls fn for every journal entry in step ID order, inside a read transaction
// (fn must not write to the DB; v is only valid during the call).
func (db *DB) EachJournalEntry(fn func(id string, v []byte) error) error {
	return db.eachKV(bucketJournal, fn)
}

// Mark returns the grace mark stored under key, or nil, nil when there is none.
func (db *DB) Mark(key string) ([]byte, error) { return db.getKV(bucketMarks, key) }

// PutMark stores (replaces) the grace mark under key.
func (db *DB) PutMark(ctx context.Context, key string, v []byte) error {
	return db.putKV(ctx, bucketMarks, key, v)
}

// DeleteMark removes the grace mark under key; deleting an absent mark is not an error.
func (db *DB) DeleteMark(ctx context.Context, key string) error {
	if err := checkCtx(ctx); err != nil {
		return fmt.Errorf("delete mark %q: %w", key, err)
	}
	db.writeMu.Lock()
	defer db.writeMu.Unlock()
	err := db.update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketMarks)
		if b == nil {
			return nil
		}
		return b.Delete([]byte(key))
	})
	if err != nil {
		return fmt.Errorf("delete mark %q: %w", key, err)
	}
	return nil
}

// EachMark calls fn for every grace mark in key order, inside a read transaction.
func (db *DB) EachMark(fn func(key string, v []byte) error) error { return db.eachKV(bucketMarks, fn) }

func (db *DB) getKV(bucket []byte, key string) ([]byte, error) {
	var out []byte
	err := db.view(func(tx *bolt.Tx) error {
		if b := tx.Bucket(bucket); b != nil {
			if v := b.Get([]byte(key)); v != nil {
				out = bytes.Clone(v)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read %s %q: %w", bucket, key, err)
	}
	return out, nil
}

func (db *DB) putKV(ctx context.Context, bucket []byte, key string, v []byte) error {
	if err := checkCtx(ctx); err != nil {
		return fmt.Errorf("write %s %q: %w", bucket, key, err)
	}
	if key == "" {
		return fmt.Errorf("write %s: empty key", bucket)
	}
	val := bytes.Clone(v) // bbolt keeps the slice until commit
	db.writeMu.Lock()
	defer db.writeMu.Unlock()
	err := db.update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bucket)
		if err != nil {
			return fmt.Errorf("create bucket %s: %w", bucket, err)
		}
		return b.Put([]byte(key), val)
	})
	if err != nil {
		return fmt.Errorf("write %s %q: %w", bucket, key, err)
	}
	return nil
}

func (db *DB) eachKV(bucket []byte, fn func(k string, v []byte) error) error {
	return db.view(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucket)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			return callUser(func() error { return fn(string(k), v) })
		})
	})
}
