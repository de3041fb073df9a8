package sts

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/internal/arn"
	"github.com/gatehouse/gatehouse/internal/authz"
	"github.com/gatehouse/gatehouse/internal/awsapi"
	"github.com/gatehouse/gatehouse/internal/oidc"
	"github.com/gatehouse/gatehouse/internal/oidc/jwks"
	"github.com/gatehouse/gatehouse/internal/pipeline"
	"github.com/gatehouse/gatehouse/internal/store"
	"github.com/gatehouse/gatehouse/internal/token"
)

// IssuerKeys gives the signing keys of an OIDC issuer trusted by the
// system roots or one of thumbprints, fetching them again when kid is not
// among them (as often as it allows).
type IssuerKeys interface {
	Keys(ctx context.Context, issuer string, thumbprints []string, kid string) (*oidc.KeySet, error)
}

var _ IssuerKeys = (*jwks.Cache)(nil)

// webIdentity is what AssumeRoleWithWebIdentity's resolve step settled:
// the verified token's provider and claims, and the session to issue.
type webIdentity struct {
	params   *assumeParams
	role     *store.Role
	arn      string
	duration int
	provider *store.OIDCProvider
	claims   *oidc.Claims
	audience oidc.Audience
	keys     []token.ContextKey // the provider's keys the session keeps
}

// parseWebIdentity reads AssumeRoleWithWebIdentity's parameters: RoleArn,
// RoleSessionName, WebIdentityToken (4..20000), DurationSeconds, Policy,
// PolicyArns; ProviderId is for OAuth 2.0 providers this server does not
// accept. The token is never quoted in an error.
func parseWebIdentity(p url.Values) (*assumeParams, string, error) {
	a := &assumeParams{}
	var err error
	if a.roleArn, a.sessionName, err = parseRoleSession(p); err != nil {
		return nil, "", err
	}
	if !p.Has("WebIdentityToken") {
		return nil, "", awsapi.ValueNull.Of("webIdentityToken")
	}
	tok := p.Get("WebIdentityToken")
	if len(tok) < 4 {
		return nil, "", awsapi.ValueTooShort.Of("***", "webIdentityToken", 4)
	}
	if len(tok) > oidc.MaxTokenLen {
		return nil, "", awsapi.ValueTooLong.Of("***", "webIdentityToken", oidc.MaxTokenLen)
	}
	if p.Has("ProviderId") {
		if err := lengthErr(p.Get("ProviderId"), "providerId", 4, 2048); err != nil {
			return nil, "", err
		}
		return nil, "", awsapi.ProviderIDWithOIDC.Of()
	}
	if a.duration, a.hasDuration, err = parseDuration(p); err != nil {
		return nil, "", err
	}
	if a.policyDoc, a.policyARNs, err = parseSessionPolicies(p); err != nil {
		return nil, "", err
	}
	return a, tok, nil
}

