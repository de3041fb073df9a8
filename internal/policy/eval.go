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
	// SourceBlockPublicPolicy and SourceBlockPublicAcls: S3 Block Public
	// Access refused a request the policies allowed (a public bucket
	// policy written under BlockPublicPolicy, a public ACL under
	// BlockPublicAcls). No statement decides.
	SourceBlockPublicPolicy
	SourceBlockPublicAcls
	// SourceACL: an S3 access control list's grant allowed (never the
	// source of a denial).
	SourceACL
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

// Blocked reports whether the source is an S3 Block Public Access setting.
func (s Source) Blocked() bool { return s == SourceBlockPublicPolicy || s == SourceBlockPublicAcls }

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
	// RestrictResource limits the resource policy's Allow statements to
	// AWS service principals and principals of ResourceAccount (S3's
	// RestrictPublicBuckets on a bucket whose policy is public): anonymous
	// and cross-account grants no longer apply; its Deny statements do.
	RestrictResource bool
	// ACL is the S3 access control list that applies (nil: none, or ACLs
	// are disabled): its grants allow like resource policy statements
	// (see ACL).
	ACL *ACL
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
		if ref, ok := p.firstMatch(true, action, req); ok {
			return decided(ExplicitDeny, SourceIdentity, ref)
		}
	}
	if in.Boundary != nil {
		if ref, ok := in.Boundary.firstMatch(true, action, req); ok {
			return decided(ExplicitDeny, SourceBoundary, ref)
		}
	}
	for _, p := range in.Session {
		if ref, ok := p.firstMatch(true, action, req); ok {
			return decided(ExplicitDeny, SourceSession, ref)
		}
	}
	var rGrant grant
	var rRef StatementRef
	if in.Resource != nil {
		if ref, ok := in.Resource.resourceDeny(action, req, in.Boundary != nil); ok {
			return decided(ExplicitDeny, SourceResource, ref)
		}
		rGrant, rRef = in.Resource.resourceGrant(action, req)
		if in.RestrictResource && !restrictedIn(in, &req.Principal) {
			rGrant, rRef = grantNone, StatementRef{}
		}
	}
	byACL := false
	if in.ACL != nil {
		if in.ACL.Exclusive {
			rGrant = grantNone
		}
		if g := in.ACL.aclGrant(action, req.Principal); g > rGrant {
			rGrant, byACL = g, true
		}
	}
	// rAllow is the Allow of the resource side: its statement, or the ACL.
	rAllow := func() Decision {
		if byACL {
			return Decision{Effect: Allow, Source: SourceACL}
		}
		return decided(Allow, SourceResource, rRef)
	}

	// Anonymous callers, AWS service principals and federation callers
	// (web identity, SAML) have no identity policies: only a resource
	// policy that names them can allow.
	if t := req.Principal.Type; t == PrincipalAnonymous || t == PrincipalService || federationCaller(t) {
		if rGrant >= grantOther {
			return rAllow()
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
		if iRef, i = p.firstMatch(false, action, req); i {
			break
		}
	}
	b := in.Boundary == nil
	if !b {
		_, b = in.Boundary.firstMatch(false, action, req)
	}
	s := !in.HasSession
	for _, p := range in.Session {
		if _, ok := p.firstMatch(false, action, req); ok {
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
				return rAllow()
			}
			return missing()
		}
		if i && b && s {
			return rAllow()
		}
		return missing()
	}

	if sameAccount {
		switch {
		case rGrant == grantDirect:
			return rAllow()
		case rGrant == grantOther && b && s:
			return rAllow()
		case i && b && s:
			return decided(Allow, SourceIdentity, iRef)
		}
		return missing()
	}
	// 3. Across accounts both sides must allow.
	if rGrant != grantNone && i && b && s {
		return rAllow()
	}
	if rGrant == grantNone && i && b && s {
		return deny(SourceResource)
	}
	return missing()
}

// restrictedIn reports whether a caller keeps the grants of a restricted
// resource policy (Input.RestrictResource): an AWS service principal, or a
// principal of the resource's own account.
func restrictedIn(in *Input, pr *Principal) bool {
	switch pr.Type {
	case PrincipalService:
		return true
	case PrincipalAnonymous, PrincipalWebIdentity, PrincipalSAMLUser:
		return false
	}
	return pr.Account != "" && (in.ResourceAccount == "" || pr.Account == in.ResourceAccount)
}

// firstMatch returns the first statement with the given effect matching
// the request (identity, boundary and session policies: no Principal).
func (p *Policy) firstMatch(wantDeny bool, action string, req *Request) (StatementRef, bool) {
	for i := range p.statements {
		st := &p.statements[i]
		if st.deny == wantDeny && st.matches(action, req) {
			return StatementRef{PolicyID: p.ID, Index: st.index, Sid: st.sid}, true
		}
	}
	return StatementRef{}, false
}

