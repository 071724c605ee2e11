package provost.checks.gcp_unused_service_account_test

import data.provost.checks.gcp_unused_service_account as check
import data.provost.testing as t

etl := "gcp:serviceAccount:etl@data-prod.iam.gserviceaccount.com"

test_stale_service_account if {
	inp := {"items": [t.gcp_sa(t.when("last_activity", 91))]}
	vs := check.violation with input as inp with time.now_ns as t.now
	t.ids(vs) == {etl}
	some v in vs
	v.msg == "service account etl@data-prod.iam.gserviceaccount.com last authenticated on 2025-03-02, more than 90 days ago"
}

test_never_used_old_service_account if {
	inp := {"items": [t.gcp_sa({})]}
	vs := check.violation with input as inp with time.now_ns as t.now
	some v in vs
	v.evidence.last_used == "never"
}

test_active_service_account_passes if {
	inp := {"items": [t.gcp_sa(t.when("last_activity", 2))]}
	count(check.violation) == 0 with input as inp with time.now_ns as t.now
	count(check.cannot_evaluate) == 0 with input as inp with time.now_ns as t.now
}

test_disabled_service_account_passes if {
	inp := {"items": [t.gcp_sa(object.union({"disabled": true}, t.when("last_activity", 500)))]}
	count(check.violation) == 0 with input as inp with time.now_ns as t.now
}

test_partial_scope_never_used if {
	inp := {"items": [object.union(t.gcp_sa({}), {"coverage": t.scope_partial})]}
	count(check.violation) == 0 with input as inp with time.now_ns as t.now
	t.ids(check.cannot_evaluate) == {etl} with input as inp with time.now_ns as t.now
}
