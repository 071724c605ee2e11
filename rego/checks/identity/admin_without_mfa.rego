# METADATA
# title: Administrator without MFA
# description: >-
#   A person's account holds an administrator grant anywhere but has no MFA. MFA is known for
#   AWS IAM users (credential report) and for accounts whose collector sets
#   attributes.mfa ("true"/"false"); for other accounts (Google users, Identity Center users
#   without it) the check cannot evaluate rather than pass.
# custom:
#   id: PV-IDN-005
#   severity: high
#   frameworks:
#     - HIPAA-164.312(d)
#     - SOC2-CC6.1
#     - CIS-AWS-1.10
#     - CIS-GCP-1.2
#   remediation:
#     action: enable_mfa
#     text: Enforce MFA for the account (or its identity provider) before it keeps admin rights.
#   resource_kinds: ["*:user", "*:sso_user"]
package provost.checks.idn_admin_without_mfa

import data.provost.lib
import data.provost.lib.aws

# MFA is known to be off when the collector says so, or for an AWS IAM user whose credential
# report was read (the whole scope was).
violation contains v if {
	docs := aws.admin_docs
	some x in input.items
	p := x.principal
	p.mfa == false
	p.attributes.mfa == "false"
	p.disabled == false
	v := result(x, docs)
}

violation contains v if {
	docs := aws.admin_docs
	some x in input.items
	p := x.principal
	p.mfa == false
	p.provider == "aws"
	p.kind == "user"
	x.coverage.scope.complete == true
	p.disabled == false
	not p.attributes.mfa
	v := result(x, docs)
}

result(x, docs) := v if {
	admins := admin_grants(x.principal, docs)
	count(admins) > 0
	v := {
		"principal": x.principal.id,
		"msg": sprintf("%s account %s holds admin (%s) without MFA", [x.principal.provider, x.principal.name, concat(", ", sort(admins))]),
		"evidence": {"admin_grants": sort(admins), "mfa": false},
	}
}

# The grants that reach admin: rated admin by the collector, or their document is admin
# (docs is aws.admin_docs, read once per evaluation by the caller).
admin_grants(p, docs) := {g.what | some g in p.grants; g.privilege == "admin"} | {g.what |
	some g in p.grants
	docs[g.what].admin == true
}

cannot_evaluate contains v if {
	docs := aws.admin_docs
	some x in input.items
	p := x.principal
	p.mfa == false
	not p.attributes.mfa
	p.disabled == false
	not aws_user_seen_whole(x)
	count(admin_grants(p, docs)) > 0
	v := lib.unknown(x, sprintf("MFA state of %s %s account %s is not collected", [p.provider, p.kind, p.name]))
}

aws_user_seen_whole(x) if {
	x.principal.provider == "aws"
	x.principal.kind == "user"
	x.coverage.scope.complete == true
}
