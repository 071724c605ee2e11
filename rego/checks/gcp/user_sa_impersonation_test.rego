package provost.checks.gcp_user_sa_impersonation_test

import data.provost.checks.gcp_user_sa_impersonation as check
import data.provost.testing as t

alice := "gcp:user:alice@corp.com"

test_project_level_roles if {
	inp := {"items": [t.gcp_user({"grants": [
		t.grant("roles/iam.serviceAccountUser", "projects/web", "direct", "write"),
		t.grant("roles/iam.serviceAccountTokenCreator", "folders/9", "group:gcp:group:eng@corp.com", "write"),
		t.grant("roles/iam.serviceAccountUser", "projects/web/serviceAccounts/deploy@web.iam.gserviceaccount.com", "direct", "write"),
		t.grant("roles/iam.serviceAccountUser", "projects/web2", "inherited:folders/9", "write"),
	]})]}
	t.quals(check.violation) == {
		[alice, "roles/iam.serviceAccountUser on projects/web"],
		[alice, "roles/iam.serviceAccountTokenCreator on folders/9"],
	} with input as inp with time.now_ns as t.now
}

test_other_roles_pass if {
	inp := {"items": [t.gcp_user({"grants": [t.grant("roles/viewer", "projects/web", "direct", "read")]})]}
	count(check.violation) == 0 with input as inp with time.now_ns as t.now
	count(check.cannot_evaluate) == 0 with input as inp with time.now_ns as t.now
}

test_partial_scope if {
	inp := {"items": [object.union(t.gcp_user({}), {"coverage": t.scope_partial})]}
	t.ids(check.cannot_evaluate) == {alice} with input as inp with time.now_ns as t.now
}
