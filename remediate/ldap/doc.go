// Package ldap is the remediation executor for directory accounts over LDAP (go-ldap): disable
// an account — on Active Directory by setting the ACCOUNTDISABLE bit (0x2) of
// userAccountControl, on OpenLDAP with the ppolicy overlay by setting pwdAccountLockedTime to
// 000001010000Z (locked until an administrator unlocks) — and delete an entry. Disabling is
// undone by restoring the previous userAccountControl value or removing pwdAccountLockedTime;
// deletion is irreversible. noSuchObject is "already gone". The directory is chosen by the
// principal's Account (the collector records the source's base DN there). The bind password is
// never logged. Marks live in the store only.
package ldap
