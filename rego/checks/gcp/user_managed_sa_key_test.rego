package provost.checks.gcp_user_managed_sa_key_test

import data.provost.checks.gcp_user_managed_sa_key as check
import data.provost.testing as t

etl := "gcp:serviceAccount:etl@data-prod.iam.gserviceaccount.com"

test_user_managed_key if {
	inp := {"items": [t.gcp_sa({"credentials": [t.sa_key("k1", "user", 10), t.sa_key("k2", "system", 10)]})]}
	t.quals(check.violation) == {[etl, "k1"]} with input as inp with time.now_ns as t.now
}

test_disabled_user_key_passes if {
	key := object.union(t.sa_key("k1", "user", 10), {"status": "inactive"})
	inp := {"items": [t.gcp_sa({"credentials": [key]})]}
	count(check.violation) == 0 with input as inp with time.now_ns as t.now
	count(check.cannot_evaluate) == 0 with input as inp with time.now_ns as t.now
}

test_partial_scope if {
	inp := {"items": [object.union(t.gcp_sa({}), {"coverage": t.scope_partial})]}
	t.ids(check.cannot_evaluate) == {etl} with input as inp with time.now_ns as t.now
}
