// Package saml reads SAML 2.0 identity-provider metadata and verifies the
// signed Responses an identity provider issues for AWS federation
// (AssumeRoleWithSAML). It is pure: it does no I/O, keeps no state and
// reads no clock — the caller passes the time, the provider's signing
// certificates, its entity id and the audiences and recipients it accepts.
//
// Contract:
//   - Every input has a limit: ParseMetadata takes at most MaxMetadataBytes,
//     VerifyResponse at most MaxResponseBytes of base64; both refuse a
//     document type declaration, nesting deeper than maxDepth, more than
//     maxTokens XML tokens and more than maxAttrsPerElement attributes on
//     one element, before any tree is built.
//   - A Response is accepted only if the one Assertion it holds is covered
//     by a valid XML signature made with one of the given certificates:
//     the Assertion's own signature, the Response's signature, or both
//     (then both must verify). Claims are read only from the signed bytes
//     the signature library returns, never from the document as received,
//     so content added beside or around the signed element (signature
//     wrapping) is never read. A document with more than one Assertion
//     element anywhere, an EncryptedAssertion, or two elements with the
//     same ID is refused outright.
//   - Text values (NameID, Issuer, attribute values) are the whole text of
//     their element as signed; an element whose text is split by a
//     comment or holds child elements is refused, never truncated.
//   - Errors are the sentinels below (wrapped with detail for logs); the
//     caller words them for clients.
package saml
