package policy

import "strings"

// Effect is the outcome of an evaluation.
type Effect int

// Effects.
const (
	ImplicitDeny Effect = iota
	Allow
	ExplicitDeny
)

func (e Effect) String() string {
	switch e {
	case Allow:
		return "allowed"
	case ExplicitDeny:
		return "explicitDeny"
	}
	return "implicitDeny"
}

// Source says which kind of policy decided.
type Source int

// Policy sources, as AWS names them in denial messages.
const (
	SourceNone Source = iota
	SourceIdentity
	SourceResource
	SourceBoundary
	SourceSession
)

// Phrase is the part of AWS's access-denied message naming the policy kind.
func (s Source) Phrase() string {
	switch s {
	case SourceIdentity:
		return "identity-based policy"
	case SourceResource:
		return "resource-based policy"
	case SourceBoundary:
		return "permissions boundary"
	case SourceSession:
		return "session policy"
	}
	return ""
}

// StatementRef names one statement of one policy.
type StatementRef struct {
	PolicyID string
	Index    int // 0-based position in the Statement list
	Sid      string
}

// Decision is the result of Evaluate.
type Decision struct {
	Effect Effect
	// Source: for ExplicitDeny the kind of policy whose Deny matched; for
	// ImplicitDeny the kind of policy that failed to allow; for Allow the
	// kind that allowed.
	Source Source
	// Statement is the deciding statement (the Deny, or an Allow) when
	// HasStatement is set.
	Statement    StatementRef
	HasStatement bool
}

func decided(e Effect, src Source, ref StatementRef) Decision {
	return Decision{Effect: e, Source: src, Statement: ref, HasStatement: true}
}

// Input is every policy that applies to one request.
type Input struct {
	Identity []*Policy // user, group and role policies (empty for anonymous callers)
	// Boundary is the principal's permissions boundary (nil: none).
	Boundary *Policy
	// Session holds the session policies; HasSession says whether session
	// policies were passed at all (an empty slice with HasSession true
	// allows nothing).
	Session    []*Policy
	HasSession bool
	// Resource is the resource-based policy (bucket policy, trust policy).
	Resource *Policy
	// ResourceAccount owns the resource ("" = the principal's account).
	ResourceAccount string
	// Trust marks trust-policy evaluation (AssumeRole): the resource policy
	// must allow; identity policies alone never suffice.
	Trust bool
}

// UsesKeys reports whether any policy of the input reads condition keys.
func (in *Input) UsesKeys() bool {
	for _, p := range in.Identity {
		if p.UsesKeys() {
			return true
		}
	}
	for _, p := range in.Session {
		if p.UsesKeys() {
			return true
		}
	}
	return in.Boundary.UsesKeys() || in.Resource.UsesKeys()
}

// how a resource-policy Allow named the caller.
type grant int

const (
	grantNone    grant = iota
	grantAccount       // through the caller's account (delegation to identity policies)
	grantOther         // through "*", a role ARN or another non-account principal
	grantDirect        // through the caller's own user or session ARN
)

// Evaluate applies AWS's policy evaluation logic to one request.
func Evaluate(in *Input, req *Request) Decision {
	action := strings.ToLower(req.Action)
	// 1. Explicit deny anywhere wins.
	for _, p := range in.Identity {
		if ref, ok := p.firstMatch(true, action, req, false); ok {
			return decided(ExplicitDeny, SourceIdentity, ref)
		}
	}
	if in.Boundary != nil {
		if ref, ok := in.Boundary.firstMatch(true, action, req, false); ok {
			return decided(ExplicitDeny, SourceBoundary, ref)
		}
	}
	for _, p := range in.Session {
		if ref, ok := p.firstMatch(true, action, req, false); ok {
			return decided(ExplicitDeny, SourceSession, ref)
		}
	}
	var rGrant grant
	var rRef StatementRef
	if in.Resource != nil {
		if ref, ok := in.Resource.firstMatch(true, action, req, true); ok {
			return decided(ExplicitDeny, SourceResource, ref)
		}
		rGrant, rRef = in.Resource.resourceGrant(action, req)
	}

	// Anonymous callers and AWS service principals have no identity
	// policies: only a resource policy that names them can allow.
	if req.Principal.Type == PrincipalAnonymous || req.Principal.Type == PrincipalService {
		if rGrant >= grantOther {
			return decided(Allow, SourceResource, rRef)
		}
		return Decision{Effect: ImplicitDeny, Source: SourceResource}
	}
	sameAccount := in.ResourceAccount == "" || in.ResourceAccount == req.Principal.Account
	// 2. The root of the resource's account is allowed everything (but a
	// trust policy must still name it).
	if req.Principal.Type == PrincipalRoot && sameAccount && !in.Trust {
		return Decision{Effect: Allow, Source: SourceNone}
	}

	var iRef StatementRef
	i := false
	for _, p := range in.Identity {
		if iRef, i = p.firstMatch(false, action, req, false); i {
			break
		}
	}
	b := in.Boundary == nil
	if !b {
		_, b = in.Boundary.firstMatch(false, action, req, false)
	}
	s := !in.HasSession
	for _, p := range in.Session {
		if _, ok := p.firstMatch(false, action, req, false); ok {
			s = true
			break
		}
	}
	// An account's root holds every permission of its own account: across
	// accounts its identity side always allows.
	i = i || req.Principal.Type == PrincipalRoot

	deny := func(src Source) Decision { return Decision{Effect: ImplicitDeny, Source: src} }
	// Which allow is missing, in AWS's order of explanation.
	missing := func() Decision {
		switch {
		case !i:
			return deny(SourceIdentity)
		case !b:
			return deny(SourceBoundary)
		case !s:
			return deny(SourceSession)
		}
		return deny(SourceResource)
	}

	if in.Trust {
		if rGrant == grantNone {
			return deny(SourceResource)
		}
		if sameAccount && rGrant >= grantOther {
			if rGrant == grantDirect || (b && s) {
				return decided(Allow, SourceResource, rRef)
			}
			return missing()
		}
		if i && b && s {
			return decided(Allow, SourceResource, rRef)
		}
		return missing()
	}

	if sameAccount {
		switch {
		case rGrant == grantDirect:
			return decided(Allow, SourceResource, rRef)
		case rGrant == grantOther && b && s:
			return decided(Allow, SourceResource, rRef)
		case i && b && s:
			return decided(Allow, SourceIdentity, iRef)
		}
		return missing()
	}
	// 3. Across accounts both sides must allow.
	if rGrant != grantNone && i && b && s {
		return decided(Allow, SourceResource, rRef)
	}
	if rGrant == grantNone && i && b && s {
		return deny(SourceResource)
	}
	return missing()
}

