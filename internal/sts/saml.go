package sts

import (
	"context"
	"crypto/sha1"
	"encoding/base64"
	"errors"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/internal/arn"
	"github.com/gatehouse/gatehouse/internal/authz"
	"github.com/gatehouse/gatehouse/internal/awsapi"
	"github.com/gatehouse/gatehouse/internal/pipeline"
	"github.com/gatehouse/gatehouse/internal/saml"
	"github.com/gatehouse/gatehouse/internal/store"
	"github.com/gatehouse/gatehouse/internal/token"
)

// AssumeRoleWithSAML: an unsigned request carrying an IdP's signed SAML
// Response. Resolve verifies the Response against the SAML provider named
// by PrincipalArn (internal/saml: signature, issuer, validity, audience,
// recipient), reads the AWS attributes (Role, RoleSessionName,
// SessionDuration, SourceIdentity, PrincipalTag:*, TransitiveTagKeys) and
// declares the trust check — sts:AssumeRoleWithSAML on the role, decided
// for the SAML subject as a "Federated" principal with the saml: keys —
// and sts:TagSession / sts:SetSourceIdentity when the assertion sets tags
// or a source identity. The session it issues carries the saml: keys to
// its own policies (conditions and policy variables).

// AudienceAWS is the audience and recipient AWS requires of assertions.
const AudienceAWS = "https://signin.aws.amazon.com/saml"

// samlLeeway is the clock skew allowed on an assertion's time bounds.
const samlLeeway = 2 * time.Minute

// maxSessionKeyBytes bounds the saml: keys a session carries in its token
// (tokens hold 16 KiB with the session policy and tags). An assertion
// with more is refused rather than trimmed: a key left out could turn a
// policy's Deny into no Deny.
const maxSessionKeyBytes = 6144

// The attributes AWS reads.
const (
	attrPrefix     = "https://aws.amazon.com/SAML/Attributes/"
	attrRole       = attrPrefix + "Role"
	attrSession    = attrPrefix + "RoleSessionName"
	attrDuration   = attrPrefix + "SessionDuration"
	attrSourceID   = attrPrefix + "SourceIdentity"
	attrTagPrefix  = attrPrefix + "PrincipalTag:"
	attrTransitive = attrPrefix + "TransitiveTagKeys"
)

// samlAttributeKeys maps the attribute names AWS recognises (by OID or
// friendly name) to their saml: condition keys, as AWS's table of SAML
// keys lists them. Every value of a multivalued attribute is kept.
var samlAttributeKeys = map[string]string{
	"urn:oid:2.5.4.3":                   "saml:cn",
	"urn:oid:2.5.4.42":                  "saml:givenName",
	"urn:oid:2.5.4.4":                   "saml:surname",
	"urn:oid:2.5.4.41":                  "saml:name",
	"urn:oid:2.5.4.45":                  "saml:x500UniqueIdentifier",
	"urn:oid:0.9.2342.19200300.100.1.1": "saml:uid",
	"urn:oid:0.9.2342.19200300.100.1.3": "saml:mail",
	"urn:oid:1.3.6.1.4.1.5923.1.1.1.1":  "saml:edupersonaffiliation",
	"urn:oid:1.3.6.1.4.1.5923.1.1.1.2":  "saml:edupersonnickname",
	"urn:oid:1.3.6.1.4.1.5923.1.1.1.3":  "saml:edupersonorgdn",
	"urn:oid:1.3.6.1.4.1.5923.1.1.1.4":  "saml:edupersonorgunitdn",
	"urn:oid:1.3.6.1.4.1.5923.1.1.1.5":  "saml:edupersonprimaryaffiliation",
	"urn:oid:1.3.6.1.4.1.5923.1.1.1.6":  "saml:edupersonprincipalname",
	"urn:oid:1.3.6.1.4.1.5923.1.1.1.7":  "saml:edupersonentitlement",
	"urn:oid:1.3.6.1.4.1.5923.1.1.1.8":  "saml:edupersonprimaryorgunitdn",
	"urn:oid:1.3.6.1.4.1.5923.1.1.1.9":  "saml:edupersonscopedaffiliation",
	"urn:oid:1.3.6.1.4.1.5923.1.1.1.10": "saml:edupersontargetedid",
	"urn:oid:1.3.6.1.4.1.5923.1.1.1.11": "saml:edupersonassurance",
	"urn:oid:1.3.6.1.4.1.5923.1.2.1.2":  "saml:eduorghomepageuri",
	"urn:oid:1.3.6.1.4.1.5923.1.2.1.3":  "saml:eduorglegalname",
	"urn:oid:1.3.6.1.4.1.5923.1.2.1.10": "saml:eduorgidentityauthnpolicyuri",
	"urn:oid:1.3.6.1.4.1.5923.1.2.1.11": "saml:eduorgsuperioruri",
	"urn:oid:1.3.6.1.4.1.5923.1.2.1.12": "saml:eduorgwhitepagesuri",
	"commonName":                        "saml:commonName",
}

