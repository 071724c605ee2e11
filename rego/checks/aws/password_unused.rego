# METADATA
# title: Console password unused
# description: >-
#   An IAM user's console password is enabled but has not been used for inactive_days days, or
#   was never used and was set more than inactive_days days ago.
# custom:
#   id: PV-AWS-005
#   severity: medium
#   frameworks:
#     - CIS-AWS-1.12
#     - HIPAA-164.308(a)(3)(ii)(B)
#     - SOC2-CC6.2
#   remediation:
#     action: remove_console_login
#     text: Remove the user's console password (login profile); re-create it if they need it again.
#   resource_kinds: ["aws:user"]
package provost.checks.aws_password_unused

import data.provost.lib

violation contains v if {
	cutoff := lib.inactive_cutoff_ns
	some k in lib.active_passwords
	x := k.x
	c := k.c
	c.last_used_ns < cutoff
	v := {
		"principal": x.principal.id,
		"qualifier": "password",
		"msg": sprintf("console password of %s last used on %s, more than %d days ago", [x.principal.name, c.last_used_on, lib.config.inactive_days]),
		"evidence": {"last_used": c.last_used_on, "threshold_days": lib.config.inactive_days},
	}
}

violation contains v if {
	cutoff := lib.inactive_cutoff_ns
	some k in lib.active_passwords
	x := k.x
	c := k.c
	not c.last_used_ns
	c.created_ns < cutoff
	v := {
		"principal": x.principal.id,
		"qualifier": "password",
		"msg": sprintf("console password of %s was never used since it was set on %s", [x.principal.name, c.created_on]),
		"evidence": {"last_used": "never", "set_on": c.created_on, "threshold_days": lib.config.inactive_days},
	}
}

cannot_evaluate contains lib.scope_unknown(x) if {
	some x in lib.scope_incomplete
	not has_password(x.principal)
}

has_password(p) if {
	some c in p.credentials
	c.kind == "password"
}
