// Package samltest is a test identity provider for AWS SAML federation: it
// makes an RSA key with a self-signed certificate, writes the metadata
// that describes them, and builds Responses — assertion signed, Response
// signed, both or neither — for tests to send to AssumeRoleWithSAML or to
// tamper with first. Test files only import it.
package samltest

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/beevik/etree"
	dsig "github.com/russellhaering/goxmldsig"
)

// AWS's names.
const (
	AudienceAWS   = "https://signin.aws.amazon.com/saml"
	AttrRole      = "https://aws.amazon.com/SAML/Attributes/Role"
	AttrSession   = "https://aws.amazon.com/SAML/Attributes/RoleSessionName"
	AttrDuration  = "https://aws.amazon.com/SAML/Attributes/SessionDuration"
	AttrSourceID  = "https://aws.amazon.com/SAML/Attributes/SourceIdentity"
	AttrTagPrefix = "https://aws.amazon.com/SAML/Attributes/PrincipalTag:"
	AttrTransient = "https://aws.amazon.com/SAML/Attributes/TransitiveTagKeys"
	FormatPersist = "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"
	FormatTransnt = "urn:oasis:names:tc:SAML:2.0:nameid-format:transient"
)

const (
	nsP = "urn:oasis:names:tc:SAML:2.0:protocol"
	nsA = "urn:oasis:names:tc:SAML:2.0:assertion"
)

// IdP is a test identity provider.
type IdP struct {
	EntityID string
	Key      *rsa.PrivateKey
	CertDER  []byte
	Cert     *x509.Certificate
}

// New makes an IdP whose certificate is valid from notBefore to notAfter.
func New(entityID string, notBefore, notAfter time.Time) (*IdP, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test idp"},
		NotBefore: notBefore, NotAfter: notAfter, KeyUsage: x509.KeyUsageDigitalSignature}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	return &IdP{EntityID: entityID, Key: key, CertDER: der, Cert: cert}, nil
}

// Metadata is the IdP's metadata document (validUntil "" for none).
func (p *IdP) Metadata(validUntil string) string {
	vu := ""
	if validUntil != "" {
		vu = ` validUntil="` + validUntil + `"`
	}
	cert := base64.StdEncoding.EncodeToString(p.CertDER)
	return `<?xml version="1.0" encoding="UTF-8"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="` + p.EntityID + `"` + vu + `>
  <md:IDPSSODescriptor WantAuthnRequestsSigned="false" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing">
      <ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#">
        <ds:X509Data>
          <ds:X509Certificate>` + cert + `</ds:X509Certificate>
        </ds:X509Data>
      </ds:KeyInfo>
    </md:KeyDescriptor>
    <md:NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:persistent</md:NameIDFormat>
    <md:NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:transient</md:NameIDFormat>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example.com/sso"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>
`
}

// Attr is one attribute of an assertion.
type Attr struct {
	Name   string
	Values []string
}

// Claims are what an assertion says. Zero times take defaults around Now.
type Claims struct {
	Now          time.Time
	Issuer       string // default: the IdP's entity id
	NameID       string
	NameIDFormat string
	Audience     string // default AudienceAWS
	Recipient    string // default AudienceAWS
	NotBefore    time.Time
	NotOnOrAfter time.Time // default Now + 5 minutes
	// SessionNotOnOrAfter, when set, bounds the session (AuthnStatement).
	SessionNotOnOrAfter time.Time
	Attributes          []Attr
}

func (c *Claims) defaults(p *IdP) {
	if c.Issuer == "" {
		c.Issuer = p.EntityID
	}
	if c.Audience == "" {
		c.Audience = AudienceAWS
	}
	if c.Recipient == "" {
		c.Recipient = AudienceAWS
	}
	if c.NotBefore.IsZero() {
		c.NotBefore = c.Now.Add(-time.Minute)
	}
	if c.NotOnOrAfter.IsZero() {
		c.NotOnOrAfter = c.Now.Add(5 * time.Minute)
	}
}

func ts(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }

func newID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return fmt.Sprintf("_%x", b)
}

