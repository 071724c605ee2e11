package provost.checks.drift_admin_granted_test

import data.provost.checks.drift_admin_granted as check
import data.provost.testing as t

alice := "arn:aws:iam::111111111111:user/alice"

admin := {"what": "arn:aws:iam::aws:policy/AdministratorAccess", "where": "111111111111", "via": "direct", "privilege": "admin"}

event(extra) := object.union(
	{
		"kind": "grant_added", "subject": "principal", "principal": alice, "grant": admin,
		"before": "read", "after": "admin", "escalation": true, "uncertain": false,
	},
	extra,
)

with_drift(events) := object.union(t.aws_user({"grants": [admin]}), {"drift": events})

test_escalation_to_admin if {
	inp := {"items": [with_drift([event({})])]}
	t.ids(check.violation) == {alice} with input as inp with time.now_ns as t.now
	[v.qualifier | some v in check.violation] == ["arn:aws:iam::aws:policy/AdministratorAccess on 111111111111"] with input as inp with time.now_ns as t.now
}

test_not_an_escalation_passes if {
	inp := {"items": [with_drift([event({"escalation": false}), event({"after": "write"}), event({"kind": "grant_removed"})])]}
	count(check.violation) == 0 with input as inp with time.now_ns as t.now
	count(check.cannot_evaluate) == 0 with input as inp with time.now_ns as t.now
}

test_no_drift_passes if {
	inp := {"items": [t.aws_user({"grants": [admin]})]}
	count(check.violation) == 0 with input as inp with time.now_ns as t.now
}

test_uncertain_cannot_evaluate if {
	inp := {"items": [with_drift([event({"uncertain": true})])]}
	count(check.violation) == 0 with input as inp with time.now_ns as t.now
	t.ids(check.cannot_evaluate) == {alice} with input as inp with time.now_ns as t.now
}
