# METADATA
# title: Root user used recently
# description: >-
#   The root user of an AWS account signed in or used an access key within the last
#   root_recent_days days. Root should be kept for the few tasks only it can do.
# custom:
#   id: PV-AWS-003
#   severity: high
#   frameworks:
#     - CIS-AWS-1.7
#     - SOC2-CC6.1
#     - HIPAA-164.308(a)(4)(ii)(B)
#   remediation:
#     action: review
#     text: Find out who used root and why; move the task to an IAM role or Identity Center.
#   resource_kinds: ["aws:root"]
package provost.checks.aws_root_recent_use

import data.provost.lib

violation contains v if {
	some x in input.items
	last := last_used(x.principal)
	last >= lib.root_recent_cutoff_ns
	v := {
		"principal": x.principal.id,
		"msg": sprintf("root user of account %s was used on %s, within the last %d days", [x.principal.account, lib.date(last), lib.config.root_recent_days]),
		"evidence": {"last_used": lib.date(last), "threshold_days": lib.config.root_recent_days},
	}
}

# last_used is the latest use of the root user: its last activity or any credential's last use.
last_used(p) := max({t |
	some t in [object.get(p, "last_activity_ns", 0)]
	t > 0
} | {c.last_used_ns | some c in p.credentials; c.last_used_ns > 0})

cannot_evaluate contains lib.scope_unknown(x) if {
	some x in lib.scope_incomplete
	not recent(x.principal)
}

recent(p) if last_used(p) >= lib.root_recent_cutoff_ns
