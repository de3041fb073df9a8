package saml

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
)

// Limits on untrusted documents.
const (
	// MaxMetadataBytes is AWS's limit on SAMLMetadataDocument (10,000,000
	// characters).
	MaxMetadataBytes = 10_000_000
	// MaxResponseBytes is AWS's limit on the base64 SAMLAssertion of
	// AssumeRoleWithSAML (100,000 characters).
	MaxResponseBytes = 100_000
	// maxDepth bounds element nesting (a Response is about 8 deep).
	maxDepth = 40
	// maxTokens bounds the XML tokens of a document before a tree is built.
	maxTokens = 500_000
	// maxAttrsPerElement bounds the attributes of one element.
	maxAttrsPerElement = 64
)

// Sentinel errors.
var (
	// ErrMalformed: not a document of the expected shape (bad base64, bad
	// XML, a limit exceeded, a missing element).
	ErrMalformed = errors.New("saml: malformed document")
	// ErrSignature: no valid signature by a trusted certificate covers the
	// assertion, or the document is shaped to confuse which element is
	// signed.
	ErrSignature = errors.New("saml: signature invalid")
	// ErrIssuer: the assertion's issuer is not the provider's entity id.
	ErrIssuer = errors.New("saml: issuer is not the provider")
	// ErrExpired: the assertion's validity (Conditions or the bearer
	// confirmation's NotOnOrAfter) has ended.
	ErrExpired = errors.New("saml: assertion expired")
	// ErrNotYetValid: the assertion's Conditions NotBefore is in the future.
	ErrNotYetValid = errors.New("saml: assertion not yet valid")
	// ErrAudience: no audience restriction names an accepted audience.
	ErrAudience = errors.New("saml: audience not accepted")
	// ErrRecipient: no bearer subject confirmation names an accepted
	// recipient.
	ErrRecipient = errors.New("saml: recipient not accepted")
	// ErrStatus: the Response's status is not Success.
	ErrStatus = errors.New("saml: response status is not success")
	// ErrUnsupported: an encrypted assertion (no private key is held).
	ErrUnsupported = errors.New("saml: unsupported document")
)

// Namespaces.
const (
	nsProtocol  = "urn:oasis:names:tc:SAML:2.0:protocol"
	nsAssertion = "urn:oasis:names:tc:SAML:2.0:assertion"
	nsMetadata  = "urn:oasis:names:tc:SAML:2.0:metadata"
	nsDSig      = "http://www.w3.org/2000/09/xmldsig#"
)

// shape is what the streaming pre-check learned about a document.
type shape struct {
	assertions int // Assertion elements in the assertion namespace
	encrypted  int // EncryptedAssertion elements
}

// precheck streams the document once with the limits above, before any
// tree is built: no DTD, bounded depth, tokens and attributes, no two
// elements with the same ID (any attribute named ID, AssertionID or Id).
func precheck(doc []byte) (shape, error) {
	var sh shape
	d := xml.NewDecoder(bytes.NewReader(doc))
	d.Strict = true
	depth, tokens := 0, 0
	ids := map[string]bool{}
	for {
		tok, err := d.RawToken()
		if err == io.EOF {
			break
		}
		if err != nil {
			return sh, fmt.Errorf("%w: %v", ErrMalformed, err)
		}
		if tokens++; tokens > maxTokens {
			return sh, fmt.Errorf("%w: more than %d XML tokens", ErrMalformed, maxTokens)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if depth++; depth > maxDepth {
				return sh, fmt.Errorf("%w: nested deeper than %d", ErrMalformed, maxDepth)
			}
			if len(t.Attr) > maxAttrsPerElement {
				return sh, fmt.Errorf("%w: more than %d attributes on <%s>", ErrMalformed, maxAttrsPerElement, t.Name.Local)
			}
			for _, a := range t.Attr {
				if a.Name.Space == "xmlns" || a.Name.Space == "" && a.Name.Local == "xmlns" {
					continue
				}
				switch a.Name.Local {
				case "ID", "AssertionID", "Id":
					if ids[a.Value] {
						return sh, fmt.Errorf("%w: two elements with ID %q", ErrSignature, a.Value)
					}
					ids[a.Value] = true
				}
			}
			switch t.Name.Local {
			case "Assertion":
				sh.assertions++
			case "EncryptedAssertion":
				sh.encrypted++
			}
		case xml.EndElement:
			depth--
		case xml.Directive:
			return sh, fmt.Errorf("%w: a document type declaration", ErrMalformed)
		case xml.ProcInst:
			if t.Target != "xml" {
				return sh, fmt.Errorf("%w: a processing instruction", ErrMalformed)
			}
		}
	}
	if depth != 0 {
		return sh, fmt.Errorf("%w: unclosed elements", ErrMalformed)
	}
	return sh, nil
}