// nameIDFormats are the NameID formats saml:sub_type names briefly.
var nameIDFormats = map[string]string{
	"urn:oasis:names:tc:SAML:2.0:nameid-format:persistent": "persistent",
	"urn:oasis:names:tc:SAML:2.0:nameid-format:transient":  "transient",
}

const formatUnspecified = "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified"

var samlSessionNameRe = regexp.MustCompile(`^[\w+=,.@-]{2,64}$`)

// samlParams are AssumeRoleWithSAML's parameters.
type samlParams struct {
	roleArn, principalArn, assertion, policyDoc string
	duration                                    int
	hasDuration                                 bool
	policyARNs                                  []string
}

func parseSAMLParams(p url.Values) (*samlParams, error) {
	a := &samlParams{roleArn: p.Get("RoleArn"), principalArn: p.Get("PrincipalArn"), assertion: p.Get("SAMLAssertion")}
	for _, r := range []struct{ param, member string }{{"RoleArn", "roleArn"}, {"PrincipalArn", "principalArn"}, {"SAMLAssertion", "sAMLAssertion"}} {
		if !p.Has(r.param) {
			return nil, awsapi.ValueNull.Of(r.member)
		}
	}
	if err := lengthErr(a.roleArn, "roleArn", 20, 2048); err != nil {
		return nil, err
	}
	if err := lengthErr(a.principalArn, "principalArn", 20, 2048); err != nil {
		return nil, err
	}
	if n := len(a.assertion); n < 4 {
		return nil, awsapi.ValueTooShort.Of("...", "sAMLAssertion", 4)
	} else if n > saml.MaxResponseBytes {
		return nil, awsapi.ValueTooLong.Of("...", "sAMLAssertion", saml.MaxResponseBytes)
	}
	var err error
	if a.duration, a.hasDuration, err = parseDuration(p); err != nil {
		return nil, err
	}
	if a.policyDoc, a.policyARNs, err = parseSessionPolicies(p); err != nil {
		return nil, err
	}
	return a, nil
}

// samlProvider loads the provider PrincipalArn names (nil: none).
func (s *Service) samlProvider(ctx context.Context, principalArn string) (*store.SAMLProvider, error) {
	a, err := arn.Parse(principalArn)
	if err != nil || a.Partition != "aws" || a.Service != "iam" || a.Region != "" || !arn.IsAccountID(a.Account) {
		return nil, nil
	}
	name, ok := strings.CutPrefix(a.Resource, "saml-provider/")
	if !ok || name == "" {
		return nil, nil
	}
	var sp *store.SAMLProvider
	err = s.cfg.Store.View(ctx, func(tx store.Tx) error {
		var err error
		sp, err = tx.GetSAMLProvider(ctx, a.Account, name)
		return err
	})
	if errors.Is(err, store.ErrNotFound) || err == nil && sp.Name != name {
		return nil, nil
	}
	return sp, err
}

// samlError words a verification failure.
func samlError(err error) error {
	switch {
	case errors.Is(err, saml.ErrSignature):
		return awsapi.SAMLSignatureInvalid.Of()
	case errors.Is(err, saml.ErrIssuer):
		return awsapi.SAMLIssuerMismatch.Of()
	case errors.Is(err, saml.ErrExpired):
		return awsapi.SAMLExpired.Of()
	case errors.Is(err, saml.ErrNotYetValid):
		return awsapi.SAMLNotYetValid.Of()
	case errors.Is(err, saml.ErrAudience):
		return awsapi.SAMLAudienceMissing.Of()
	case errors.Is(err, saml.ErrRecipient):
		return awsapi.SAMLRecipientMissing.Of()
	case errors.Is(err, saml.ErrStatus):
		return awsapi.SAMLStatusFailed.Of()
	case errors.Is(err, saml.ErrUnsupported):
		return awsapi.SAMLEncrypted.Of()
	}
	return awsapi.SAMLResponseMalformed.Of()
}

