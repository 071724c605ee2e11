package provost.checks.idn_leaver_access_test

import data.provost.checks.idn_leaver_access as check
import data.provost.testing as t

alice := "arn:aws:iam::111111111111:user/alice"

leaver(it, status, end_hours_ago) := json.patch(it, [
	{"op": "replace", "path": "/person/status", "value": status},
	{"op": "add", "path": "/person/end_ns", "value": t.now - (end_hours_ago * t.hour)},
	{"op": "add", "path": "/person/end_on", "value": substring(time.format(t.now - (end_hours_ago * t.hour)), 0, 10)},
])

with_key := t.aws_user({"credentials": [t.access_key("access_key_1", 10, 1)]})

test_terminated_past_sla if {
	vs := check.violation with input as {"items": [leaver(with_key, "terminated", 25)]} with time.now_ns as t.now
	t.ids(vs) == {alice}
	some v in vs
	v.evidence.access == ["access_key access_key_1"]
	v.msg == "alice (hr:1001, terminated, end date 2025-05-30) still has access through access_key access_key_1"
}

test_terminated_within_sla_passes if {
	inp := {"items": [leaver(with_key, "terminated", 23)]}
	count(check.violation) == 0 with input as inp with time.now_ns as t.now
	count(check.cannot_evaluate) == 0 with input as inp with time.now_ns as t.now
}

test_sla_from_config if {
	inp := {"items": [leaver(with_key, "terminated", 25)]}
	count(check.violation) == 0 with input as inp with time.now_ns as t.now with data.provost.config.leaver_sla_hours as 48
}

test_on_leave_gcp_user_with_bindings if {
	it := leaver(t.gcp_user({"grants": [t.grant("roles/viewer", "projects/web", "direct", "read")]}), "leave", 100)
	vs := check.violation with input as {"items": [it]} with time.now_ns as t.now
	t.ids(vs) == {"gcp:user:alice@corp.com"}
}

test_terminated_without_end_date if {
	it := json.patch(with_key, [{"op": "replace", "path": "/person/status", "value": "terminated"}])
	t.ids(check.violation) == {alice} with input as {"items": [it]} with time.now_ns as t.now
}

test_no_live_access_passes if {
	inp := {"items": [leaver(t.aws_user({}), "terminated", 500)]}
	count(check.violation) == 0 with input as inp with time.now_ns as t.now
}

test_disabled_account_passes if {
	inp := {"items": [leaver(t.sso_user({"disabled": true, "grants": [t.grant("ps", "1", "direct", "read")]}), "terminated", 500)]}
	count(check.violation) == 0 with input as inp with time.now_ns as t.now
}

test_active_person_passes if {
	inp := {"items": [with_key]}
	count(check.violation) == 0 with input as inp with time.now_ns as t.now
	count(check.cannot_evaluate) == 0 with input as inp with time.now_ns as t.now
}

test_people_coverage_incomplete if {
	it := object.union(with_key, {"coverage": t.people_partial})
	t.ids(check.cannot_evaluate) == {alice} with input as {"items": [it]} with time.now_ns as t.now
}

test_known_leaver_reported_despite_incomplete_people if {
	it := object.union(leaver(with_key, "terminated", 48), {"coverage": t.people_partial})
	t.ids(check.violation) == {alice} with input as {"items": [it]} with time.now_ns as t.now
	count(check.cannot_evaluate) == 0 with input as {"items": [it]} with time.now_ns as t.now
}
