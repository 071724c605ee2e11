# METADATA
# title: Unused IAM role
# description: >-
#   An IAM role was last used more than stale_days days ago, or was never used and was created
#   more than stale_days days ago. Service-linked roles and protected principals are exempt.
# custom:
#   id: PV-AWS-015
#   severity: low
#   frameworks:
#     - SOC2-CC6.2
#     - HIPAA-164.308(a)(4)(ii)(C)
#   remediation:
#     action: quarantine_role
#     text: Attach a deny-all policy for the grace period, then delete the role if nothing broke.
#   resource_kinds: ["aws:role"]
package provost.checks.aws_unused_role

import data.provost.lib

violation contains v if {
	cutoff := lib.stale_cutoff_ns
	some x in input.items
	p := x.principal
	p.last_activity_ns < cutoff
	p.protected == false
	not p.attributes.service_linked == "true"
	v := {
		"principal": p.id,
		"msg": sprintf("role %s was last used on %s, more than %d days ago", [p.name, p.last_activity_on, lib.config.stale_days]),
		"evidence": {"last_used": p.last_activity_on, "threshold_days": lib.config.stale_days},
	}
}

violation contains v if {
	cutoff := lib.stale_cutoff_ns
	some x in input.items
	p := x.principal
	not p.last_activity_ns
	p.created_ns < cutoff
	x.coverage.scope.complete == true
	p.protected == false
	not p.attributes.service_linked == "true"
	v := {
		"principal": p.id,
		"msg": sprintf("role %s was never used since it was created on %s", [p.name, p.created_on]),
		"evidence": {"last_used": "never", "created_at": p.created_on, "threshold_days": lib.config.stale_days},
	}
}

cannot_evaluate contains lib.unknown(x, "the role has no creation or last-use time") if {
	some x in input.items
	not x.principal.last_activity_ns
	not x.principal.created_ns
	x.principal.protected == false
	not x.principal.attributes.service_linked == "true"
}

cannot_evaluate contains lib.scope_unknown(x) if {
	cutoff := lib.stale_cutoff_ns
	some x in lib.scope_incomplete
	not x.principal.last_activity_ns
	x.principal.created_ns < cutoff
	x.principal.protected == false
	not x.principal.attributes.service_linked == "true"
}