// assumeRoleWithWebIdentity resolves AssumeRoleWithWebIdentity: it
// verifies the token against the provider of its issuer in the role's
// account (signature with the issuer's keys, expiry, audience), applies
// the STS quotas to the token's subject, and declares the trust checks for
// the web-identity caller (the provider as a "Federated" principal) —
// sts:AssumeRoleWithWebIdentity with the provider's condition keys, and
// sts:TagSession and sts:SetSourceIdentity when the token sets tags or a
// source identity. The request's own caller (anonymous, or a signer whose
// signature counts for nothing) plays no part.
func (s *Service) assumeRoleWithWebIdentity(ctx context.Context, info authz.RequestInfo, p url.Values) (*pipeline.Call, error) {
	a, raw, err := parseWebIdentity(p)
	if err != nil {
		return nil, err
	}
	tok, err := oidc.Parse(raw)
	if err != nil {
		return nil, tokenErr(err)
	}
	iss := tok.Unverified.Issuer
	prov, err := s.providerOf(ctx, a.roleArn, iss)
	if err != nil {
		return nil, err
	}
	if s.cfg.IssuerKeys == nil {
		return nil, awsapi.WebIdentityUnreachable.Of()
	}
	keys, err := s.cfg.IssuerKeys.Keys(ctx, prov.URL, prov.Thumbprints, tok.KeyID)
	switch {
	case errors.Is(err, jwks.ErrUntrusted):
		return nil, awsapi.WebIdentityThumbprint.Of()
	case err != nil:
		return nil, awsapi.WebIdentityUnreachable.Of()
	}
	claims, err := tok.Verify(keys)
	if err != nil {
		return nil, tokenErr(err)
	}
	if claims.Issuer != prov.URL {
		return nil, awsapi.WebIdentityNoProvider.Of(shorten(claims.Issuer))
	}
	aud, err := claims.Check(info.Now, prov.ClientIDs)
	if err != nil {
		return nil, tokenErr(err)
	}
	// The STS quotas, for the subject the token names (its provider's
	// account): after verification, so that forged tokens naming an
	// issuer cannot spend its subjects' quota.
	if err := s.Admit(prov.Account, prov.ARN+"/"+claims.Subject); err != nil {
		return nil, err
	}
	// The token verifies: the caller is its subject, named by the provider.
	subject := authz.FederationCaller(authz.TypeWebIdentity, prov.Account, prov.ARN)
	subject.UserID = providerName(prov.ARN) + ":" + aud.Value + ":" + claims.Subject
	subject.Subject, subject.Issuer = claims.Subject, providerName(prov.ARN)

	cr, err := s.findRole(ctx, "", a.roleArn)
	if err != nil {
		return nil, err
	}
	if cr == nil {
		return denyAll("sts:AssumeRoleWithWebIdentity", a.roleArn, subject), nil
	}
	role := cr.role
	duration := 3600
	if a.hasDuration {
		duration = a.duration
	}
	if duration > role.MaxSessionDuration {
		return nil, awsapi.DurationOverRoleMax.Of()
	}
	if err := s.sessionPoliciesExist(ctx, role.Account, a.policyARNs); err != nil {
		return nil, err
	}
	for _, t := range claims.PrincipalTags {
		a.tags = append(a.tags, token.Tag{Key: t.Key, Value: t.Value})
	}
	a.transitive, a.sourceIdentity = claims.TransitiveTagKeys, claims.SourceIdentity
	if size := a.packedSize(); size > 100 {
		return nil, awsapi.PackedSizeExceeded.Of(size)
	}

	g := &webIdentity{params: a, role: role, arn: cr.arn, duration: duration, provider: prov, claims: claims,
		audience: aud, keys: webIdentitySessionKeys(prov, claims, aud)}
	trust := authz.Check{Action: "sts:AssumeRoleWithWebIdentity", Resource: cr.arn, DisplayResource: a.roleArn,
		ResourceAccount: role.Account, ResourcePolicy: cr.trust, Trust: true, Keys: webIdentityKeys(a, g.keys), Bare: true}
	checks := []pipeline.Check{{Check: trust, Principal: subject}}
	if len(a.tags) > 0 {
		c := trust
		c.Action = "sts:TagSession"
		checks = append(checks, pipeline.Check{Check: c, Principal: subject})
	}
	if a.sourceIdentity != "" {
		c := trust
		c.Action = "sts:SetSourceIdentity"
		checks = append(checks, pipeline.Check{Check: c, Principal: subject})
	}
	run := func(ctx context.Context, _ pipeline.Outcomes) (any, error) {
		return s.issueWebIdentitySession(ctx, info, g)
	}
	return &pipeline.Call{Plan: pipeline.Plan{Checks: checks}, Run: run}, nil
}

// providerOf finds the OIDC provider of the token's issuer in the role's
// account (the account of RoleArn; none when it names none).
func (s *Service) providerOf(ctx context.Context, roleArn, iss string) (*store.OIDCProvider, error) {
	notFound := awsapi.WebIdentityNoProvider.Of(shorten(iss))
	a, err := arn.Parse(roleArn)
	if err != nil || !arn.IsAccountID(a.Account) {
		return nil, notFound
	}
	name, err := oidc.ProviderName(iss)
	if err != nil {
		return nil, notFound
	}
	provARN := "arn:aws:iam::" + a.Account + ":oidc-provider/" + name
	prov, err := s.providers.Get(ctx, provARN, func(ctx context.Context) (*store.OIDCProvider, error) {
		var prov *store.OIDCProvider
		err := s.cfg.Store.View(ctx, func(tx store.Tx) error {
			var err error
			prov, err = tx.GetOIDCProvider(ctx, provARN)
			return err
		})
		if errors.Is(err, store.ErrNotFound) {
			return nil, nil
		}
		return prov, err
	})
	if err != nil {
		return nil, err
	}
	if prov == nil || prov.URL != iss {
		return nil, notFound
	}
	return prov, nil
}

// shorten bounds a value of the token quoted in an error.
func shorten(v string) string {
	if len(v) > 255 {
		return v[:255] + "…"
	}
	return v
}

// tokenErr words a failure of the token in AWS's terms.
func tokenErr(err error) error {
	var expired *oidc.ExpiredError
	var rejected *oidc.RejectedError
	switch {
	case errors.As(err, &expired):
		return awsapi.WebIdentityExpired.Of(expired.Now, expired.Expiry)
	case errors.As(err, &rejected):
		return awsapi.WebIdentityClaimRejected.Of(rejected.Claim, rejected.Reason)
	case errors.Is(err, oidc.ErrAlgorithm):
		return awsapi.WebIdentityAlgorithm.Of()
	case errors.Is(err, oidc.ErrUnknownKey):
		return awsapi.WebIdentityUnknownKey.Of()
	case errors.Is(err, oidc.ErrSignature):
		return awsapi.WebIdentitySignature.Of()
	case errors.Is(err, oidc.ErrAudience):
		return awsapi.WebIdentityAudience.Of()
	case errors.Is(err, oidc.ErrClaims):
		return awsapi.WebIdentityClaimsMalformed.Of()
	}
	return awsapi.WebIdentityMalformed.Of()
}

