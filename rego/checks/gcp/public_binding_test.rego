package provost.checks.gcp_public_binding_test

import data.provost.checks.gcp_public_binding as check
import data.provost.testing as t

test_all_users_binding if {
	it := t.gcp_group({"id": "gcp:allUsers", "name": "allUsers", "grants": [
		t.grant("roles/storage.objectViewer", "projects/web", "direct", "read"),
		t.grant("roles/storage.objectViewer", "projects/web/x", "inherited:projects/web", "read"),
	]})
	vs := check.violation with input as {"items": [it]} with time.now_ns as t.now
	t.quals(vs) == {["gcp:allUsers", "roles/storage.objectViewer on projects/web"]}
	some v in vs
	v.msg == "roles/storage.objectViewer on projects/web is granted to allUsers"
}

test_all_authenticated_users if {
	it := t.gcp_group({"id": "gcp:allAuthenticatedUsers", "name": "allAuthenticatedUsers", "grants": [t.grant("roles/viewer", "organizations/1", "direct", "read")]})
	t.ids(check.violation) == {"gcp:allAuthenticatedUsers"} with input as {"items": [it]} with time.now_ns as t.now
}

test_ordinary_group_passes if {
	it := t.gcp_group({"grants": [t.grant("roles/viewer", "projects/web", "direct", "read")]})
	count(check.violation) == 0 with input as {"items": [it]} with time.now_ns as t.now
	count(check.cannot_evaluate) == 0 with input as {"items": [it]} with time.now_ns as t.now
}

test_partial_scope_without_bindings if {
	it := object.union(t.gcp_group({"id": "gcp:allUsers"}), {"coverage": t.scope_partial})
	t.ids(check.cannot_evaluate) == {"gcp:allUsers"} with input as {"items": [it]} with time.now_ns as t.now
}
