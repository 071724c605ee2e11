package provost.checks.idn_admin_without_mfa_test

import data.provost.checks.idn_admin_without_mfa as check
import data.provost.testing as t

alice := "arn:aws:iam::111111111111:user/alice"

admin := "arn:aws:iam::aws:policy/AdministratorAccess"

eval(inp) := vs if {
	vs := check.violation with input as inp with time.now_ns as t.now with data.provost.policy_docs as t.docs
}

unknown(inp) := vs if {
	vs := check.cannot_evaluate with input as inp with time.now_ns as t.now with data.provost.policy_docs as t.docs
}

test_aws_admin_without_mfa if {
	inp := {"items": [t.aws_user({"grants": [t.grant(admin, "111111111111", "group:g", "admin")]})]}
	vs := eval(inp)
	t.ids(vs) == {alice}
	some v in vs
	v.evidence.admin_grants == [admin]
}

test_admin_by_document_analysis if {
	inp := {"items": [t.aws_user({"grants": [t.grant("arn:aws:iam::111111111111:policy/ci-deploy", "111111111111", "direct", "write")]})]}
	t.ids(eval(inp)) == {alice}
}

test_aws_admin_with_mfa_passes if {
	inp := {"items": [t.aws_user({"mfa": true, "grants": [t.grant(admin, "111111111111", "direct", "admin")]})]}
	count(eval(inp)) == 0
	count(unknown(inp)) == 0
}

test_non_admin_passes if {
	inp := {"items": [t.aws_user({"grants": [t.grant("arn:aws:iam::aws:policy/ReadOnlyAccess", "111111111111", "direct", "read")]})]}
	count(eval(inp)) == 0
	count(unknown(inp)) == 0
}

test_gcp_admin_mfa_not_collected if {
	inp := {"items": [t.gcp_user({"grants": [t.grant("roles/owner", "projects/web", "direct", "admin")]})]}
	count(eval(inp)) == 0
	t.ids(unknown(inp)) == {"gcp:user:alice@corp.com"}
}

test_gcp_admin_mfa_attribute_off if {
	inp := {"items": [t.gcp_user({"attributes": {"mfa": "false"}, "grants": [t.grant("roles/owner", "projects/web", "direct", "admin")]})]}
	t.ids(eval(inp)) == {"gcp:user:alice@corp.com"}
}

test_gcp_admin_mfa_attribute_on if {
	inp := {"items": [t.gcp_user({"attributes": {"mfa": "true"}, "grants": [t.grant("roles/owner", "projects/web", "direct", "admin")]})]}
	count(eval(inp)) == 0
	count(unknown(inp)) == 0
}

test_partial_aws_scope_cannot_evaluate if {
	it := object.union(t.aws_user({"grants": [t.grant(admin, "111111111111", "direct", "admin")]}), {"coverage": t.scope_partial})
	count(eval({"items": [it]})) == 0
	t.ids(unknown({"items": [it]})) == {alice}
}
