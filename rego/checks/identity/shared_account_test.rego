package provost.checks.idn_shared_account_test

import data.provost.checks.idn_shared_account as check
import data.provost.testing as t

test_generic_names if {
	inp := {"items": [
		t.aws_user({"id": "arn:aws:iam::111111111111:user/Admin", "name": "Admin"}),
		t.gcp_user({"id": "gcp:user:shared-ops@corp.com", "email": "shared-ops@corp.com", "name": "shared-ops@corp.com"}),
		t.aws_user({"id": "arn:aws:iam::111111111111:user/testuser", "name": "testuser"}),
	]}
	vs := check.violation with input as inp with time.now_ns as t.now with data.provost.config.generic_name_patterns as ["admin", "shared*", "test*"]
	t.ids(vs) == {"arn:aws:iam::111111111111:user/Admin", "gcp:user:shared-ops@corp.com", "arn:aws:iam::111111111111:user/testuser"}
}

test_ambiguous_link if {
	it := t.sso_user({"link_rule": "ambiguous"})
	vs := check.violation with input as {"items": [it]} with time.now_ns as t.now
	t.ids(vs) == {"aws-sso:d-1234567890:u-1"}
}

test_personal_names_pass if {
	inp := {"items": [t.aws_user({}), t.gcp_user({}), t.aws_user({"id": "arn:aws:iam::111111111111:user/adminton", "name": "adminton"})]}
	count(check.violation) == 0 with input as inp with time.now_ns as t.now with data.provost.config.generic_name_patterns as ["admin", "shared*"]
}

test_protected_exempt if {
	inp := {"items": [t.aws_user({"id": "arn:aws:iam::111111111111:user/admin", "name": "admin", "protected": true})]}
	count(check.violation) == 0 with input as inp with time.now_ns as t.now with data.provost.config.generic_name_patterns as ["admin"]
}

test_evidence_names_every_matching_pattern if {
	inp := {"items": [t.gcp_user({"id": "gcp:user:test-team@corp.com", "email": "Test-Team@corp.com", "name": "Test-Team@corp.com"})]}
	vs := check.violation with input as inp with time.now_ns as t.now with data.provost.config.generic_name_patterns as ["test-*", "*-team", "admin"]
	some v in vs
	v.evidence == {"name": "test-team", "patterns": ["*-team", "test-*"]}
	v.msg == "gcp account Test-Team@corp.com looks generic (matches *-team, test-*)"
}

test_patterns_cross_dots if {
	inp := {"items": [t.gcp_user({"id": "gcp:user:ops.team@corp.com", "email": "ops.team@corp.com", "name": "ops.team@corp.com"})]}
	vs := check.violation with input as inp with time.now_ns as t.now with data.provost.config.generic_name_patterns as ["ops*"]
	t.ids(vs) == {"gcp:user:ops.team@corp.com"}
}