// samlGrant is what AssumeRoleWithSAML's resolve step settled.
type samlGrant struct {
	params         *samlParams
	role           *store.Role
	arn            string
	sessionName    string
	duration       int
	expiresBy      time.Time // the assertion's SessionNotOnOrAfter (zero: none)
	tags           []token.Tag
	transitive     []string
	sourceIdentity string
	keys           []token.ContextKey
	assertion      *saml.Assertion
	subjectType    string
	nameQualifier  string
}

// assumeRoleWithSAML resolves AssumeRoleWithSAML.
func (s *Service) assumeRoleWithSAML(ctx context.Context, info authz.RequestInfo, p url.Values) (*pipeline.Call, error) {
	a, err := parseSAMLParams(p)
	if err != nil {
		return nil, err
	}
	sp, err := s.samlProvider(ctx, a.principalArn)
	if err != nil {
		return nil, err
	}
	if sp == nil {
		return nil, awsapi.SAMLProviderMissing.Of()
	}
	if !sp.ValidUntil.IsZero() && !info.Now.Before(sp.ValidUntil) {
		return nil, awsapi.SAMLProviderExpired.Of()
	}
	md, err := saml.ParseMetadata([]byte(sp.Metadata))
	if err != nil {
		// Stored metadata was parsed on write: this is the server's fault.
		return nil, err
	}
	endpoints := append([]string{AudienceAWS}, s.cfg.SAMLEndpoints...)
	as, err := saml.VerifyResponse(a.assertion, saml.Expect{Now: info.Now, Leeway: samlLeeway, Issuer: md.EntityID,
		Certificates: md.Certificates, Audiences: endpoints, Recipients: endpoints})
	if err != nil {
		return nil, samlError(err)
	}
	// The STS quotas, for the subject the assertion names (its provider's
	// account): after verification, so that forged assertions naming a
	// provider cannot spend its users' quota.
	if err := s.Admit(sp.Account, a.principalArn+"/"+as.NameID); err != nil {
		return nil, err
	}
	g, err := readSAMLAttributes(as, a)
	if err != nil {
		return nil, err
	}
	subject := authz.FederationCaller(authz.TypeSAMLUser, sp.Account, a.principalArn)
	nq := nameQualifier(as.Issuer, sp.Account, sp.Name)
	subject.UserID, subject.Subject, subject.Issuer = nq+":"+as.NameID, as.NameID, nq
	if !grantsRole(as, a.roleArn, a.principalArn) {
		// The IdP did not grant this role: nothing may allow it.
		return denyAll("sts:AssumeRoleWithSAML", a.roleArn, subject), nil
	}
	cr, err := s.findRole(ctx, sp.Account, a.roleArn)
	if err != nil {
		return nil, err
	}
	if cr == nil {
		return denyAll("sts:AssumeRoleWithSAML", a.roleArn, subject), nil
	}
	g.role, g.arn = cr.role, cr.arn
	g.duration = 3600
	if a.hasDuration {
		g.duration = a.duration
	} else if v, ok := as.Attribute(attrDuration); ok {
		n, err := strconv.Atoi(strings.TrimSpace(first(v)))
		if err != nil || n < 900 || n > 43200 {
			return nil, awsapi.SAMLSessionDurationInvalid.Of()
		}
		g.duration = n
	}
	if g.duration > g.role.MaxSessionDuration {
		return nil, awsapi.DurationOverRoleMax.Of()
	}
	if err := s.sessionPoliciesExist(ctx, g.role.Account, a.policyARNs); err != nil {
		return nil, err
	}
	if size := g.packedSize(); size > 100 {
		return nil, awsapi.PackedSizeExceeded.Of(size)
	}
	g.nameQualifier = nq
	g.keys = samlKeys(as, g, sp)
	size := 0
	for _, k := range g.keys {
		size += len(k.Key)
		for _, v := range k.Values {
			size += len(v) + 1
		}
	}
	if size > maxSessionKeyBytes {
		return nil, awsapi.SAMLKeysTooLarge.Of(maxSessionKeyBytes)
	}
	keys := map[string][]string{"sts:rolesessionname": {g.sessionName}}
	for _, k := range g.keys {
		keys[strings.ToLower(k.Key)] = k.Values
	}
	if g.sourceIdentity != "" {
		keys["sts:sourceidentity"] = []string{g.sourceIdentity}
	}
	if len(g.tags) > 0 {
		var tagKeys []string
		for _, t := range g.tags {
			keys["aws:requesttag/"+strings.ToLower(t.Key)] = []string{t.Value}
			tagKeys = append(tagKeys, t.Key)
		}
		keys["aws:tagkeys"] = tagKeys
	}
	if len(g.transitive) > 0 {
		keys["sts:transitivetagkeys"] = g.transitive
	}
	trust := authz.Check{Action: "sts:AssumeRoleWithSAML", Resource: g.arn, DisplayResource: a.roleArn, ResourceAccount: g.role.Account,
		ResourcePolicy: cr.trust, Trust: true, Keys: keys, Bare: true}
	checks := []pipeline.Check{{Check: trust, Principal: subject}}
	if len(g.tags) > 0 || len(g.transitive) > 0 {
		c := trust
		c.Action = "sts:TagSession"
		checks = append(checks, pipeline.Check{Check: c, Principal: subject})
	}
	if g.sourceIdentity != "" {
		c := trust
		c.Action = "sts:SetSourceIdentity"
		checks = append(checks, pipeline.Check{Check: c, Principal: subject})
	}
	run := func(ctx context.Context, _ pipeline.Outcomes) (any, error) { return s.issueSAMLSession(ctx, info, g) }
	return &pipeline.Call{Plan: pipeline.Plan{Checks: checks}, Run: run}, nil
}

