package provost.checks.aws_root_mfa_test

import data.provost.checks.aws_root_mfa as check
import data.provost.testing as t

root_id := "arn:aws:iam::111111111111:root"

test_root_without_mfa if {
	inp := {"items": [t.aws_root({"mfa": false})]}
	t.ids(check.violation) == {root_id} with input as inp with time.now_ns as t.now
}

test_root_with_mfa_passes if {
	inp := {"items": [t.aws_root({"mfa": true})]}
	count(check.violation) == 0 with input as inp with time.now_ns as t.now
	count(check.cannot_evaluate) == 0 with input as inp with time.now_ns as t.now
}

test_partial_scope_cannot_evaluate if {
	inp := {"items": [object.union(t.aws_root({"mfa": false}), {"coverage": t.scope_partial})]}
	count(check.violation) == 0 with input as inp with time.now_ns as t.now
	t.ids(check.cannot_evaluate) == {root_id} with input as inp with time.now_ns as t.now
}

test_partial_scope_but_summary_says_no_mfa if {
	it := object.union(t.aws_root({"mfa": false}), {"coverage": t.scope_partial, "account": {"settings": {"AccountMFAEnabled": 0}}})
	inp := {"items": [it]}
	t.ids(check.violation) == {root_id} with input as inp with time.now_ns as t.now
	count(check.cannot_evaluate) == 0 with input as inp with time.now_ns as t.now
}
