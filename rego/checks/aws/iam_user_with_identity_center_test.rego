package provost.checks.aws_iam_user_with_identity_center_test

import data.provost.checks.aws_iam_user_with_identity_center as check
import data.provost.testing as t

alice := "arn:aws:iam::111111111111:user/alice"

idc(it) := json.patch(it, [{"op": "add", "path": "/account/settings/uses_identity_center", "value": 1}])

test_user_in_identity_center_account if {
	inp := {"items": [idc(t.aws_user({}))]}
	t.ids(check.violation) == {alice} with input as inp with time.now_ns as t.now
}

test_account_without_identity_center_passes if {
	inp := {"items": [t.aws_user({})]}
	count(check.violation) == 0 with input as inp with time.now_ns as t.now
	count(check.cannot_evaluate) == 0 with input as inp with time.now_ns as t.now
}

test_break_glass_exempt if {
	inp := {"items": [idc(t.aws_user({"protected": true}))]}
	count(check.violation) == 0 with input as inp with time.now_ns as t.now
}

test_missing_account_cannot_evaluate if {
	inp := {"items": [json.remove(t.aws_user({}), ["/account"])]}
	t.ids(check.cannot_evaluate) == {alice} with input as inp with time.now_ns as t.now
}

test_partial_scope if {
	inp := {"items": [object.union(t.aws_user({}), {"coverage": t.scope_partial})]}
	t.ids(check.cannot_evaluate) == {alice} with input as inp with time.now_ns as t.now
}
