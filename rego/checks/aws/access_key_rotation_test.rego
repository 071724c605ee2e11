package provost.checks.aws_access_key_rotation_test

import data.provost.checks.aws_access_key_rotation as check
import data.provost.testing as t

alice := "arn:aws:iam::111111111111:user/alice"

test_old_key if {
	inp := {"items": [t.aws_user({"credentials": [t.access_key("access_key_1", 91, 1), t.access_key("access_key_2", 89, 1)]})]}
	vs := check.violation with input as inp with time.now_ns as t.now
	t.quals(vs) == {[alice, "access_key_1"]}
	some v in vs
	v.msg == "access key access_key_1 of alice was created on 2025-03-02, more than 90 days ago"
}

test_young_key_passes if {
	inp := {"items": [t.aws_user({"credentials": [t.access_key("access_key_1", 30, 1)]})]}
	count(check.violation) == 0 with input as inp with time.now_ns as t.now
	count(check.cannot_evaluate) == 0 with input as inp with time.now_ns as t.now
}

test_old_inactive_key_passes if {
	key := object.union(t.access_key("access_key_1", 900, 800), {"status": "inactive"})
	inp := {"items": [t.aws_user({"credentials": [key]})]}
	count(check.violation) == 0 with input as inp with time.now_ns as t.now
}

test_key_without_creation_time if {
	inp := {"items": [t.aws_user({"credentials": [{"kind": "access_key", "id": "access_key_2", "status": "active"}]})]}
	t.quals(check.cannot_evaluate) == {[alice, "access_key_2"]} with input as inp with time.now_ns as t.now
}

test_partial_scope if {
	inp := {"items": [object.union(t.aws_user({}), {"coverage": t.scope_partial})]}
	t.ids(check.cannot_evaluate) == {alice} with input as inp with time.now_ns as t.now
}
