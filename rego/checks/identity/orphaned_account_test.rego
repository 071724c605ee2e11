package provost.checks.idn_orphaned_account_test

import data.provost.checks.idn_orphaned_account as check
import data.provost.testing as t

alice := "arn:aws:iam::111111111111:user/alice"

etl := "gcp:serviceAccount:etl@data-prod.iam.gserviceaccount.com"

test_link_to_vanished_person if {
	inp := {"items": [json.remove(t.aws_user({}), ["/person"])]}
	vs := check.violation with input as inp with time.now_ns as t.now
	t.ids(vs) == {alice}
	some v in vs
	v.msg == "user alice is linked to hr:1001, who is in no source of truth"
}

test_service_account_without_owner if {
	it := json.remove(t.gcp_sa({}), ["/person", "/principal/person_id", "/principal/link_rule"])
	t.ids(check.violation) == {etl} with input as {"items": [it]} with time.now_ns as t.now
}

test_service_account_owner_left if {
	it := json.patch(t.gcp_sa({}), [{"op": "replace", "path": "/person/status", "value": "terminated"}])
	t.ids(check.violation) == {etl} with input as {"items": [it]} with time.now_ns as t.now
}

test_owned_accounts_pass if {
	inp := {"items": [t.aws_user({}), t.gcp_sa({})]}
	count(check.violation) == 0 with input as inp with time.now_ns as t.now
	count(check.cannot_evaluate) == 0 with input as inp with time.now_ns as t.now
}

test_unlinked_human_is_not_orphaned_here if {
	# PV-IDN-003 reports humans without an owner.
	it := json.remove(t.aws_user({}), ["/person", "/principal/person_id"])
	count(check.violation) == 0 with input as {"items": [it]} with time.now_ns as t.now
}

test_disabled_and_protected_exempt if {
	disabled := json.remove(t.gcp_sa({"disabled": true}), ["/person", "/principal/person_id"])
	count(check.violation) == 0 with input as {"items": [disabled]} with time.now_ns as t.now
	prot := json.remove(t.aws_user({"protected": true}), ["/person"])
	count(check.violation) == 0 with input as {"items": [prot]} with time.now_ns as t.now
}

test_people_coverage_incomplete if {
	it := object.union(json.remove(t.aws_user({}), ["/person"]), {"coverage": t.people_partial})
	count(check.violation) == 0 with input as {"items": [it]} with time.now_ns as t.now
	t.ids(check.cannot_evaluate) == {alice} with input as {"items": [it]} with time.now_ns as t.now
}
