package sse

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/gatehouse/gatehouse/internal/store"
)

// DataKeySize is the size of data keys and customer keys (AES-256).
const DataKeySize = 32

// RootPurpose is the keyring.Master.Derive purpose of the Keyring's root.
const RootPurpose = "gatehouse/sse/v1"

// sealV1 marks a data key sealed with AES-256-GCM and a random nonce.
const sealV1 = 1

// Errors of opening a data key. None says anything about the key.
var (
	// ErrCustomerKeyRequired: an SSE-C object read without its key.
	ErrCustomerKeyRequired = errors.New("sse: the object needs its customer-provided key")
	// ErrWrongCustomerKey: the customer key given is not the object's.
	ErrWrongCustomerKey = errors.New("sse: wrong customer-provided key")
	// ErrSealed: the sealed data key does not open (wrong master key or a
	// tampered record).
	ErrSealed = errors.New("sse: sealed data key cannot be opened")
	// ErrMethod: an encryption record of an unknown method.
	ErrMethod = errors.New("sse: unknown encryption method")
)

// Keyring seals and opens data keys. It is built from a root key (derived
// from the master key with RootPurpose) and holds only keys derived from
// it; it is safe for concurrent use.
type Keyring struct {
	s3KEK    cipher.AEAD
	kmsRoot  []byte
	cRoot    []byte // mixed into every SSE-C key-encryption key
	cMAC     []byte // keys the customer-key check
	kmsNames []byte // derives accounts' default KMS key ids
}

// NewKeyring derives the keyring's keys from root (32 bytes).
func NewKeyring(root []byte) (*Keyring, error) {
	if len(root) != 32 {
		return nil, errors.New("sse: root key must be 32 bytes")
	}
	derive := func(label string) []byte {
		k, err := hkdf.Key(sha256.New, root, nil, "gatehouse/sse/"+label, 32)
		if err != nil {
			panic(err) // only for a key length HKDF-SHA256 cannot give
		}
		return k
	}
	kek, err := gcm(derive("s3-kek"))
	if err != nil {
		return nil, err
	}
	return &Keyring{s3KEK: kek, kmsRoot: derive("kms-root"), cRoot: derive("c-root"), cMAC: derive("c-mac"),
		kmsNames: derive("kms-key-ids")}, nil
}

