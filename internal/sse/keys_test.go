package sse

import (
	"bytes"
	"crypto/rand"
	"errors"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/store"
)

func testKeyring(t *testing.T, b byte) *Keyring {
	t.Helper()
	k, err := NewKeyring(bytes.Repeat([]byte{b}, 32))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestDataKeys(t *testing.T) {
	k := testKeyring(t, 1)
	kmsARN := k.DefaultKMSKeyARN("us-east-1", "123456789012")
	cust := bytes.Repeat([]byte{0xcc}, 32)
	for _, spec := range []Spec{
		{Method: store.SSES3},
		{Method: store.SSEKMS, KMSKeyARN: kmsARN, BucketKeyEnabled: true},
		{Method: store.SSEC, CustomerKey: cust, CustomerKeyMD5: "md5"},
	} {
		t.Run(spec.Method, func(t *testing.T) {
			dk, enc, err := k.NewDataKey(spec, rand.Reader)
			if err != nil {
				t.Fatal(err)
			}
			if bytes.Contains(enc.SealedKey, dk) || (spec.CustomerKey != nil && (bytes.Contains(enc.SealedKey, cust) || bytes.Contains(enc.CustomerKeyMAC, cust))) {
				t.Fatal("a key appears in the record")
			}
			got, err := k.Open(enc, spec.CustomerKey)
			if err != nil || !bytes.Equal(got, dk) {
				t.Fatalf("open: %v", err)
			}
			// Another master key cannot open it.
			if _, err := testKeyring(t, 2).Open(enc, spec.CustomerKey); err == nil {
				t.Fatal("opened under another root key")
			}
			// A tampered sealed key does not open.
			bad := *enc
			bad.SealedKey = bytes.Clone(enc.SealedKey)
			bad.SealedKey[len(bad.SealedKey)-1] ^= 1
			if _, err := k.Open(&bad, spec.CustomerKey); !errors.Is(err, ErrSealed) {
				t.Fatalf("tampered: want ErrSealed, got %v", err)
			}
			// The sealed key is bound to its method.
			moved := *enc
			moved.Method = store.SSES3
			if spec.Method != store.SSES3 {
				if _, err := k.Open(&moved, nil); !errors.Is(err, ErrSealed) {
					t.Fatalf("method changed: want ErrSealed, got %v", err)
				}
			}
		})
	}
}

func TestCustomerKeys(t *testing.T) {
	k := testKeyring(t, 1)
	cust := bytes.Repeat([]byte{0xcc}, 32)
	_, enc, err := k.NewDataKey(Spec{Method: store.SSEC, CustomerKey: cust}, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := k.Open(enc, nil); !errors.Is(err, ErrCustomerKeyRequired) {
		t.Fatalf("no key: %v", err)
	}
	wrong := bytes.Repeat([]byte{0xcd}, 32)
	if _, err := k.Open(enc, wrong); !errors.Is(err, ErrWrongCustomerKey) {
		t.Fatalf("wrong key: %v", err)
	}
	if k.CustomerKeyMatches(enc, wrong) || !k.CustomerKeyMatches(enc, cust) {
		t.Fatal("CustomerKeyMatches")
	}
	// The MAC is salted: the same key gives another MAC on another object.
	_, enc2, _ := k.NewDataKey(Spec{Method: store.SSEC, CustomerKey: cust}, rand.Reader)
	if bytes.Equal(enc.CustomerKeyMAC, enc2.CustomerKeyMAC) {
		t.Fatal("customer key MAC is not salted")
	}
	if _, _, err := k.NewDataKey(Spec{Method: store.SSEC, CustomerKey: cust[:16]}, rand.Reader); err == nil {
		t.Fatal("short customer key accepted")
	}
}

func TestKMSKeys(t *testing.T) {
	k := testKeyring(t, 1)
	id := k.DefaultKMSKeyID("123456789012")
	if len(id) != 36 || id[14] != '4' || id != k.DefaultKMSKeyID("123456789012") || id == k.DefaultKMSKeyID("210987654321") {
		t.Fatalf("default key id %q", id)
	}
	if testKeyring(t, 2).DefaultKMSKeyID("123456789012") == id {
		t.Fatal("key id does not depend on the master key")
	}
	arn := k.DefaultKMSKeyARN("eu-west-1", "123456789012")
	for _, ref := range []string{"", id, "alias/aws/s3", arn, "arn:aws:kms:eu-west-1:123456789012:alias/aws/s3"} {
		if got, ok := k.ResolveKMSKey("eu-west-1", "123456789012", ref); !ok || got != arn {
			t.Fatalf("%q resolved to %q %v", ref, got, ok)
		}
	}
	for _, ref := range []string{"alias/other", "0b8e1f5c-0000-4000-8000-000000000000", strings.Replace(arn, "123456789012", "210987654321", 1)} {
		if _, ok := k.ResolveKMSKey("eu-west-1", "123456789012", ref); ok {
			t.Fatalf("%q resolved", ref)
		}
	}
	// The region in the ARN does not matter for opening.
	dk, enc, err := k.NewDataKey(Spec{Method: store.SSEKMS, KMSKeyARN: arn}, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	enc.KMSKeyID = k.DefaultKMSKeyARN("us-west-2", "123456789012")
	if got, err := k.Open(enc, nil); err != nil || !bytes.Equal(got, dk) {
		t.Fatalf("region change: %v", err)
	}
	// Another account's key does not open it.
	enc.KMSKeyID = k.DefaultKMSKeyARN("us-west-2", "210987654321")
	if _, err := k.Open(enc, nil); err == nil {
		t.Fatal("opened under another account's KMS key")
	}
}

// FuzzOpen: a stored encryption record of any content opens to an error
// or to a 32-byte key, never a panic; and a record not made by the keyring
// never opens.
func FuzzOpen(f *testing.F) {
	k, err := NewKeyring(bytes.Repeat([]byte{1}, 32))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(store.SSES3, []byte{1, 2, 3}, "", []byte(nil), []byte(nil), []byte(nil))
	f.Add(store.SSEKMS, bytes.Repeat([]byte{1}, 60), "arn:aws:kms:r:123456789012:key/x", []byte(nil), []byte(nil), []byte(nil))
	f.Add(store.SSEC, bytes.Repeat([]byte{1}, 60), "", bytes.Repeat([]byte{2}, 32), bytes.Repeat([]byte{3}, 32), bytes.Repeat([]byte{4}, 32))
	f.Fuzz(func(t *testing.T, method string, sealed []byte, kmsID string, salt, mac, customer []byte) {
		enc := &store.Encryption{Method: method, SealedKey: sealed, KMSKeyID: kmsID, CustomerKeySalt: salt, CustomerKeyMAC: mac}
		key, err := k.Open(enc, customer)
		if err == nil {
			t.Fatalf("a forged record opened to a %d-byte key", len(key))
		}
	})
}
