package provost.checks.aws_root_recent_use_test

import data.provost.checks.aws_root_recent_use as check
import data.provost.testing as t

root_id := "arn:aws:iam::111111111111:root"

test_root_used_yesterday if {
	inp := {"items": [t.aws_root(t.when("last_activity", 1))]}
	vs := check.violation with input as inp with time.now_ns as t.now
	t.ids(vs) == {root_id}
	some v in vs
	v.msg == "root user of account 111111111111 was used on 2025-05-31, within the last 7 days"
}

test_root_key_used_recently if {
	inp := {"items": [t.aws_root({"credentials": [t.access_key("access_key_1", 300, 3)]})]}
	t.ids(check.violation) == {root_id} with input as inp with time.now_ns as t.now
}

test_root_used_long_ago_passes if {
	inp := {"items": [t.aws_root(t.when("last_activity", 200))]}
	count(check.violation) == 0 with input as inp with time.now_ns as t.now
	count(check.cannot_evaluate) == 0 with input as inp with time.now_ns as t.now
}

test_root_never_used_passes if {
	inp := {"items": [t.aws_root({})]}
	count(check.violation) == 0 with input as inp with time.now_ns as t.now
}

test_threshold_comes_from_config if {
	inp := {"items": [t.aws_root(t.when("last_activity", 20))]}
	count(check.violation) == 0 with input as inp with time.now_ns as t.now
	t.ids(check.violation) == {root_id} with input as inp with time.now_ns as t.now with data.provost.config.root_recent_days as 30
}

test_partial_scope_cannot_evaluate if {
	inp := {"items": [object.union(t.aws_root({}), {"coverage": t.scope_partial})]}
	t.ids(check.cannot_evaluate) == {root_id} with input as inp with time.now_ns as t.now
}
