# METADATA
# title: Human account with no owner
# description: >-
#   A user account (IAM user, Identity Center user, Google user, directory account) is linked
#   to no person in any source of truth, so nobody answers for it and leavers cannot be
#   detected. Protected principals (break-glass) are exempt.
# custom:
#   id: PV-IDN-003
#   severity: medium
#   frameworks:
#     - HIPAA-164.312(a)(2)(i)
#     - HIPAA-164.308(a)(3)(ii)(B)
#     - SOC2-CC6.2
#   remediation:
#     action: assign_owner
#     text: Link the account to its person (email, owner tag or mapping file), or remove it.
#   resource_kinds: ["*:user", "*:sso_user"]
package provost.checks.idn_human_without_owner

import data.provost.lib

violation contains v if {
	some x in input.items
	p := x.principal
	not p.person_id
	x.coverage.people.complete == true
	p.disabled == false
	p.protected == false
	v := {
		"principal": p.id,
		"msg": sprintf("%s account %s is linked to no person", [p.provider, p.name]),
		"evidence": {"email": object.get(p, "email", ""), "link_rule": object.get(p, "link_rule", "")},
	}
}

cannot_evaluate contains lib.people_unknown(x) if {
	some x in lib.people_incomplete
	p := x.principal
	not p.person_id
	p.disabled == false
	p.protected == false
}