// Assertion builds an unsigned saml:Assertion element with a fresh ID.
func (p *IdP) Assertion(c Claims) *etree.Element {
	c.defaults(p)
	a := etree.NewElement("saml:Assertion")
	a.CreateAttr("xmlns:saml", nsA)
	a.CreateAttr("ID", newID())
	a.CreateAttr("Version", "2.0")
	a.CreateAttr("IssueInstant", ts(c.Now))
	a.CreateElement("saml:Issuer").SetText(c.Issuer)
	sub := a.CreateElement("saml:Subject")
	nid := sub.CreateElement("saml:NameID")
	if c.NameIDFormat != "" {
		nid.CreateAttr("Format", c.NameIDFormat)
	}
	nid.SetText(c.NameID)
	sc := sub.CreateElement("saml:SubjectConfirmation")
	sc.CreateAttr("Method", "urn:oasis:names:tc:SAML:2.0:cm:bearer")
	scd := sc.CreateElement("saml:SubjectConfirmationData")
	scd.CreateAttr("NotOnOrAfter", ts(c.NotOnOrAfter))
	scd.CreateAttr("Recipient", c.Recipient)
	cond := a.CreateElement("saml:Conditions")
	cond.CreateAttr("NotBefore", ts(c.NotBefore))
	cond.CreateAttr("NotOnOrAfter", ts(c.NotOnOrAfter))
	cond.CreateElement("saml:AudienceRestriction").CreateElement("saml:Audience").SetText(c.Audience)
	an := a.CreateElement("saml:AuthnStatement")
	an.CreateAttr("AuthnInstant", ts(c.Now))
	if !c.SessionNotOnOrAfter.IsZero() {
		an.CreateAttr("SessionNotOnOrAfter", ts(c.SessionNotOnOrAfter))
	}
	an.CreateElement("saml:AuthnContext").CreateElement("saml:AuthnContextClassRef").SetText("urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport")
	if len(c.Attributes) > 0 {
		st := a.CreateElement("saml:AttributeStatement")
		for _, at := range c.Attributes {
			e := st.CreateElement("saml:Attribute")
			e.CreateAttr("Name", at.Name)
			for _, v := range at.Values {
				e.CreateElement("saml:AttributeValue").SetText(v)
			}
		}
	}
	return a
}

// Response wraps an assertion (signed or not) in an unsigned
// samlp:Response with a fresh ID and status Success.
func (p *IdP) Response(c Claims, assertion *etree.Element) *etree.Element {
	c.defaults(p)
	r := etree.NewElement("samlp:Response")
	r.CreateAttr("xmlns:samlp", nsP)
	r.CreateAttr("xmlns:saml", nsA)
	r.CreateAttr("ID", newID())
	r.CreateAttr("Version", "2.0")
	r.CreateAttr("IssueInstant", ts(c.Now))
	r.CreateAttr("Destination", c.Recipient)
	r.CreateElement("saml:Issuer").SetText(c.Issuer)
	r.CreateElement("samlp:Status").CreateElement("samlp:StatusCode").CreateAttr("Value", "urn:oasis:names:tc:SAML:2.0:status:Success")
	if assertion != nil {
		r.AddChild(assertion)
	}
	return r
}

// Sign returns el with an enveloped signature (RSA-SHA256, exclusive
// canonicalization) placed after its Issuer, as SAML's schema orders it.
func (p *IdP) Sign(el *etree.Element) (*etree.Element, error) {
	ctx, err := dsig.NewSigningContext(p.Key, [][]byte{p.CertDER})
	if err != nil {
		return nil, err
	}
	ctx.Canonicalizer = dsig.MakeC14N10ExclusiveCanonicalizerWithPrefixList("")
	signed, err := ctx.SignEnveloped(el)
	if err != nil {
		return nil, err
	}
	// SignEnveloped appends the signature without adopting it: take it
	// off the end by hand.
	sig, ok := signed.Child[len(signed.Child)-1].(*etree.Element)
	if !ok || sig.Tag != "Signature" {
		return nil, fmt.Errorf("samltest: no signature appended")
	}
	signed.Child = signed.Child[:len(signed.Child)-1]
	at := 0
	for i, c := range signed.Child {
		if e, ok := c.(*etree.Element); ok && e.Tag == "Issuer" {
			at = i + 1
			break
		}
	}
	signed.InsertChildAt(at, sig)
	return signed, nil
}

// Build makes a Response for c, signing the assertion, the Response or
// both, and returns it base64-encoded as AssumeRoleWithSAML takes it.
func (p *IdP) Build(c Claims, signAssertion, signResponse bool) (string, error) {
	a := p.Assertion(c)
	if signAssertion {
		var err error
		if a, err = p.Sign(a); err != nil {
			return "", err
		}
	}
	r := p.Response(c, a)
	if signResponse {
		var err error
		if r, err = p.Sign(r); err != nil {
			return "", err
		}
	}
	return Encode(r)
}

// Encode serializes el as a document and base64-encodes it.
func Encode(el *etree.Element) (string, error) {
	doc := etree.NewDocument()
	doc.SetRoot(el)
	s, err := doc.WriteToString()
	if err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString([]byte(s)), nil
}

// Decode parses a base64 Response for tampering.
func Decode(b64 string) (*etree.Document, error) {
	raw, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return nil, err
	}
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(raw); err != nil {
		return nil, err
	}
	return doc, nil
}

// RolePair is the Role attribute value naming a role and the provider.
func RolePair(roleARN, providerARN string) string { return roleARN + "," + providerARN }

// XML returns the decoded XML of a base64 Response (for failure messages).
func XML(b64 string) string {
	raw, _ := base64.StdEncoding.DecodeString(b64)
	return strings.TrimSpace(string(raw))
}
