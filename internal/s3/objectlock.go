package s3

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/internal/awsapi"
	"github.com/gatehouse/gatehouse/internal/pipeline"
	"github.com/gatehouse/gatehouse/internal/store"
)

// Object Lock. A bucket created with x-amz-bucket-object-lock-enabled (or
// a versioned bucket given a lock configuration) has versioning enabled
// for good; each version may carry a retention (GOVERNANCE or COMPLIANCE
// until a date) and a legal hold, set by the write's headers, the bucket's
// default retention or the retention and legal-hold APIs. Whether a
// version may be removed is decided by the store in the transaction that
// removes it (store.Object.Removable) at the service clock's time: no
// handler, sweep or operator path removes a locked version. Shortening or
// removing a retention is decided here, in the transaction that writes it.
// Bypassing governance retention takes the request header and
// s3:BypassGovernanceRetention, declared by resolve (resolveBypass).

const (
	bypassHeader   = "x-amz-bypass-governance-retention"
	lockModeHeader = "x-amz-object-lock-mode"
	lockDateHeader = "x-amz-object-lock-retain-until-date"
	lockHoldHeader = "x-amz-object-lock-legal-hold"
)

// lockTimeFormat is how S3 writes a retain-until date (headers and XML).
const lockTimeFormat = "2006-01-02T15:04:05.000Z"

// resolveBypass adds the s3:BypassGovernanceRetention check (hard: a
// caller who asks to bypass without the permission is denied) when the
// request asks to bypass governance retention, and records that it may.
func (c *call) resolveBypass(p pipeline.Plan) pipeline.Plan {
	if strings.EqualFold(c.r.Header.Get(bypassHeader), "true") {
		p.Checks = append(p.Checks, c.check(c.b, "s3:BypassGovernanceRetention", c.resource(), nil))
		c.bypass = true
	}
	return p
}

// removal is when and how this request removes versions.
func (c *call) removal() store.Removal {
	return store.Removal{Now: c.s.now(), BypassGovernance: c.bypass}
}

// lockErr maps the store's refusal to S3's answer.
func lockErr(err error) error {
	if errors.Is(err, store.ErrLocked) {
		return awsapi.ObjectLocked.Of()
	}
	return err
}

// objectLock is what a write says about its new version's lock.
type objectLock struct {
	mode  string
	until time.Time
	hold  string // store.LegalHoldOn, LegalHoldOff or ""
	set   bool   // any lock header was sent
}

// lockHeaders reads and validates a write's Object Lock headers as S3 does.
// A bucket without Object Lock refuses them.
func lockHeaders(h http.Header, b *store.Bucket, now time.Time) (*objectLock, error) {
	mode, date, hold := h.Get(lockModeHeader), h.Get(lockDateHeader), h.Get(lockHoldHeader)
	l := &objectLock{set: mode != "" || date != "" || hold != ""}
	if !l.set {
		return l, nil
	}
	if !b.ObjectLock {
		return nil, awsapi.ObjectLockMissing.Of()
	}
	switch hold {
	case "":
	case store.LegalHoldOn, store.LegalHoldOff:
		l.hold = hold
	default:
		return nil, awsapi.ObjectLockLegalHoldInvalid.Of()
	}
	if (mode == "") != (date == "") {
		return nil, awsapi.ObjectLockBothHeaders.Of()
	}
	if mode == "" {
		return l, nil
	}
	if mode != store.LockGovernance && mode != store.LockCompliance {
		return nil, awsapi.ObjectLockModeInvalid.Of()
	}
	until, err := time.Parse(time.RFC3339, date)
	if err != nil {
		return nil, awsapi.ObjectLockDateInvalid.Of()
	}
	if !until.After(now) {
		return nil, awsapi.ObjectLockDatePast.Of()
	}
	l.mode, l.until = mode, until.UTC()
	return l, nil
}

