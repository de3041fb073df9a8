package s3

import (
	"maps"
	"sync"

	"github.com/gatehouse/gatehouse/internal/policy"
	"github.com/gatehouse/gatehouse/internal/store"
)

// policyCache keeps each bucket's compiled policy by bucket, document text
// and principal bindings, so a changed policy — or the same text written
// again, bound to other entities — is compiled once and an unchanged one
// never again.
type policyCache struct {
	mu      sync.Mutex
	entries map[string]policyEntry
	max     int
}

type policyEntry struct {
	doc      string
	bindings map[string]string
	p        compiledPolicy
}

// compiledPolicy is a bucket policy compiled from its stored text, or why
// it could not be.
type compiledPolicy struct {
	policy *policy.Policy
	err    error
}

func newPolicyCache(max int) *policyCache {
	return &policyCache{entries: map[string]policyEntry{}, max: max}
}

// get returns the compiled policy of bucket b (a nil policy: none).
func (pc *policyCache) get(b *store.Bucket) compiledPolicy {
	pc.mu.Lock()
	e, ok := pc.entries[b.Name]
	pc.mu.Unlock()
	if ok && e.doc == b.Policy && (e.bindings == nil) == (b.PolicyPrincipals == nil) && maps.Equal(e.bindings, b.PolicyPrincipals) {
		return e.p
	}
	p := compileBucketPolicy(b.Name, b.Policy, b.PolicyPrincipals)
	pc.mu.Lock()
	if len(pc.entries) >= pc.max {
		clear(pc.entries)
	}
	pc.entries[b.Name] = policyEntry{doc: b.Policy, bindings: b.PolicyPrincipals, p: p}
	pc.mu.Unlock()
	return p
}

// compileBucketPolicy compiles a stored bucket policy ("" = none) with the
// principal bindings saved beside it. A policy saved before bindings (nil)
// matches its user and role principals by ARN. A policy that no longer
// compiles is an error for every request it would decide (fail closed),
// never ignored.
func compileBucketPolicy(bucket, doc string, bindings policy.Bindings) compiledPolicy {
	if doc == "" {
		return compiledPolicy{}
	}
	p, err := policy.ParseAndCompileBound("bucket/"+bucket, doc, bindings)
	return compiledPolicy{policy: p, err: err}
}