// firstMatch returns the first statement with the given effect matching
// the request. Principal elements are checked only when resourcePolicy.
func (p *Policy) firstMatch(wantDeny bool, action string, req *Request, resourcePolicy bool) (StatementRef, bool) {
	for i := range p.statements {
		st := &p.statements[i]
		if st.deny != wantDeny {
			continue
		}
		if resourcePolicy && st.hasPrincipal && st.principalGrant(req) == grantNone {
			continue
		}
		if st.matches(action, req) {
			return StatementRef{PolicyID: p.ID, Index: st.index, Sid: st.sid}, true
		}
	}
	return StatementRef{}, false
}

// resourceGrant finds the strongest Allow of a resource policy for the caller.
func (p *Policy) resourceGrant(action string, req *Request) (grant, StatementRef) {
	best, ref := grantNone, StatementRef{}
	for i := range p.statements {
		st := &p.statements[i]
		if st.deny || !st.hasPrincipal {
			continue
		}
		g := st.principalGrant(req)
		if g <= best || !st.matches(action, req) {
			continue
		}
		best, ref = g, StatementRef{PolicyID: p.ID, Index: st.index, Sid: st.sid}
	}
	return best, ref
}

// principalGrant says how the statement's Principal/NotPrincipal names the caller.
func (st *statement) principalGrant(req *Request) grant {
	g := grantNone
	for _, pp := range st.principals {
		if m := pp.match(&req.Principal); m > g {
			g = m
		}
	}
	if st.notPrincipal {
		if g != grantNone {
			return grantNone
		}
		return grantOther
	}
	return g
}

func (pp principalPattern) match(pr *Principal) grant {
	switch pp.kind {
	case "*":
		return grantOther
	case "account":
		if pr.Account == pp.value && pr.Type != PrincipalAnonymous {
			if pr.Type == PrincipalRoot {
				return grantDirect
			}
			return grantAccount
		}
	case "user", "session":
		if pr.ARN == pp.value {
			return grantDirect
		}
	case "role":
		if pr.RoleARN == pp.value {
			return grantOther
		}
	case "service":
		if pr.Service != "" && pr.Service == pp.value {
			return grantDirect
		}
	}
	return grantNone
}

// matches checks Action, Resource and Condition (not Principal).
func (st *statement) matches(action string, req *Request) bool {
	hit := false
	for i := range st.actions {
		if st.actions[i].match(action) {
			hit = true
			break
		}
	}
	if hit == st.notAction {
		return false
	}
	if !st.anyResource {
		hit = false
		for i := range st.resources {
			if st.resources[i].match(req) {
				hit = true
				break
			}
		}
		if hit == st.notResource {
			return false
		}
	}
	for i := range st.conditions {
		if !st.conditions[i].eval(req) {
			return false
		}
	}
	return true
}

func (rp *resourcePattern) match(req *Request) bool {
	pat := rp.raw
	if rp.template != nil {
		var ok bool
		if pat, ok = substitute(rp.template, req); !ok {
			return false
		}
	}
	if req.Resource == "*" {
		return pat == "*"
	}
	return MatchARN(pat, req.Resource)
}
