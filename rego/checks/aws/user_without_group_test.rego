package provost.checks.aws_user_without_group_test

import data.provost.checks.aws_user_without_group as check
import data.provost.testing as t

alice := "arn:aws:iam::111111111111:user/alice"

test_no_group if {
	inp := {"items": [t.aws_user({})]}
	t.ids(check.violation) == {alice} with input as inp with time.now_ns as t.now
}

test_in_group_passes if {
	inp := {"items": [t.aws_user({"groups": ["arn:aws:iam::111111111111:group/dev"]})]}
	count(check.violation) == 0 with input as inp with time.now_ns as t.now
	count(check.cannot_evaluate) == 0 with input as inp with time.now_ns as t.now
}

test_partial_scope if {
	inp := {"items": [object.union(t.aws_user({}), {"coverage": t.scope_partial})]}
	count(check.violation) == 0 with input as inp with time.now_ns as t.now
	t.ids(check.cannot_evaluate) == {alice} with input as inp with time.now_ns as t.now
}
