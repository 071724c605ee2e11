package provost.checks.drift_iam_user_created_identity_center_test

import data.provost.checks.drift_iam_user_created_identity_center as check
import data.provost.testing as t

alice := "arn:aws:iam::111111111111:user/alice"

added(uncertain) := {"kind": "principal_added", "subject": "principal", "principal": alice, "escalation": false, "uncertain": uncertain}

item(idc, p, events) := object.union(
	json.patch(t.aws_user(p), [{"op": "add", "path": "/account/settings/uses_identity_center", "value": idc}]),
	{"drift": events},
)

test_created_in_identity_center_account if {
	inp := {"items": [item(1, {}, [added(false)])]}
	t.ids(check.violation) == {alice} with input as inp with time.now_ns as t.now
}

test_existing_user_passes if {
	inp := {"items": [item(1, {}, [{"kind": "mfa_removed", "subject": "principal", "principal": alice, "escalation": false, "uncertain": false}])]}
	count(check.violation) == 0 with input as inp with time.now_ns as t.now
}

test_account_without_identity_center_passes if {
	inp := {"items": [item(0, {}, [added(false)])]}
	count(check.violation) == 0 with input as inp with time.now_ns as t.now
	count(check.cannot_evaluate) == 0 with input as inp with time.now_ns as t.now
}

test_break_glass_exempt if {
	inp := {"items": [item(1, {"protected": true}, [added(false)])]}
	count(check.violation) == 0 with input as inp with time.now_ns as t.now
}

test_uncertain_cannot_evaluate if {
	inp := {"items": [item(1, {}, [added(true)])]}
	count(check.violation) == 0 with input as inp with time.now_ns as t.now
	t.ids(check.cannot_evaluate) == {alice} with input as inp with time.now_ns as t.now
}
