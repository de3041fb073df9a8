package sts

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gatehouse/gatehouse/internal/arn"
	"github.com/gatehouse/gatehouse/internal/authz"
	"github.com/gatehouse/gatehouse/internal/awsapi"
	"github.com/gatehouse/gatehouse/internal/pipeline"
	"github.com/gatehouse/gatehouse/internal/policy"
	"github.com/gatehouse/gatehouse/internal/store"
	"github.com/gatehouse/gatehouse/internal/token"
)

var (
	sessionNameRe = wordsAnd("+=,.@-")
	externalIDRe  = wordsAnd("+=,.@:/-")
	serialRe      = wordsAnd("+=/:,.@-")
	tokenCodeRe   = regexp.MustCompile(`^[0-9]{6}$`)
	tagKeyRe      = regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]+$`)
	tagValueRe    = regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$`)
)

// matcher is a parameter's pattern: a regular expression, or wordsAnd.
type matcher interface{ MatchString(string) bool }

// wordsAnd is the pattern [\w<extra>]* of STS's name-like parameters
// (session names, external ids, serial numbers), where \w is
// [0-9A-Za-z_] and extra holds ASCII punctuation: a byte loop instead of
// a regular expression, since it runs on every AssumeRole.
type wordsAnd string

// MatchString reports whether every byte of v is a word character or one
// of the pattern's extra characters.
func (extra wordsAnd) MatchString(v string) bool {
	for i := 0; i < len(v); i++ {
		c := v[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || strings.IndexByte(string(extra), c) >= 0) {
			return false
		}
	}
	return true
}

// cachedRole is a role with its compiled trust policy (role nil: no role
// of that name), held in a generation-stamped cache.
type cachedRole struct {
	role  *store.Role
	arn   string // roleARN(role), built once
	trust *policy.Policy
}

func roleARN(r *store.Role) string { return "arn:aws:iam::" + r.Account + ":role" + r.Path + r.Name }

// findRole resolves a RoleArn (with or without an account id) to a role,
// from the cache while IAM data is unchanged. nil: no such role.
func (s *Service) findRole(ctx context.Context, callerAccount, roleArn string) (*cachedRole, error) {
	a, err := arn.Parse(roleArn)
	if err != nil || a.Partition != "aws" || a.Service != "iam" || a.Region != "" {
		return nil, nil
	}
	typ, _, name := a.IAMResource()
	if typ != "role" || name == "" {
		return nil, nil
	}
	account := a.Account
	if account == "" {
		// S3-compatible vendors document arn:aws:iam:::role/NAME: this role
		// in the caller's account.
		account = callerAccount
	}
	cr, err := s.roles.Get(ctx, account+"/"+strings.ToLower(name), func(ctx context.Context) (*cachedRole, error) {
		var r *store.Role
		err := s.cfg.Store.View(ctx, func(tx store.Tx) error {
			var err error
			r, err = tx.GetRole(ctx, account, name)
			return err
		})
		if errors.Is(err, store.ErrNotFound) {
			return &cachedRole{}, nil
		}
		if err != nil {
			return nil, err
		}
		arn := roleARN(r)
		trust, err := policy.ParseAndCompileBound(arn+"#trust", r.AssumeRolePolicy, r.TrustPrincipals)
		if err != nil {
			return nil, fmt.Errorf("%w: trust policy of %s: %w", authz.ErrPolicyLoad, arn, err)
		}
		return &cachedRole{role: r, arn: arn, trust: trust}, nil
	})
	if err != nil || cr.role == nil {
		return nil, err
	}
	// The ARN given must name the role's path exactly.
	want := cr.arn
	if roleArn != want && roleArn != "arn:aws:iam:::"+want[len("arn:aws:iam::"+cr.role.Account+":"):] {
		return nil, nil
	}
	return cr, nil
}

// validation helpers in AWS's words.
func lengthErr(v, member string, min, max int) error {
	n := utf8.RuneCountInString(v)
	if n < min {
		return awsapi.ValueTooShort.Of(v, member, min)
	}
	if n > max {
		return awsapi.ValueTooLong.Of(v, member, max)
	}
	return nil
}

func patternErr(v, member string, re matcher, pattern string) error {
	if !re.MatchString(v) {
		return awsapi.ValueNotMatching.Of(v, member, pattern)
	}
	return nil
}

type assumeParams struct {
	sessionParams
	roleArn, sessionName, externalID, serial, tokenCode, sourceIdentity string
	duration                                                            int
	hasDuration                                                         bool
	transitive                                                          []string
}

