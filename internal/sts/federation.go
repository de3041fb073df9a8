package sts

import (
	"context"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/internal/authz"
	"github.com/gatehouse/gatehouse/internal/awsapi"
	"github.com/gatehouse/gatehouse/internal/pipeline"
	"github.com/gatehouse/gatehouse/internal/token"
)

// GetFederationToken's session durations (seconds).
const (
	federationDefault = 43200
	federationMin     = 900
	federationMax     = 129600
	// federationRootMax caps sessions the root federates: longer requests
	// get one hour, as AWS does.
	federationRootMax = 3600
)

// federationParams is a validated GetFederationToken request.
type federationParams struct {
	sessionParams
	name     string
	duration int
}

func parseFederation(p url.Values) (*federationParams, error) {
	f := &federationParams{name: p.Get("Name"), duration: federationDefault}
	if !p.Has("Name") {
		return nil, awsapi.ValueNull.Of("name")
	}
	if err := lengthErr(f.name, "name", 2, 32); err != nil {
		return nil, err
	}
	if err := patternErr(f.name, "name", sessionNameRe, `[\w+=,.@-]*`); err != nil {
		return nil, err
	}
	if v := p.Get("DurationSeconds"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < federationMin {
			return nil, awsapi.ValueTooSmall.Of(v, "durationSeconds", federationMin)
		}
		if n > federationMax {
			return nil, awsapi.ValueTooLarge.Of(v, "durationSeconds", federationMax)
		}
		f.duration = n
	}
	sp, err := parseSessionParams(p)
	if err != nil {
		return nil, err
	}
	f.sessionParams = sp
	return f, nil
}

// federatedUserARN is the ARN of a federated user.
func federatedUserARN(account, name string) string {
	return "arn:aws:sts::" + account + ":federated-user/" + name
}

// getFederationToken resolves GetFederationToken: an IAM user's (or the
// root's) long-term keys ask for a federated user's session, whose
// permissions are the caller's ∩ the session policies passed (none passed:
// none at all). It declares sts:GetFederationToken on the federated user's
// ARN, and sts:TagSession when tags are passed.
func (s *Service) getFederationToken(ctx context.Context, caller *authz.Principal, info authz.RequestInfo, p url.Values) (*pipeline.Call, error) {
	if caller.Session != nil {
		// Only long-term credentials federate (AWS's words).
		return nil, awsapi.SessionCredentialsRefused.Of("GetFederationToken")
	}
	f, err := parseFederation(p)
	if err != nil {
		return nil, err
	}
	if err := s.sessionPoliciesExist(ctx, caller.Account, f.policyARNs); err != nil {
		return nil, err
	}
	if size := f.packedSize(); size > 100 {
		return nil, awsapi.PackedSizeExceeded.Of(size)
	}
	if caller.Type == authz.TypeRoot && f.duration > federationRootMax {
		f.duration = federationRootMax
	}
	arn := federatedUserARN(caller.Account, f.name)
	var keys map[string][]string
	if len(f.tags) > 0 {
		keys = map[string][]string{}
		var tagKeys []string
		for _, t := range f.tags {
			keys["aws:requesttag/"+strings.ToLower(t.Key)] = []string{t.Value}
			tagKeys = append(tagKeys, t.Key)
		}
		keys["aws:tagkeys"] = tagKeys
	}
	federate := authz.Check{Action: "sts:GetFederationToken", Resource: arn, ResourceAccount: caller.Account, Keys: keys}
	checks := []pipeline.Check{{Check: federate}}
	if len(f.tags) > 0 {
		c := federate
		c.Action = "sts:TagSession"
		checks = append(checks, pipeline.Check{Check: c})
	}
	run := func(ctx context.Context, _ pipeline.Outcomes) (any, error) {
		return s.issueFederatedSession(ctx, caller, info, f)
	}
	return &pipeline.Call{Plan: pipeline.Plan{Checks: checks}, Run: run}, nil
}

// getFederationTokenResult is the content of GetFederationTokenResult.
type getFederationTokenResult struct {
	Credentials      xCredentials `xml:"Credentials"`
	FederatedUser    xFederatedUser
	PackedPolicySize *int `xml:"PackedPolicySize,omitempty"`
}

type xFederatedUser struct {
	Arn             string `xml:"Arn"`
	FederatedUserId string `xml:"FederatedUserId"`
}

// issueFederatedSession mints the credentials of an allowed
// GetFederationToken.
func (s *Service) issueFederatedSession(ctx context.Context, caller *authz.Principal, info authz.RequestInfo, f *federationParams) (any, error) {
	now := info.Now.UTC().Truncate(time.Second)
	sess := &token.Session{
		Kind: token.KindFederated, Account: caller.Account, IssuedAt: now, Expires: now.Add(time.Duration(f.duration) * time.Second),
		SessionName: f.name, SourceARN: caller.ARN, SourceUserID: caller.UserID, SourceName: caller.UserName,
		SessionPolicy: f.policyDoc, PolicyARNs: f.policyARNs, Tags: f.tags, CallerARN: caller.ARN,
	}
	creds, err := s.mint(ctx, sess)
	if err != nil {
		return nil, err
	}
	out := &getFederationTokenResult{
		Credentials:   creds,
		FederatedUser: xFederatedUser{Arn: federatedUserARN(caller.Account, f.name), FederatedUserId: caller.Account + ":" + f.name},
	}
	if f.policyDoc != "" || len(f.policyARNs) > 0 || len(f.tags) > 0 {
		size := f.packedSize()
		out.PackedPolicySize = &size
	}
	return out, nil
}
