package store

import (
	"bytes"
	"compress/flate"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/provost-dev/provost/finding"
)

// Findings history: bucket "findings", seq → one value per evaluated snapshot holding all of its
// findings (their lifecycle fields already merged by the caller): a format byte, then the JSON
// array DEFLATE-compressed. Findings of one snapshot are always read and written together, and
// a check yields many near-identical findings, so one compressed array costs a fraction of a
// record per finding (see BenchmarkPutFindings for the size). The bucket is created by the
// first PutFindings, so files written before findings existed need no migration; the findings of
// a deleted or pruned snapshot are deleted with its header (deleteHeader).

// ErrNoFindings: the snapshot exists but no findings were stored for it (it was never
// evaluated).
var ErrNoFindings = errors.New("no findings stored")

var bucketFindings = []byte("findings") // seq → findingsDeflate ‖ DEFLATE(JSON []finding.Finding)

const findingsDeflate = 1

// PutFindings stores the findings of snapshot snapshotID in one transaction, replacing any
// stored before for it. The snapshot must be stored (an error wrapping ErrNotFound otherwise)
// and every finding needs an ID, a check ID, a valid severity and a valid status. fs is not
// modified. Evidence values come back as JSON decodes them (numbers as float64).
func (db *DB) PutFindings(ctx context.Context, snapshotID string, fs []finding.Finding) error {
	if err := checkCtx(ctx); err != nil {
		return fmt.Errorf("put findings of %q: %w", snapshotID, err)
	}
	for i := range fs {
		f := &fs[i]
		if f.ID == "" || f.CheckID == "" || !f.Severity.Valid() || !f.Status.Valid() {
			return fmt.Errorf("put findings of %q: finding %d (id %q, check %q, principal %q): needs an id, a check id, a valid severity and status",
				snapshotID, i, f.ID, f.CheckID, f.Principal)
		}
	}
	start := time.Now()
	val, err := encodeFindings(fs)
	if err != nil {
		return fmt.Errorf("put findings of %q: %w", snapshotID, err)
	}
	db.writeMu.Lock()
	defer db.writeMu.Unlock()
	err = db.update(func(tx *bolt.Tx) error {
		seq, err := db.seqOf(tx, snapshotID)
		if err != nil {
			return err
		}
		b, err := tx.CreateBucketIfNotExists(bucketFindings)
		if err != nil {
			return fmt.Errorf("create bucket %s: %w", bucketFindings, err)
		}
		return b.Put(seqKey(seq), val)
	})
	if err != nil {
		return fmt.Errorf("put findings of %q: %w", snapshotID, err)
	}
	db.log.Debug("findings stored", "snapshot", snapshotID, "findings", len(fs), "bytes", len(val), "duration", time.Since(start))
	return nil
}

// Findings returns the stored findings of snapshot snapshotID in the order they were stored. It
// fails with an error wrapping ErrNotFound for an unknown snapshot and ErrNoFindings for a
// snapshot that was never evaluated.
func (db *DB) Findings(snapshotID string) ([]finding.Finding, error) {
	var out []finding.Finding
	err := db.view(func(tx *bolt.Tx) error {
		seq, err := db.seqOf(tx, snapshotID)
		if err != nil {
			return err
		}
		out, err = db.findingsAt(tx, seq)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("findings of %q: %w", snapshotID, err)
	}
	return out, nil
}

// HasFindings reports whether findings are stored for the snapshot, without decoding them (a
// scan killed between its snapshot and its findings leaves a snapshot without any). An unknown
// snapshot is an error wrapping ErrNotFound.
func (db *DB) HasFindings(snapshotID string) (bool, error) {
	var has bool
	err := db.view(func(tx *bolt.Tx) error {
		seq, err := db.seqOf(tx, snapshotID)
		if err != nil {
			return err
		}
		if b := tx.Bucket(bucketFindings); b != nil {
			has = b.Get(seqKey(seq)) != nil
		}
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("findings of %q: %w", snapshotID, err)
	}
	return has, nil
}

// LatestFindings returns the newest snapshot (by StartedAt, then write order) that has findings
// stored, with its findings; an error wrapping ErrNoFindings when no snapshot has any.
func (db *DB) LatestFindings() (SnapshotMeta, []finding.Finding, error) {
	var (
		meta SnapshotMeta
		out  []finding.Finding
	)
	err := db.view(func(tx *bolt.Tx) error {
		ms, err := db.allMetas(tx)
		if err != nil {
			return err
		}
		for i := len(ms) - 1; i >= 0; i-- {
			fs, err := db.findingsAt(tx, ms[i].seq)
			if errors.Is(err, ErrNoFindings) {
				continue
			}
			if err != nil {
				return err
			}
			meta, out = ms[i].meta, fs
			return nil
		}
		return ErrNoFindings
	})
	if err != nil {
		return SnapshotMeta{}, nil, fmt.Errorf("latest findings: %w", err)
	}
	return meta, out, nil
}

func (db *DB) findingsAt(tx *bolt.Tx, seq uint64) ([]finding.Finding, error) {
	b := tx.Bucket(bucketFindings)
	if b == nil {
		return nil, ErrNoFindings
	}
	v := b.Get(seqKey(seq))
	if v == nil {
		return nil, ErrNoFindings
	}
	fs, err := decodeFindings(v)
	if err != nil {
		return nil, db.corruptf("findings of snapshot %d: %v", seq, err)
	}
	return fs, nil
}

// deleteFindings drops the findings of snapshot seq, if any; deleteHeader calls it.
func deleteFindings(tx *bolt.Tx, seq uint64) error {
	b := tx.Bucket(bucketFindings)
	if b == nil {
		return nil
	}
	if err := b.Delete(seqKey(seq)); err != nil {
		return fmt.Errorf("delete findings of snapshot %d: %w", seq, err)
	}
	return nil
}

func encodeFindings(fs []finding.Finding) ([]byte, error) {
	if fs == nil {
		fs = []finding.Finding{}
	}
	var buf bytes.Buffer
	buf.WriteByte(findingsDeflate)
	zw, err := flate.NewWriter(&buf, flate.DefaultCompression)
	if err != nil {
		return nil, fmt.Errorf("compress findings: %w", err)
	}
	if err := json.NewEncoder(zw).Encode(fs); err != nil {
		return nil, fmt.Errorf("encode findings: %w", err)
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("compress findings: %w", err)
	}
	return buf.Bytes(), nil
}

func decodeFindings(v []byte) ([]finding.Finding, error) {
	if len(v) == 0 || v[0] != findingsDeflate {
		return nil, fmt.Errorf("unknown findings encoding")
	}
	zr := flate.NewReader(bytes.NewReader(v[1:]))
	defer zr.Close()
	var fs []finding.Finding
	dec := json.NewDecoder(zr)
	if err := dec.Decode(&fs); err != nil {
		return nil, fmt.Errorf("decode findings: %w", err)
	}
	if _, err := io.Copy(io.Discard, zr); err != nil {
		return nil, fmt.Errorf("decode findings: %w", err)
	}
	if len(fs) == 0 {
		return nil, nil
	}
	return fs, nil
}
