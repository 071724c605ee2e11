package provost.checks.aws_access_key_unused_test

import data.provost.checks.aws_access_key_unused as check
import data.provost.testing as t

alice := "arn:aws:iam::111111111111:user/alice"

test_unused_key if {
	inp := {"items": [t.aws_user({"credentials": [t.access_key("access_key_1", 400, 46), t.access_key("access_key_2", 400, 1)]})]}
	vs := check.violation with input as inp with time.now_ns as t.now
	t.quals(vs) == {[alice, "access_key_1"]}
}

test_never_used_old_key if {
	inp := {"items": [t.aws_user({"credentials": [t.access_key_never_used("access_key_2", 60)]})]}
	t.quals(check.violation) == {[alice, "access_key_2"]} with input as inp with time.now_ns as t.now
}

test_never_used_new_key_passes if {
	inp := {"items": [t.aws_user({"credentials": [t.access_key_never_used("access_key_2", 5)]})]}
	count(check.violation) == 0 with input as inp with time.now_ns as t.now
	count(check.cannot_evaluate) == 0 with input as inp with time.now_ns as t.now
}

test_inactive_key_passes if {
	key := object.union(t.access_key("access_key_1", 400, 300), {"status": "inactive"})
	inp := {"items": [t.aws_user({"credentials": [key]})]}
	count(check.violation) == 0 with input as inp with time.now_ns as t.now
}

test_threshold_from_config if {
	inp := {"items": [t.aws_user({"credentials": [t.access_key("access_key_1", 400, 30)]})]}
	count(check.violation) == 0 with input as inp with time.now_ns as t.now
	t.quals(check.violation) == {[alice, "access_key_1"]} with input as inp with time.now_ns as t.now with data.provost.config.inactive_days as 20
}

test_key_without_times_cannot_be_evaluated if {
	key := {"kind": "access_key", "id": "access_key_1", "status": "active"}
	inp := {"items": [t.aws_user({"credentials": [key]})]}
	count(check.violation) == 0 with input as inp with time.now_ns as t.now
	t.quals(check.cannot_evaluate) == {[alice, "access_key_1"]} with input as inp with time.now_ns as t.now
}

test_partial_scope_without_keys if {
	inp := {"items": [object.union(t.aws_user({}), {"coverage": t.scope_partial})]}
	t.quals(check.cannot_evaluate) == {[alice, ""]} with input as inp with time.now_ns as t.now
}
