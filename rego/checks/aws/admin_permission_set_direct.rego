# METADATA
# title: Admin permission set assigned to an individual
# description: >-
#   An Identity Center user is assigned an administrator permission set directly rather than
#   through a group. A permission set is admin when its policies reach administrator, it
#   attaches a policy named in admin_policy_names, or the collector rated it admin. Each
#   (permission set, account) assignment is its own finding.
# custom:
#   id: PV-AWS-014
#   severity: medium
#   frameworks:
#     - CIS-AWS-1.15
#     - SOC2-CC6.3
#     - HIPAA-164.308(a)(4)(ii)(C)
#   remediation:
#     action: remove_assignment
#     text: Assign the permission set to a group the user belongs to, then remove the direct assignment.
#   resource_kinds: ["aws:sso_user"]
package provost.checks.aws_admin_permission_set_direct

import data.provost.lib
import data.provost.lib.aws

violation contains v if {
	some x in input.items
	some g in x.principal.grants
	g.via == "direct"
	aws.admin_grant(g)
	ev := aws.admin_grant_evidence(g)
	v := {
		"principal": x.principal.id,
		"qualifier": lib.binding(g),
		"msg": sprintf("Identity Center user %s is directly assigned admin permission set %s in account %s", [x.principal.name, object.get(data.provost.policy_docs, [g.what, "name"], g.what), g.where]),
		"evidence": object.union(ev, {"account": g.where}),
	}
}

cannot_evaluate contains lib.scope_unknown(x) if {
	some x in lib.scope_incomplete
	not direct_admin(x.principal)
}

direct_admin(p) if {
	some g in p.grants
	g.via == "direct"
	aws.admin_grant(g)
}
