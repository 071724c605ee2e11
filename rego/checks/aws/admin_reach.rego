# METADATA
# title: User or role can reach administrator
# description: >-
#   An IAM user or role holds a policy that allows "*", "iam:*" or a privilege-escalation action
#   (iam:PassRole, iam:CreatePolicyVersion, iam:Attach*Policy, iam:Put*Policy,
#   iam:CreateAccessKey, ...) on every resource, a policy named in admin_policy_names, or a grant
#   the collector rated admin. Each such policy is its own finding. Service-linked roles and
#   protected principals are exempt; Deny statements and permission boundaries are not
#   subtracted.
# custom:
#   id: PV-AWS-011
#   severity: high
#   frameworks:
#     - CIS-AWS-1.16
#     - HIPAA-164.308(a)(4)(ii)(B)
#     - SOC2-CC6.3
#   remediation:
#     action: detach_policy
#     text: Replace the policy with a least-privilege one; keep admin on a few audited roles.
#   resource_kinds: ["aws:user", "aws:role"]
package provost.checks.aws_admin_reach

import data.provost.lib
import data.provost.lib.aws

# A grant whose document reaches admin.
violation contains v if {
	docs := aws.admin_docs
	some x in input.items
	x.principal.protected == false
	not x.principal.attributes.service_linked == "true"
	some g in x.principal.grants
	info := docs[g.what]
	info.admin == true
	v := {
		"principal": x.principal.id,
		"qualifier": g.what,
		"msg": sprintf("%s %s can reach administrator through %s", [x.principal.kind, x.principal.name, g.what]),
		"evidence": aws.doc_evidence(g, info),
	}
}

# A grant the collector rated admin although its document is unknown or not admin here.
violation contains v if {
	docs := aws.admin_docs
	some x in input.items
	x.principal.protected == false
	not x.principal.attributes.service_linked == "true"
	some g in x.principal.grants
	g.privilege == "admin"
	not docs[g.what].admin == true
	v := {
		"principal": x.principal.id,
		"qualifier": g.what,
		"msg": sprintf("%s %s can reach administrator through %s", [x.principal.kind, x.principal.name, g.what]),
		"evidence": {"policy": g.what, "via": g.via, "reason": "privilege computed as admin by the collector"},
	}
}

cannot_evaluate contains lib.scope_unknown(x) if {
	some x in lib.scope_incomplete
	x.principal.protected == false
	not x.principal.attributes.service_linked == "true"
	not any_admin(x.principal)
}

any_admin(p) if {
	some g in p.grants
	aws.admin_grant(g)
}
