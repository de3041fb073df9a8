package iam

import (
	"context"
	"errors"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gatehouse/gatehouse/internal/arn"
	"github.com/gatehouse/gatehouse/internal/authz"
	"github.com/gatehouse/gatehouse/internal/awsapi"
	"github.com/gatehouse/gatehouse/internal/oidc"
	"github.com/gatehouse/gatehouse/internal/store"
)

// IAM's limits of OpenID Connect providers.
const (
	maxOIDCProviders   = 100 // per account
	maxOIDCClientIDs   = 100 // per provider
	maxOIDCThumbprints = 5   // per provider
)

// providerURL: the ARN of the provider a CreateOpenIDConnectProvider's Url
// would make (what the URL says after https:// when it is not one).
type providerURL struct{}

func (providerURL) arn(_ context.Context, _ store.Tx, c *authz.Principal, p url.Values) (string, error) {
	u := p.Get("Url")
	name, err := oidc.ProviderName(u)
	if err != nil {
		name = strings.TrimPrefix(u, "https://")
	}
	return oidcProviderARN(c.Account, name), nil
}

func oidcProviderARN(account, name string) string {
	return "arn:aws:iam::" + account + ":oidc-provider/" + name
}

// providerARN reads the OpenIDConnectProviderArn parameter: an
// oidc-provider ARN. Another account's provider is not found.
func providerARN(c *authz.Principal, p url.Values) (string, error) {
	const param = "OpenIDConnectProviderArn"
	v := p.Get(param)
	if !p.Has(param) {
		return "", awsapi.ValueNull.Of(member(param))
	}
	if err := lengthOf(v, member(param), 20, 2048); err != nil {
		return "", err
	}
	a, err := arn.Parse(v)
	if err != nil || a.Partition != "aws" || a.Service != "iam" || a.Region != "" || !arn.IsAccountID(a.Account) ||
		!strings.HasPrefix(a.Resource, "oidc-provider/") {
		return "", awsapi.OIDCProviderARNInvalid.Of(v)
	}
	if a.Account != c.Account {
		return "", awsapi.OIDCProviderNotFound.Of(v)
	}
	return v, nil
}

// lengthOf checks a value's length in AWS's words.
func lengthOf(v, member string, min, max int) error {
	n := utf8.RuneCountInString(v)
	if n < min {
		return awsapi.ValueTooShort.Of(v, member, min)
	}
	if n > max {
		return awsapi.ValueTooLong.Of(v, member, max)
	}
	return nil
}

// stringList reads NAME.member.N (N from 1), and whether NAME was sent at
// all (an empty list is sent as "NAME=").
func stringList(p url.Values, name string) ([]string, bool) {
	var out []string
	for i := 1; ; i++ {
		k := name + ".member." + strconv.Itoa(i)
		if !p.Has(k) {
			break
		}
		out = append(out, p.Get(k))
	}
	return out, out != nil || p.Has(name)
}

// clientIDs validates client ids (1..255 characters each; at most 100
// once duplicates are dropped).
func clientIDs(list []string, param string) ([]string, error) {
	var out []string
	for i, id := range list {
		if err := lengthOf(id, member(param)+"."+strconv.Itoa(i+1)+".member", 1, 255); err != nil {
			return nil, err
		}
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	if len(out) > maxOIDCClientIDs {
		return nil, awsapi.QuotaExceeded.Of("ClientIdsPerOpenIdConnectProvider", maxOIDCClientIDs)
	}
	return out, nil
}

// thumbprints validates thumbprints (40 hex digits each, stored lower-case;
// at most 5 once duplicates are dropped).
func thumbprints(list []string) ([]string, error) {
	var out []string
	for i, tp := range list {
		if err := lengthOf(tp, "thumbprintList."+strconv.Itoa(i+1)+".member", 40, 40); err != nil {
			return nil, err
		}
		for _, c := range tp {
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
				return nil, awsapi.ThumbprintInvalid.Of(tp)
			}
		}
		if tp = strings.ToLower(tp); !slices.Contains(out, tp) {
			out = append(out, tp)
		}
	}
	if len(out) > maxOIDCThumbprints {
		return nil, awsapi.QuotaExceeded.Of("ThumbprintsPerOpenIdConnectProvider", maxOIDCThumbprints)
	}
	return out, nil
}

