package collector

// RuleSource is the LinkRule a source of truth records on its own directory accounts: an LDAP
// entry or SCIM user is the account of the person that same entry describes, so the source sets
// PersonID itself and Link leaves the principal as it is.
const RuleSource = "source"
