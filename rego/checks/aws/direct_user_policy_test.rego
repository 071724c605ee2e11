package provost.checks.aws_direct_user_policy_test

import data.provost.checks.aws_direct_user_policy as check
import data.provost.testing as t

alice := "arn:aws:iam::111111111111:user/alice"

ro := "arn:aws:iam::aws:policy/ReadOnlyAccess"

inline := "arn:aws:iam::111111111111:user/alice/inline/s3"

test_direct_policies if {
	inp := {"items": [t.aws_user({"grants": [
		t.grant(ro, "111111111111", "direct", "read"),
		t.grant(inline, "111111111111", "direct", "write"),
		t.grant("arn:aws:iam::aws:policy/AdministratorAccess", "111111111111", "group:arn:aws:iam::111111111111:group/admins", "admin"),
	]})]}
	t.quals(check.violation) == {[alice, ro], [alice, inline]} with input as inp with time.now_ns as t.now
}

test_group_policies_pass if {
	inp := {"items": [t.aws_user({"grants": [t.grant(ro, "111111111111", "group:arn:aws:iam::111111111111:group/dev", "read")]})]}
	count(check.violation) == 0 with input as inp with time.now_ns as t.now
	count(check.cannot_evaluate) == 0 with input as inp with time.now_ns as t.now
}

test_partial_scope if {
	inp := {"items": [object.union(t.aws_user({}), {"coverage": t.scope_partial})]}
	t.ids(check.cannot_evaluate) == {alice} with input as inp with time.now_ns as t.now
}
