package keyring

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestSealOpenRoundTrip(t *testing.T) {
	m, err := NewMaster(bytes.Repeat([]byte{7}, MasterKeySize))
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := m.Seal([]byte("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"), []byte("AKIAEXAMPLE"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(sealed, []byte("wJalrXUtnFEMI")) {
		t.Fatal("sealed value contains the plaintext")
	}
	pt, err := m.Open(sealed, []byte("AKIAEXAMPLE"))
	if err != nil || string(pt) != "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" {
		t.Fatalf("Open = %q, %v", pt, err)
	}
	if _, err := m.Open(sealed, []byte("AKIAOTHER")); !errors.Is(err, ErrSealed) {
		t.Fatalf("wrong additional data: err = %v, want ErrSealed", err)
	}
	tampered := append([]byte(nil), sealed...)
	tampered[len(tampered)-1] ^= 1
	if _, err := m.Open(tampered, []byte("AKIAEXAMPLE")); !errors.Is(err, ErrSealed) {
		t.Fatalf("tampered: err = %v, want ErrSealed", err)
	}
	other, _ := NewMaster(bytes.Repeat([]byte{8}, MasterKeySize))
	if _, err := other.Open(sealed, []byte("AKIAEXAMPLE")); !errors.Is(err, ErrSealed) {
		t.Fatalf("other key: err = %v, want ErrSealed", err)
	}
	for _, short := range [][]byte{nil, {1}, sealed[:10]} {
		if _, err := m.Open(short, nil); !errors.Is(err, ErrSealed) {
			t.Fatalf("short input %d: err = %v", len(short), err)
		}
	}
}

func TestParseMasterKey(t *testing.T) {
	key := bytes.Repeat([]byte{0xab}, MasterKeySize)
	for _, text := range []string{
		hex.EncodeToString(key),
		base64.StdEncoding.EncodeToString(key),
		base64.RawURLEncoding.EncodeToString(key) + "\n",
	} {
		got, err := ParseMasterKey(text)
		if err != nil || !bytes.Equal(got, key) {
			t.Fatalf("ParseMasterKey(%q) = %x, %v", text, got, err)
		}
	}
	for _, bad := range []string{"", "abcd", hex.EncodeToString(key[:16]), "not base64 at all!!"} {
		if _, err := ParseMasterKey(bad); !errors.Is(err, ErrBadMasterKey) {
			t.Fatalf("ParseMasterKey(%q): err = %v", bad, err)
		}
	}
}

func TestLoadMasterGeneratesFileOnce(t *testing.T) {
	dir := t.TempDir()
	m1, created, err := LoadMaster("", dir)
	if err != nil || !created {
		t.Fatalf("first load: created=%v err=%v", created, err)
	}
	st, err := os.Stat(filepath.Join(dir, MasterKeyFile))
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode = %v, want 0600", st.Mode().Perm())
	}
	sealed, _ := m1.Seal([]byte("s"), nil)
	m2, created, err := LoadMaster("", dir)
	if err != nil || created {
		t.Fatalf("second load: created=%v err=%v", created, err)
	}
	if pt, err := m2.Open(sealed, nil); err != nil || string(pt) != "s" {
		t.Fatalf("reloaded key cannot open: %v", err)
	}
	// The environment wins over the file.
	envKey := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{1}, MasterKeySize))
	m3, _, err := LoadMaster(envKey, dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m3.Open(sealed, nil); !errors.Is(err, ErrSealed) {
		t.Fatal("env key should differ from the file key")
	}
	if _, _, err := LoadMaster("short", dir); !errors.Is(err, ErrBadMasterKey) {
		t.Fatalf("bad env key: %v", err)
	}
}

func TestDeriveKey(t *testing.T) {
	k1 := bytes.Repeat([]byte{1}, MasterKeySize)
	k2 := bytes.Repeat([]byte{2}, MasterKeySize)
	m1, _ := NewMaster(k1)
	m1b, _ := NewMaster(k1)
	m2, _ := NewMaster(k2)
	a := m1.DeriveKey("s3/canonical-user-id")
	if len(a) != 32 || !bytes.Equal(a, m1b.DeriveKey("s3/canonical-user-id")) {
		t.Fatal("a derived key is not stable for one master key")
	}
	if bytes.Equal(a, m1.DeriveKey("other")) || bytes.Equal(a, m2.DeriveKey("s3/canonical-user-id")) || bytes.Contains(a, k1[:8]) {
		t.Fatal("derived keys of other labels or master keys collide")
	}
}
