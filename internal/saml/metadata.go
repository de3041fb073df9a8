package saml

import (
	"bytes"
	"crypto/x509"
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"strings"
	"time"
)

// maxSigningCertificates bounds the signing certificates read from one
// metadata document (an IdP rotating keys lists two or three).
const maxSigningCertificates = 10

// Metadata is what AssumeRoleWithSAML needs of an identity provider's
// metadata.
type Metadata struct {
	// EntityID is the IdP's entity id: the Issuer of its assertions.
	EntityID string
	// ValidUntil is the earliest validUntil of the EntityDescriptor and its
	// IDPSSODescriptor (zero when neither says).
	ValidUntil time.Time
	// Certificates are the IdP's signing certificates (KeyDescriptors of
	// use "signing" or of no use), in document order.
	Certificates []*x509.Certificate
}

type xEntityDescriptor struct {
	XMLName    xml.Name            `xml:"urn:oasis:names:tc:SAML:2.0:metadata EntityDescriptor"`
	EntityID   string              `xml:"entityID,attr"`
	ValidUntil string              `xml:"validUntil,attr"`
	IDP        []xIDPSSODescriptor `xml:"urn:oasis:names:tc:SAML:2.0:metadata IDPSSODescriptor"`
}

type xIDPSSODescriptor struct {
	Protocols  string           `xml:"protocolSupportEnumeration,attr"`
	ValidUntil string           `xml:"validUntil,attr"`
	Keys       []xKeyDescriptor `xml:"urn:oasis:names:tc:SAML:2.0:metadata KeyDescriptor"`
}

type xKeyDescriptor struct {
	Use   string   `xml:"use,attr"`
	Certs []string `xml:"http://www.w3.org/2000/09/xmldsig# KeyInfo>X509Data>X509Certificate"`
}

// ParseMetadata reads an IdP's metadata: an EntityDescriptor with an
// entityID and one IDPSSODescriptor supporting SAML 2.0 that lists at
// least one signing certificate.
func ParseMetadata(doc []byte) (*Metadata, error) {
	if len(doc) > MaxMetadataBytes {
		return nil, fmt.Errorf("%w: metadata over %d bytes", ErrMalformed, MaxMetadataBytes)
	}
	if _, err := precheck(doc); err != nil {
		return nil, err
	}
	var ed xEntityDescriptor
	d := xml.NewDecoder(bytes.NewReader(doc))
	d.Strict = true
	if err := d.Decode(&ed); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	md := &Metadata{EntityID: strings.TrimSpace(ed.EntityID)}
	if md.EntityID == "" || len(md.EntityID) > 1024 {
		return nil, fmt.Errorf("%w: no entityID", ErrMalformed)
	}
	var idp *xIDPSSODescriptor
	for i := range ed.IDP {
		if strings.Contains(ed.IDP[i].Protocols, nsProtocol) {
			if idp != nil {
				return nil, fmt.Errorf("%w: two SAML 2.0 IDPSSODescriptors", ErrMalformed)
			}
			idp = &ed.IDP[i]
		}
	}
	if idp == nil {
		return nil, fmt.Errorf("%w: no IDPSSODescriptor for SAML 2.0", ErrMalformed)
	}
	for _, v := range []string{ed.ValidUntil, idp.ValidUntil} {
		if v == "" {
			continue
		}
		t, err := parseTime(v)
		if err != nil {
			return nil, fmt.Errorf("%w: validUntil %q", ErrMalformed, v)
		}
		if md.ValidUntil.IsZero() || t.Before(md.ValidUntil) {
			md.ValidUntil = t
		}
	}
	for _, k := range idp.Keys {
		if k.Use != "" && k.Use != "signing" {
			continue
		}
		for _, c := range k.Certs {
			der, err := base64.StdEncoding.DecodeString(stripSpace(c))
			if err != nil {
				return nil, fmt.Errorf("%w: certificate is not base64", ErrMalformed)
			}
			cert, err := x509.ParseCertificate(der)
			if err != nil {
				return nil, fmt.Errorf("%w: certificate: %v", ErrMalformed, err)
			}
			if len(md.Certificates) == maxSigningCertificates {
				return nil, fmt.Errorf("%w: more than %d signing certificates", ErrMalformed, maxSigningCertificates)
			}
			md.Certificates = append(md.Certificates, cert)
		}
	}
	if len(md.Certificates) == 0 {
		return nil, fmt.Errorf("%w: no signing certificate", ErrMalformed)
	}
	return md, nil
}

// stripSpace removes the whitespace base64 in XML is wrapped with.
func stripSpace(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case ' ', '\t', '\r', '\n':
			return -1
		}
		return r
	}, s)
}

// parseTime reads an xs:dateTime as SAML uses it (UTC, optional
// fractional seconds).
func parseTime(v string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(v))
	if err != nil {
		return time.Time{}, err
	}
	return t.UTC(), nil
}
