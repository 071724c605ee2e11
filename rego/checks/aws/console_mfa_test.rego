package provost.checks.aws_console_mfa_test

import data.provost.checks.aws_console_mfa as check
import data.provost.testing as t

alice := "arn:aws:iam::111111111111:user/alice"

test_console_without_mfa if {
	inp := {"items": [t.aws_user({"console_access": true, "mfa": false})]}
	t.ids(check.violation) == {alice} with input as inp with time.now_ns as t.now
}

test_console_with_mfa_passes if {
	inp := {"items": [t.aws_user({"console_access": true, "mfa": true})]}
	count(check.violation) == 0 with input as inp with time.now_ns as t.now
	count(check.cannot_evaluate) == 0 with input as inp with time.now_ns as t.now
}

test_no_console_passes if {
	inp := {"items": [t.aws_user({"console_access": false, "mfa": false})]}
	count(check.violation) == 0 with input as inp with time.now_ns as t.now
	count(check.cannot_evaluate) == 0 with input as inp with time.now_ns as t.now
}

test_partial_scope_cannot_evaluate if {
	inp := {"items": [object.union(t.aws_user({"console_access": true}), {"coverage": t.scope_partial})]}
	count(check.violation) == 0 with input as inp with time.now_ns as t.now
	t.ids(check.cannot_evaluate) == {alice} with input as inp with time.now_ns as t.now
}

test_partial_scope_with_mfa_passes if {
	inp := {"items": [object.union(t.aws_user({"console_access": true, "mfa": true}), {"coverage": t.scope_partial})]}
	count(check.cannot_evaluate) == 0 with input as inp with time.now_ns as t.now
}
