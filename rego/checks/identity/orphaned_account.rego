# METADATA
# title: Orphaned account
# description: >-
#   An account whose link leads to no active person: it is linked to a person who is gone from
#   every source of truth, or it is a service account with no owner or whose owner has left.
#   Needs the sources of truth to have been read whole.
# custom:
#   id: PV-IDN-001
#   severity: high
#   frameworks:
#     - HIPAA-164.308(a)(3)(ii)(C)
#     - SOC2-CC6.2
#     - CIS-GCP-1.1
#   remediation:
#     action: assign_owner
#     text: Find the account's owner and record it (owner tag or mapping file), or disable the account.
#   resource_kinds: ["*:user", "*:sso_user", "*:service_account", "*:role"]
package provost.checks.idn_orphaned_account

import data.provost.lib

violation contains v if {
	some x in input.items
	p := x.principal
	p.person_id
	not x.person
	x.coverage.people.complete == true
	p.disabled == false
	p.protected == false
	v := {
		"principal": p.id,
		"msg": sprintf("%s %s is linked to %s, who is in no source of truth", [p.kind, p.name, p.person_id]),
		"evidence": {"person_id": p.person_id, "link_rule": object.get(p, "link_rule", "")},
	}
}

violation contains v if {
	some x in input.items
	p := x.principal
	p.kind == "service_account"
	not p.person_id
	x.coverage.people.complete == true
	p.disabled == false
	p.protected == false
	v := {
		"principal": p.id,
		"msg": sprintf("service account %s has no owner", [p.name]),
		"evidence": {"person_id": null},
	}
}

violation contains v if {
	some x in input.items
	p := x.principal
	p.kind == "service_account"
	x.person.status == "terminated"
	p.disabled == false
	p.protected == false
	v := {
		"principal": p.id,
		"msg": sprintf("service account %s is owned by %s, who has left", [p.name, x.person.id]),
		"evidence": {"person_id": x.person.id, "person_status": "terminated", "end_date": lib.date_of(x.person, "end_on")},
	}
}

cannot_evaluate contains lib.people_unknown(x) if {
	some x in lib.people_incomplete
	p := x.principal
	not x.person
	needs_person(p)
	p.disabled == false
	p.protected == false
}

needs_person(p) if p.person_id

needs_person(p) if p.kind == "service_account"
