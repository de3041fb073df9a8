package authz

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync"
	"time"

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

// Authorizer gathers the policies that apply to a principal and asks the
// policy engine. Compiled policies are cached per entity and reloaded when
// the store's IAM generation changes; evaluation never reads the store.
type Authorizer struct {
	store   store.Store
	managed ManagedPolicies

	mu       sync.Mutex
	gen      int64
	entities map[string]*entityPolicies
	sessions map[string]*sessionPolicies // by ASIA access key id
	aws      map[string]*policy.Policy   // AWS managed policies, immutable
}

// entityPolicies are the compiled policies of one user or role.
type entityPolicies struct {
	identity []*policy.Policy
	boundary *policy.Policy
	tags     map[string]string
}

type sessionPolicies struct {
	policies []*policy.Policy
	err      error
}

// NewAuthorizer builds an Authorizer.
func NewAuthorizer(st store.Store, managed ManagedPolicies) *Authorizer {
	return &Authorizer{store: st, managed: managed, entities: map[string]*entityPolicies{},
		sessions: map[string]*sessionPolicies{}, aws: map[string]*policy.Policy{}}
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
}

// Authorize returns nil when the principal may perform the check, or a
// *DeniedError.
func (a *Authorizer) Authorize(ctx context.Context, p *Principal, info RequestInfo, c Check) error {
	in, req, err := a.prepare(ctx, p, info, c)
	if err != nil {
		return err
	}
	d := policy.Evaluate(in, req)
	if d.Effect == policy.Allow {
		return nil
	}
	return &DeniedError{CallerARN: p.ARN, Action: c.Action, Resource: c.Resource, Decision: d, Bare: c.Bare}
}

// prepare builds the policy input and request context.
func (a *Authorizer) prepare(ctx context.Context, p *Principal, info RequestInfo, c Check) (*policy.Input, *policy.Request, error) {
	in := &policy.Input{}
	in.Resource, in.ResourceAccount, in.Trust = c.ResourcePolicy, c.ResourceAccount, c.Trust
	var tags map[string]string
	if p.EntityID != "" {
		ep, err := a.entityPolicies(ctx, p)
		if err != nil {
			return nil, nil, err
		}
		in.Identity, in.Boundary, tags = ep.identity, ep.boundary, ep.tags
	}
	if s := p.Session; s != nil && (s.SessionPolicy != "" || len(s.PolicyARNs) > 0) {
		sp, err := a.sessionPolicies(ctx, p)
		if err != nil {
			return nil, nil, err
		}
		in.Session, in.HasSession = sp, true
	}
	req := &policy.Request{Principal: p.policyPrincipal(), Action: c.Action, Resource: c.Resource}
	if !in.UsesKeys() {
		// No condition and no policy variable anywhere: the context keys
		// would never be read (the common case on hot paths).
		return in, req, nil
	}
	req.Keys = make(map[string][]string, 24)
	set := func(k, v string) { req.Keys[k] = []string{v} }
	if p.Type != TypeAnonymous {
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
	}
	for k, v := range c.Keys {
		req.Keys[strings.ToLower(k)] = v
	}
	if c.MoreKeys != nil {
		c.MoreKeys(func(k string, v ...string) { req.Keys[strings.ToLower(k)] = v })
	}
	return in, req, nil
}

// principalARN is aws:PrincipalArn: the role ARN for role sessions.
func principalARN(p *Principal) string {
	if p.Type == TypeAssumedRole {
		return p.RoleARN
	}
	return p.ARN
}

// generation resets the caches when IAM data changed.
func (a *Authorizer) generation(ctx context.Context) error {
	gen, err := a.store.IAMGeneration(ctx)
	if err != nil {
		return err
	}
	a.mu.Lock()
	if gen != a.gen {
		a.gen = gen
		clear(a.entities)
		clear(a.sessions) // PolicyArns may name changed customer policies
	}
	a.mu.Unlock()
	return nil
}

