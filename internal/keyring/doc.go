// Package keyring holds Gatehouse's key material.
//
// The master key (32 bytes) seals secrets at rest — secret access keys, and
// later the token keyring — with AES-256-GCM. It comes from
// GATEHOUSE_MASTER_KEY (base64 or hex of 32 bytes) or from a key file in the
// data directory that is generated, with mode 0600, on first start.
//
// Sealed values are self-describing: a format byte, the nonce and the
// ciphertext. Additional data binds a sealed value to its owner (for example
// an access key id), so a sealed secret copied to another record fails to
// open. Nothing in this package logs or formats key material.
package keyring
