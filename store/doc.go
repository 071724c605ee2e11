// Package store keeps Provost's snapshot history in one bbolt file: every snapshot a scan
// produced, with principal records shared across snapshots so that thirty nightly snapshots of a
// mostly unchanged estate cost little more than one.
//
// # File
//
// One file, created mode 0600, with one writer at a time (bbolt's file lock). Open clears the
// permission bits beyond 0600 of an existing file (0644 from an old version or a careless cp),
// also when opening it read-only, logs a warning and reports it in DB.TightenedMode. A second Open of
// the same file — from another process or this one — waits Options.Timeout and then fails with
// an error wrapping ErrLocked. Before bbolt maps a file, Open checks its header (meta pages,
// page size, length, root and freelist pages) under the same lock, so that a text file, random
// bytes or a truncated database give ErrCorrupt rather than a crash; damage deeper in the file
// makes bbolt panic when a read reaches it, which the store recovers into ErrCorrupt as well
// (files bbolt wrote without a freelist are refused: opening them makes bbolt walk every page
// on a goroutine whose panics cannot be recovered).
//
// A snapshot is written in one transaction and is either wholly there or absent, also when the
// process is killed mid-write; likewise each DeleteSnapshot and Prune, garbage collection
// included, is one transaction that a kill leaves done or not begun (TestCrashMidWrite and
// TestCrashMidGC kill child processes at such moments).
//
// # Buckets (schema version 1)
//
//	meta           "schema" → uint32 schema version (migrations table in store.go)
//	snapshots      seq → JSON SnapshotMeta (ID, times, versions, coverage, counts)
//	snapshot_ids   snapshot ID → seq
//	snapshot_body  seq → object references: accounts, people, each policy document
//	objects        SHA-256 of JSON → JSON (DEFLATE-compressed above 1 KiB); shared by content
//	strings        uint32 → string: the table interned record strings refer to
//	principals     seq → segment bucket: principal ID → SHA-256 content hash ‖ record, or a
//	               one-byte tombstone
//	findings       seq → the snapshot's findings, DEFLATE-compressed JSON (findings.go); created
//	               by the first PutFindings, deleted with the snapshot
//	remediation_journal  step ID → journal entry; remediation_marks  mark key → grace mark
//	               (journal.go; created by their first write, never pruned)
//
// Every snapshot gets the next sequence number (seq) when written, whatever its StartedAt.
//
// # Principal segments
//
// Segment seq holds only what snapshot seq changed relative to the newest stored versions: the
// records of new and changed principals (by inventory's ContentHash) and tombstones for those
// that disappeared. Snapshot S contains, for each principal ID, the version in the highest
// segment ≤ S, unless that version is a tombstone. Writing therefore appends one new bucket in
// sorted key order (pages packed full) and never rewrites old pages, and a snapshot where 1% of
// principals changed costs 1% of one. Reading merges the segments ≤ S in ID order (a heap over
// one cursor per segment), decoding only the winning version; EachPrincipalHash reads the stored
// hash without decoding at all.
//
// Records use inventory's compact codec without the ID (it is the key) and with strings of
// low-cardinality fields (accounts, policy ARNs, scopes, kinds, tag keys and values, …) replaced
// by references into the strings table. A string enters the table when at least two of the
// records a snapshot writes use it — counted on an evenly spaced sample of at most 32768 of
// them, so a string shared by only a handful of a million new records may stay literal. The
// table only grows and is loaded into memory (it holds the distinct values of those fields,
// typically thousands).
//
// Writing the first snapshot (nothing stored yet) hashes and encodes each principal in one pass
// while its data is in cache; later snapshots hash every principal, diff against the stored hashes,
// and encode only what changed. Hashing and encoding run on all cores in chunks that walk the
// snapshot's principals in their order in memory (the order they were collected, and usually
// allocated, in: sequential reads the CPU prefetches, where ID order would jump all over the heap);
// bbolt's Puts go in key order, each as soon as the chunk holding it is encoded, so they overlap
// the encoding when the input is roughly sorted. Every chunk encodes into its own arena because
// bbolt keeps a reference to each value until commit. New files have 8 KiB pages (bbolt writes a
// commit page by page, and bigger pages leave less slack per record); the file grows by exactly
// what a commit needs (no preallocation), and the mapping is reserved up front (1 GiB, or twice the
// file) because a commit that outgrows it makes bbolt copy every dirty node out of the old mapping.
//
// Deleting snapshots (DeleteSnapshot, Prune) garbage-collects in the same transaction: a
// version in segment s whose next version is in segment t is what snapshots in [s, t) see, and
// is deleted when no remaining snapshot lies in that range; tombstones with nothing to hide and
// records equal to the kept one before them go too. So no stored version is invisible to every
// remaining snapshot, and the newest versions are exactly the latest remaining snapshot — which
// is what the next write diffs against, also after the latest snapshot was deleted. Objects no
// remaining snapshot names are deleted as well. bbolt reuses freed pages but never shrinks the
// file; Compact writes a packed copy.
//
// # Ordering
//
// Snapshots, Latest, Previous and retention order snapshots by StartedAt, then by write order,
// so a snapshot imported late still takes its chronological place. Principals are always
// returned in ID order, normalized (inventory.Principal.Normalize); decoded empty slices and
// maps are nil, and times are in UTC.
//
// # Caveats
//
//   - EachPrincipal and EachPrincipalHash call fn inside a read transaction: fn must not write
//     to the same DB (a write that grows the file waits for the read to finish), and a long
//     iteration keeps bbolt from reusing pages freed meanwhile.
//   - Accounts and people are stored as one object per list: a snapshot whose people list
//     changed stores the whole (compressed) list again.
//   - Interned strings are never removed, even when no record uses them any more; they are few.
//   - bbolt has no checksums on data pages: damage inside a value can go unnoticed unless it
//     breaks the record's encoding.
package store