// hasDigest reports whether a PUT carries Content-MD5 or a checksum
// (a header, or one announced for the trailer: S3 requires one with
// Object Lock parameters).
func hasDigest(h http.Header) bool {
	if h.Get("Content-MD5") != "" || h.Get("x-amz-trailer") != "" || h.Get("x-amz-sdk-checksum-algorithm") != "" {
		return true
	}
	for k := range h {
		if strings.HasPrefix(strings.ToLower(k), "x-amz-checksum-") && !strings.EqualFold(k, "x-amz-checksum-type") &&
			!strings.EqualFold(k, "x-amz-checksum-algorithm") {
			return true
		}
	}
	return false
}

// applyLock gives a new version the write's lock, or else the bucket's
// default retention from the version's creation (b as the committing
// transaction read it).
func applyLock(o *store.Object, l *objectLock, b *store.Bucket) {
	if l != nil {
		o.LockMode, o.LockUntil, o.LegalHold = l.mode, l.until, l.hold
	}
	if o.LockMode != "" || !b.ObjectLock || b.LockDefault == nil || o.DeleteMarker {
		return
	}
	d := b.LockDefault
	o.LockMode = d.Mode
	o.LockUntil = o.LastModified.AddDate(d.Years, 0, d.Days).UTC()
}

// resolveRead is resolveExisting for GetObject and HeadObject; in an
// Object Lock bucket it also declares soft s3:GetObjectRetention and
// s3:GetObjectLegalHold checks: S3 shows a version's retention and legal
// hold only to callers allowed to read them.
func (c *call) resolveRead() (pipeline.Plan, error) {
	p, err := c.resolveExisting()
	if err != nil || !c.b.ObjectLock {
		return p, err
	}
	c.lockRead = []int{len(p.Checks), len(p.Checks) + 1}
	for _, action := range []string{"s3:GetObjectRetention", "s3:GetObjectLegalHold"} {
		p.Checks = append(p.Checks, soft(c.check(c.b, action, c.resource(), versionKey(c.version, nil))))
	}
	return p, nil
}

// writeLockHeaders sets GET and HEAD's Object Lock headers, each only for
// a caller resolveRead found allowed to read it.
func (c *call) writeLockHeaders(h http.Header, o *store.Object) {
	if c.lockRead == nil {
		return
	}
	if o.LockMode != "" && c.outcomes.Allowed(c.lockRead[0]) {
		h.Set(lockModeHeader, o.LockMode)
		h.Set(lockDateHeader, o.LockUntil.UTC().Format(lockTimeFormat))
	}
	if o.LegalHold != "" && c.outcomes.Allowed(c.lockRead[1]) {
		h.Set(lockHoldHeader, o.LegalHold)
	}
}

// lockKeys are the Object Lock condition keys of a write's headers.
func lockKeys(h http.Header, set func(string, ...string)) {
	if v := h.Get(lockModeHeader); v != "" {
		set("s3:object-lock-mode", v)
	}
	if v := h.Get(lockDateHeader); v != "" {
		set("s3:object-lock-retain-until-date", v)
	}
	if v := h.Get(lockHoldHeader); v != "" {
		set("s3:object-lock-legal-hold", v)
	}
}

// lockChecks declares s3:PutObjectRetention for a write that sets a
// retention and s3:PutObjectLegalHold for one that sets a legal hold (S3
// requires both beside s3:PutObject), on the written object, with the
// write's Object Lock condition keys. h is the request's headers, or a
// browser form's fields (requestHeaders).
func (c *call) lockChecks(h http.Header, resource string) []pipeline.Check {
	keys := func(_ *call, set func(string, ...string)) { lockKeys(h, set) }
	// The retention check also carries the remaining days, as
	// PutObjectRetention's does (retentionKeys).
	retention := func(c *call, set func(string, ...string)) {
		lockKeys(h, set)
		if until, err := time.Parse(time.RFC3339, h.Get(lockDateHeader)); err == nil {
			set("s3:object-lock-remaining-retention-days", strconv.Itoa(int(until.Sub(c.s.now()).Hours()/24)))
		}
	}
	var checks []pipeline.Check
	if h.Get(lockModeHeader) != "" || h.Get(lockDateHeader) != "" {
		checks = append(checks, c.check(c.b, "s3:PutObjectRetention", resource, retention))
	}
	if h.Get(lockHoldHeader) != "" {
		checks = append(checks, c.check(c.b, "s3:PutObjectLegalHold", resource, keys))
	}
	return checks
}
