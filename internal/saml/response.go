package saml

import (
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/beevik/etree"
	dsig "github.com/russellhaering/goxmldsig"
	"github.com/russellhaering/goxmldsig/etreeutils"
)

// Limits of one assertion's content.
const (
	maxAttributes      = 256  // Attribute elements
	maxValuesPerAttr   = 256  // AttributeValues of one Attribute
	maxValueLen        = 4096 // characters of one text value
	statusSuccess      = "urn:oasis:names:tc:SAML:2.0:status:Success"
	confirmationBearer = "urn:oasis:names:tc:SAML:2.0:cm:bearer"
)

// Expect is what VerifyResponse checks a Response against.
type Expect struct {
	// Now is the time of the request; Leeway the clock skew allowed on
	// each bound.
	Now    time.Time
	Leeway time.Duration
	// Issuer is the provider's entity id.
	Issuer string
	// Certificates are the provider's signing certificates.
	Certificates []*x509.Certificate
	// Audiences are the audiences accepted: every AudienceRestriction must
	// name one of them.
	Audiences []string
	// Recipients are the SubjectConfirmationData Recipients accepted.
	Recipients []string
}

// Attribute is one SAML attribute with its values in document order.
type Attribute struct {
	Name   string
	Values []string
}

// Assertion is the verified content of a Response's assertion.
type Assertion struct {
	Issuer       string
	NameID       string
	NameIDFormat string // "" when the NameID has no Format
	// Recipient is the Recipient of the bearer confirmation accepted.
	Recipient string
	// Audiences are every Audience of the AudienceRestrictions.
	Audiences []string
	// NotOnOrAfter is the earliest end of validity the assertion states
	// (Conditions and the accepted bearer confirmation).
	NotOnOrAfter time.Time
	// SessionNotOnOrAfter is the AuthnStatement's bound on the session
	// (zero when absent).
	SessionNotOnOrAfter time.Time
	Attributes          []Attribute
}

// Attribute returns the values of the attribute named name (the values of
// every Attribute element of that name, in order).
func (a *Assertion) Attribute(name string) ([]string, bool) {
	var out []string
	found := false
	for _, at := range a.Attributes {
		if at.Name == name {
			found = true
			out = append(out, at.Values...)
		}
	}
	return out, found
}

// VerifyResponse decodes a base64 SAML Response and returns its assertion
// once its signature, issuer, validity, audience and recipient check out.
func VerifyResponse(b64 string, e Expect) (*Assertion, error) {
	if len(b64) > MaxResponseBytes {
		return nil, fmt.Errorf("%w: response over %d characters", ErrMalformed, MaxResponseBytes)
	}
	raw, err := base64.StdEncoding.DecodeString(stripSpace(b64))
	if err != nil {
		return nil, fmt.Errorf("%w: not base64", ErrMalformed)
	}
	sh, err := precheck(raw)
	if err != nil {
		return nil, err
	}
	if sh.encrypted > 0 {
		return nil, fmt.Errorf("%w: encrypted assertions", ErrUnsupported)
	}
	switch {
	case sh.assertions == 0:
		return nil, fmt.Errorf("%w: no assertion", ErrMalformed)
	case sh.assertions > 1:
		return nil, fmt.Errorf("%w: %d assertions", ErrSignature, sh.assertions)
	}
	doc := etree.NewDocument()
	if err := doc.ReadFromBytes(raw); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	root := doc.Root()
	if root == nil || root.Tag != "Response" || root.NamespaceURI() != nsProtocol {
		return nil, fmt.Errorf("%w: not a samlp:Response", ErrMalformed)
	}
	resp, assertion, err := signedAssertion(root, e)
	if err != nil {
		return nil, err
	}
	if err := checkStatus(resp); err != nil {
		return nil, err
	}
	a, err := readAssertion(assertion, e)
	if err != nil {
		return nil, err
	}
	return a, nil
}

