package provost.checks.gcp_basic_role_user_test

import data.provost.checks.gcp_basic_role_user as check
import data.provost.testing as t

alice := "gcp:user:alice@corp.com"

test_direct_basic_roles if {
	inp := {"items": [t.gcp_user({"grants": [
		t.grant("roles/owner", "projects/web", "direct", "admin"),
		t.grant("roles/viewer", "organizations/1", "direct", "read"),
		t.grant("roles/editor", "projects/api", "group:gcp:group:eng@corp.com", "admin"),
		t.grant("roles/owner", "projects/web/x", "inherited:projects/web", "admin"),
	]})]}
	t.quals(check.violation) == {[alice, "roles/owner on projects/web"], [alice, "roles/viewer on organizations/1"]} with input as inp with time.now_ns as t.now
}

test_predefined_role_passes if {
	inp := {"items": [t.gcp_user({"grants": [t.grant("roles/compute.viewer", "projects/web", "direct", "read")]})]}
	count(check.violation) == 0 with input as inp with time.now_ns as t.now
	count(check.cannot_evaluate) == 0 with input as inp with time.now_ns as t.now
}

test_partial_scope if {
	inp := {"items": [object.union(t.gcp_user({}), {"coverage": t.scope_partial})]}
	t.ids(check.cannot_evaluate) == {alice} with input as inp with time.now_ns as t.now
}
