# METADATA
# title: Mover kept the access of the old department
# description: >-
#   The linked person moved department since the previous snapshot and this account still
#   holds grants it held before the move (grants added since then are not counted).
# custom:
#   id: PV-DRF-005
#   severity: medium
#   frameworks:
#     - SOC2-CC6.2
#     - SOC2-CC6.3
#     - HIPAA-164.308(a)(4)(ii)(C)
#   remediation:
#     action: review
#     text: Review the grants with the new manager and remove those the new role does not need.
#   resource_kinds: ["*:user", "*:sso_user"]
package provost.checks.drift_mover_kept_access

import data.provost.lib

violation contains v if {
	some x in input.items
	some e in x.drift
	e.kind == "person_moved"
	e.field == "department"
	x.principal.disabled == false
	kept := kept_grants(x)
	count(kept) > 0
	v := {
		"principal": x.principal.id,
		"msg": sprintf("%s moved from %s to %s and %s still holds %s", [e.person, object.get(e, "before", "no department"), object.get(e, "after", "no department"), x.principal.name, concat(", ", sort(kept))]),
		"evidence": {"person_id": e.person, "from": object.get(e, "before", ""), "to": object.get(e, "after", ""), "kept_grants": sort(kept)},
	}
}

# kept_grants are the principal's grants that no grant_added event of this scan explains.
kept_grants(x) := {lib.binding(g) |
	some g in x.principal.grants
	not added(x, g)
}

added(x, g) if {
	some e in x.drift
	e.kind == "grant_added"
	e.grant.what == g.what
	e.grant.where == g.where
}
