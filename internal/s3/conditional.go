package s3

import (
	"net/http"

	"github.com/gatehouse/gatehouse/internal/awsapi"
	"github.com/gatehouse/gatehouse/internal/store"
)

// Conditional writes and deletes: If-None-Match: * (create only) and
// If-Match (replace or delete only the object with that ETag) on
// PutObject, CopyObject, CompleteMultipartUpload and DeleteObject, and a
// per-key ETag in DeleteObjects. A condition is decided inside the store
// transaction that commits the write, against the record it replaces, so
// two writers never both win: the second sees the first's record.

// writeCond is a write's If-Match / If-None-Match.
type writeCond struct {
	ifMatch, ifNoneMatch string
	// seen is the object at the key when the request started (its body
	// still to be read); started says it was recorded.
	seen    *store.Object
	started bool
}

// writeConditions reads If-Match and If-None-Match of a write (nil when
// it has neither). S3 accepts only "*" in If-None-Match, and not both.
func writeConditions(h http.Header) (*writeCond, error) {
	w := &writeCond{ifMatch: h.Get("If-Match"), ifNoneMatch: h.Get("If-None-Match")}
	switch {
	case w.ifMatch == "" && w.ifNoneMatch == "":
		return nil, nil
	case w.ifNoneMatch != "" && w.ifNoneMatch != "*":
		return nil, awsapi.HeaderNotImplemented.Of().With("Header", "If-None-Match")
	case w.ifMatch != "" && w.ifNoneMatch != "":
		return nil, awsapi.HeaderNotImplemented.Of().With("Header", "If-Match")
	}
	return w, nil
}

// start records the object at the key before a long write (a PUT's body)
// begins: a condition that held then and fails at the commit failed
// because a conflicting write or delete committed meanwhile, which S3
// answers 409 ConditionalRequestConflict (retry), not 412.
func (w *writeCond) start(o *store.Object) {
	if w != nil {
		w.seen, w.started = o, true
	}
}

// check decides the condition against cur, the record at the key inside
// the committing transaction (nil: none).
func (w *writeCond) check(cur *store.Object, key string) error {
	if w == nil {
		return nil
	}
	gone := w.started && w.seen != nil && cur == nil // deleted meanwhile
	if w.ifNoneMatch == "*" {
		if cur != nil {
			return preconditionFailed("If-None-Match")
		}
		if gone {
			return awsapi.ConditionalWriteConflict.Of()
		}
		return nil
	}
	switch {
	case gone:
		return awsapi.ConditionalWriteConflict.Of()
	case cur == nil:
		return noSuchKey(key)
	case !etagMatches(w.ifMatch, cur.ETag):
		if w.started && w.seen != nil && etagMatches(w.ifMatch, w.seen.ETag) {
			return awsapi.ConditionalWriteConflict.Of() // replaced meanwhile
		}
		return preconditionFailed("If-Match")
	}
	return nil
}

// conditionKeys are s3:if-match and s3:if-none-match, the keys a bucket
// policy uses to require conditional writes and deletes.
func (c *call) conditionKeys(set func(string, ...string)) {
	if v := c.r.Header.Get("If-Match"); v != "" {
		set("s3:if-match", v)
	}
	if v := c.r.Header.Get("If-None-Match"); v != "" {
		set("s3:if-none-match", v)
	}
}

// deleteCondition reads DeleteObject's If-Match. The directory-bucket
// conditions (x-amz-if-match-last-modified-time, x-amz-if-match-size) are
// refused rather than ignored.
func deleteCondition(h http.Header) (string, error) {
	for _, name := range []string{"x-amz-if-match-last-modified-time", "x-amz-if-match-size"} {
		if h.Get(name) != "" {
			return "", awsapi.HeaderNotImplemented.Of().With("Header", name)
		}
	}
	return h.Get("If-Match"), nil
}

// checkDelete decides a delete's If-Match against the record it would
// remove (nil: none), inside the deleting transaction.
func checkDelete(ifMatch string, cur *store.Object, key string) error {
	switch {
	case ifMatch == "":
		return nil
	case cur == nil:
		return noSuchKey(key)
	case !etagMatches(ifMatch, cur.ETag):
		return preconditionFailed("If-Match")
	}
	return nil
}
