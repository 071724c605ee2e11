// Package notify tells people what a run found: new high-severity findings and drift events,
// as one digest per run and channel rather than one message per item (NewDigest keeps at most
// a limit of each and counts the rest).
//
// Channels: Slack incoming webhooks (Slack), generic webhooks (Webhook: the digest as JSON,
// signed with X-Provost-Signature: sha256=HMAC-SHA256(secret, body)), and email over SMTP
// (Email), which always upgrades with STARTTLS before authenticating and refuses a server that
// does not offer it. Notifier retries each channel with exponential backoff; 429 and 5xx
// answers and network errors are retried, other answers (ErrPermanent) are not, and one
// failing channel never stops the others.
//
// Webhook URLs and SMTP passwords are secrets: take them from the environment. Errors never
// contain the webhook URL.
package notify
