package provost.checks.aws_root_access_key_test

import data.provost.checks.aws_root_access_key as check
import data.provost.testing as t

root_id := "arn:aws:iam::111111111111:root"

test_active_root_key_is_a_violation if {
	inp := {"items": [t.aws_root({"credentials": [t.access_key("access_key_1", 10, 1)]})]}
	vs := check.violation with input as inp with time.now_ns as t.now
	t.quals(vs) == {[root_id, "access_key_1"]}
}

test_inactive_root_key_passes if {
	key := object.union(t.access_key("access_key_1", 10, 1), {"status": "inactive"})
	inp := {"items": [t.aws_root({"credentials": [key]})]}
	count(check.violation) == 0 with input as inp with time.now_ns as t.now
	count(check.cannot_evaluate) == 0 with input as inp with time.now_ns as t.now
}

test_account_summary_reports_keys if {
	it := t.aws_root({})
	inp := {"items": [object.union(it, {"account": {"settings": {"AccountAccessKeysPresent": 1}}})]}
	vs := check.violation with input as inp with time.now_ns as t.now
	t.quals(vs) == {[root_id, "account_summary"]}
}

test_incomplete_scope_without_keys_cannot_be_evaluated if {
	it := object.union(t.aws_root({}), {"coverage": t.scope_partial})
	inp := {"items": [it]}
	count(check.violation) == 0 with input as inp with time.now_ns as t.now
	t.ids(check.cannot_evaluate) == {root_id} with input as inp with time.now_ns as t.now
}

test_incomplete_scope_with_key_is_still_a_violation if {
	it := object.union(t.aws_root({"credentials": [t.access_key("access_key_2", 10, 1)]}), {"coverage": t.scope_partial})
	inp := {"items": [it]}
	t.quals(check.violation) == {[root_id, "access_key_2"]} with input as inp with time.now_ns as t.now
	count(check.cannot_evaluate) == 0 with input as inp with time.now_ns as t.now
}

test_incomplete_scope_without_account_summary_cannot_be_evaluated if {
	it := json.remove(object.union(t.aws_root({}), {"coverage": t.scope_partial}), ["/account/settings/AccountAccessKeysPresent"])
	t.ids(check.cannot_evaluate) == {root_id} with input as {"items": [it]} with time.now_ns as t.now
}
