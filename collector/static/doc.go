// Package static is a Source that replays a snapshot-shaped JSON file: the inventory's own
// field names, {"accounts": [...], "principals": [...], "people": [...], "policy_docs": [...],
// "coverage": [...]}. A whole exported snapshot is accepted too; its id and times are ignored.
//
// It serves demos (the bundled example organisation, sandbox/example-org.json), tests and
// offline exports from systems Provost has no collector for.
//
// Decoding is strict: an unknown field, a value of the wrong type or a malformed time is an
// error naming the file, line and column and the JSON path, and records are checked (IDs set,
// kinds and statuses known, no principal twice). A file without coverage is reported as one
// complete scope, "file:<path>"; coverage in the file is kept, attributed to this source.
package static
