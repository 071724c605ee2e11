package store

import "context"

// Remediation plans and approvals: bucket "remediation_plans", key "latest" → the record of the
// plan the latest run made, and bucket "remediation_approvals", plan ID → its approval. Values
// are opaque to the store (package audit encodes them as JSON); both buckets are created by
// their first write and are not touched by snapshot retention.

var (
	bucketPlans     = []byte("remediation_plans")
	bucketApprovals = []byte("remediation_approvals")
)

const keyLatestPlan = "latest"

// LatestPlan returns the latest run's plan record, or nil, nil when no run made one.
func (db *DB) LatestPlan() ([]byte, error) { return db.getKV(bucketPlans, keyLatestPlan) }

// PutLatestPlan stores (replaces) the latest run's plan record.
func (db *DB) PutLatestPlan(ctx context.Context, v []byte) error {
	return db.putKV(ctx, bucketPlans, keyLatestPlan, v)
}

// Approval returns the approval of plan id, or nil, nil when it was not approved.
func (db *DB) Approval(id string) ([]byte, error) { return db.getKV(bucketApprovals, id) }

// PutApproval stores (replaces) the approval of plan id.
func (db *DB) PutApproval(ctx context.Context, id string, v []byte) error {
	return db.putKV(ctx, bucketApprovals, id, v)
}

// EachApproval calls fn for every approval in plan ID order, inside a read transaction.
func (db *DB) EachApproval(fn func(id string, v []byte) error) error {
	return db.eachKV(bucketApprovals, fn)
}