func (a *Authorizer) entityPolicies(ctx context.Context, p *Principal) (*entityPolicies, error) {
	if err := a.generation(ctx); err != nil {
		return nil, err
	}
	key := p.Account + "/" + p.EntityID
	a.mu.Lock()
	ep := a.entities[key]
	a.mu.Unlock()
	if ep != nil {
		return ep, nil
	}
	ep = &entityPolicies{tags: map[string]string{}}
	err := a.store.View(ctx, func(tx store.Tx) error {
		var refs []store.EntityRef
		var boundary string
		if strings.HasPrefix(p.EntityID, "AROA") {
			r, err := tx.GetRoleByID(ctx, p.Account, p.EntityID)
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
				cp, err := policy.ParseAndCompile(string(ref.Kind)+"/"+ref.ID+"/"+ip.Name, ip.Document)
				if err != nil {
					continue // validated on write; skip anything unreadable
				}
				ep.identity = append(ep.identity, cp)
			}
			arns, err := tx.ListAttachedPolicies(ctx, ref)
			if err != nil {
				return err
			}
			for _, arn := range arns {
				if cp := a.managedPolicy(ctx, tx, arn); cp != nil {
					ep.identity = append(ep.identity, cp)
				}
			}
		}
		if boundary != "" {
			ep.boundary = a.managedPolicy(ctx, tx, boundary)
			if ep.boundary == nil {
				// A boundary that no longer resolves allows nothing.
				ep.boundary = policy.MustCompile(boundary, `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}`)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	a.mu.Lock()
	a.entities[key] = ep
	a.mu.Unlock()
	return ep, nil
}

// managedPolicy compiles a customer (default version) or AWS managed policy.
func (a *Authorizer) managedPolicy(ctx context.Context, tx store.Tx, arn string) *policy.Policy {
	if strings.HasPrefix(arn, "arn:aws:iam::aws:policy/") {
		a.mu.Lock()
		cp := a.aws[arn]
		a.mu.Unlock()
		if cp != nil {
			return cp
		}
		doc, ok := a.managed.Document(arn)
		if !ok {
			return nil
		}
		cp, err := policy.ParseAndCompile(arn, doc)
		if err != nil {
			return nil
		}
		a.mu.Lock()
		a.aws[arn] = cp
		a.mu.Unlock()
		return cp
	}
	mp, err := tx.GetPolicy(ctx, arn)
	if err != nil {
		return nil
	}
	v, err := tx.GetPolicyVersion(ctx, arn, mp.DefaultVersionID)
	if err != nil {
		return nil
	}
	cp, err := policy.ParseAndCompile(arn, v.Document)
	if err != nil {
		return nil
	}
	return cp
}

// sessionPolicies compiles a session's inline policy and policy ARNs once
// per session (cached by its access key id).
func (a *Authorizer) sessionPolicies(ctx context.Context, p *Principal) ([]*policy.Policy, error) {
	if err := a.generation(ctx); err != nil {
		return nil, err
	}
	a.mu.Lock()
	sp := a.sessions[p.AccessKeyID]
	a.mu.Unlock()
	if sp != nil {
		return sp.policies, sp.err
	}
	sp = &sessionPolicies{}
	s := p.Session
	if s.SessionPolicy != "" {
		if cp, err := policy.ParseAndCompile("session", s.SessionPolicy); err == nil {
			sp.policies = append(sp.policies, cp)
		}
	}
	if len(s.PolicyARNs) > 0 {
		sp.err = a.store.View(ctx, func(tx store.Tx) error {
			for _, arn := range s.PolicyARNs {
				if cp := a.managedPolicy(ctx, tx, arn); cp != nil {
					sp.policies = append(sp.policies, cp)
				}
			}
			return nil
		})
	}
	a.mu.Lock()
	if len(a.sessions) > 100000 {
		clear(a.sessions)
	}
	a.sessions[p.AccessKeyID] = sp
	a.mu.Unlock()
	return sp.policies, sp.err
}
