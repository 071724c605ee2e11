package provost.checks.aws_admin_reach_test

import data.provost.checks.aws_admin_reach as check
import data.provost.testing as t

alice := "arn:aws:iam::111111111111:user/alice"

deploy := "arn:aws:iam::111111111111:role/deploy"

acct := "111111111111"

admin := "arn:aws:iam::aws:policy/AdministratorAccess"

ro := "arn:aws:iam::aws:policy/ReadOnlyAccess"

ci := "arn:aws:iam::111111111111:policy/ci-deploy"

eval(inp) := vs if {
	vs := check.violation with input as inp with time.now_ns as t.now with data.provost.policy_docs as t.docs
}

unknown(inp) := vs if {
	vs := check.cannot_evaluate with input as inp with time.now_ns as t.now with data.provost.policy_docs as t.docs
}

test_star_star if {
	vs := eval({"items": [t.aws_user({"grants": [t.grant(admin, acct, "group:g", "admin")]})]})
	t.quals(vs) == {[alice, admin]}
	some v in vs
	v.evidence.actions == ["*"]
}

test_passrole_star_on_role if {
	vs := eval({"items": [t.aws_role({"grants": [t.grant(ci, acct, "direct", "write")]})]})
	t.quals(vs) == {[deploy, ci]}
	some v in vs
	v.evidence.actions == ["iam:passrole"]
}

test_wildcard_attach if {
	pol := "arn:aws:iam::111111111111:policy/attach-star"
	vs := eval({"items": [t.aws_user({"grants": [t.grant(pol, acct, "direct", "write")]})]})
	some v in vs
	v.evidence.actions == ["iam:attach*"]
}

test_not_action_without_iam_exclusion if {
	pol := "arn:aws:iam::111111111111:policy/not-action"
	vs := eval({"items": [t.aws_user({"grants": [t.grant(pol, acct, "direct", "write")]})]})
	some v in vs
	v.evidence.actions == ["NotAction:s3:*"]
}

test_power_user_not_action_iam_passes if {
	pol := "arn:aws:iam::111111111111:policy/power-user"
	vs := eval({"items": [t.aws_user({"grants": [t.grant(pol, acct, "direct", "write")]})]})
	count(vs) == 0
}

test_collector_privilege_without_document if {
	vs := eval({"items": [t.aws_user({"grants": [t.grant("arn:aws:iam::111111111111:policy/unknown-doc", acct, "direct", "admin")]})]})
	some v in vs
	v.evidence.reason == "privilege computed as admin by the collector"
}

test_admin_policy_name if {
	pol := "arn:aws:iam::111111111111:policy/ci-deploy"
	vs := check.violation with input as {"items": [t.aws_user({"grants": [t.grant(ro, acct, "direct", "read")]})]}
		with time.now_ns as t.now
		with data.provost.policy_docs as t.docs
		with data.provost.config.admin_policy_names as ["ReadOnlyAccess"]
	some v in vs
	v.evidence.reason == "named in admin_policy_names"
}

test_read_only_passes if {
	inp := {"items": [t.aws_user({"grants": [t.grant(ro, acct, "direct", "read")]})]}
	count(eval(inp)) == 0
	count(unknown(inp)) == 0
}

test_service_linked_role_exempt if {
	it := t.aws_role({"attributes": {"service_linked": "true"}, "grants": [t.grant(admin, acct, "direct", "admin")]})
	count(eval({"items": [it]})) == 0
}

test_protected_principal_exempt if {
	inp := {"items": [t.aws_user({"protected": true, "grants": [t.grant(admin, acct, "direct", "admin")]})]}
	count(eval(inp)) == 0
}

test_partial_scope if {
	inp := {"items": [object.union(t.aws_user({}), {"coverage": t.scope_partial})]}
	t.ids(unknown(inp)) == {alice}
}
