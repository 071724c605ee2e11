package provost.checks.gcp_sa_key_rotation_test

import data.provost.checks.gcp_sa_key_rotation as check
import data.provost.testing as t

etl := "gcp:serviceAccount:etl@data-prod.iam.gserviceaccount.com"

test_old_user_key if {
	inp := {"items": [t.gcp_sa({"credentials": [t.sa_key("old", "user", 120), t.sa_key("new", "user", 5), t.sa_key("sys", "system", 800)]})]}
	vs := check.violation with input as inp with time.now_ns as t.now
	t.quals(vs) == {[etl, "old"]}
	some v in vs
	v.evidence == {"key": "old", "created_at": "2025-02-01", "threshold_days": 90}
}

test_young_key_passes if {
	inp := {"items": [t.gcp_sa({"credentials": [t.sa_key("new", "user", 5)]})]}
	count(check.violation) == 0 with input as inp with time.now_ns as t.now
	count(check.cannot_evaluate) == 0 with input as inp with time.now_ns as t.now
}

test_key_without_time if {
	key := {"kind": "sa_key", "id": "k", "status": "active", "managed": "user"}
	inp := {"items": [t.gcp_sa({"credentials": [key]})]}
	t.quals(check.cannot_evaluate) == {[etl, "k"]} with input as inp with time.now_ns as t.now
}

test_partial_scope if {
	inp := {"items": [object.union(t.gcp_sa({}), {"coverage": t.scope_partial})]}
	t.ids(check.cannot_evaluate) == {etl} with input as inp with time.now_ns as t.now
}
