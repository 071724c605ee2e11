# Fixtures for the bundled checks' unit tests. Tests pin the evaluation time with
# `with time.now_ns as t.now`; Provost's test runner loads the default configuration into
# data.provost.config.
package provost.testing

now := 1748736000000000000 # 2025-06-01T00:00:00Z

day := 86400000000000

hour := 3600000000000

days_ago(n) := now - (n * day)

# date(n) is the calendar date n days before now, as the input's *_on twins carry it.
date(n) := substring(time.format(days_ago(n)), 0, 10)

# when(field, n) is a timestamp n days ago with its date twin:
# {"<field>_ns": ..., "<field>_on": ...}, e.g. when("last_used", 3).
when(field, n) := {concat("", [field, "_ns"]): days_ago(n), concat("", [field, "_on"]): date(n)}

complete := {"scope": {"status": "complete", "complete": true}, "people": {"status": "complete", "complete": true}}

scope_partial := {"scope": {"status": "partial", "complete": false}, "people": {"status": "complete", "complete": true}}

people_partial := {"scope": {"status": "complete", "complete": true}, "people": {"status": "failed", "complete": false}}

aws_account := {
	"id": "111111111111",
	"provider": "aws",
	"kind": "account",
	"path": ["Root", "Prod"],
	"tags": {},
	"settings": {"AccountMFAEnabled": 1, "AccountAccessKeysPresent": 0},
	"password_policy": {
		"minimum_length": 14, "require_symbols": true, "require_numbers": true,
		"require_uppercase": true, "require_lowercase": true, "allow_users_to_change": true,
		"max_age_days": 90, "password_reuse_prevention": 24, "hard_expiry": false,
		"expire_passwords": true,
	},
}

gcp_org := {"id": "organizations/1", "provider": "gcp", "kind": "organization", "path": [], "tags": {}, "settings": {}}

base_principal := {
	"protected": false, "disabled": false, "console_access": false, "mfa": false, "tags": {}, "groups": [],
	"credentials": [], "grants": [], "attributes": {},
}

alice := {
	"id": "hr:1001", "source": "hr", "employee_id": "1001", "emails": ["alice@corp.com"],
	"aliases": [], "name": "Alice", "status": "active",
}

# item builds one evaluation item; p overrides the principal's fields, extra the item's.
item(p, extra) := object.union({"principal": p, "coverage": complete}, extra)

aws_user(p) := item(
	object.union(
		object.union(base_principal, {
			"id": "arn:aws:iam::111111111111:user/alice", "provider": "aws",
			"account": "111111111111", "kind": "user", "name": "alice", "human": true,
			"person_id": "hr:1001", "link_rule": "email",
		}),
		p,
	),
	{"account": aws_account, "person": alice},
)

aws_root(p) := item(
	object.union(
		object.union(base_principal, {
			"id": "arn:aws:iam::111111111111:root", "provider": "aws", "account": "111111111111",
			"kind": "root", "name": "<root_account>", "human": true, "mfa": true,
		}),
		p,
	),
	{"account": aws_account},
)

aws_role(p) := item(
	object.union(
		object.union(base_principal, {
			"id": "arn:aws:iam::111111111111:role/deploy", "provider": "aws",
			"account": "111111111111", "kind": "role", "name": "deploy", "human": false,
			"created_ns": days_ago(400), "created_on": date(400),
		}),
		p,
	),
	{"account": aws_account},
)

sso_user(p) := item(
	object.union(
		object.union(base_principal, {
			"id": "aws-sso:d-1234567890:u-1", "provider": "aws", "account": "999999999999",
			"kind": "sso_user", "name": "alice", "email": "alice@corp.com", "human": true,
			"person_id": "hr:1001", "link_rule": "email",
		}),
		p,
	),
	{"person": alice},
)

gcp_user(p) := item(
	object.union(
		object.union(base_principal, {
			"id": "gcp:user:alice@corp.com", "provider": "gcp", "account": "organizations/1",
			"kind": "user", "name": "alice@corp.com", "email": "alice@corp.com", "human": true,
			"person_id": "hr:1001", "link_rule": "email",
		}),
		p,
	),
	{"account": gcp_org, "person": alice},
)

gcp_sa(p) := item(
	object.union(
		object.union(base_principal, {
			"id": "gcp:serviceAccount:etl@data-prod.iam.gserviceaccount.com", "provider": "gcp",
			"account": "projects/data-prod", "kind": "service_account",
			"name": "etl@data-prod.iam.gserviceaccount.com",
			"email": "etl@data-prod.iam.gserviceaccount.com", "human": false,
			"created_ns": days_ago(400), "created_on": date(400), "person_id": "hr:1001", "link_rule": "tag:owner",
		}),
		p,
	),
	{"account": {"id": "projects/data-prod", "provider": "gcp", "kind": "project", "path": [], "tags": {}, "settings": {}}, "person": alice},
)

