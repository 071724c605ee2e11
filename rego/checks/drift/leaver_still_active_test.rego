package provost.checks.drift_leaver_still_active_test

import data.provost.checks.drift_leaver_still_active as check
import data.provost.testing as t

alice := "arn:aws:iam::111111111111:user/alice"

terminated := {"kind": "person_status_changed", "subject": "person", "person": "hr:1001", "before": "active", "after": "terminated", "escalation": false, "uncertain": false}

left := {"kind": "person_left", "subject": "person", "person": "hr:1001", "escalation": false, "uncertain": false}

# item: alice with console access, her person ended `ended` hours ago, and these events.
item(p, ended, events) := object.union(
	t.aws_user(object.union({"console_access": true}, p)),
	{"drift": events, "person": object.union(t.alice, {"status": "terminated", "end_ns": t.now - (ended * t.hour)})},
)

test_terminated_past_sla if {
	inp := {"items": [item({}, 48, [terminated])]}
	t.ids(check.violation) == {alice} with input as inp with time.now_ns as t.now
}

test_within_sla_passes if {
	inp := {"items": [item({}, 2, [terminated])]}
	count(check.violation) == 0 with input as inp with time.now_ns as t.now
}

test_person_left_without_record if {
	inp := {"items": [json.remove(object.union(t.aws_user({"console_access": true}), {"drift": [left]}), ["/person"])]}
	t.ids(check.violation) == {alice} with input as inp with time.now_ns as t.now
}

test_no_access_passes if {
	inp := {"items": [item({"console_access": false}, 48, [terminated])]}
	count(check.violation) == 0 with input as inp with time.now_ns as t.now
}

test_disabled_passes if {
	inp := {"items": [item({"disabled": true}, 48, [terminated])]}
	count(check.violation) == 0 with input as inp with time.now_ns as t.now
}

test_status_to_leave_passes if {
	inp := {"items": [item({}, 48, [object.union(terminated, {"after": "leave"})])]}
	count(check.violation) == 0 with input as inp with time.now_ns as t.now
}