// sessionParams are the session policies and session tags a request
// passes (AssumeRole, GetFederationToken), validated as AWS does.
type sessionParams struct {
	policyDoc  string
	policyARNs []string
	tags       []token.Tag
	tagKeys    map[string]bool // the tags' keys, lower-cased
}

func parseAssume(p url.Values) (*assumeParams, error) {
	a := &assumeParams{externalID: p.Get("ExternalId"), serial: p.Get("SerialNumber"), tokenCode: p.Get("TokenCode"),
		sourceIdentity: p.Get("SourceIdentity")}
	var err error
	if a.roleArn, a.sessionName, err = parseRoleSession(p); err != nil {
		return nil, err
	}
	if a.duration, a.hasDuration, err = parseDuration(p); err != nil {
		return nil, err
	}
	if p.Has("ExternalId") {
		if err := lengthErr(a.externalID, "externalId", 2, 1224); err != nil {
			return nil, err
		}
		if err := patternErr(a.externalID, "externalId", externalIDRe, `[\w+=,.@:\/-]*`); err != nil {
			return nil, err
		}
	}
	if p.Has("SerialNumber") {
		if err := lengthErr(a.serial, "serialNumber", 9, 256); err != nil {
			return nil, err
		}
		if err := patternErr(a.serial, "serialNumber", serialRe, `[\w+=/:,.@-]*`); err != nil {
			return nil, err
		}
	}
	if p.Has("TokenCode") && !tokenCodeRe.MatchString(a.tokenCode) {
		if err := lengthErr(a.tokenCode, "tokenCode", 6, 6); err != nil {
			return nil, err
		}
		return nil, awsapi.ValueNotMatching.Of(a.tokenCode, "tokenCode", `[\d]*`)
	}
	if p.Has("SourceIdentity") {
		if err := lengthErr(a.sourceIdentity, "sourceIdentity", 2, 64); err != nil {
			return nil, err
		}
		if err := patternErr(a.sourceIdentity, "sourceIdentity", sessionNameRe, `[\w+=,.@-]*`); err != nil {
			return nil, err
		}
		if strings.HasPrefix(strings.ToLower(a.sourceIdentity), "aws:") {
			return nil, awsapi.SourceIdentityReserved.Of()
		}
	}
	sp, err := parseSessionParams(p)
	if err != nil {
		return nil, err
	}
	a.sessionParams = sp
	for i := 1; ; i++ {
		k := "TransitiveTagKeys.member." + strconv.Itoa(i)
		if !p.Has(k) {
			break
		}
		tk := p.Get(k)
		if !a.tagKeys[strings.ToLower(tk)] {
			return nil, awsapi.TransitiveTagNotRequested.Of()
		}
		a.transitive = append(a.transitive, tk)
	}
	return a, nil
}

// parseSessionParams reads Policy, PolicyArns and Tags.
func parseSessionParams(p url.Values) (sessionParams, error) {
	a := sessionParams{tagKeys: map[string]bool{}}
	fail := func(err error) (sessionParams, error) { return sessionParams{}, err }
	var err error
	if a.policyDoc, a.policyARNs, err = parseSessionPolicies(p); err != nil {
		return fail(err)
	}
	seen := a.tagKeys
	for i := 1; ; i++ {
		prefix := "Tags.member." + strconv.Itoa(i)
		if !p.Has(prefix + ".Key") {
			break
		}
		k, v := p.Get(prefix+".Key"), p.Get(prefix+".Value")
		if err := lengthErr(k, "tags."+strconv.Itoa(i)+".member.key", 1, 128); err != nil {
			return fail(err)
		}
		if err := patternErr(k, "tags."+strconv.Itoa(i)+".member.key", tagKeyRe, `[\p{L}\p{Z}\p{N}_.:/=+\-@]+`); err != nil {
			return fail(err)
		}
		if err := lengthErr(v, "tags."+strconv.Itoa(i)+".member.value", 0, 256); err != nil {
			return fail(err)
		}
		if err := patternErr(v, "tags."+strconv.Itoa(i)+".member.value", tagValueRe, `[\p{L}\p{Z}\p{N}_.:/=+\-@]*`); err != nil {
			return fail(err)
		}
		if strings.HasPrefix(strings.ToLower(k), "aws:") {
			return fail(awsapi.SessionTagKeyReserved.Of())
		}
		if seen[strings.ToLower(k)] {
			return fail(awsapi.SessionTagDuplicate.Of())
		}
		seen[strings.ToLower(k)] = true
		a.tags = append(a.tags, token.Tag{Key: k, Value: v})
	}
	if len(a.tags) > 50 {
		return fail(awsapi.ValueTooLong.Of(strconv.Itoa(len(a.tags)), "tags", 50))
	}
	return a, nil
}

