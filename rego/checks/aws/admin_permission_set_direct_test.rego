package provost.checks.aws_admin_permission_set_direct_test

import data.provost.checks.aws_admin_permission_set_direct as check
import data.provost.testing as t

sso := "aws-sso:d-1234567890:u-1"

ps_admin := "arn:aws:sso:::permissionSet/ssoins-1/ps-admin"

ps_read := "arn:aws:sso:::permissionSet/ssoins-1/ps-read"

eval(inp) := vs if {
	vs := check.violation with input as inp with time.now_ns as t.now with data.provost.policy_docs as t.docs
}

test_direct_admin_assignment if {
	vs := eval({"items": [t.sso_user({"grants": [
		t.grant(ps_admin, "111111111111", "direct", "admin"),
		t.grant(ps_admin, "222222222222", "group:aws-sso:d-1234567890:g-admins", "admin"),
		t.grant(ps_read, "111111111111", "direct", "read"),
	]})]})
	t.quals(vs) == {[sso, "arn:aws:sso:::permissionSet/ssoins-1/ps-admin on 111111111111"]}
	some v in vs
	v.msg == "Identity Center user alice is directly assigned admin permission set AdministratorAccess in account 111111111111"
}

test_admin_by_attached_managed_policy_name if {
	doc := object.union(t.docs[ps_admin], {"privilege": "write", "name": "Custom"})
	docs := object.union(t.docs, {ps_admin: doc})
	inp := {"items": [t.sso_user({"grants": [t.grant(ps_admin, "111111111111", "direct", "write")]})]}
	vs := check.violation with input as inp with time.now_ns as t.now with data.provost.policy_docs as docs
	some v in vs
	v.evidence.reason == "named in admin_policy_names"
}

test_group_assignment_passes if {
	inp := {"items": [t.sso_user({"grants": [t.grant(ps_admin, "111111111111", "group:aws-sso:d-1234567890:g-admins", "admin")]})]}
	count(eval(inp)) == 0
}

test_partial_scope if {
	inp := {"items": [object.union(t.sso_user({}), {"coverage": t.scope_partial})]}
	t.ids(check.cannot_evaluate) == {sso} with input as inp with time.now_ns as t.now with data.provost.policy_docs as t.docs
}