gcp_group(p) := item(
	object.union(
		object.union(base_principal, {
			"id": "gcp:group:eng@corp.com", "provider": "gcp", "account": "organizations/1",
			"kind": "group", "name": "eng@corp.com", "human": false,
		}),
		p,
	),
	{"account": gcp_org},
)

access_key(slot, created_days, last_used_days) := {
	"kind": "access_key", "id": slot, "status": "active",
	"created_ns": days_ago(created_days), "created_on": date(created_days),
	"last_used_ns": days_ago(last_used_days), "last_used_on": date(last_used_days),
}

access_key_never_used(slot, created_days) := {
	"kind": "access_key", "id": slot, "status": "active", "created_ns": days_ago(created_days),
	"created_on": date(created_days),
}

sa_key(id, managed, created_days) := {
	"kind": "sa_key", "id": id, "status": "active", "managed": managed,
	"created_ns": days_ago(created_days), "created_on": date(created_days),
}

grant(what, where, via, privilege) := {"what": what, "where": where, "via": via, "privilege": privilege}

# Policy documents as Provost stores them in data.provost.policy_docs (actions lowercased).
docs := {
	"arn:aws:iam::aws:policy/AdministratorAccess": {
		"id": "arn:aws:iam::aws:policy/AdministratorAccess", "provider": "aws",
		"name": "AdministratorAccess", "kind": "aws_managed", "privilege": "admin", "permissions": [],
		"statements": [{"effect": "allow", "actions": ["*"], "not_actions": [], "resources": ["*"], "not_resources": [], "conditional": false}],
	},
	"arn:aws:iam::aws:policy/ReadOnlyAccess": {
		"id": "arn:aws:iam::aws:policy/ReadOnlyAccess", "provider": "aws",
		"name": "ReadOnlyAccess", "kind": "aws_managed", "privilege": "read", "permissions": [],
		"statements": [{"effect": "allow", "actions": ["s3:get*", "iam:list*"], "not_actions": [], "resources": ["*"], "not_resources": [], "conditional": false}],
	},
	"arn:aws:iam::111111111111:policy/ci-deploy": {
		"id": "arn:aws:iam::111111111111:policy/ci-deploy", "provider": "aws",
		"name": "ci-deploy", "kind": "customer_managed", "privilege": "write", "permissions": [],
		"statements": [
			{"effect": "allow", "actions": ["s3:putobject"], "not_actions": [], "resources": ["arn:aws:s3:::bucket/*"], "not_resources": [], "conditional": false},
			{"effect": "allow", "actions": ["iam:passrole"], "not_actions": [], "resources": ["*"], "not_resources": [], "conditional": false},
		],
	},
	"arn:aws:iam::111111111111:policy/attach-star": {
		"id": "arn:aws:iam::111111111111:policy/attach-star", "provider": "aws",
		"name": "attach-star", "kind": "customer_managed", "privilege": "write", "permissions": [],
		"statements": [{"effect": "allow", "actions": ["iam:attach*"], "not_actions": [], "resources": ["*"], "not_resources": [], "conditional": false}],
	},
	"arn:aws:iam::111111111111:policy/not-action": {
		"id": "arn:aws:iam::111111111111:policy/not-action", "provider": "aws",
		"name": "not-action", "kind": "customer_managed", "privilege": "write", "permissions": [],
		"statements": [{"effect": "allow", "actions": [], "not_actions": ["s3:*"], "resources": ["*"], "not_resources": [], "conditional": false}],
	},
	"arn:aws:iam::111111111111:policy/power-user": {
		"id": "arn:aws:iam::111111111111:policy/power-user", "provider": "aws",
		"name": "power-user", "kind": "customer_managed", "privilege": "write", "permissions": [],
		"statements": [{"effect": "allow", "actions": [], "not_actions": ["iam:*", "organizations:*"], "resources": ["*"], "not_resources": [], "conditional": false}],
	},
	"arn:aws:sso:::permissionSet/ssoins-1/ps-admin": {
		"id": "arn:aws:sso:::permissionSet/ssoins-1/ps-admin", "provider": "aws",
		"name": "AdministratorAccess", "kind": "permission_set", "privilege": "admin",
		"permissions": ["arn:aws:iam::aws:policy/AdministratorAccess"], "statements": [],
	},
	"arn:aws:sso:::permissionSet/ssoins-1/ps-read": {
		"id": "arn:aws:sso:::permissionSet/ssoins-1/ps-read", "provider": "aws",
		"name": "ReadOnly", "kind": "permission_set", "privilege": "read",
		"permissions": ["arn:aws:iam::aws:policy/ReadOnlyAccess"], "statements": [],
	},
	"organizations/1/roles/iamBoss": {
		"id": "organizations/1/roles/iamBoss", "provider": "gcp", "name": "iamBoss",
		"kind": "gcp_role", "privilege": "admin",
		"permissions": ["resourcemanager.projects.setIamPolicy"], "statements": [],
	},
}

# ids returns the principal IDs of a result set; quals its [principal, qualifier] pairs.
ids(rs) := {r.principal | some r in rs}

quals(rs) := {[r.principal, object.get(r, "qualifier", "")] | some r in rs}