// signedAssertion returns the Response and its one Assertion as signed:
// when the Response is signed, the Response the signature covers and the
// assertion inside it (verified again when it has a signature of its
// own); otherwise the assertion its own signature covers, with the
// Response as received (its status is only ever a reason to refuse).
func signedAssertion(root *etree.Element, e Expect) (*etree.Element, *etree.Element, error) {
	sigs := children(root, nsDSig, "Signature")
	if len(sigs) > 1 {
		return nil, nil, fmt.Errorf("%w: two Response signatures", ErrSignature)
	}
	resp := root
	if len(sigs) == 1 {
		v, err := verifyElement(root, sigs[0], e)
		if err != nil {
			return nil, nil, err
		}
		resp = v
	}
	as := children(resp, nsAssertion, "Assertion")
	if len(as) != 1 {
		return nil, nil, fmt.Errorf("%w: the assertion is not a child of the Response", ErrSignature)
	}
	assertion := as[0]
	asigs := children(assertion, nsDSig, "Signature")
	switch {
	case len(asigs) > 1:
		return nil, nil, fmt.Errorf("%w: two Assertion signatures", ErrSignature)
	case len(asigs) == 0 && len(sigs) == 0:
		return nil, nil, fmt.Errorf("%w: neither the Response nor the Assertion is signed", ErrSignature)
	case len(asigs) == 1:
		v, err := verifyElement(assertion, asigs[0], e)
		if err != nil {
			return nil, nil, err
		}
		assertion = v
	}
	return resp, assertion, nil
}

// verifyElement checks that sig, a child of el, is an enveloped signature
// of el (one Reference, to el's own non-empty ID) by one of the trusted
// certificates, and returns el as the signature covers it: a new tree
// parsed from the canonical bytes that were digested.
func verifyElement(el, sig *etree.Element, e Expect) (*etree.Element, error) {
	id := el.SelectAttrValue("ID", "")
	if id == "" {
		return nil, fmt.Errorf("%w: the signed <%s> has no ID", ErrSignature, el.Tag)
	}
	si := children(sig, nsDSig, "SignedInfo")
	if len(si) != 1 {
		return nil, fmt.Errorf("%w: not one SignedInfo", ErrSignature)
	}
	refs := children(si[0], nsDSig, "Reference")
	if len(refs) != 1 || refs[0].SelectAttrValue("URI", "") != "#"+id {
		return nil, fmt.Errorf("%w: the signature does not reference <%s ID=%q> alone", ErrSignature, el.Tag, id)
	}
	ctx, err := etreeutils.NSBuildParentContext(el)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	detached, err := etreeutils.NSDetatch(ctx, el)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	var last error
	for _, cert := range e.Certificates {
		vc := dsig.NewDefaultValidationContext(&dsig.MemoryX509CertificateStore{Roots: []*x509.Certificate{cert}})
		vc.Clock = dsig.NewFakeClockAt(e.Now)
		out, err := vc.Validate(detached)
		if err != nil {
			last = err
			continue
		}
		if out.Tag != el.Tag || out.NamespaceURI() != el.NamespaceURI() || out.SelectAttrValue("ID", "") != id {
			return nil, fmt.Errorf("%w: the signed element is not <%s ID=%q>", ErrSignature, el.Tag, id)
		}
		return out, nil
	}
	if last == nil {
		return nil, fmt.Errorf("%w: no certificate", ErrSignature)
	}
	return nil, fmt.Errorf("%w: %v", ErrSignature, last)
}

// checkStatus refuses a Response whose top-level status is not Success.
func checkStatus(resp *etree.Element) error {
	st := children(resp, nsProtocol, "Status")
	if len(st) != 1 {
		return fmt.Errorf("%w: not one Status", ErrMalformed)
	}
	codes := children(st[0], nsProtocol, "StatusCode")
	if len(codes) != 1 || codes[0].SelectAttrValue("Value", "") != statusSuccess {
		return ErrStatus
	}
	return nil
}