func first(v []string) string {
	if len(v) == 0 {
		return ""
	}
	return v[0]
}

// grantsRole reports whether the Role attribute holds the pair of the role
// and the provider, in either order.
func grantsRole(as *saml.Assertion, roleArn, providerArn string) bool {
	vals, _ := as.Attribute(attrRole)
	for _, v := range vals {
		x, y, ok := strings.Cut(v, ",")
		if !ok || strings.Contains(y, ",") {
			continue
		}
		x, y = strings.TrimSpace(x), strings.TrimSpace(y)
		if x == roleArn && y == providerArn || x == providerArn && y == roleArn {
			return true
		}
	}
	return false
}

// readSAMLAttributes reads RoleSessionName, SourceIdentity, the session
// tags and the transitive tag keys.
func readSAMLAttributes(as *saml.Assertion, a *samlParams) (*samlGrant, error) {
	g := &samlGrant{params: a, assertion: as, expiresBy: as.SessionNotOnOrAfter}
	names, ok := as.Attribute(attrSession)
	if !ok || len(names) == 0 {
		return nil, awsapi.SAMLRoleSessionNameMissing.Of()
	}
	g.sessionName = names[0]
	if !samlSessionNameRe.MatchString(g.sessionName) {
		return nil, awsapi.SAMLRoleSessionNameInvalid.Of()
	}
	if v, ok := as.Attribute(attrSourceID); ok {
		g.sourceIdentity = first(v)
		if !samlSessionNameRe.MatchString(g.sourceIdentity) || strings.HasPrefix(strings.ToLower(g.sourceIdentity), "aws:") {
			return nil, awsapi.SAMLSourceIdentityInvalid.Of()
		}
	}
	seen := map[string]bool{}
	for _, at := range as.Attributes {
		k, ok := strings.CutPrefix(at.Name, attrTagPrefix)
		if !ok {
			continue
		}
		v := first(at.Values)
		switch {
		case k == "" || len(k) > 128 || !tagKeyRe.MatchString(k):
			return nil, awsapi.SAMLPrincipalTagInvalid.Of("a tag key must be 1 to 128 characters of " + `[\p{L}\p{Z}\p{N}_.:/=+\-@]`)
		case len(v) > 256 || !tagValueRe.MatchString(v):
			return nil, awsapi.SAMLPrincipalTagInvalid.Of("a tag value must be at most 256 characters of " + `[\p{L}\p{Z}\p{N}_.:/=+\-@]`)
		case strings.HasPrefix(strings.ToLower(k), "aws:"):
			return nil, awsapi.SAMLPrincipalTagInvalid.Of("tag keys cannot start with 'aws:'")
		case seen[strings.ToLower(k)]:
			return nil, awsapi.SAMLPrincipalTagInvalid.Of("duplicate tag keys (tag keys are case insensitive)")
		}
		seen[strings.ToLower(k)] = true
		g.tags = append(g.tags, token.Tag{Key: k, Value: v})
	}
	if len(g.tags) > 50 {
		return nil, awsapi.SAMLPrincipalTagInvalid.Of("more than 50 session tags")
	}
	if v, ok := as.Attribute(attrTransitive); ok {
		for _, k := range v {
			if !seen[strings.ToLower(k)] {
				return nil, awsapi.SAMLPrincipalTagInvalid.Of("a transitive tag key must be one of the session tags")
			}
			g.transitive = append(g.transitive, k)
		}
	}
	return g, nil
}

