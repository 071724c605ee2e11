# METADATA
# title: Root user has an access key
# description: >-
#   The root user of an AWS account has an active access key, or the account summary reports
#   one. Root keys cannot be restricted by IAM policy; CIS requires that none exist.
# custom:
#   id: PV-AWS-001
#   severity: critical
#   frameworks:
#     - CIS-AWS-1.4
#     - HIPAA-164.312(a)(1)
#     - SOC2-CC6.1
#   remediation:
#     action: deactivate_access_key
#     text: Deactivate, then delete, the root user's access keys; use IAM roles for automation.
#   resource_kinds: ["aws:root"]
package provost.checks.aws_root_access_key

import data.provost.lib

# Provost evaluates a check only on principals its resource_kinds match (here: AWS root users).

violation contains v if {
	some k in lib.active_access_keys
	x := k.x
	c := k.c
	v := {
		"principal": x.principal.id,
		"qualifier": c.id,
		"msg": sprintf("root user of account %s has an active access key (%s)", [x.principal.account, c.id]),
		"evidence": {"credential": c.id, "created_at": lib.date_of(c, "created_on")},
	}
}

violation contains v if {
	some x in input.items
	summary_reports_keys(x)
	not has_active_key(x.principal)
	v := {
		"principal": x.principal.id,
		"qualifier": "account_summary",
		"msg": sprintf("account %s summary reports root access keys present", [x.principal.account]),
		"evidence": {"AccountAccessKeysPresent": x.account.settings.AccountAccessKeysPresent},
	}
}

has_active_key(p) if {
	some c in p.credentials
	c.kind == "access_key"
	c.status == "active"
}

cannot_evaluate contains lib.scope_unknown(x) if {
	some x in lib.scope_incomplete
	not has_active_key(x.principal)
	not summary_reports_keys(x)
}

# A helper, because `not x.a.b > 0` is undefined, not true, when x.a.b is undefined.
summary_reports_keys(x) if x.account.settings.AccountAccessKeysPresent > 0
