package store

import (
	"bytes"
	"compress/flate"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"

	bolt "go.etcd.io/bbolt"

	"github.com/provost-dev/provost/inventory"
)

// Objects are the parts of a snapshot other than principals: the account list, the people list
// and each policy document, stored once per distinct content under the SHA-256 of their JSON.

const (
	objJSON    = 0 // value: 0, JSON
	objDeflate = 1 // value: 1, DEFLATE-compressed JSON

	compressAbove = 1 << 10
	bodyVersion   = 1
	hashLen       = sha256.Size
)

// putObject stores v's JSON under its hash, unless an equal object is already stored, and
// returns the hash.
func putObject(b *bolt.Bucket, v any) (inventory.Hash, error) {
	js, err := json.Marshal(v)
	if err != nil {
		return inventory.Hash{}, fmt.Errorf("encode object: %w", err)
	}
	h := inventory.Hash(sha256.Sum256(js))
	if b.Get(h[:]) != nil {
		return h, nil
	}
	val := append([]byte{objJSON}, js...)
	if len(js) > compressAbove {
		var buf bytes.Buffer
		buf.WriteByte(objDeflate)
		zw, err := flate.NewWriter(&buf, flate.BestSpeed)
		if err != nil {
			return h, fmt.Errorf("compress object: %w", err)
		}
		if _, err := zw.Write(js); err != nil {
			return h, fmt.Errorf("compress object: %w", err)
		}
		if err := zw.Close(); err != nil {
			return h, fmt.Errorf("compress object: %w", err)
		}
		if buf.Len() < len(val) {
			val = buf.Bytes()
		}
	}
	if err := b.Put(h[:], val); err != nil {
		return h, fmt.Errorf("put object: %w", err)
	}
	return h, nil
}

// getObject decodes the object stored under h into v.
func getObject(b *bolt.Bucket, h inventory.Hash, v any) error {
	val := b.Get(h[:])
	if len(val) == 0 {
		return fmt.Errorf("object %x is missing", h[:8])
	}
	js := val[1:]
	switch val[0] {
	case objJSON:
	case objDeflate:
		zr := flate.NewReader(bytes.NewReader(val[1:]))
		var err error
		js, err = io.ReadAll(zr)
		if err != nil {
			return fmt.Errorf("object %x: decompress: %w", h[:8], err)
		}
	default:
		return fmt.Errorf("object %x has unknown encoding %d", h[:8], val[0])
	}
	if err := json.Unmarshal(js, v); err != nil {
		return fmt.Errorf("object %x: %w", h[:8], err)
	}
	return nil
}

// body is what a snapshot refers to in the objects bucket; a zero hash means "none".
type body struct {
	accounts, people inventory.Hash
	docs             []inventory.Hash
}

func (bd *body) encode() []byte {
	out := make([]byte, 0, 1+binary.MaxVarintLen64+hashLen*(2+len(bd.docs)))
	out = append(out, bodyVersion)
	out = append(out, bd.accounts[:]...)
	out = append(out, bd.people[:]...)
	out = binary.AppendUvarint(out, uint64(len(bd.docs)))
	for _, h := range bd.docs {
		out = append(out, h[:]...)
	}
	return out
}

func decodeBody(b []byte) (body, error) {
	var bd body
	if len(b) < 1+2*hashLen || b[0] != bodyVersion {
		return bd, fmt.Errorf("bad snapshot body (%d bytes)", len(b))
	}
	copy(bd.accounts[:], b[1:])
	copy(bd.people[:], b[1+hashLen:])
	rest := b[1+2*hashLen:]
	n, k := binary.Uvarint(rest)
	if k <= 0 || n > uint64(len(rest)) || uint64(len(rest)-k) != n*hashLen {
		return bd, fmt.Errorf("bad snapshot body (%d bytes)", len(b))
	}
	rest = rest[k:]
	bd.docs = make([]inventory.Hash, n)
	for i := range bd.docs {
		copy(bd.docs[i][:], rest[i*hashLen:])
	}
	return bd, nil
}

// refs calls fn with every object hash the body refers to.
func (bd *body) refs(fn func(inventory.Hash)) {
	var zero inventory.Hash
	if bd.accounts != zero {
		fn(bd.accounts)
	}
	if bd.people != zero {
		fn(bd.people)
	}
	for _, h := range bd.docs {
		fn(h)
	}
}
