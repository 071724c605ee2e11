package provost.checks.gcp_sa_admin_role_test

import data.provost.checks.gcp_sa_admin_role as check
import data.provost.testing as t

etl := "gcp:serviceAccount:etl@data-prod.iam.gserviceaccount.com"

eval(inp) := vs if {
	vs := check.violation with input as inp with time.now_ns as t.now with data.provost.policy_docs as t.docs
}

test_admin_roles if {
	inp := {"items": [t.gcp_sa({"grants": [
		t.grant("roles/editor", "projects/data-prod", "direct", "admin"),
		t.grant("roles/storage.admin", "projects/data-prod", "direct", "admin"),
		t.grant("roles/iam.securityAdmin", "folders/7", "group:gcp:group:ops@corp.com", "admin"),
		t.grant("organizations/1/roles/iamBoss", "organizations/1", "direct", "admin"),
		t.grant("roles/editor", "projects/data-prod/x", "inherited:projects/data-prod", "admin"),
		t.grant("roles/bigquery.dataViewer", "projects/data-prod", "direct", "read"),
	]})]}
	t.quals(eval(inp)) == {
		[etl, "roles/editor on projects/data-prod"],
		[etl, "roles/storage.admin on projects/data-prod"],
		[etl, "roles/iam.securityAdmin on folders/7"],
		[etl, "organizations/1/roles/iamBoss on organizations/1"],
	}
}

test_viewer_passes if {
	inp := {"items": [t.gcp_sa({"grants": [t.grant("roles/viewer", "projects/data-prod", "direct", "read")]})]}
	count(eval(inp)) == 0
	count(check.cannot_evaluate) == 0 with input as inp with time.now_ns as t.now with data.provost.policy_docs as t.docs
}

test_partial_scope if {
	inp := {"items": [object.union(t.gcp_sa({}), {"coverage": t.scope_partial})]}
	t.ids(check.cannot_evaluate) == {etl} with input as inp with time.now_ns as t.now with data.provost.policy_docs as t.docs
}
