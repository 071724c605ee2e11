package provost.checks.gcp_unused_sa_key_test

import data.provost.checks.gcp_unused_sa_key as check
import data.provost.testing as t

etl := "gcp:serviceAccount:etl@data-prod.iam.gserviceaccount.com"

used(key, days) := object.union(key, t.when("last_used", days))

test_unused_and_never_used_keys if {
	inp := {"items": [t.gcp_sa({"credentials": [
		used(t.sa_key("stale", "user", 300), 50),
		t.sa_key("never", "user", 60),
		used(t.sa_key("fresh", "user", 300), 1),
		t.sa_key("young", "user", 3),
		used(t.sa_key("sys", "system", 300), 200),
	]})]}
	t.quals(check.violation) == {[etl, "stale"], [etl, "never"]} with input as inp with time.now_ns as t.now
	count(check.cannot_evaluate) == 0 with input as inp with time.now_ns as t.now
}

test_fresh_key_passes if {
	inp := {"items": [t.gcp_sa({"credentials": [used(t.sa_key("fresh", "user", 300), 1)]})]}
	count(check.violation) == 0 with input as inp with time.now_ns as t.now
	count(check.cannot_evaluate) == 0 with input as inp with time.now_ns as t.now
}

test_never_used_in_partial_scope if {
	it := object.union(t.gcp_sa({"credentials": [t.sa_key("never", "user", 60)]}), {"coverage": t.scope_partial})
	count(check.violation) == 0 with input as {"items": [it]} with time.now_ns as t.now
	t.quals(check.cannot_evaluate) == {[etl, "never"]} with input as {"items": [it]} with time.now_ns as t.now
}

test_key_without_times if {
	key := {"kind": "sa_key", "id": "k", "status": "active", "managed": "user"}
	inp := {"items": [t.gcp_sa({"credentials": [key]})]}
	t.quals(check.cannot_evaluate) == {[etl, "k"]} with input as inp with time.now_ns as t.now
}
