// Package sse encrypts S3 object bytes at rest: the stream format of an
// encrypted blob, and the key hierarchy that seals each object's data key.
//
// # Stream format (version 1)
//
// An encrypted blob is a 48-byte header followed by chunks:
//
//	header: "GHSE" | version (1) | log2 chunk size (16) | 0 0 | salt (32) | nonce prefix (7) | 0
//	chunk i: AES-256-GCM(stream key, nonce = prefix | i (uint32 BE) | last, plaintext i, AAD = header)
//
// Every chunk holds ChunkSize plaintext bytes (64 KiB) but the last, which
// holds 0 to ChunkSize bytes (an empty stream is one empty last chunk). The
// stream key is HKDF-SHA256(data key, salt, "gatehouse/sse/stream/v1"), so
// two blobs under one data key (the parts of a multipart object) never
// share a key and nonce. This is the STREAM construction (Hoang, Reyhanitabar,
// Rogaway, Vizár): the chunk index in the nonce detects reordering, the
// last-chunk flag detects truncation and extension, the header as
// additional data detects a tampered header, and a chunk moved from
// another blob fails under that blob's stream key. A plaintext range is
// read by decrypting only the chunks it touches.
//
// # Keys
//
// Data keys are 32 random bytes per object (per multipart upload), sealed
// with AES-256-GCM under a key-encryption key that depends on the method:
// SSE-S3 under a key derived from the master key; SSE-KMS under a key
// derived from the master key and the KMS key's id; SSE-C under a key
// derived from the customer's key and a secret derived from the master key,
// with a per-object salt. A customer's key is never stored: a salted HMAC
// (keyed by a master-derived key) tells a wrong key apart. Keyring is pure:
// its root key and the randomness are arguments.
//
// Contract: nothing in this package logs, formats or returns key material
// in an error; MACs are compared in constant time.
package sse
