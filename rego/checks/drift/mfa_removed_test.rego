package provost.checks.drift_mfa_removed_test

import data.provost.checks.drift_mfa_removed as check
import data.provost.testing as t

alice := "arn:aws:iam::111111111111:user/alice"

ev(kind) := {"kind": kind, "subject": "principal", "principal": alice, "escalation": false, "uncertain": false}

test_mfa_removed if {
	inp := {"items": [object.union(t.aws_user({}), {"drift": [ev("mfa_removed")]})]}
	t.ids(check.violation) == {alice} with input as inp with time.now_ns as t.now
}

test_mfa_added_passes if {
	inp := {"items": [object.union(t.aws_user({"mfa": true}), {"drift": [ev("mfa_added")]})]}
	count(check.violation) == 0 with input as inp with time.now_ns as t.now
}

test_disabled_principal_passes if {
	inp := {"items": [object.union(t.aws_user({"disabled": true}), {"drift": [ev("mfa_removed")]})]}
	count(check.violation) == 0 with input as inp with time.now_ns as t.now
}
