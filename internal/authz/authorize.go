package authz

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gatehouse/gatehouse/internal/gencache"
	"github.com/gatehouse/gatehouse/internal/policy"
	"github.com/gatehouse/gatehouse/internal/store"
)

// ErrAccessDenied is wrapped by every *DeniedError.
var ErrAccessDenied = errors.New("authz: access denied")

// DeniedError is a policy denial with what AWS's message needs.
type DeniedError struct {
	CallerARN string
	Action    string
	Resource  string
	Decision  policy.Decision
	// Bare omits AWS's "because …" explanation (STS AssumeRole's
	// message has none).
	Bare bool
}

func (e *DeniedError) Unwrap() error { return ErrAccessDenied }

// Error is AWS's access-denied message.
func (e *DeniedError) Error() string {
	msg := "User: " + e.CallerARN + " is not authorized to perform: " + e.Action + " on resource: " + e.Resource
	if e.Bare {
		return msg
	}
	switch e.Decision.Source {
	case policy.SourceBlockPublicPolicy:
		return msg + " because public policies are prevented by the BlockPublicPolicy setting in S3 Block Public Access."
	case policy.SourceBlockPublicAcls:
		return msg + " because public ACLs are prevented by the BlockPublicAcls setting in S3 Block Public Access."
	}
	if e.Decision.Effect == policy.ExplicitDeny {
		return msg + " with an explicit deny in a" + article(e.Decision.Source.Phrase()) + " " + e.Decision.Source.Phrase()
	}
	if p := e.Decision.Source.Phrase(); p != "" {
		return msg + " because no " + p + " allows the " + e.Action + " action"
	}
	return msg
}

func article(s string) string {
	if s != "" && strings.ContainsRune("aeiou", rune(s[0])) {
		return "n"
	}
	return ""
}

// ManagedPolicies looks up AWS managed policy documents.
type ManagedPolicies interface {
	Document(arn string) (string, bool)
}

// ErrPolicyLoad is wrapped by every failure to load, decode or compile a
// policy that applies to a request. The request fails (InternalFailure):
// a policy is never skipped, and nothing partial is cached.
var ErrPolicyLoad = errors.New("authz: a policy that applies to the request could not be loaded")

// Authorizer gathers the policies that apply to a principal and asks the
// policy engine. Compiled policies come from generation-stamped caches
// (internal/gencache); evaluation never reads the store.
type Authorizer struct {
	store   store.Store
	managed ManagedPolicies

	entities *gencache.Cache[string, *entityPolicies]  // by account/entity id
	sessions *gencache.Cache[string, []*policy.Policy] // by ASIA access key id

	mu  sync.Mutex
	aws map[string]*policy.Policy // AWS managed policies: embedded, immutable

	// rootIdentity stands for the root's identity side in sessions the
	// root federated (GetFederationToken): it allows everything, so that
	// only their session policies limit them. nil if it did not compile
	// (their requests then fail).
	rootIdentity *policy.Policy
}

