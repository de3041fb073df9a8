package iam

import (
	"context"
	"errors"
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gatehouse/gatehouse/internal/arn"
	"github.com/gatehouse/gatehouse/internal/authz"
	"github.com/gatehouse/gatehouse/internal/awsapi"
	"github.com/gatehouse/gatehouse/internal/saml"
	"github.com/gatehouse/gatehouse/internal/store"
)

// SAML identity providers: an IdP's metadata document, parsed on write
// (entity id, signing certificates, validUntil) and kept as written.
// AssumeRoleWithSAML (internal/sts) verifies assertions against it.
// Assertion encryption is not supported: AssertionEncryptionMode and
// private keys are refused.

const (
	// samlProvidersPerAccount is AWS's quota.
	samlProvidersPerAccount = 100
	// samlMetadataMin and samlMetadataMax bound SAMLMetadataDocument
	// (SAMLMetadataDocumentType).
	samlMetadataMin = 1000
	samlMetadataMax = saml.MaxMetadataBytes
	// samlDefaultValidity is how long a provider whose metadata states no
	// validUntil is valid, as AWS sets it.
	samlDefaultValidity = 100
)

var samlNamePattern = regexp.MustCompile(`^[\w._-]+$`)

type xSAMLProviderEntry struct {
	Arn        string `xml:"Arn"`
	ValidUntil string `xml:"ValidUntil,omitempty"`
	CreateDate string `xml:"CreateDate"`
}

func samlProviderARN(account, name string) string {
	return "arn:aws:iam::" + account + ":saml-provider/" + name
}

// samlMetadata reads and parses SAMLMetadataDocument.
func samlMetadata(p url.Values) (string, *saml.Metadata, error) {
	doc, err := required(p, "SAMLMetadataDocument")
	if err != nil {
		return "", nil, err
	}
	if n := utf8.RuneCountInString(doc); n < samlMetadataMin {
		return "", nil, awsapi.ValueTooShort.Of("...", "sAMLMetadataDocument", samlMetadataMin)
	} else if n > samlMetadataMax {
		return "", nil, awsapi.ValueTooLong.Of("...", "sAMLMetadataDocument", samlMetadataMax)
	}
	md, err := saml.ParseMetadata([]byte(doc))
	if err != nil {
		return "", nil, awsapi.SAMLMetadataUnparsable.Of()
	}
	return doc, md, nil
}

// refuseEncryption refuses the assertion-encryption parameters.
func refuseEncryption(p url.Values) error {
	for _, k := range []string{"AssertionEncryptionMode", "AddPrivateKey", "RemovePrivateKey"} {
		if p.Has(k) {
			return awsapi.SAMLEncryptionUnsupported.Of()
		}
	}
	return nil
}

// samlProviderName reads SAMLProviderArn and returns the provider's name,
// which must be of the caller's account.
func samlProviderName(c *authz.Principal, p url.Values) (string, string, error) {
	v, err := required(p, "SAMLProviderArn")
	if err != nil {
		return "", "", err
	}
	if len(v) < 20 {
		return "", "", awsapi.ValueTooShort.Of(v, "sAMLProviderArn", 20)
	}
	if len(v) > 2048 {
		return "", "", awsapi.ValueTooLong.Of(v, "sAMLProviderArn", 2048)
	}
	a, err := arn.Parse(v)
	if err != nil || a.Partition != "aws" || a.Service != "iam" || a.Region != "" || !arn.IsAccountID(a.Account) {
		return "", "", awsapi.SAMLProviderARNInvalid.Of(v)
	}
	name, ok := strings.CutPrefix(a.Resource, "saml-provider/")
	if !ok || name == "" || !samlNamePattern.MatchString(name) {
		return "", "", awsapi.SAMLProviderARNInvalid.Of(v)
	}
	if a.Account != c.Account {
		return "", "", awsapi.SAMLProviderNotFound.Of(v)
	}
	return v, name, nil
}

// getSAMLProvider loads a provider named by SAMLProviderArn.
func getSAMLProvider(ctx context.Context, tx store.Tx, c *authz.Principal, p url.Values) (*store.SAMLProvider, error) {
	v, n, err := samlProviderName(c, p)
	if err != nil {
		return nil, err
	}
	sp, err := tx.GetSAMLProvider(ctx, c.Account, n)
	if errors.Is(err, store.ErrNotFound) || err == nil && sp.Name != n {
		return nil, awsapi.SAMLProviderNotFound.Of(v)
	}
	return sp, err
}

