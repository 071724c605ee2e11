package provost.checks.aws_unused_role_test

import data.provost.checks.aws_unused_role as check
import data.provost.testing as t

deploy := "arn:aws:iam::111111111111:role/deploy"

test_role_unused_for_100_days if {
	inp := {"items": [t.aws_role(t.when("last_activity", 100))]}
	vs := check.violation with input as inp with time.now_ns as t.now
	t.ids(vs) == {deploy}
	some v in vs
	v.msg == "role deploy was last used on 2025-02-21, more than 90 days ago"
}

test_role_never_used if {
	inp := {"items": [t.aws_role({})]}
	vs := check.violation with input as inp with time.now_ns as t.now
	some v in vs
	v.evidence.last_used == "never"
}

test_recently_used_role_passes if {
	inp := {"items": [t.aws_role(t.when("last_activity", 3))]}
	count(check.violation) == 0 with input as inp with time.now_ns as t.now
	count(check.cannot_evaluate) == 0 with input as inp with time.now_ns as t.now
}

test_new_role_passes if {
	inp := {"items": [t.aws_role(t.when("created", 10))]}
	count(check.violation) == 0 with input as inp with time.now_ns as t.now
	count(check.cannot_evaluate) == 0 with input as inp with time.now_ns as t.now
}

test_service_linked_exempt if {
	inp := {"items": [t.aws_role({"attributes": {"service_linked": "true"}})]}
	count(check.violation) == 0 with input as inp with time.now_ns as t.now
}

test_never_used_in_partial_scope_cannot_evaluate if {
	inp := {"items": [object.union(t.aws_role({}), {"coverage": t.scope_partial})]}
	count(check.violation) == 0 with input as inp with time.now_ns as t.now
	t.ids(check.cannot_evaluate) == {deploy} with input as inp with time.now_ns as t.now
}

test_no_times_cannot_evaluate if {
	inp := {"items": [json.remove(t.aws_role({}), ["/principal/created_ns", "/principal/created_on"])]}
	t.ids(check.cannot_evaluate) == {deploy} with input as inp with time.now_ns as t.now
}