func gcm(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// Spec says how a new object is to be encrypted.
type Spec struct {
	Method string // store.SSES3, store.SSEKMS or store.SSEC
	// KMSKeyARN is the KMS key (SSEKMS): arn:aws:kms:REGION:ACCOUNT:key/ID.
	KMSKeyARN        string
	BucketKeyEnabled bool
	// CustomerKey and its base64 MD5 (SSEC), already checked.
	CustomerKey    []byte
	CustomerKeyMD5 string
}

// NewDataKey makes a data key for spec and its sealed record. rnd is
// crypto/rand.Reader outside tests.
func (k *Keyring) NewDataKey(spec Spec, rnd io.Reader) ([]byte, *store.Encryption, error) {
	dataKey := make([]byte, DataKeySize)
	if _, err := io.ReadFull(rnd, dataKey); err != nil {
		return nil, nil, err
	}
	enc := &store.Encryption{Method: spec.Method}
	var kek cipher.AEAD
	var err error
	switch spec.Method {
	case store.SSES3:
		kek = k.s3KEK
	case store.SSEKMS:
		enc.KMSKeyID, enc.BucketKeyEnabled = spec.KMSKeyARN, spec.BucketKeyEnabled
		kek, err = k.kmsKEK(spec.KMSKeyARN)
	case store.SSEC:
		if len(spec.CustomerKey) != DataKeySize {
			return nil, nil, errors.New("sse: customer key must be 32 bytes")
		}
		enc.CustomerKeyMD5 = spec.CustomerKeyMD5
		enc.CustomerKeySalt = make([]byte, 32)
		if _, err := io.ReadFull(rnd, enc.CustomerKeySalt); err != nil {
			return nil, nil, err
		}
		enc.CustomerKeyMAC = k.customerMAC(enc.CustomerKeySalt, spec.CustomerKey)
		kek, err = k.customerKEK(enc.CustomerKeySalt, spec.CustomerKey)
	default:
		return nil, nil, ErrMethod
	}
	if err != nil {
		return nil, nil, err
	}
	sealed := make([]byte, 1+kek.NonceSize(), 1+kek.NonceSize()+DataKeySize+kek.Overhead())
	sealed[0] = sealV1
	if _, err := io.ReadFull(rnd, sealed[1:]); err != nil {
		return nil, nil, err
	}
	enc.SealedKey = kek.Seal(sealed, sealed[1:], dataKey, sealAD(enc))
	return dataKey, enc, nil
}

// Open returns the data key of an encryption record. customerKey is the
// request's key for an SSE-C record (nil: none given).
func (k *Keyring) Open(enc *store.Encryption, customerKey []byte) ([]byte, error) {
	var kek cipher.AEAD
	var err error
	switch enc.Method {
	case store.SSES3:
		kek = k.s3KEK
	case store.SSEKMS:
		kek, err = k.kmsKEK(enc.KMSKeyID)
	case store.SSEC:
		if customerKey == nil {
			return nil, ErrCustomerKeyRequired
		}
		if !k.CustomerKeyMatches(enc, customerKey) {
			return nil, ErrWrongCustomerKey
		}
		kek, err = k.customerKEK(enc.CustomerKeySalt, customerKey)
	default:
		return nil, ErrMethod
	}
	if err != nil {
		return nil, err
	}
	s := enc.SealedKey
	if len(s) < 1+kek.NonceSize()+kek.Overhead() || s[0] != sealV1 {
		return nil, ErrSealed
	}
	key, err := kek.Open(nil, s[1:1+kek.NonceSize()], s[1+kek.NonceSize():], sealAD(enc))
	if err != nil || len(key) != DataKeySize {
		return nil, ErrSealed
	}
	return key, nil
}

// CustomerKeyMatches reports, in constant time, whether customerKey is the
// key of an SSE-C record.
func (k *Keyring) CustomerKeyMatches(enc *store.Encryption, customerKey []byte) bool {
	return enc.Method == store.SSEC && len(enc.CustomerKeyMAC) == sha256.Size &&
		hmac.Equal(k.customerMAC(enc.CustomerKeySalt, customerKey), enc.CustomerKeyMAC)
}

// sealAD binds a sealed data key to its method (and KMS key).
func sealAD(enc *store.Encryption) []byte {
	ad := "gatehouse/sse/data-key/v1/" + enc.Method
	if enc.Method == store.SSEKMS {
		if acct, id, err := kmsKeyParts(enc.KMSKeyID); err == nil {
			ad += "/" + acct + "/" + id
		}
	}
	return []byte(ad)
}

func (k *Keyring) customerMAC(salt, customerKey []byte) []byte {
	m := hmac.New(sha256.New, k.cMAC)
	m.Write(salt)
	m.Write(customerKey)
	return m.Sum(nil)
}

func (k *Keyring) customerKEK(salt, customerKey []byte) (cipher.AEAD, error) {
	secret := make([]byte, 0, len(customerKey)+len(k.cRoot))
	secret = append(append(secret, customerKey...), k.cRoot...)
	key, err := hkdf.Key(sha256.New, secret, salt, "gatehouse/sse/c-kek/v1", 32)
	if err != nil {
		return nil, err
	}
	return gcm(key)
}

// kmsKEK is the key-encryption key of a KMS key; it depends on the key's
// account and id, not on the region in its ARN.
func (k *Keyring) kmsKEK(keyARN string) (cipher.AEAD, error) {
	acct, id, err := kmsKeyParts(keyARN)
	if err != nil {
		return nil, err
	}
	key, err := hkdf.Key(sha256.New, k.kmsRoot, nil, "gatehouse/sse/kms-kek/v1/"+acct+"/"+id, 32)
	if err != nil {
		return nil, err
	}
	return gcm(key)
}

// kmsKeyParts splits arn:aws:kms:REGION:ACCOUNT:key/ID.
func kmsKeyParts(keyARN string) (account, id string, err error) {
	parts := strings.SplitN(keyARN, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[2] != "kms" || parts[4] == "" {
		return "", "", errors.New("sse: not a KMS key ARN")
	}
	id, ok := strings.CutPrefix(parts[5], "key/")
	if !ok || id == "" {
		return "", "", errors.New("sse: not a KMS key ARN")
	}
	return parts[4], id, nil
}

// DefaultKMSKeyID is the id (a UUID) of an account's default aws/s3 KMS
// key. It is derived, so it exists on first use and is the same on every
// node and after a restore with the same master key.
func (k *Keyring) DefaultKMSKeyID(account string) string {
	m := hmac.New(sha256.New, k.kmsNames)
	m.Write([]byte("aws/s3\x00" + account))
	b := m.Sum(nil)[:16]
	b[6] = b[6]&0x0f | 0x40 // version 4 layout
	b[8] = b[8]&0x3f | 0x80 // RFC 4122 variant
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// DefaultKMSKeyARN is the ARN of an account's default aws/s3 key.
func (k *Keyring) DefaultKMSKeyARN(region, account string) string {
	return "arn:aws:kms:" + region + ":" + account + ":key/" + k.DefaultKMSKeyID(account)
}

// ResolveKMSKey maps a key id as a request names it (key id, key ARN,
// alias/aws/s3 or its alias ARN; "" for the default) to the key's ARN.
// Only the account's default key exists: any other id is not found
// (ok false).
func (k *Keyring) ResolveKMSKey(region, account, keyID string) (keyARN string, ok bool) {
	id := k.DefaultKMSKeyID(account)
	def := k.DefaultKMSKeyARN(region, account)
	switch keyID {
	case "", id, "alias/aws/s3", def, "arn:aws:kms:" + region + ":" + account + ":alias/aws/s3":
		return def, true
	}
	return "", false
}
