package provost.checks.drift_mover_kept_access_test

import data.provost.checks.drift_mover_kept_access as check
import data.provost.testing as t

alice := "arn:aws:iam::111111111111:user/alice"

old := {"what": "arn:aws:iam::aws:policy/Billing", "where": "111111111111", "via": "direct", "privilege": "write"}

new := {"what": "arn:aws:iam::aws:policy/ReadOnlyAccess", "where": "111111111111", "via": "direct", "privilege": "read"}

moved := {"kind": "person_moved", "subject": "person", "person": "hr:1001", "field": "department", "before": "Finance", "after": "Engineering", "escalation": false, "uncertain": false}

granted(g) := {"kind": "grant_added", "subject": "principal", "principal": alice, "grant": g, "escalation": false, "uncertain": false}

item(grants, events) := object.union(t.aws_user({"grants": grants}), {"drift": events})

test_kept_old_grant if {
	inp := {"items": [item([old, new], [granted(new), moved])]}
	t.ids(check.violation) == {alice} with input as inp with time.now_ns as t.now
	[v.evidence.kept_grants | some v in check.violation] == [["arn:aws:iam::aws:policy/Billing on 111111111111"]] with input as inp with time.now_ns as t.now
}

test_only_new_grants_passes if {
	inp := {"items": [item([new], [granted(new), moved])]}
	count(check.violation) == 0 with input as inp with time.now_ns as t.now
}

test_title_change_passes if {
	inp := {"items": [item([old], [object.union(moved, {"field": "title"})])]}
	count(check.violation) == 0 with input as inp with time.now_ns as t.now
}

test_no_move_passes if {
	inp := {"items": [item([old], [])]}
	count(check.violation) == 0 with input as inp with time.now_ns as t.now
}