// packedSize is AssumeRole's measure over the session policy, policy
// ARNs and tags.
func (g *samlGrant) packedSize() int {
	a := assumeParams{sessionParams: sessionParams{policyDoc: g.params.policyDoc, policyARNs: g.params.policyARNs, tags: g.tags}}
	return a.packedSize()
}

// nameQualifier is AWS's saml:namequalifier: base64 of the SHA-1 of the
// issuer, the account id and "/" and the provider's name.
func nameQualifier(issuer, account, provider string) string {
	sum := sha1.Sum([]byte(issuer + account + "/" + provider))
	return base64.StdEncoding.EncodeToString(sum[:])
}

// subjectType is saml:sub_type: persistent, transient, or the NameID's
// whole Format URI.
func subjectType(format string) string {
	if short, ok := nameIDFormats[format]; ok {
		return short
	}
	if format == "" {
		return formatUnspecified
	}
	return format
}

// samlKeys are the condition keys of the assertion: available to the
// trust policy and carried by the session to its own policies.
func samlKeys(as *saml.Assertion, g *samlGrant, sp *store.SAMLProvider) []token.ContextKey {
	g.subjectType = subjectType(as.NameIDFormat)
	keys := []token.ContextKey{
		{Key: "saml:aud", Values: []string{as.Recipient}},
		{Key: "saml:iss", Values: []string{as.Issuer}},
		{Key: "saml:sub", Values: []string{as.NameID}},
		{Key: "saml:sub_type", Values: []string{g.subjectType}},
		{Key: "saml:namequalifier", Values: []string{g.nameQualifier}},
		{Key: "saml:doc", Values: []string{sp.Account + "/" + sp.Name}},
		{Key: "aws:federatedprovider", Values: []string{g.params.principalArn}},
	}
	byKey := map[string]int{}
	for _, at := range as.Attributes {
		k, ok := samlAttributeKeys[at.Name]
		if !ok {
			continue
		}
		if i, ok := byKey[k]; ok {
			keys[i].Values = append(keys[i].Values, at.Values...)
			continue
		}
		byKey[k] = len(keys)
		keys = append(keys, token.ContextKey{Key: k, Values: slices.Clone(at.Values)})
	}
	return keys
}

type samlResult struct {
	Credentials      xCredentials     `xml:"Credentials"`
	AssumedRoleUser  xAssumedRoleUser `xml:"AssumedRoleUser"`
	PackedPolicySize *int             `xml:"PackedPolicySize,omitempty"`
	Subject          string           `xml:"Subject"`
	SubjectType      string           `xml:"SubjectType"`
	Issuer           string           `xml:"Issuer"`
	Audience         string           `xml:"Audience"`
	NameQualifier    string           `xml:"NameQualifier"`
	SourceIdentity   string           `xml:"SourceIdentity,omitempty"`
}

// issueSAMLSession mints the credentials of an allowed
// AssumeRoleWithSAML.
func (s *Service) issueSAMLSession(ctx context.Context, info authz.RequestInfo, g *samlGrant) (any, error) {
	now := info.Now.UTC().Truncate(time.Second)
	expires := now.Add(time.Duration(g.duration) * time.Second)
	if !g.expiresBy.IsZero() && g.expiresBy.Before(expires) {
		expires = g.expiresBy.UTC().Truncate(time.Second)
	}
	a, role := g.params, g.role
	sess := &token.Session{
		Kind: token.KindRole, Account: role.Account, IssuedAt: now, Expires: expires,
		RoleARN: g.arn, RoleID: role.ID, SessionName: g.sessionName, SessionPolicy: a.policyDoc, PolicyARNs: a.policyARNs,
		Tags: g.tags, TransitiveTagKeys: g.transitive, SourceIdentity: g.sourceIdentity, CallerARN: a.principalArn,
		ContextKeys: g.keys,
	}
	creds, err := s.mint(ctx, sess)
	if err != nil {
		return nil, err
	}
	s.touchRole(ctx, role, now, info.Region)
	out := &samlResult{
		Credentials:     creds,
		AssumedRoleUser: xAssumedRoleUser{Arn: "arn:aws:sts::" + role.Account + ":assumed-role/" + role.Name + "/" + g.sessionName, AssumedRoleId: role.ID + ":" + g.sessionName},
		Subject:         g.assertion.NameID, SubjectType: g.subjectType, Issuer: g.assertion.Issuer,
		Audience: g.assertion.Recipient, NameQualifier: g.nameQualifier, SourceIdentity: g.sourceIdentity,
	}
	if a.policyDoc != "" || len(a.policyARNs) > 0 || len(g.tags) > 0 {
		size := g.packedSize()
		out.PackedPolicySize = &size
	}
	return out, nil
}