// getOIDCProvider reads a provider of the caller's account.
func getOIDCProvider(ctx context.Context, tx store.Tx, arn string) (*store.OIDCProvider, error) {
	prov, err := tx.GetOIDCProvider(ctx, arn)
	if errors.Is(err, store.ErrNotFound) {
		return nil, awsapi.OIDCProviderNotFound.Of(arn)
	}
	return prov, err
}

func (s *Service) createOIDCProvider(ctx context.Context, c *authz.Principal, p url.Values) (any, error) {
	u := p.Get("Url")
	if !p.Has("Url") {
		return nil, awsapi.ValueNull.Of("url")
	}
	if err := lengthOf(u, "url", 1, oidc.MaxProviderURLLen); err != nil {
		return nil, err
	}
	name, err := oidc.ProviderName(u)
	if err != nil {
		return nil, awsapi.OIDCProviderURLInvalid.Of(u)
	}
	list, _ := stringList(p, "ClientIDList")
	ids, err := clientIDs(list, "ClientIDList")
	if err != nil {
		return nil, err
	}
	list, _ = stringList(p, "ThumbprintList")
	prints, err := thumbprints(list)
	if err != nil {
		return nil, err
	}
	tg, err := tags(p)
	if err != nil {
		return nil, err
	}
	prov := &store.OIDCProvider{Account: c.Account, ARN: oidcProviderARN(c.Account, name), URL: oidc.IssuerURL(name),
		ClientIDs: ids, Thumbprints: prints, CreatedAt: s.now(), Tags: tg}
	err = s.cfg.Store.Update(ctx, func(tx store.Tx) error {
		existing, err := tx.ListOIDCProviders(ctx, c.Account)
		if err != nil {
			return err
		}
		if len(existing) >= maxOIDCProviders {
			return awsapi.QuotaExceeded.Of("OpenIdConnectProvidersPerAccount", maxOIDCProviders)
		}
		err = tx.CreateOIDCProvider(ctx, prov)
		if errors.Is(err, store.ErrExists) {
			return awsapi.OIDCProviderExists.Of(prov.URL)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return struct {
		OpenIDConnectProviderArn string `xml:"OpenIDConnectProviderArn"`
		Tags                     xTags  `xml:"Tags,omitempty"`
	}{prov.ARN, toXTags(prov.Tags)}, nil
}

func (s *Service) getOIDCProviderOp(ctx context.Context, c *authz.Principal, p url.Values) (any, error) {
	arn, err := providerARN(c, p)
	if err != nil {
		return nil, err
	}
	var prov *store.OIDCProvider
	err = s.cfg.Store.View(ctx, func(tx store.Tx) error {
		prov, err = getOIDCProvider(ctx, tx, arn)
		return err
	})
	if err != nil {
		return nil, err
	}
	// AWS shows the URL without its scheme.
	return struct {
		Url            string   `xml:"Url"`
		ClientIDList   []string `xml:"ClientIDList>member"`
		ThumbprintList []string `xml:"ThumbprintList>member"`
		CreateDate     string   `xml:"CreateDate"`
		Tags           xTags    `xml:"Tags,omitempty"`
	}{strings.TrimPrefix(prov.URL, "https://"), prov.ClientIDs, prov.Thumbprints, isoTime(prov.CreatedAt), toXTags(prov.Tags)}, nil
}

func (s *Service) listOIDCProviders(ctx context.Context, c *authz.Principal, _ url.Values) (any, error) {
	var list []*store.OIDCProvider
	err := s.cfg.Store.View(ctx, func(tx store.Tx) error {
		var err error
		list, err = tx.ListOIDCProviders(ctx, c.Account)
		return err
	})
	if err != nil {
		return nil, err
	}
	type entry struct {
		Arn string `xml:"Arn"`
	}
	out := struct {
		List []entry `xml:"OpenIDConnectProviderList>member"`
	}{}
	for _, prov := range list {
		out.List = append(out.List, entry{prov.ARN})
	}
	return out, nil
}

func (s *Service) deleteOIDCProvider(ctx context.Context, c *authz.Principal, p url.Values) (any, error) {
	arn, err := providerARN(c, p)
	if err != nil {
		return nil, err
	}
	return nil, s.cfg.Store.Update(ctx, func(tx store.Tx) error {
		if _, err := getOIDCProvider(ctx, tx, arn); err != nil {
			return err
		}
		return tx.DeleteOIDCProvider(ctx, arn)
	})
}

// changeOIDCProvider applies change to a provider named by the request.
func (s *Service) changeOIDCProvider(ctx context.Context, c *authz.Principal, p url.Values, change func(*store.OIDCProvider) error) error {
	arn, err := providerARN(c, p)
	if err != nil {
		return err
	}
	return s.cfg.Store.Update(ctx, func(tx store.Tx) error {
		prov, err := getOIDCProvider(ctx, tx, arn)
		if err != nil {
			return err
		}
		if err := change(prov); err != nil {
			return err
		}
		return tx.UpdateOIDCProvider(ctx, prov)
	})
}

func (s *Service) updateOIDCThumbprints(ctx context.Context, c *authz.Principal, p url.Values) (any, error) {
	list, sent := stringList(p, "ThumbprintList")
	if !sent {
		return nil, awsapi.ValueNull.Of("thumbprintList")
	}
	prints, err := thumbprints(list)
	if err != nil {
		return nil, err
	}
	return nil, s.changeOIDCProvider(ctx, c, p, func(prov *store.OIDCProvider) error {
		prov.Thumbprints = prints
		return nil
	})
}

// clientID reads the ClientID parameter.
func clientID(p url.Values) (string, error) {
	if !p.Has("ClientID") {
		return "", awsapi.ValueNull.Of("clientID")
	}
	id := p.Get("ClientID")
	return id, lengthOf(id, "clientID", 1, 255)
}

// addOIDCClientID adds a client id; adding one the provider has is not an
// error (AWS: the operation is idempotent).
func (s *Service) addOIDCClientID(ctx context.Context, c *authz.Principal, p url.Values) (any, error) {
	id, err := clientID(p)
	if err != nil {
		return nil, err
	}
	return nil, s.changeOIDCProvider(ctx, c, p, func(prov *store.OIDCProvider) error {
		if slices.Contains(prov.ClientIDs, id) {
			return nil
		}
		if len(prov.ClientIDs) >= maxOIDCClientIDs {
			return awsapi.QuotaExceeded.Of("ClientIdsPerOpenIdConnectProvider", maxOIDCClientIDs)
		}
		prov.ClientIDs = append(prov.ClientIDs, id)
		return nil
	})
}

// removeOIDCClientID removes a client id; removing one the provider does
// not have is not an error (AWS: the operation is idempotent).
func (s *Service) removeOIDCClientID(ctx context.Context, c *authz.Principal, p url.Values) (any, error) {
	id, err := clientID(p)
	if err != nil {
		return nil, err
	}
	return nil, s.changeOIDCProvider(ctx, c, p, func(prov *store.OIDCProvider) error {
		prov.ClientIDs = slices.DeleteFunc(prov.ClientIDs, func(v string) bool { return v == id })
		return nil
	})
}

func (s *Service) oidcProviderTags() tagTarget {
	return tagTarget{func(ctx context.Context, tx store.Tx, c *authz.Principal, p url.Values) (func() []store.Tag, func([]store.Tag) error, error) {
		arn, err := providerARN(c, p)
		if err != nil {
			return nil, nil, err
		}
		prov, err := getOIDCProvider(ctx, tx, arn)
		if err != nil {
			return nil, nil, err
		}
		return func() []store.Tag { return prov.Tags }, func(t []store.Tag) error { prov.Tags = t; return tx.UpdateOIDCProvider(ctx, prov) }, nil
	}}
}
