package provost.checks.aws_multiple_access_keys_test

import data.provost.checks.aws_multiple_access_keys as check
import data.provost.testing as t

alice := "arn:aws:iam::111111111111:user/alice"

test_two_active_keys if {
	inp := {"items": [t.aws_user({"credentials": [t.access_key("access_key_1", 10, 1), t.access_key("access_key_2", 10, 1)]})]}
	vs := check.violation with input as inp with time.now_ns as t.now
	t.ids(vs) == {alice}
	some v in vs
	v.evidence.keys == ["access_key_1", "access_key_2"]
}

test_one_active_one_inactive_passes if {
	k2 := object.union(t.access_key("access_key_2", 10, 1), {"status": "inactive"})
	inp := {"items": [t.aws_user({"credentials": [t.access_key("access_key_1", 10, 1), k2]})]}
	count(check.violation) == 0 with input as inp with time.now_ns as t.now
	count(check.cannot_evaluate) == 0 with input as inp with time.now_ns as t.now
}

test_partial_scope if {
	inp := {"items": [object.union(t.aws_user({"credentials": [t.access_key("access_key_1", 10, 1)]}), {"coverage": t.scope_partial})]}
	t.ids(check.cannot_evaluate) == {alice} with input as inp with time.now_ns as t.now
}
