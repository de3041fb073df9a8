// Package token seals and opens Gatehouse session tokens.
//
// A session token is self-contained: everything needed to authenticate and
// authorize a request made with temporary credentials travels inside it, so
// the token path needs no store access. The wire form is
//
//	base64url( version(1) | keyID(4, big-endian) | nonce(12) | AES-256-GCM(ciphertext) )
//
// with version and key id authenticated as additional data. The plaintext is
// an encoding byte followed by the compact binary encoding of Session
// (codec.go), deflated when it is long (large session policies or many tags). Keys come from a KeySet
// (the token keyring): new tokens use the active key; retired keys still
// open tokens until they are dropped from the set.
//
// Open returns ErrMalformed for anything that is not a well-formed token,
// ErrUnknownKey for a key id the set does not hold, ErrInvalid when
// authentication fails (tampering or the wrong key), and ErrExpired when the
// session's expiry has passed at the given time. Nothing returned by this
// package carries the session's secret in an error message.
package token
