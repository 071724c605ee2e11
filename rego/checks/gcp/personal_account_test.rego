package provost.checks.gcp_personal_account_test

import data.provost.checks.gcp_personal_account as check
import data.provost.testing as t

bob := "gcp:user:bob@gmail.com"

bob_item := t.gcp_user({"id": bob, "email": "bob@gmail.com", "name": "bob@gmail.com", "grants": [t.grant("roles/viewer", "projects/web", "direct", "read")]})

eval(inp) := vs if {
	vs := check.violation with input as inp with time.now_ns as t.now with data.provost.config.org_domains as ["corp.com"]
}

test_gmail_account if {
	vs := eval({"items": [bob_item]})
	t.ids(vs) == {bob}
	some v in vs
	v.evidence == {"domain": "gmail.com", "roles": ["roles/viewer on projects/web"]}
}

test_org_account_passes if {
	it := t.gcp_user({"grants": [t.grant("roles/viewer", "projects/web", "direct", "read")]})
	count(eval({"items": [it]})) == 0
}

test_subdomain_and_case_pass if {
	it := t.gcp_user({"id": "gcp:user:carol@eu.corp.com", "email": "Carol@EU.Corp.com", "grants": [t.grant("roles/viewer", "projects/web", "direct", "read")]})
	count(eval({"items": [it]})) == 0
}

test_lookalike_domain_is_personal if {
	it := t.gcp_user({"id": "gcp:user:eve@evilcorp.com", "email": "eve@evilcorp.com", "grants": [t.grant("roles/viewer", "projects/web", "direct", "read")]})
	t.ids(eval({"items": [it]})) == {"gcp:user:eve@evilcorp.com"}
}

test_unconfigured_domains_cannot_evaluate if {
	inp := {"items": [bob_item]}
	count(check.violation) == 0 with input as inp with time.now_ns as t.now
	t.ids(check.cannot_evaluate) == {bob} with input as inp with time.now_ns as t.now
}
