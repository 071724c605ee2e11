package provost.checks.aws_password_policy_test

import data.provost.checks.aws_password_policy as check
import data.provost.testing as t

root_id := "arn:aws:iam::111111111111:root"

with_policy(pp) := {"items": [json.patch(t.aws_root({}), [{"op": "replace", "path": "/account/password_policy", "value": pp}])]}

test_cis_policy_passes if {
	inp := {"items": [t.aws_root({})]}
	count(check.violation) == 0 with input as inp with time.now_ns as t.now
	count(check.cannot_evaluate) == 0 with input as inp with time.now_ns as t.now
}

test_short_and_reusable if {
	pp := object.union(t.aws_account.password_policy, {"minimum_length": 8, "password_reuse_prevention": 0})
	vs := check.violation with input as with_policy(pp) with time.now_ns as t.now
	t.quals(vs) == {[root_id, "password_policy"]}
	some v in vs
	v.msg == "account 111111111111 password policy is weaker than CIS: minimum length 8 < 14; reuse prevention 0 < 24"
}

test_no_policy if {
	inp := {"items": [json.remove(t.aws_root({}), ["/account/password_policy"])]}
	vs := check.violation with input as inp with time.now_ns as t.now
	some v in vs
	v.msg == "account 111111111111 has no IAM password policy"
}

test_no_policy_in_partial_scope_cannot_evaluate if {
	it := json.remove(object.union(t.aws_root({}), {"coverage": t.scope_partial}), ["/account/password_policy"])
	inp := {"items": [it]}
	count(check.violation) == 0 with input as inp with time.now_ns as t.now
	t.ids(check.cannot_evaluate) == {root_id} with input as inp with time.now_ns as t.now
}

test_no_account_cannot_evaluate if {
	inp := {"items": [json.remove(t.aws_root({}), ["/account"])]}
	t.ids(check.cannot_evaluate) == {root_id} with input as inp with time.now_ns as t.now
}