// allowAll is the identity policy of the account's root.
const allowAll = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`

// entityPolicies are the compiled policies of one user or role.
type entityPolicies struct {
	identity []*policy.Policy
	boundary *policy.Policy
	tags     map[string]string
	// gone: the user or role no longer exists (deleted, perhaps re-created
	// under a new id): its sessions and keys are denied everything.
	gone bool
}

// NewAuthorizer builds an Authorizer.
func NewAuthorizer(st store.Store, managed ManagedPolicies) *Authorizer {
	root, _ := policy.ParseAndCompile("root", allowAll)
	return &Authorizer{store: st, managed: managed,
		entities:     gencache.New[string, *entityPolicies](st, 100000),
		sessions:     gencache.New[string, []*policy.Policy](st, 100000),
		aws:          map[string]*policy.Policy{},
		rootIdentity: root}
}

// RequestInfo is what the request itself contributes to the context.
type RequestInfo struct {
	Now             time.Time
	SourceIP        string
	SecureTransport bool
	Region          string
	UserAgent       string
}

// Check is one authorization question about a principal.
type Check struct {
	Action   string // service:Action
	Resource string // ARN or "*"
	// ResourceAccount owns the resource ("" = the caller's account).
	ResourceAccount string
	// ResourcePolicy is the resource-based policy (bucket or trust policy).
	ResourcePolicy *policy.Policy
	// Trust marks AssumeRole trust evaluation.
	Trust bool
	// Keys are request-specific condition keys (names any case).
	Keys map[string][]string
	// MoreKeys, when set, adds request-specific keys; it is called only
	// when some policy of the request reads condition keys, so hot paths
	// whose policies have no conditions never build them.
	MoreKeys func(set func(key string, values ...string))
	// Bare: deny without AWS's explanation suffix.
	Bare bool
	// DisplayResource, when set, names the resource in the denial message
	// as the request named it (AssumeRole of arn:aws:iam:::role/NAME).
	DisplayResource string
	// ResourcePolicyErr is set when the resource policy could not be
	// loaded or compiled: the check fails instead of being decided
	// without it.
	ResourcePolicyErr error

	// PublicAccess is the S3 Block Public Access configuration in force
	// for the resource (the bucket's flags OR its owner account's); nil
	// where none applies. With RestrictPublicBuckets, a public
	// ResourcePolicy grants only to the owner's account and AWS service
	// principals; BlockPublicPolicy and BlockPublicAcls refuse, after the
	// policies allowed, a request that writes a public policy or ACL.
	PublicAccess *store.PublicAccessBlock
	// PublicAccessErr is set when the configuration (the account's) could
	// not be loaded: the check fails rather than being decided without it.
	PublicAccessErr error
	// NewResourcePolicy is the resource policy the request writes
	// (PutBucketPolicy), compiled; nil when it writes none or the document
	// is invalid (the handler rejects it).
	NewResourcePolicy *policy.Policy
	// PublicACL: the request sets a public ACL (a canned ACL or grant
	// headers reaching AllUsers or AuthenticatedUsers).
	PublicACL bool
	// ACL is the S3 access control list that applies to the check (nil:
	// none, or the bucket's ACLs are disabled); the policy engine weighs
	// its grants with the policies (policy.ACL).
	ACL *policy.ACL
	// CanonicalID is the S3 canonical user id of the caller's account,
	// which ACL grants name ("" for anonymous callers).
	CanonicalID string
}

// Denial is nil for an Allow and the *DeniedError of any other decision.
func Denial(p *Principal, c Check, d policy.Decision) error {
	if d.Effect == policy.Allow {
		return nil
	}
	res := c.Resource
	if c.DisplayResource != "" {
		res = c.DisplayResource
	}
	return &DeniedError{CallerARN: p.ARN, Action: c.Action, Resource: res, Decision: d, Bare: c.Bare}
}

// Decide evaluates one check and says which policy and statement decided.
// An error (wrapping ErrPolicyLoad or a store error) means no decision: the
// request must fail.
func (a *Authorizer) Decide(ctx context.Context, p *Principal, info RequestInfo, c Check) (policy.Decision, error) {
	if c.Action == "" {
		return policy.Decision{}, fmt.Errorf("%w: a check without an action", ErrPolicyLoad)
	}
	if c.ResourcePolicyErr != nil {
		return policy.Decision{}, fmt.Errorf("%w: resource policy of %s: %w", ErrPolicyLoad, c.Resource, c.ResourcePolicyErr)
	}
	if c.PublicAccessErr != nil {
		return policy.Decision{}, fmt.Errorf("%w: Block Public Access configuration of %s: %w", ErrPolicyLoad, c.Resource, c.PublicAccessErr)
	}
	in, req, gone, err := a.prepare(ctx, p, info, c)
	if err != nil {
		return policy.Decision{}, err
	}
	if gone {
		// The principal's user or role was deleted: nothing allows it.
		return policy.Decision{Effect: policy.ImplicitDeny, Source: policy.SourceIdentity}, nil
	}
	pab := c.PublicAccess
	if pab != nil && pab.RestrictPublicBuckets && c.ResourcePolicy.Public() {
		in.RestrictResource = true
	}
	d := policy.Evaluate(in, req)
	if d.Effect != policy.Allow || pab == nil {
		return d, nil
	}
	// Block Public Access refuses what the policies allowed: the caller
	// may write the policy or ACL, but not a public one (AWS checks
	// permissions first: a caller without them gets the plain denial).
	switch {
	case pab.BlockPublicPolicy && c.NewResourcePolicy.Public():
		return policy.Decision{Effect: policy.ExplicitDeny, Source: policy.SourceBlockPublicPolicy}, nil
	case pab.BlockPublicAcls && c.PublicACL:
		return policy.Decision{Effect: policy.ExplicitDeny, Source: policy.SourceBlockPublicAcls}, nil
	}
	return d, nil
}

// prepare builds the policy input and request context.
func (a *Authorizer) prepare(ctx context.Context, p *Principal, info RequestInfo, c Check) (*policy.Input, *policy.Request, bool, error) {
	in := &policy.Input{}
	in.Resource, in.ResourceAccount, in.Trust, in.ACL = c.ResourcePolicy, c.ResourceAccount, c.Trust, c.ACL
	var tags map[string]string
	if p.EntityID != "" {
		ep, err := a.entityPolicies(ctx, p)
		if err != nil {
			return nil, nil, false, err
		}
		if ep.gone {
			return nil, nil, true, nil
		}
		in.Identity, in.Boundary, tags = ep.identity, ep.boundary, ep.tags
	}
	if p.FederatedByRoot() {
		if a.rootIdentity == nil {
			return nil, nil, false, fmt.Errorf("%w: the root's identity policy", ErrPolicyLoad)
		}
		in.Identity = []*policy.Policy{a.rootIdentity}
	}
	if s := p.Session; s != nil && (s.SessionPolicy != "" || len(s.PolicyARNs) > 0) {
		sp, err := a.sessionPolicies(ctx, p)
		if err != nil {
			return nil, nil, false, err
		}
		in.Session, in.HasSession = sp, true
	}
	if p.Type == TypeFederated {
		// A federated user has only what its session policies allow:
		// none passed, nothing allowed (AWS).
		in.HasSession = true
	}
	req := &policy.Request{Principal: p.policyPrincipal(), Action: c.Action, Resource: c.Resource}
	if p.Type != TypeAnonymous {
		req.Principal.CanonicalID = c.CanonicalID
	}
	if !in.UsesKeys() {
		// No condition and no policy variable anywhere: the context keys
		// would never be read (the common case on hot paths).
		return in, req, false, nil
	}
	req.Keys = make(map[string][]string, 24)
	set := func(k, v string) { req.Keys[k] = []string{v} }
	if p.Type != TypeAnonymous && p.ARN != "" { // unsigned and federation callers have no principal keys
		set("aws:principalarn", principalARN(p))
		set("aws:principalaccount", p.Account)
		set("aws:userid", p.UserID)
	}
	set("aws:principaltype", string(p.Type))
	if p.UserName != "" && p.Type == TypeUser {
		set("aws:username", p.UserName)
	}
	now := info.Now.UTC()
	set("aws:currenttime", now.Format(time.RFC3339))
	set("aws:epochtime", strconv.FormatInt(now.Unix(), 10))
	set("aws:securetransport", strconv.FormatBool(info.SecureTransport))
	if info.SourceIP != "" {
		set("aws:sourceip", info.SourceIP)
	}
	if info.Region != "" {
		set("aws:requestedregion", info.Region)
	}
	if info.UserAgent != "" {
		set("aws:useragent", info.UserAgent)
	}
	for k, v := range tags {
		set("aws:principaltag/"+strings.ToLower(k), v)
	}
	if s := p.Session; s != nil {
		set("aws:tokenissuetime", s.IssuedAt.UTC().Format(time.RFC3339))
		set("aws:multifactorauthpresent", strconv.FormatBool(s.MFA))
		if s.MFA && !s.MFAAuthTime.IsZero() {
			set("aws:multifactorauthage", strconv.FormatInt(int64(now.Sub(s.MFAAuthTime)/time.Second), 10))
		}
		if s.SourceIdentity != "" {
			set("aws:sourceidentity", s.SourceIdentity)
		}
		for _, t := range s.Tags {
			set("aws:principaltag/"+strings.ToLower(t.Key), t.Value)
		}
		// A federated session's keys (aws:FederatedProvider, the OIDC
		// provider's PROVIDER:sub ..., saml:sub ...): conditions and policy
		// variables of its policies.
		for _, k := range s.ContextKeys {
			req.Keys[strings.ToLower(k.Key)] = k.Values
		}
	}
	for k, v := range c.Keys {
		req.Keys[strings.ToLower(k)] = v
	}
	if c.MoreKeys != nil {
		c.MoreKeys(func(k string, v ...string) { req.Keys[strings.ToLower(k)] = v })
	}
	return in, req, false, nil
}

// principalARN is aws:PrincipalArn: the role ARN for role sessions.
func principalARN(p *Principal) string {
	if p.Type == TypeAssumedRole {
		return p.RoleARN
	}
	return p.ARN
}

func (a *Authorizer) entityPolicies(ctx context.Context, p *Principal) (*entityPolicies, error) {
	return a.entities.Get(ctx, p.Account+"/"+p.EntityID, func(ctx context.Context) (*entityPolicies, error) {
		return a.loadEntityPolicies(ctx, p)
	})
}

// loadEntityPolicies reads and compiles every policy of a user (with its
// groups) or role. Any failure fails the load: a policy is never skipped.
func (a *Authorizer) loadEntityPolicies(ctx context.Context, p *Principal) (*entityPolicies, error) {
	ep := &entityPolicies{tags: map[string]string{}}
	err := a.store.View(ctx, func(tx store.Tx) error {
		var refs []store.EntityRef
		var boundary string
		if strings.HasPrefix(p.EntityID, "AROA") {
			r, err := tx.GetRoleByID(ctx, p.Account, p.EntityID)
			if errors.Is(err, store.ErrNotFound) {
				ep.gone = true
				return nil
			}
			if err != nil {
				return err
			}
			boundary = r.PermissionsBoundary
			for _, t := range r.Tags {
				ep.tags[t.Key] = t.Value
			}
			refs = append(refs, store.EntityRef{Account: p.Account, Kind: store.KindRole, ID: r.ID})
		} else {
			u, err := tx.GetUserByID(ctx, p.Account, p.EntityID)
			if errors.Is(err, store.ErrNotFound) {
				ep.gone = true
				return nil
			}
			if err != nil {
				return err
			}
			boundary = u.PermissionsBoundary
			for _, t := range u.Tags {
				ep.tags[t.Key] = t.Value
			}
			refs = append(refs, store.EntityRef{Account: p.Account, Kind: store.KindUser, ID: u.ID})
			groups, err := tx.ListGroupsForUser(ctx, p.Account, u.ID, store.ListQuery{})
			if err != nil {
				return err
			}
			for _, g := range groups {
				refs = append(refs, store.EntityRef{Account: p.Account, Kind: store.KindGroup, ID: g.ID})
			}
		}
		for _, ref := range refs {
			inline, err := tx.ListInlinePolicies(ctx, ref)
			if err != nil {
				return err
			}
			for _, ip := range inline {
				id := string(ref.Kind) + "/" + ref.ID + "/" + ip.Name
				cp, err := policy.ParseAndCompile(id, ip.Document)
				if err != nil {
					return fmt.Errorf("%w: inline policy %s: %w", ErrPolicyLoad, id, err)
				}
				ep.identity = append(ep.identity, cp)
			}
			arns, err := tx.ListAttachedPolicies(ctx, ref)
			if err != nil {
				return err
			}
			for _, arn := range arns {
				cp, err := a.managedPolicy(ctx, tx, arn)
				if err != nil {
					return err
				}
				ep.identity = append(ep.identity, cp)
			}
		}
		if boundary != "" {
			cp, err := a.managedPolicy(ctx, tx, boundary)
			if err != nil {
				return err
			}
			ep.boundary = cp
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return ep, nil
}

// managedPolicy compiles a customer (default version) or AWS managed
// policy. A policy that cannot be found or compiled is an error wrapping
// ErrPolicyLoad (or the store's error).
func (a *Authorizer) managedPolicy(ctx context.Context, tx store.Tx, arn string) (*policy.Policy, error) {
	if strings.HasPrefix(arn, "arn:aws:iam::aws:policy/") {
		a.mu.Lock()
		cp := a.aws[arn]
		a.mu.Unlock()
		if cp != nil {
			return cp, nil
		}
		doc, ok := a.managed.Document(arn)
		if !ok {
			return nil, fmt.Errorf("%w: no AWS managed policy %s", ErrPolicyLoad, arn)
		}
		cp, err := policy.ParseAndCompile(arn, doc)
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %w", ErrPolicyLoad, arn, err)
		}
		a.mu.Lock()
		a.aws[arn] = cp
		a.mu.Unlock()
		return cp, nil
	}
	mp, err := tx.GetPolicy(ctx, arn)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrPolicyLoad, arn, err)
	}
	v, err := tx.GetPolicyVersion(ctx, arn, mp.DefaultVersionID)
	if err != nil {
		return nil, fmt.Errorf("%w: %s %s: %w", ErrPolicyLoad, arn, mp.DefaultVersionID, err)
	}
	cp, err := policy.ParseAndCompile(arn, v.Document)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrPolicyLoad, arn, err)
	}
	return cp, nil
}

// sessionPolicies compiles a session's inline policy and policy ARNs once
// per session and IAM generation (cached by its access key id).
func (a *Authorizer) sessionPolicies(ctx context.Context, p *Principal) ([]*policy.Policy, error) {
	return a.sessions.Get(ctx, p.AccessKeyID, func(ctx context.Context) ([]*policy.Policy, error) {
		s := p.Session
		out := []*policy.Policy{}
		if s.SessionPolicy != "" {
			cp, err := policy.ParseAndCompile("session", s.SessionPolicy)
			if err != nil {
				return nil, fmt.Errorf("%w: session policy: %w", ErrPolicyLoad, err)
			}
			out = append(out, cp)
		}
		if len(s.PolicyARNs) == 0 {
			return out, nil
		}
		err := a.store.View(ctx, func(tx store.Tx) error {
			for _, arn := range s.PolicyARNs {
				cp, err := a.managedPolicy(ctx, tx, arn)
				if err != nil {
					return err
				}
				out = append(out, cp)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		return out, nil
	})
}
