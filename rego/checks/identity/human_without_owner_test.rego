package provost.checks.idn_human_without_owner_test

import data.provost.checks.idn_human_without_owner as check
import data.provost.testing as t

alice := "arn:aws:iam::111111111111:user/alice"

unlinked(it) := json.remove(it, ["/person", "/principal/person_id", "/principal/link_rule"])

test_unlinked_user if {
	vs := check.violation with input as {"items": [unlinked(t.aws_user({})), unlinked(t.gcp_user({}))]} with time.now_ns as t.now
	t.ids(vs) == {alice, "gcp:user:alice@corp.com"}
}

test_linked_user_passes if {
	inp := {"items": [t.aws_user({}), t.sso_user({})]}
	count(check.violation) == 0 with input as inp with time.now_ns as t.now
	count(check.cannot_evaluate) == 0 with input as inp with time.now_ns as t.now
}

test_break_glass_exempt if {
	inp := {"items": [unlinked(t.aws_user({"protected": true}))]}
	count(check.violation) == 0 with input as inp with time.now_ns as t.now
}

test_people_coverage_incomplete if {
	it := object.union(unlinked(t.aws_user({})), {"coverage": t.people_partial})
	count(check.violation) == 0 with input as {"items": [it]} with time.now_ns as t.now
	t.ids(check.cannot_evaluate) == {alice} with input as {"items": [it]} with time.now_ns as t.now
}
