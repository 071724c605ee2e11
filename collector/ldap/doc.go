// Package ldap is a Source that reads people and their accounts from an LDAP directory:
// Active Directory (or Samba AD) and OpenLDAP.
//
// It connects over ldap:// (optionally upgraded with StartTLS) or ldaps://, verifying the
// server against the system roots or a CA file, binds with a DN and a password taken from the
// environment (never logged; a password is refused over plain ldap:// to a remote host unless
// allowed), reads the root DSE to detect Active Directory and the default naming context, and
// searches users and groups with the paged-results control.
//
// Each user entry becomes a principal "ldap:<dn>" (kind user) linked by rule "source" to its
// person "<source>:<employee ID>" (the objectGUID or entryUUID when the entry has no employee
// ID); accounts that share an employee ID are one person. Active Directory specifics:
// userAccountControl's disabled bit, accountExpires and lastLogonTimestamp (FILETIMEs),
// whenCreated, pwdLastSet, lockoutTime, objectGUID (formatted as AD shows it), memberOf,
// manager (resolved to the manager's employee ID) and proxyAddresses. OpenLDAP specifics:
// pwdAccountLockedTime (000001010000Z is an administrative lock, which disables), entryUUID,
// createTimestamp, pwdChangedTime, shadowExpire. Disabled, locked or expired accounts are
// terminated people; a status attribute can map others to leave.
//
// Group memberships come from memberOf and from the groups' member, uniqueMember and
// memberUid, so that directories without the memberof overlay work. Active Directory returns
// at most 1500 values of a large group's member attribute per read (ranged retrieval is not
// implemented); users' memberOf still lists such groups.
//
// Failures are coverage: an unreachable server, a TLS failure, a wrong bind password, a missing
// base DN or an empty result fail the source with a clear message and kind; a search that
// stops part-way, a failed group search or undecodable attribute values make it partial.
package ldap