func (s *Service) createSAMLProvider(ctx context.Context, c *authz.Principal, p url.Values) (any, error) {
	n := p.Get("Name")
	switch {
	case n == "":
		return nil, awsapi.ValueNull.Of("name")
	case utf8.RuneCountInString(n) > 128:
		return nil, awsapi.ValueTooLong.Of(n, "name", 128)
	case !samlNamePattern.MatchString(n):
		return nil, awsapi.ValueNotMatching.Of(n, "name", `[\w._-]+`)
	}
	if err := refuseEncryption(p); err != nil {
		return nil, err
	}
	doc, md, err := samlMetadata(p)
	if err != nil {
		return nil, err
	}
	tg, err := tags(p)
	if err != nil {
		return nil, err
	}
	now := s.now()
	sp := &store.SAMLProvider{Account: c.Account, Name: n, UUID: randomFrom(base32Upper, 26), Metadata: doc, EntityID: md.EntityID,
		CreatedAt: now, ValidUntil: validUntil(md, now), Tags: tg}
	err = s.cfg.Store.Update(ctx, func(tx store.Tx) error {
		count, err := tx.CountSAMLProviders(ctx, c.Account)
		if err != nil {
			return err
		}
		if count >= samlProvidersPerAccount {
			return awsapi.QuotaExceeded.Of("SAMLProvidersPerAccount", samlProvidersPerAccount)
		}
		err = tx.CreateSAMLProvider(ctx, sp)
		if errors.Is(err, store.ErrExists) {
			return awsapi.SAMLProviderExists.Of(n)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return struct {
		SAMLProviderArn string `xml:"SAMLProviderArn"`
		Tags            xTags  `xml:"Tags,omitempty"`
	}{samlProviderARN(c.Account, n), toXTags(tg)}, nil
}

// validUntil is the metadata's validUntil, or a century from now.
func validUntil(md *saml.Metadata, now time.Time) time.Time {
	if !md.ValidUntil.IsZero() {
		return md.ValidUntil.UTC().Truncate(time.Second)
	}
	return now.AddDate(samlDefaultValidity, 0, 0)
}

func (s *Service) getSAMLProviderOp(ctx context.Context, c *authz.Principal, p url.Values) (any, error) {
	var sp *store.SAMLProvider
	err := s.cfg.Store.View(ctx, func(tx store.Tx) error {
		var err error
		sp, err = getSAMLProvider(ctx, tx, c, p)
		return err
	})
	if err != nil {
		return nil, err
	}
	return struct {
		SAMLProviderUUID     string `xml:"SAMLProviderUUID"`
		SAMLMetadataDocument string `xml:"SAMLMetadataDocument"`
		CreateDate           string `xml:"CreateDate"`
		ValidUntil           string `xml:"ValidUntil"`
		Tags                 xTags  `xml:"Tags,omitempty"`
	}{sp.UUID, sp.Metadata, isoTime(sp.CreatedAt), isoTime(sp.ValidUntil), toXTags(sp.Tags)}, nil
}

func (s *Service) listSAMLProviders(ctx context.Context, c *authz.Principal, _ url.Values) (any, error) {
	out := struct {
		List []xSAMLProviderEntry `xml:"SAMLProviderList>member"`
	}{List: []xSAMLProviderEntry{}}
	err := s.cfg.Store.View(ctx, func(tx store.Tx) error {
		list, err := tx.ListSAMLProviders(ctx, c.Account)
		for _, sp := range list {
			out.List = append(out.List, xSAMLProviderEntry{Arn: samlProviderARN(sp.Account, sp.Name), ValidUntil: isoTime(sp.ValidUntil), CreateDate: isoTime(sp.CreatedAt)})
		}
		return err
	})
	return out, err
}

func (s *Service) updateSAMLProvider(ctx context.Context, c *authz.Principal, p url.Values) (any, error) {
	if err := refuseEncryption(p); err != nil {
		return nil, err
	}
	if !p.Has("SAMLMetadataDocument") {
		if _, _, err := samlProviderName(c, p); err != nil {
			return nil, err
		}
		return nil, awsapi.SAMLNoUpdate.Of()
	}
	doc, md, err := samlMetadata(p)
	if err != nil {
		return nil, err
	}
	var sp *store.SAMLProvider
	err = s.cfg.Store.Update(ctx, func(tx store.Tx) error {
		if sp, err = getSAMLProvider(ctx, tx, c, p); err != nil {
			return err
		}
		sp.Metadata, sp.EntityID, sp.ValidUntil = doc, md.EntityID, validUntil(md, s.now())
		return tx.UpdateSAMLProvider(ctx, sp)
	})
	if err != nil {
		return nil, err
	}
	return struct {
		SAMLProviderArn string `xml:"SAMLProviderArn"`
	}{samlProviderARN(sp.Account, sp.Name)}, nil
}

func (s *Service) deleteSAMLProvider(ctx context.Context, c *authz.Principal, p url.Values) (any, error) {
	return nil, s.cfg.Store.Update(ctx, func(tx store.Tx) error {
		sp, err := getSAMLProvider(ctx, tx, c, p)
		if err != nil {
			return err
		}
		return tx.DeleteSAMLProvider(ctx, sp.Account, sp.Name)
	})
}

func (s *Service) samlProviderTags() tagTarget {
	return tagTarget{func(ctx context.Context, tx store.Tx, c *authz.Principal, p url.Values) (func() []store.Tag, func([]store.Tag) error, error) {
		sp, err := getSAMLProvider(ctx, tx, c, p)
		if err != nil {
			return nil, nil, err
		}
		return func() []store.Tag { return sp.Tags }, func(t []store.Tag) error { sp.Tags = t; return tx.UpdateSAMLProvider(ctx, sp) }, nil
	}}
}