// readAssertion reads and checks the claims of a verified assertion.
func readAssertion(as *etree.Element, e Expect) (*Assertion, error) {
	a := &Assertion{}
	var err error
	if a.Issuer, err = oneText(as, nsAssertion, "Issuer"); err != nil {
		return nil, err
	}
	if a.Issuer != e.Issuer {
		return nil, fmt.Errorf("%w: %q", ErrIssuer, a.Issuer)
	}
	if err := a.readConditions(as, e); err != nil {
		return nil, err
	}
	if err := a.readSubject(as, e); err != nil {
		return nil, err
	}
	for _, st := range children(as, nsAssertion, "AuthnStatement") {
		if v := st.SelectAttrValue("SessionNotOnOrAfter", ""); v != "" {
			t, err := parseTime(v)
			if err != nil {
				return nil, fmt.Errorf("%w: SessionNotOnOrAfter %q", ErrMalformed, v)
			}
			if a.SessionNotOnOrAfter.IsZero() || t.Before(a.SessionNotOnOrAfter) {
				a.SessionNotOnOrAfter = t
			}
		}
	}
	if !a.SessionNotOnOrAfter.IsZero() && !e.Now.Before(a.SessionNotOnOrAfter.Add(e.Leeway)) {
		return nil, fmt.Errorf("%w: SessionNotOnOrAfter %s", ErrExpired, a.SessionNotOnOrAfter)
	}
	if err := a.readAttributes(as); err != nil {
		return nil, err
	}
	return a, nil
}

// readConditions checks NotBefore, NotOnOrAfter and that every
// AudienceRestriction names an accepted audience (at least one is
// required).
func (a *Assertion) readConditions(as *etree.Element, e Expect) error {
	conds := children(as, nsAssertion, "Conditions")
	if len(conds) != 1 {
		return fmt.Errorf("%w: not one Conditions", ErrMalformed)
	}
	c := conds[0]
	if v := c.SelectAttrValue("NotBefore", ""); v != "" {
		t, err := parseTime(v)
		if err != nil {
			return fmt.Errorf("%w: NotBefore %q", ErrMalformed, v)
		}
		if e.Now.Add(e.Leeway).Before(t) {
			return fmt.Errorf("%w: NotBefore %s", ErrNotYetValid, t)
		}
	}
	if v := c.SelectAttrValue("NotOnOrAfter", ""); v != "" {
		t, err := parseTime(v)
		if err != nil {
			return fmt.Errorf("%w: NotOnOrAfter %q", ErrMalformed, v)
		}
		if !e.Now.Before(t.Add(e.Leeway)) {
			return fmt.Errorf("%w: NotOnOrAfter %s", ErrExpired, t)
		}
		a.NotOnOrAfter = t
	}
	restrictions := children(c, nsAssertion, "AudienceRestriction")
	if len(restrictions) == 0 {
		return fmt.Errorf("%w: no AudienceRestriction", ErrAudience)
	}
	for _, r := range restrictions {
		ok := false
		for _, au := range children(r, nsAssertion, "Audience") {
			v, err := text(au)
			if err != nil {
				return err
			}
			a.Audiences = append(a.Audiences, v)
			ok = ok || slices.Contains(e.Audiences, v)
		}
		if !ok {
			return fmt.Errorf("%w: %q", ErrAudience, a.Audiences)
		}
	}
	return nil
}

