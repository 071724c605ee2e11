# AWS helpers: which IAM actions amount to administrator power.
package provost.lib.aws

import data.provost.lib

# Actions that are administrator power on their own when allowed on "*".
full_actions := {"*", "*:*", "iam:*", "organizations:*", "sts:*"}

# Privilege-escalation actions: each lets the holder grant itself any permission.
escalation_actions := {
	"iam:passrole",
	"iam:createpolicyversion",
	"iam:setdefaultpolicyversion",
	"iam:attachuserpolicy",
	"iam:attachgrouppolicy",
	"iam:attachrolepolicy",
	"iam:putuserpolicy",
	"iam:putgrouppolicy",
	"iam:putrolepolicy",
	"iam:createaccesskey",
	"iam:createloginprofile",
	"iam:updateloginprofile",
	"iam:updateassumerolepolicy",
	"iam:addusertogroup",
}

# admin_action holds for an (already lowercased) action pattern that grants admin power.
admin_action(a) if a in full_actions

admin_action(a) if a in escalation_actions

admin_action(a) if {
	contains(a, "*")
	some e in escalation_actions
	glob.match(a, null, e)
}

# doc_info(doc) says whether a policy document reaches administrator and why:
# {"admin": bool, "actions": [...], "named": bool}. "actions" are the admin-granting actions
# it allows on every resource (an Allow with NotAction on "*" counts unless it excludes IAM);
# "named" is true when config.admin_policy_names names it or a managed policy it attaches.
doc_info(doc) := info if {
	actions := {a |
		some s in doc.statements
		s.effect == "allow"
		"*" in s.resources
		some a in s.actions
		admin_action(a)
	} | {concat("", ["NotAction:", concat(",", s.not_actions)]) |
		some s in doc.statements
		s.effect == "allow"
		"*" in s.resources
		count(s.not_actions) > 0
		not excludes_iam(s)
	}
	names := {1 | doc.name in lib.config.admin_policy_names} | {1 |
		some arn in doc.permissions
		some name in lib.config.admin_policy_names
		endswith(arn, concat("", ["/", name]))
	}
	info := {"admin": (count(actions) + count(names)) > 0, "actions": sort(actions), "named": count(names) > 0}
}

# admin_docs maps every policy document ID to its doc_info. It depends on data only, so
# Provost evaluates it once per snapshot and supplies the result as
# data.provost.derived.aws_admin_docs; batches then merely look documents up. Without it (in
# unit tests) it is computed here.
admin_docs := data.provost.derived.aws_admin_docs if {
	data.provost.derived.aws_admin_docs
} else := {id: doc_info(doc) | some id, doc in data.provost.policy_docs}

excludes_iam(s) if {
	some a in s.not_actions
	glob.match(a, null, "iam:passrole")
}

# admin_grant(g) holds for a grant that reaches admin: the collector rated it admin, or its
# document allows admin actions or is named in admin_policy_names.
admin_grant(g) if {
	g.privilege == "admin"
} else if {
	admin_docs[g.what].admin == true
}

# doc_evidence explains why grant g, whose document info is admin_docs[g.what], reaches admin.
doc_evidence(g, info) := {"policy": g.what, "via": g.via, "actions": info.actions} if {
	count(info.actions) > 0
} else := {"policy": g.what, "via": g.via, "reason": "named in admin_policy_names"}

# admin_grant_evidence is, for a grant that reaches admin, why; undefined otherwise.
admin_grant_evidence(g) := ev if {
	info := admin_docs[g.what]
	info.admin == true
	ev := doc_evidence(g, info)
} else := ev if {
	g.privilege == "admin"
	ev := {"policy": g.what, "via": g.via, "reason": "privilege computed as admin by the collector"}
}