// providerName is the name of an IAM OIDC provider — its ARN after
// "oidc-provider/", the URL without https:// (HOST[:PORT][/PATH]) — which
// prefixes its condition keys and policy variables.
func providerName(providerARN string) string {
	const marker = ":oidc-provider/"
	if i := strings.Index(providerARN, marker); i >= 0 {
		return providerARN[i+len(marker):]
	}
	return providerARN
}

// webIdentitySessionKeys are the keys a web-identity session keeps from
// its token, for the trust check and the session's own policies:
// aws:FederatedProvider and the provider's PROVIDER:aud, :sub, :oaud (the
// aud claim, when azp was the audience) and :amr.
func webIdentitySessionKeys(prov *store.OIDCProvider, c *oidc.Claims, aud oidc.Audience) []token.ContextKey {
	name := providerName(prov.ARN)
	keys := []token.ContextKey{
		{Key: "aws:FederatedProvider", Values: []string{prov.ARN}},
		{Key: name + ":aud", Values: []string{aud.Value}},
		{Key: name + ":sub", Values: []string{c.Subject}},
	}
	if len(aud.Original) > 0 {
		keys = append(keys, token.ContextKey{Key: name + ":oaud", Values: aud.Original})
	}
	if len(c.AMR) > 0 {
		keys = append(keys, token.ContextKey{Key: name + ":amr", Values: c.AMR})
	}
	return keys
}

// webIdentityKeys are the trust check's condition keys: the session's
// keys, sts:RoleSessionName, and the tags and source identity the token
// sets.
func webIdentityKeys(a *assumeParams, session []token.ContextKey) map[string][]string {
	keys := map[string][]string{"sts:rolesessionname": {a.sessionName}}
	for _, k := range session {
		keys[strings.ToLower(k.Key)] = k.Values
	}
	if len(a.tags) > 0 {
		var tagKeys []string
		for _, t := range a.tags {
			keys["aws:requesttag/"+strings.ToLower(t.Key)] = []string{t.Value}
			tagKeys = append(tagKeys, t.Key)
		}
		keys["aws:tagkeys"] = tagKeys
	}
	if len(a.transitive) > 0 {
		keys["sts:transitivetagkeys"] = a.transitive
	}
	if a.sourceIdentity != "" {
		keys["sts:sourceidentity"] = []string{a.sourceIdentity}
	}
	return keys
}

type webIdentityResult struct {
	assumeRoleResult
	Subject  string `xml:"SubjectFromWebIdentityToken"`
	Provider string `xml:"Provider"`
	Audience string `xml:"Audience"`
}

// AppendXML writes the result without reflection (a hot path).
func (r *webIdentityResult) AppendXML(dst []byte) []byte {
	dst = r.assumeRoleResult.AppendXML(dst)
	dst = awsapi.AppendElement(dst, "SubjectFromWebIdentityToken", r.Subject)
	dst = awsapi.AppendElement(dst, "Provider", r.Provider)
	return awsapi.AppendElement(dst, "Audience", r.Audience)
}

// issueWebIdentitySession mints the credentials of an allowed
// AssumeRoleWithWebIdentity: a role session that keeps the provider and
// the claims its policies may read (aws:FederatedProvider, PROVIDER:sub,
// ...), and the token's tags and source identity.
func (s *Service) issueWebIdentitySession(ctx context.Context, info authz.RequestInfo, g *webIdentity) (any, error) {
	a, role, c := g.params, g.role, g.claims
	now := info.Now.UTC().Truncate(time.Second)
	sess := &token.Session{
		Kind: token.KindRole, Account: role.Account, IssuedAt: now, Expires: now.Add(time.Duration(g.duration) * time.Second),
		RoleARN: g.arn, RoleID: role.ID, SessionName: a.sessionName, SessionPolicy: a.policyDoc, PolicyARNs: a.policyARNs,
		Tags: a.tags, TransitiveTagKeys: a.transitive, SourceIdentity: a.sourceIdentity, CallerARN: g.provider.ARN,
		ContextKeys: g.keys,
	}
	creds, err := s.mint(ctx, sess)
	if err != nil {
		return nil, err
	}
	s.touchRole(ctx, role, now, info.Region)
	out := &webIdentityResult{
		assumeRoleResult: assumeRoleResult{
			Credentials: creds,
			AssumedRoleUser: xAssumedRoleUser{Arn: "arn:aws:sts::" + role.Account + ":assumed-role/" + role.Name + "/" + a.sessionName,
				AssumedRoleId: role.ID + ":" + a.sessionName},
			SourceIdentity: a.sourceIdentity,
		},
		Subject: c.Subject, Provider: g.provider.ARN, Audience: g.audience.Value,
	}
	if a.policyDoc != "" || len(a.policyARNs) > 0 || len(a.tags) > 0 {
		size := a.packedSize()
		out.PackedPolicySize = &size
	}
	return out, nil
}