// readSubject reads the NameID and accepts the first bearer confirmation
// whose data names an accepted Recipient and is not expired (its
// NotOnOrAfter is required).
func (a *Assertion) readSubject(as *etree.Element, e Expect) error {
	subs := children(as, nsAssertion, "Subject")
	if len(subs) != 1 {
		return fmt.Errorf("%w: not one Subject", ErrMalformed)
	}
	ids := children(subs[0], nsAssertion, "NameID")
	if len(ids) != 1 {
		return fmt.Errorf("%w: not one NameID", ErrMalformed)
	}
	var err error
	if a.NameID, err = text(ids[0]); err != nil {
		return err
	}
	if a.NameID == "" {
		return fmt.Errorf("%w: an empty NameID", ErrMalformed)
	}
	a.NameIDFormat = ids[0].SelectAttrValue("Format", "")
	errNone := fmt.Errorf("%w: no bearer SubjectConfirmation", ErrRecipient)
	for _, sc := range children(subs[0], nsAssertion, "SubjectConfirmation") {
		if sc.SelectAttrValue("Method", "") != confirmationBearer {
			continue
		}
		for _, d := range children(sc, nsAssertion, "SubjectConfirmationData") {
			rcpt := d.SelectAttrValue("Recipient", "")
			if !slices.Contains(e.Recipients, rcpt) {
				errNone = fmt.Errorf("%w: %q", ErrRecipient, rcpt)
				continue
			}
			if v := d.SelectAttrValue("NotBefore", ""); v != "" {
				t, err := parseTime(v)
				if err != nil {
					return fmt.Errorf("%w: NotBefore %q", ErrMalformed, v)
				}
				if e.Now.Add(e.Leeway).Before(t) {
					errNone = fmt.Errorf("%w: SubjectConfirmationData NotBefore %s", ErrNotYetValid, t)
					continue
				}
			}
			v := d.SelectAttrValue("NotOnOrAfter", "")
			if v == "" {
				errNone = fmt.Errorf("%w: SubjectConfirmationData without NotOnOrAfter", ErrMalformed)
				continue
			}
			t, err := parseTime(v)
			if err != nil {
				return fmt.Errorf("%w: NotOnOrAfter %q", ErrMalformed, v)
			}
			if !e.Now.Before(t.Add(e.Leeway)) {
				errNone = fmt.Errorf("%w: SubjectConfirmationData NotOnOrAfter %s", ErrExpired, t)
				continue
			}
			a.Recipient = rcpt
			if a.NotOnOrAfter.IsZero() || t.Before(a.NotOnOrAfter) {
				a.NotOnOrAfter = t
			}
			return nil
		}
	}
	return errNone
}

// readAttributes reads every AttributeStatement's attributes.
func (a *Assertion) readAttributes(as *etree.Element) error {
	for _, st := range children(as, nsAssertion, "AttributeStatement") {
		for _, at := range children(st, nsAssertion, "Attribute") {
			if len(a.Attributes) == maxAttributes {
				return fmt.Errorf("%w: more than %d attributes", ErrMalformed, maxAttributes)
			}
			attr := Attribute{Name: at.SelectAttrValue("Name", "")}
			vals := children(at, nsAssertion, "AttributeValue")
			if len(vals) > maxValuesPerAttr {
				return fmt.Errorf("%w: more than %d values of %s", ErrMalformed, maxValuesPerAttr, attr.Name)
			}
			for _, v := range vals {
				s, err := text(v)
				if err != nil {
					return err
				}
				attr.Values = append(attr.Values, s)
			}
			a.Attributes = append(a.Attributes, attr)
		}
	}
	return nil
}

// children returns el's child elements of the namespace and local name.
func children(el *etree.Element, ns, tag string) []*etree.Element {
	var out []*etree.Element
	for _, c := range el.ChildElements() {
		if c.Tag == tag && c.NamespaceURI() == ns {
			out = append(out, c)
		}
	}
	return out
}

// oneText is the text of el's one child of the name.
func oneText(el *etree.Element, ns, tag string) (string, error) {
	cs := children(el, ns, tag)
	if len(cs) != 1 {
		return "", fmt.Errorf("%w: not one %s", ErrMalformed, tag)
	}
	return text(cs[0])
}

// text is the whole text of an element that holds nothing but text,
// trimmed of surrounding whitespace. An element holding a comment, a
// processing instruction or a child element is refused: its text would be
// split, and a reader that took one piece would see another identity than
// the signed one.
func text(el *etree.Element) (string, error) {
	var b strings.Builder
	for _, t := range el.Child {
		cd, ok := t.(*etree.CharData)
		if !ok {
			return "", fmt.Errorf("%w: <%s> holds more than text", ErrMalformed, el.Tag)
		}
		b.WriteString(cd.Data)
		if b.Len() > maxValueLen {
			return "", fmt.Errorf("%w: <%s> over %d characters", ErrMalformed, el.Tag, maxValueLen)
		}
	}
	return strings.TrimSpace(b.String()), nil
}
