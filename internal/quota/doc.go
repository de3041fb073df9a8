// Package quota admits or throttles requests by rate: token buckets per
// principal and per account, like the request quotas AWS STS applies to
// the calls that issue credentials.
//
// Contract. Limiter.Allow takes one token from the caller's principal
// bucket and one from its account's bucket, or none: a request is admitted
// only when both have a token, so a throttled principal does not drain its
// account's bucket. Buckets refill continuously at their rate up to their
// burst, measured with the clock the Limiter is given (time is injected;
// nothing here sleeps or reads the wall clock). A zero rate means no limit.
// Memory is bounded: at most MaxPrincipals principal buckets and
// MaxAccounts account buckets are kept, and the least recently used is
// dropped to make room — the idlest, whose bucket has usually refilled and
// would be recreated full anyway. A principal that is evicted while it is
// still throttled starts again with a full bucket, which its account's
// bucket still bounds. Throttled counts every refusal, for metrics.
package quota