// parseRoleSession reads RoleArn and RoleSessionName, required by every
// AssumeRole action.
func parseRoleSession(p url.Values) (roleArn, sessionName string, err error) {
	roleArn, sessionName = p.Get("RoleArn"), p.Get("RoleSessionName")
	if !p.Has("RoleArn") {
		return "", "", awsapi.ValueNull.Of("roleArn")
	}
	if !p.Has("RoleSessionName") {
		return "", "", awsapi.ValueNull.Of("roleSessionName")
	}
	if err := lengthErr(roleArn, "roleArn", 20, 2048); err != nil {
		return "", "", err
	}
	if err := lengthErr(sessionName, "roleSessionName", 2, 64); err != nil {
		return "", "", err
	}
	if err := patternErr(sessionName, "roleSessionName", sessionNameRe, `[\w+=,.@-]*`); err != nil {
		return "", "", err
	}
	return roleArn, sessionName, nil
}

// parseDuration reads DurationSeconds (900..43200; a role may allow less).
func parseDuration(p url.Values) (int, bool, error) {
	v := p.Get("DurationSeconds")
	if v == "" {
		return 0, false, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 900 {
		return 0, false, awsapi.ValueTooSmall.Of(v, "durationSeconds", 900)
	}
	if n > 43200 {
		return 0, false, awsapi.ValueTooLarge.Of(v, "durationSeconds", 43200)
	}
	return n, true, nil
}

// parseSessionPolicies reads the inline session Policy and the PolicyArns.
func parseSessionPolicies(p url.Values) (doc string, arns []string, err error) {
	doc = p.Get("Policy")
	if p.Has("Policy") {
		if err := lengthErr(doc, "policy", 1, 2048); err != nil {
			return "", nil, err
		}
		if !policy.CheckCharset(doc) {
			return "", nil, awsapi.ValueNotMatching.Of(doc, "policy", `[\u0009\u000A\u000D\u0020-\u00FF]+`)
		}
		if _, err := policy.Validate(doc, policy.Session); err != nil {
			return "", nil, awsapi.PolicyDocumentMalformed.Of(err.Error())
		}
	}
	for i := 1; ; i++ {
		k := "PolicyArns.member." + strconv.Itoa(i) + ".arn"
		if !p.Has(k) {
			break
		}
		arn := p.Get(k)
		if err := lengthErr(arn, "policyArns."+strconv.Itoa(i)+".member.arn", 20, 2048); err != nil {
			return "", nil, err
		}
		arns = append(arns, arn)
	}
	if len(arns) > 10 {
		return "", nil, awsapi.ValueTooLong.Of(strconv.Itoa(len(arns)), "policyArns", 10)
	}
	return doc, arns, nil
}

// packedSize is the percentage of the session-policy and tag budget used:
// plaintext characters of the inline policy (whitespace excluded), the
// policy ARNs and the tags, against 2048.
func (a *sessionParams) packedSize() int {
	n := policy.NonWhitespaceLen(a.policyDoc)
	for _, arn := range a.policyARNs {
		n += len(arn)
	}
	for _, t := range a.tags {
		n += len(t.Key) + len(t.Value)
	}
	return (n*100 + 2047) / 2048
}

type xAssumedRoleUser struct {
	Arn           string `xml:"Arn"`
	AssumedRoleId string `xml:"AssumedRoleId"`
}

type assumeRoleResult struct {
	Credentials      xCredentials     `xml:"Credentials"`
	AssumedRoleUser  xAssumedRoleUser `xml:"AssumedRoleUser"`
	PackedPolicySize *int             `xml:"PackedPolicySize,omitempty"`
	SourceIdentity   string           `xml:"SourceIdentity,omitempty"`
}

// AppendXML writes the result without reflection (a hot path).
func (r *assumeRoleResult) AppendXML(dst []byte) []byte {
	if r.SourceIdentity != "" {
		dst = awsapi.AppendElement(dst, "SourceIdentity", r.SourceIdentity)
	}
	dst = append(dst, "<AssumedRoleUser>"...)
	dst = awsapi.AppendElement(dst, "Arn", r.AssumedRoleUser.Arn)
	dst = awsapi.AppendElement(dst, "AssumedRoleId", r.AssumedRoleUser.AssumedRoleId)
	dst = append(dst, "</AssumedRoleUser>"...)
	dst = r.Credentials.appendXML(dst)
	if r.PackedPolicySize != nil {
		dst = awsapi.AppendElement(dst, "PackedPolicySize", strconv.Itoa(*r.PackedPolicySize))
	}
	return dst
}

// assumeRole resolves AssumeRole: it validates the request, finds the role
// and checks an MFA code, and declares the checks — sts:AssumeRole with the
// trust policy as the resource policy, and sts:TagSession and
// sts:SetSourceIdentity when the request sets tags or a source identity.
func (s *Service) assumeRole(ctx context.Context, caller *authz.Principal, info authz.RequestInfo, p url.Values) (*pipeline.Call, error) {
	a, err := parseAssume(p)
	if err != nil {
		return nil, err
	}
	// AWS refuses the root's keys; an account setting lets them assume
	// the account's own roles (the trust policy must still allow).
	root := caller.Type == authz.TypeRoot && caller.Session == nil
	if root && !s.rootMayAssumeRole(caller.Account) {
		return nil, awsapi.RootCannotAssumeRole.Of()
	}
	cr, err := s.findRole(ctx, caller.Account, a.roleArn)
	if err != nil {
		return nil, err
	}
	if cr == nil {
		// No such role: the trust check has no trust policy to allow it,
		// so it is denied (AWS says AccessDenied, not NoSuchEntity).
		return denyAll("sts:AssumeRole", a.roleArn, nil), nil
	}
	if root && cr.role.Account != caller.Account {
		return nil, awsapi.RootCannotAssumeRole.Of()
	}
	role := cr.role
	arn := cr.arn

	chained := caller.Type == authz.TypeAssumedRole
	duration := 3600
	if a.hasDuration {
		duration = a.duration
	}
	if chained && duration > 3600 {
		return nil, awsapi.ChainedDurationTooLong.Of()
	}
	if duration > role.MaxSessionDuration {
		return nil, awsapi.DurationOverRoleMax.Of()
	}
	if err := s.sessionPoliciesExist(ctx, role.Account, a.policyARNs); err != nil {
		return nil, err
	}
	if size := a.packedSize(); size > 100 {
		return nil, awsapi.PackedSizeExceeded.Of(size)
	}
	// MFA: a session inherits its caller's MFA; a caller presenting a code
	// of its own device signs in with MFA now.
	var parent *token.Session = caller.Session
	mfaPresent := parent != nil && parent.MFA
	var mfaTime time.Time
	if parent != nil {
		mfaTime = parent.MFAAuthTime
	}
	if a.serial != "" || a.tokenCode != "" {
		if err := s.checkMFA(ctx, caller, a.serial, a.tokenCode, info.Now); err != nil {
			return nil, err
		}
		mfaPresent, mfaTime = true, info.Now.UTC().Truncate(time.Second)
	}
	// Source identity is immutable along a chain.
	sourceIdentity := a.sourceIdentity
	if parent != nil && parent.SourceIdentity != "" {
		if sourceIdentity != "" && sourceIdentity != parent.SourceIdentity {
			return nil, awsapi.SourceIdentityFixed.Of()
		}
		sourceIdentity = parent.SourceIdentity
	}
	// Tags: inherited transitive tags, then the new ones (which may not
	// override an inherited transitive key).
	var tags []token.Tag
	var transitive []string
	if parent != nil {
		inherited := map[string]bool{}
		for _, k := range parent.TransitiveTagKeys {
			inherited[strings.ToLower(k)] = true
			transitive = append(transitive, k)
		}
		for _, t := range parent.Tags {
			if inherited[strings.ToLower(t.Key)] {
				tags = append(tags, t)
			}
		}
		for _, t := range a.tags {
			if inherited[strings.ToLower(t.Key)] {
				return nil, awsapi.TransitiveTagConflict.Of()
			}
		}
	}
	tags = append(tags, a.tags...)
	transitive = append(transitive, a.transitive...)

	// The trust policy's context keys, made only when a policy reads them.
	keys := func(set func(string, ...string)) {
		set("sts:rolesessionname", a.sessionName)
		if mfaPresent {
			set("aws:multifactorauthpresent", "true")
			set("aws:multifactorauthage", strconv.FormatInt(int64(info.Now.Sub(mfaTime)/time.Second), 10))
		}
		if a.externalID != "" {
			set("sts:externalid", a.externalID)
		}
		if a.sourceIdentity != "" {
			set("sts:sourceidentity", a.sourceIdentity)
		}
		if len(a.tags) > 0 {
			tagKeys := make([]string, 0, len(a.tags))
			for _, t := range a.tags {
				set("aws:requesttag/"+strings.ToLower(t.Key), t.Value)
				tagKeys = append(tagKeys, t.Key)
			}
			set("aws:tagkeys", tagKeys...)
		}
		if len(a.transitive) > 0 {
			set("sts:transitivetagkeys", a.transitive...)
		}
	}
	trust := authz.Check{Action: "sts:AssumeRole", Resource: arn, DisplayResource: a.roleArn, ResourceAccount: role.Account,
		ResourcePolicy: cr.trust, Trust: true, MoreKeys: keys, Bare: true}
	checks := []pipeline.Check{{Check: trust}}
	if len(a.tags) > 0 || len(a.transitive) > 0 {
		c := trust
		c.Action = "sts:TagSession"
		checks = append(checks, pipeline.Check{Check: c})
	}
	if a.sourceIdentity != "" && (parent == nil || parent.SourceIdentity == "") {
		c := trust
		c.Action = "sts:SetSourceIdentity"
		checks = append(checks, pipeline.Check{Check: c})
	}
	g := &roleGrant{caller: caller, params: a, role: role, arn: arn, duration: duration, tags: tags, transitive: transitive,
		sourceIdentity: sourceIdentity, mfa: mfaPresent, mfaTime: mfaTime}
	run := func(ctx context.Context, _ pipeline.Outcomes) (any, error) { return s.issueRoleSession(ctx, info, g) }
	return &pipeline.Call{Plan: pipeline.Plan{Checks: checks}, Run: run}, nil
}

// roleGrant is what AssumeRole's resolve step settled: the session the
// pipeline issues once its checks allow.
type roleGrant struct {
	caller         *authz.Principal
	params         *assumeParams
	role           *store.Role
	arn            string
	duration       int
	tags           []token.Tag
	transitive     []string
	sourceIdentity string
	mfa            bool
	mfaTime        time.Time
}

// issueRoleSession mints the credentials of an allowed AssumeRole.
func (s *Service) issueRoleSession(ctx context.Context, info authz.RequestInfo, g *roleGrant) (any, error) {
	caller, a, role, arn, duration := g.caller, g.params, g.role, g.arn, g.duration
	tags, transitive, sourceIdentity, mfaPresent, mfaTime := g.tags, g.transitive, g.sourceIdentity, g.mfa, g.mfaTime
	parent := caller.Session
	now := info.Now.UTC().Truncate(time.Second)
	sess := &token.Session{
		Kind: token.KindRole, Account: role.Account, IssuedAt: now, Expires: now.Add(time.Duration(duration) * time.Second),
		RoleARN: arn, RoleID: role.ID, SessionName: a.sessionName, SessionPolicy: a.policyDoc, PolicyARNs: a.policyARNs,
		Tags: tags, TransitiveTagKeys: transitive, SourceIdentity: sourceIdentity, MFA: mfaPresent, CallerARN: caller.ARN,
	}
	if mfaPresent {
		sess.MFAAuthTime = mfaTime
	}
	if parent != nil {
		if parent.Kind == token.KindRole {
			sess.ChainDepth = parent.ChainDepth + 1
		}
	}
	creds, err := s.mint(ctx, sess)
	if err != nil {
		return nil, err
	}
	s.touchRole(ctx, role, now, info.Region)
	out := &assumeRoleResult{
		Credentials:     creds,
		AssumedRoleUser: xAssumedRoleUser{Arn: "arn:aws:sts::" + role.Account + ":assumed-role/" + role.Name + "/" + a.sessionName, AssumedRoleId: role.ID + ":" + a.sessionName},
		SourceIdentity:  sourceIdentity,
	}
	if a.policyDoc != "" || len(a.policyARNs) > 0 || len(a.tags) > 0 {
		size := a.packedSize()
		out.PackedPolicySize = &size
	}
	return out, nil
}

// denyAll is the plan of an AssumeRole action whose role does not exist
// (or that nothing may allow): one trust check with no trust policy, which
// is denied. who is the caller it is decided for (nil: the request's).
func denyAll(action, roleArn string, who *authz.Principal) *pipeline.Call {
	c := authz.Check{Action: action, Resource: roleArn, Trust: true, Bare: true}
	return &pipeline.Call{
		Plan: pipeline.Plan{Checks: []pipeline.Check{{Check: c, Principal: who}}},
		Run: func(context.Context, pipeline.Outcomes) (any, error) {
			return nil, errors.New("sts: " + action + " that nothing allows was allowed")
		},
	}
}

// policyExists checks a session policy ARN: an AWS managed policy, or a
// customer managed policy of the role's account.
func (s *Service) policyExists(ctx context.Context, account, arn string) (bool, error) {
	if strings.HasPrefix(arn, "arn:aws:iam::aws:policy/") {
		_, ok := s.cfg.Managed.Document(arn)
		return ok, nil
	}
	if !strings.HasPrefix(arn, "arn:aws:iam::"+account+":policy/") {
		return false, nil
	}
	err := s.cfg.Store.View(ctx, func(tx store.Tx) error {
		_, err := tx.GetPolicy(ctx, arn)
		return err
	})
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

// touchRole records a role's last use at most once a minute, so that
// AssumeRole does not write to the store on every call.
func (s *Service) touchRole(ctx context.Context, r *store.Role, now time.Time, region string) {
	s.mu.Lock()
	last, ok := s.touch[r.ID]
	if ok && now.Sub(last) < time.Minute {
		s.mu.Unlock()
		return
	}
	if len(s.touch) > 100000 {
		clear(s.touch)
	}
	s.touch[r.ID] = now
	s.mu.Unlock()
	_ = s.cfg.Store.Update(ctx, func(tx store.Tx) error { return tx.TouchRole(ctx, r.Account, r.ID, now, region) })
}

// getSessionToken implements GetSessionToken for users and roots with
// long-term keys. AWS requires no permission for it (it authenticates; its
// sessions are limited instead).
func (s *Service) getSessionToken(ctx context.Context, caller *authz.Principal, info authz.RequestInfo, p url.Values) (any, error) {
	if caller.Session != nil {
		return nil, awsapi.SessionCredentialsRefused.Of("GetSessionToken")
	}
	root := caller.Type == authz.TypeRoot
	duration := 43200
	if root {
		duration = 3600
	}
	if v := p.Get("DurationSeconds"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 900 {
			return nil, awsapi.ValueTooSmall.Of(v, "durationSeconds", 900)
		}
		if n > 129600 {
			return nil, awsapi.ValueTooLarge.Of(v, "durationSeconds", 129600)
		}
		duration = n
		if root && duration > 3600 {
			duration = 3600 // AWS caps root sessions silently
		}
	}
	serial, code := p.Get("SerialNumber"), p.Get("TokenCode")
	if p.Has("SerialNumber") {
		if err := lengthErr(serial, "serialNumber", 9, 256); err != nil {
			return nil, err
		}
		if err := patternErr(serial, "serialNumber", serialRe, `[\w+=/:,.@-]*`); err != nil {
			return nil, err
		}
	}
	if p.Has("TokenCode") && !tokenCodeRe.MatchString(code) {
		return nil, awsapi.ValueNotMatching.Of(code, "tokenCode", `[\d]*`)
	}
	now := info.Now.UTC().Truncate(time.Second)
	sess := &token.Session{Kind: token.KindSession, Account: caller.Account, IssuedAt: now, Expires: now.Add(time.Duration(duration) * time.Second),
		SourceARN: caller.ARN, SourceUserID: caller.UserID, SourceName: caller.UserName, CallerARN: caller.ARN}
	if serial != "" || code != "" {
		if err := s.checkMFA(ctx, caller, serial, code, info.Now); err != nil {
			return nil, err
		}
		sess.MFA, sess.MFAAuthTime = true, now
	}
	creds, err := s.mint(ctx, sess)
	if err != nil {
		return nil, err
	}
	return struct {
		Credentials xCredentials `xml:"Credentials"`
	}{creds}, nil
}

// sessionPoliciesExist checks that every managed policy passed in
// PolicyArns exists for account (AWS answers InvalidParameterValue).
func (s *Service) sessionPoliciesExist(ctx context.Context, account string, arns []string) error {
	for _, parn := range arns {
		ok, err := s.policyExists(ctx, account, parn)
		if err != nil {
			return err
		}
		if !ok {
			return awsapi.SessionPolicyNotFound.Of(parn)
		}
	}
	return nil
}
