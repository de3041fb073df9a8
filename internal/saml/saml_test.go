package saml_test

import (
	"crypto/x509"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/beevik/etree"

	"github.com/gatehouse/gatehouse/internal/saml"
	"github.com/gatehouse/gatehouse/internal/saml/samltest"
)

var now = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

const entityID = "https://idp.example.com/metadata"

func newIdP(t testing.TB) *samltest.IdP {
	t.Helper()
	p, err := samltest.New(entityID, now.Add(-time.Hour), now.Add(24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func expect(p *samltest.IdP) saml.Expect {
	return saml.Expect{Now: now, Leeway: 2 * time.Minute, Issuer: entityID, Certificates: []*x509.Certificate{p.Cert},
		Audiences: []string{samltest.AudienceAWS}, Recipients: []string{samltest.AudienceAWS}}
}

func claims() samltest.Claims {
	return samltest.Claims{Now: now, NameID: "alice@example.com", NameIDFormat: samltest.FormatPersist,
		Attributes: []samltest.Attr{
			{Name: samltest.AttrSession, Values: []string{"alice"}},
			{Name: samltest.AttrRole, Values: []string{"arn:aws:iam::111122223333:role/R,arn:aws:iam::111122223333:saml-provider/P"}},
		}}
}

func build(t testing.TB, p *samltest.IdP, c samltest.Claims, signA, signR bool) string {
	t.Helper()
	b64, err := p.Build(c, signA, signR)
	if err != nil {
		t.Fatal(err)
	}
	return b64
}

func TestVerifyAcceptsSignedAssertionResponseOrBoth(t *testing.T) {
	p := newIdP(t)
	for _, tc := range []struct {
		name       string
		signA, sig bool
	}{{"assertion signed", true, false}, {"response signed", false, true}, {"both signed", true, true}} {
		t.Run(tc.name, func(t *testing.T) {
			a, err := saml.VerifyResponse(build(t, p, claims(), tc.signA, tc.sig), expect(p))
			if err != nil {
				t.Fatal(err)
			}
			if a.NameID != "alice@example.com" || a.Issuer != entityID || a.NameIDFormat != samltest.FormatPersist || a.Recipient != samltest.AudienceAWS {
				t.Fatalf("assertion: %+v", a)
			}
			if v, ok := a.Attribute(samltest.AttrSession); !ok || len(v) != 1 || v[0] != "alice" {
				t.Fatalf("RoleSessionName: %q %v", v, ok)
			}
			if !a.NotOnOrAfter.Equal(now.Add(5 * time.Minute)) {
				t.Fatalf("NotOnOrAfter %s", a.NotOnOrAfter)
			}
		})
	}
}

func TestVerifyRefusesUnsignedAndForeignSignatures(t *testing.T) {
	p := newIdP(t)
	other := newIdP(t)
	if _, err := saml.VerifyResponse(build(t, p, claims(), false, false), expect(p)); !errors.Is(err, saml.ErrSignature) {
		t.Errorf("unsigned: %v", err)
	}
	if _, err := saml.VerifyResponse(build(t, other, claims(), true, true), expect(p)); !errors.Is(err, saml.ErrSignature) {
		t.Errorf("signed by another key: %v", err)
	}
	// Metadata listing two certificates: either verifies.
	e := expect(p)
	e.Certificates = []*x509.Certificate{other.Cert, p.Cert}
	if _, err := saml.VerifyResponse(build(t, p, claims(), true, false), e); err != nil {
		t.Errorf("second certificate of two: %v", err)
	}
	// A certificate outside its validity at the request's time.
	e = expect(p)
	e.Now = now.Add(48 * time.Hour)
	c := claims()
	c.Now = e.Now
	if _, err := saml.VerifyResponse(build(t, p, c, true, false), e); !errors.Is(err, saml.ErrSignature) {
		t.Errorf("expired certificate: %v", err)
	}
}

// tamper decodes a response, lets edit change it and re-encodes it.
func tamper(t *testing.T, b64 string, edit func(resp *etree.Element)) string {
	t.Helper()
	doc, err := samltest.Decode(b64)
	if err != nil {
		t.Fatal(err)
	}
	edit(doc.Root())
	s, err := samltest.Encode(doc.Root())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func child(el *etree.Element, tag string) *etree.Element {
	for _, c := range el.ChildElements() {
		if c.Tag == tag {
			return c
		}
	}
	return nil
}

func setNameID(a *etree.Element, v string) {
	child(child(a, "Subject"), "NameID").SetText(v)
}

// The signature-wrapping family: an attacker holds one validly signed
// response for alice and rearranges it so that a naive reader takes
// claims from an element the signature does not cover.
func TestVerifyRefusesSignatureWrapping(t *testing.T) {
	p := newIdP(t)
	evil := func(a *etree.Element) *etree.Element {
		e := a.Copy()
		if s := child(e, "Signature"); s != nil {
			e.RemoveChild(s)
		}
		setNameID(e, "admin@example.com")
		return e
	}
	cases := []struct {
		name           string
		signA, signR   bool
		edit           func(resp *etree.Element)
		wantSignatureE bool
	}{
		{"XSW1 evil response around the signed one", false, true, func(r *etree.Element) {
			orig := r.Copy()
			sig := child(r, "Signature")
			r.RemoveChild(sig)
			for _, c := range r.ChildElements() {
				r.RemoveChild(c)
			}
			r.CreateAttr("ID", "_evil")
			a := evil(child(orig, "Assertion"))
			sig.AddChild(orig) // the original, signed response inside the signature
			r.AddChild(sig)
			r.AddChild(a)
		}, true},
		{"XSW2 evil response, signed one detached before it", false, true, func(r *etree.Element) {
			orig := r.Copy()
			r.RemoveChild(child(r, "Signature"))
			r.CreateAttr("ID", "_evil")
			a := child(r, "Assertion")
			setNameID(a, "admin@example.com")
			r.InsertChildAt(0, orig)
		}, true},
		{"XSW3 evil assertion before the signed assertion", true, false, func(r *etree.Element) {
			a := child(r, "Assertion")
			e := evil(a)
			e.CreateAttr("ID", "_evil")
			r.InsertChildAt(a.Index(), e)
		}, true},
		{"XSW4 signed assertion inside the evil one", true, false, func(r *etree.Element) {
			a := child(r, "Assertion")
			e := evil(a)
			e.CreateAttr("ID", "_evil")
			r.RemoveChild(a)
			e.AddChild(a)
			r.AddChild(e)
		}, true},
		{"XSW5 signature of the signed assertion moved to the evil one", true, false, func(r *etree.Element) {
			a := child(r, "Assertion")
			e := evil(a)
			sig := child(a, "Signature")
			a.RemoveChild(sig)
			e.InsertChildAt(1, sig)
			r.RemoveChild(a)
			r.AddChild(e)
			r.AddChild(a)
		}, true},
		{"XSW6 signed assertion inside the evil one's signature", true, false, func(r *etree.Element) {
			a := child(r, "Assertion")
			e := evil(a)
			sig := child(a, "Signature").Copy()
			sig.AddChild(a.Copy())
			e.InsertChildAt(1, sig)
			r.RemoveChild(a)
			r.AddChild(e)
		}, true},
		{"XSW7 signed assertion in Extensions", true, false, func(r *etree.Element) {
			a := child(r, "Assertion")
			e := evil(a)
			r.RemoveChild(a)
			ext := etree.NewElement("samlp:Extensions")
			ext.AddChild(a)
			r.InsertChildAt(1, ext)
			r.AddChild(e)
		}, true},
		{"XSW8 signed assertion in a ds:Object of the evil one", true, false, func(r *etree.Element) {
			a := child(r, "Assertion")
			e := evil(a)
			sig := child(a, "Signature").Copy()
			obj := sig.CreateElement("ds:Object")
			plain := a.Copy()
			plain.RemoveChild(child(plain, "Signature"))
			obj.AddChild(plain)
			e.InsertChildAt(1, sig)
			r.RemoveChild(a)
			r.AddChild(e)
		}, true},
		{"second assertion beside the one a signed response covers", false, true, func(r *etree.Element) {
			r.AddChild(evil(child(r, "Assertion")))
		}, true},
		{"evil assertion reusing the signed ID", true, false, func(r *etree.Element) {
			a := child(r, "Assertion")
			r.InsertChildAt(a.Index(), evil(a))
		}, true},
		{"claims edited after signing (assertion)", true, false, func(r *etree.Element) {
			setNameID(child(r, "Assertion"), "admin@example.com")
		}, true},
		{"claims edited after signing (response)", false, true, func(r *etree.Element) {
			setNameID(child(r, "Assertion"), "admin@example.com")
		}, true},
		{"unsigned assertion swapped into a signed response", false, true, func(r *etree.Element) {
			a := child(r, "Assertion")
			e := evil(a)
			r.RemoveChild(a)
			r.AddChild(e)
		}, true},
		{"assertion signature referencing the response", true, false, func(r *etree.Element) {
			a := child(r, "Assertion")
			ref := child(child(child(a, "Signature"), "SignedInfo"), "Reference")
			ref.CreateAttr("URI", "#"+r.SelectAttrValue("ID", ""))
		}, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b64 := tamper(t, build(t, p, claims(), tc.signA, tc.signR), tc.edit)
			a, err := saml.VerifyResponse(b64, expect(p))
			if err == nil {
				t.Fatalf("accepted, NameID %q:\n%s", a.NameID, samltest.XML(b64))
			}
			t.Log(err)
			if !errors.Is(err, saml.ErrSignature) && !errors.Is(err, saml.ErrMalformed) {
				t.Fatalf("refused with %v, want a signature or shape error", err)
			}
		})
	}
}

// A comment inside a signed NameID: exclusive canonicalization drops the
// comment, so the identity is the whole text the signature covers, never
// the piece before the comment.
func TestVerifyNameIDWithCommentIsWholeOrRefused(t *testing.T) {
	p := newIdP(t)
	c := claims()
	c.NameID = "user@evil.com.good.com"
	for _, signR := range []bool{false, true} {
		b64 := build(t, p, c, !signR, signR)
		b64 = tamper(t, b64, func(r *etree.Element) {
			nid := child(child(child(r, "Assertion"), "Subject"), "NameID")
			nid.Child = nil
			nid.CreateText("user@evil.com")
			nid.CreateComment("")
			nid.CreateText(".good.com")
		})
		if !strings.Contains(samltest.XML(b64), "user@evil.com<!---->.good.com") {
			t.Fatalf("the comment was not written:\n%s", samltest.XML(b64))
		}
		a, err := saml.VerifyResponse(b64, expect(p))
		if err == nil && a.NameID != "user@evil.com.good.com" {
			t.Fatalf("NameID %q", a.NameID)
		}
		if err != nil && !errors.Is(err, saml.ErrMalformed) {
			t.Fatalf("refused with %v", err)
		}
	}
}

func TestVerifyConditions(t *testing.T) {
	p := newIdP(t)
	cases := []struct {
		name string
		edit func(c *samltest.Claims)
		e    func(e *saml.Expect)
		want error
	}{
		{"expired", func(c *samltest.Claims) { c.NotOnOrAfter = now.Add(-3 * time.Minute) }, nil, saml.ErrExpired},
		{"expired within leeway is accepted", func(c *samltest.Claims) { c.NotOnOrAfter = now.Add(-time.Minute) }, nil, nil},
		{"not yet valid", func(c *samltest.Claims) {
			c.NotBefore = now.Add(10 * time.Minute)
			c.NotOnOrAfter = now.Add(20 * time.Minute)
		}, nil, saml.ErrNotYetValid},
		{"session ended", func(c *samltest.Claims) { c.SessionNotOnOrAfter = now.Add(-10 * time.Minute) }, nil, saml.ErrExpired},
		{"wrong audience", func(c *samltest.Claims) { c.Audience = "https://other.example.com" }, nil, saml.ErrAudience},
		{"wrong recipient", func(c *samltest.Claims) { c.Recipient = "https://other.example.com/acs" }, nil, saml.ErrRecipient},
		{"wrong issuer", func(c *samltest.Claims) { c.Issuer = "https://evil.example.com" }, nil, saml.ErrIssuer},
		{"the server's own audience and recipient", func(c *samltest.Claims) {
			c.Audience, c.Recipient = "http://127.0.0.1:8700/saml", "http://127.0.0.1:8700/saml"
		}, func(e *saml.Expect) {
			e.Audiences = append(e.Audiences, "http://127.0.0.1:8700/saml")
			e.Recipients = append(e.Recipients, "http://127.0.0.1:8700/saml")
		}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := claims()
			tc.edit(&c)
			e := expect(p)
			if tc.e != nil {
				tc.e(&e)
			}
			_, err := saml.VerifyResponse(build(t, p, c, true, false), e)
			if tc.want == nil && err != nil || tc.want != nil && !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
}

func TestVerifyRefusesBadDocuments(t *testing.T) {
	p := newIdP(t)
	enc := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	deep := strings.Repeat("<a>", 100) + strings.Repeat("</a>", 100)
	cases := map[string]string{
		"not base64":   "%%%%",
		"not XML":      enc("hello"),
		"DTD":          enc(`<!DOCTYPE r [<!ENTITY x "y">]><samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"><saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion"/></samlp:Response>`),
		"too deep":     enc(`<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"><saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion"/>` + deep + `</samlp:Response>`),
		"too long":     strings.Repeat("A", saml.MaxResponseBytes+4),
		"no assertion": enc(`<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"/>`),
		"encrypted":    enc(`<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"><saml:EncryptedAssertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion"/></samlp:Response>`),
	}
	for name, b64 := range cases {
		if _, err := saml.VerifyResponse(b64, expect(p)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	// A failed status in a signed response.
	b64 := tamper(t, build(t, p, claims(), true, false), func(r *etree.Element) {
		child(child(r, "Status"), "StatusCode").CreateAttr("Value", "urn:oasis:names:tc:SAML:2.0:status:Requester")
	})
	if _, err := saml.VerifyResponse(b64, expect(p)); !errors.Is(err, saml.ErrStatus) {
		t.Errorf("failed status: %v", err)
	}
}

func TestParseMetadata(t *testing.T) {
	p := newIdP(t)
	md, err := saml.ParseMetadata([]byte(p.Metadata("2030-01-02T03:04:05Z")))
	if err != nil {
		t.Fatal(err)
	}
	if md.EntityID != entityID || len(md.Certificates) != 1 || !md.Certificates[0].Equal(p.Cert) ||
		!md.ValidUntil.Equal(time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)) {
		t.Fatalf("metadata: %+v", md)
	}
	md, err = saml.ParseMetadata([]byte(p.Metadata("")))
	if err != nil || !md.ValidUntil.IsZero() {
		t.Fatalf("no validUntil: %+v %v", md, err)
	}
	good := p.Metadata("")
	bad := map[string]string{
		"not XML":         "hello",
		"no entityID":     strings.Replace(good, `entityID="`+entityID+`"`, "", 1),
		"no signing cert": strings.Replace(good, `use="signing"`, `use="encryption"`, 1),
		"bad cert":        strings.Replace(good, "<ds:X509Certificate>", "<ds:X509Certificate>AAAA", 1),
		"no IdP":          strings.ReplaceAll(good, "IDPSSODescriptor", "SPSSODescriptor"),
		"DTD":             `<!DOCTYPE x [<!ENTITY a "b">]>` + good[strings.Index(good, "<md:"):],
		"bad validUntil":  p.Metadata("tomorrow"),
	}
	for name, doc := range bad {
		if _, err := saml.ParseMetadata([]byte(doc)); !errors.Is(err, saml.ErrMalformed) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func FuzzParseMetadata(f *testing.F) {
	p := newIdP(f)
	f.Add([]byte(p.Metadata("2030-01-02T03:04:05Z")))
	f.Add([]byte(`<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="x"/>`))
	f.Fuzz(func(t *testing.T, doc []byte) {
		md, err := saml.ParseMetadata(doc)
		if err == nil && (md.EntityID == "" || len(md.Certificates) == 0) {
			t.Fatalf("accepted metadata without an entity id or certificate: %+v", md)
		}
	})
}

func FuzzVerifyResponse(f *testing.F) {
	p := newIdP(f)
	for _, s := range [][2]bool{{true, false}, {false, true}, {true, true}} {
		b64, err := p.Build(claims(), s[0], s[1])
		if err != nil {
			f.Fatal(err)
		}
		raw, _ := base64.StdEncoding.DecodeString(b64)
		f.Add(raw)
	}
	e := expect(p)
	f.Fuzz(func(t *testing.T, raw []byte) {
		a, err := saml.VerifyResponse(base64.StdEncoding.EncodeToString(raw), e)
		if err == nil && (a.Issuer != entityID || a.NameID == "") {
			t.Fatalf("accepted an assertion of issuer %q, NameID %q", a.Issuer, a.NameID)
		}
	})
}
