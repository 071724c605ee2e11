package provost.checks.aws_password_unused_test

import data.provost.checks.aws_password_unused as check
import data.provost.testing as t

alice := "arn:aws:iam::111111111111:user/alice"

password(created, used) := object.union(object.union({"kind": "password", "id": "password", "status": "active"}, t.when("created", created)), t.when("last_used", used))

test_password_unused_for_60_days if {
	inp := {"items": [t.aws_user({"console_access": true, "credentials": [password(400, 60)]})]}
	vs := check.violation with input as inp with time.now_ns as t.now
	t.quals(vs) == {[alice, "password"]}
	some v in vs
	v.evidence == {"last_used": "2025-04-02", "threshold_days": 45}
}

test_password_never_used if {
	pw := object.union({"kind": "password", "id": "password", "status": "active"}, t.when("created", 50))
	inp := {"items": [t.aws_user({"credentials": [pw]})]}
	t.quals(check.violation) == {[alice, "password"]} with input as inp with time.now_ns as t.now
}

test_new_password_never_used_passes if {
	pw := object.union({"kind": "password", "id": "password", "status": "active"}, t.when("created", 10))
	inp := {"items": [t.aws_user({"credentials": [pw]})]}
	count(check.violation) == 0 with input as inp with time.now_ns as t.now
}

test_recent_use_passes if {
	inp := {"items": [t.aws_user({"credentials": [password(400, 44)]})]}
	count(check.violation) == 0 with input as inp with time.now_ns as t.now
	count(check.cannot_evaluate) == 0 with input as inp with time.now_ns as t.now
}

test_disabled_password_passes if {
	pw := object.union(password(400, 300), {"status": "inactive"})
	inp := {"items": [t.aws_user({"credentials": [pw]})]}
	count(check.violation) == 0 with input as inp with time.now_ns as t.now
}

test_partial_scope_without_password_data if {
	inp := {"items": [object.union(t.aws_user({}), {"coverage": t.scope_partial})]}
	t.ids(check.cannot_evaluate) == {alice} with input as inp with time.now_ns as t.now
}