// resourceDeny returns the first Deny of a resource policy that names the
// caller and matches the request. bounded says the caller has a
// permissions boundary: AWS documents that a Deny with NotPrincipal "will
// always deny any IAM principal that has a permissions boundary policy
// attached, regardless of the values specified in the NotPrincipal
// element".
func (p *Policy) resourceDeny(action string, req *Request, bounded bool) (StatementRef, bool) {
	for i := range p.statements {
		st := &p.statements[i]
		if !st.deny {
			continue
		}
		if st.hasPrincipal && !(bounded && st.notPrincipal) && st.principalGrant(req) == grantNone {
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

// principalGrant says how the statement's Principal/NotPrincipal names the
// caller. A NotPrincipal statement applies to every caller it does not
// spare.
func (st *statement) principalGrant(req *Request) grant {
	pr := &req.Principal
	if st.notPrincipal {
		if st.spares(pr) {
			return grantNone
		}
		return grantOther
	}
	g := grantNone
	for i := range st.principals {
		if m := st.principals[i].match(pr); m > g {
			g = m
		}
	}
	return g
}

// spares reports whether a NotPrincipal list names every link of the
// caller's identity: its account (ACCOUNT or arn:aws:iam::ACCOUNT:root)
// and, for an IAM user, the user; for a role session, the role and the
// session's own ARN; for a federated user, its ARN. AWS "might validate
// the account first, then the role, and then the assumed-role user", so a
// link left out leaves the caller denied (an account entry spares only the
// account's root, a role entry none of its sessions by itself). Anonymous
// callers are spared only by "*".
func (st *statement) spares(pr *Principal) bool {
	switch pr.Type {
	case PrincipalAnonymous:
		return st.lists("*", pr)
	case PrincipalService:
		return st.lists("service", pr)
	case PrincipalWebIdentity, PrincipalSAMLUser:
		return st.lists("federated", pr)
	}
	if pr.Account == "" || !st.lists("account", pr) {
		return false
	}
	switch pr.Type {
	case PrincipalRoot:
		return true
	case PrincipalUser:
		return st.lists("user", pr)
	case PrincipalAssumedRole:
		return st.lists("role", pr) && st.lists("session", pr)
	case PrincipalFederated:
		return st.lists("session", pr)
	}
	return false
}

// federationCaller reports whether a principal type is the subject of a
// federation action (AssumeRoleWithWebIdentity, AssumeRoleWithSAML), named
// only by its provider ("Federated") or "*".
func federationCaller(t string) bool { return t == PrincipalWebIdentity || t == PrincipalSAMLUser }

// lists reports whether an entry of the statement's principals of the
// given kind (or "*") names the caller's link of that kind.
func (st *statement) lists(kind string, pr *Principal) bool {
	for i := range st.principals {
		pp := &st.principals[i]
		if pp.kind == "*" || pp.kind == kind && pp.names(pr) {
			return true
		}
	}
	return false
}

// names checks one entry against the caller's link of the entry's kind:
// the account, the IAM user, the role (of a role session), the session or
// federated-user ARN, the service.
func (pp *principalPattern) names(pr *Principal) bool {
	switch pp.kind {
	case "*":
		return true
	case "account":
		return pr.Account != "" && pr.Account == pp.value
	case "user":
		if pr.Type == PrincipalFederated {
			// The IAM user who federated (GetFederationToken).
			if pp.bound {
				return pp.id != "" && pr.EntityID == pp.id
			}
			return pr.UserARN != "" && pr.UserARN == pp.value
		}
		if pp.bound {
			return pp.id != "" && pr.EntityID == pp.id && pr.Type == PrincipalUser
		}
		return pr.Type == PrincipalUser && pr.ARN == pp.value
	case "role":
		if pp.bound {
			return pp.id != "" && pr.EntityID == pp.id && pr.Type == PrincipalAssumedRole
		}
		return pr.Type == PrincipalAssumedRole && pr.RoleARN == pp.value
	case "session":
		return pr.ARN == pp.value
	case "service":
		return pr.Service != "" && pr.Service == pp.value
	case "federated":
		return pr.Federated != "" && pr.Federated == pp.value
	}
	return false
}

// match says how one Principal entry names the caller: an account entry
// names every principal of the account but grants through delegation
// (identity policies must allow too), except for the account's root.
func (pp *principalPattern) match(pr *Principal) grant {
	if pr.Type == PrincipalAnonymous && pp.kind != "*" {
		return grantNone
	}
	if federationCaller(pr.Type) && pp.kind != "*" && pp.kind != "federated" {
		// Not an AWS identity: an account (or any other) entry does not
		// name it, whatever account its provider is in.
		return grantNone
	}
	if !pp.names(pr) {
		return grantNone
	}
	switch pp.kind {
	case "*", "role":
		return grantOther
	case "user":
		if pr.Type == PrincipalFederated {
			// A policy naming the IAM user reaches its federated-user
			// sessions only within their session policies.
			return grantOther
		}
	case "account":
		if pr.Type == PrincipalRoot {
			return grantDirect
		}
		return grantAccount
	}
	return grantDirect // user, session, service, federated
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
	if !strings.HasPrefix(req.Resource, rp.prefix) {
		return false
	}
	return MatchARN(pat, req.Resource)
}
