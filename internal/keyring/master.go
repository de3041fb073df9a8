package keyring

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Sentinel errors.
var (
	// ErrSealed: a sealed value could not be opened (wrong key, tampering,
	// or wrong additional data).
	ErrSealed = errors.New("keyring: sealed value cannot be opened")
	// ErrBadMasterKey: the configured master key is not 32 bytes of base64 or hex.
	ErrBadMasterKey = errors.New("keyring: master key must be 32 bytes, base64 or hex encoded")
	// ErrNoMasterKey: neither the environment nor the data directory holds
	// a master key (ReadMaster).
	ErrNoMasterKey = errors.New("keyring: no master key")
	// ErrWrongMasterKey: the master key is not the one the store's secrets
	// are sealed under.
	ErrWrongMasterKey = errors.New("keyring: the master key does not match the store")
)

// MasterKeySize is the size of the master key in bytes.
const MasterKeySize = 32

// formatV1 marks AES-256-GCM with a 12-byte random nonce.
const formatV1 = 1

// MasterKeyFile is the name of the generated master key file in the data directory.
const MasterKeyFile = "master.key"

// Master seals and opens secrets under the master key. It is safe for
// concurrent use.
type Master struct {
	aead cipher.AEAD
	// prk is the pseudorandom key DeriveKey expands (HMAC-SHA256 of the
	// master key), so that no derived key reveals the master key.
	prk []byte
}

// NewMaster builds a Master from raw key bytes.
func NewMaster(key []byte) (*Master, error) {
	if len(key) != MasterKeySize {
		return nil, ErrBadMasterKey
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	extract := hmac.New(sha256.New, []byte("gatehouse/keyring/derive"))
	extract.Write(key)
	return &Master{aead: aead, prk: extract.Sum(nil)}, nil
}

// DeriveKey is a 32-byte key for one purpose, named by label: stable for
// a master key, unrelated across labels (HKDF-Expand's first block under
// HMAC-SHA256). Callers use it as an HMAC key, never as the master key.
func (m *Master) DeriveKey(label string) []byte {
	h := hmac.New(sha256.New, m.prk)
	h.Write([]byte(label))
	h.Write([]byte{1})
	return h.Sum(nil)
}

// ParseMasterKey decodes a master key given as base64 (standard or URL,
// padded or not) or hex text.
func ParseMasterKey(text string) ([]byte, error) {
	text = strings.TrimSpace(text)
	if b, err := hex.DecodeString(text); err == nil && len(b) == MasterKeySize {
		return b, nil
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(text); err == nil && len(b) == MasterKeySize {
			return b, nil
		}
	}
	return nil, ErrBadMasterKey
}

// LoadMaster returns the master key: from envValue when it is non-empty,
// else from dataDir/master.key, generating that file (mode 0600) when it
// does not exist. created reports whether a new key file was written. Only a
// new data directory may get a new key: for an existing store use
// ReadMaster, which never writes.
func LoadMaster(envValue, dataDir string) (m *Master, created bool, err error) {
	m, err = ReadMaster(envValue, dataDir)
	if !errors.Is(err, ErrNoMasterKey) {
		return m, false, err
	}
	key := make([]byte, MasterKeySize)
	if _, err := rand.Read(key); err != nil {
		return nil, false, err
	}
	if err := WriteMasterKeyFile(dataDir, key); err != nil {
		return nil, false, err
	}
	m, err = NewMaster(key)
	return m, true, err
}

// ReadMaster returns the master key from envValue when it is non-empty,
// else from dataDir/master.key; ErrNoMasterKey when that file does not
// exist. It writes nothing.
func ReadMaster(envValue, dataDir string) (*Master, error) {
	if envValue != "" {
		key, err := ParseMasterKey(envValue)
		if err != nil {
			return nil, fmt.Errorf("GATEHOUSE_MASTER_KEY: %w", err)
		}
		return NewMaster(key)
	}
	key, err := ReadMasterKeyFile(filepath.Join(dataDir, MasterKeyFile))
	if err != nil {
		return nil, err
	}
	return NewMaster(key)
}

// ReadMasterKeyFile reads a master key file (base64 or hex text);
// ErrNoMasterKey when it does not exist.
func ReadMasterKeyFile(path string) ([]byte, error) {
	text, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: %s does not exist", ErrNoMasterKey, path)
	}
	if err != nil {
		return nil, fmt.Errorf("read master key file: %w", err)
	}
	key, err := ParseMasterKey(string(text))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return key, nil
}

// WriteMasterKeyFile writes key as dir/master.key (base64, mode 0600,
// synced); it refuses to replace an existing file.
func WriteMasterKeyFile(dir string, key []byte) error {
	if len(key) != MasterKeySize {
		return ErrBadMasterKey
	}
	path := filepath.Join(dir, MasterKeyFile)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("create master key file: %w", err)
	}
	_, err = f.WriteString(base64.StdEncoding.EncodeToString(key) + "\n")
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return fmt.Errorf("write master key file: %w", err)
	}
	return nil
}

// Seal encrypts plaintext, binding it to additionalData.
func (m *Master) Seal(plaintext, additionalData []byte) ([]byte, error) {
	ns := m.aead.NonceSize()
	out := make([]byte, 1+ns, 1+ns+len(plaintext)+m.aead.Overhead())
	out[0] = formatV1
	if _, err := rand.Read(out[1 : 1+ns]); err != nil {
		return nil, err
	}
	return m.aead.Seal(out, out[1:1+ns], plaintext, additionalData), nil
}

// Open decrypts a value made by Seal with the same additional data.
func (m *Master) Open(sealed, additionalData []byte) ([]byte, error) {
	ns := m.aead.NonceSize()
	if len(sealed) < 1+ns+m.aead.Overhead() || sealed[0] != formatV1 {
		return nil, ErrSealed
	}
	pt, err := m.aead.Open(nil, sealed[1:1+ns], sealed[1+ns:], additionalData)
	if err != nil {
		return nil, ErrSealed
	}
	return pt, nil
}
