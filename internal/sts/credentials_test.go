package sts

import (
	"encoding/base64"
	"strings"
	"testing"
)

// newCredentials: an ASIA id of 20 characters that names its account, a
// 40-character base64 secret of 30 bytes, and fresh randomness each time
// (in the id as well as the secret).
func TestNewCredentials(t *testing.T) {
	ids, secrets := map[string]bool{}, map[string]bool{}
	for _, account := range []string{"111122223333", "000000000000", "999999999999", "000000000001"} {
		for range 50 {
			id, secret := newCredentials(account)
			if len(id) != 20 || !strings.HasPrefix(id, "ASIA") {
				t.Fatalf("id %q", id)
			}
			if got, ok := AccountOfKeyID(id); !ok || got != account {
				t.Fatalf("id %q names account %q (%v), want %q", id, got, ok, account)
			}
			if raw, err := base64.StdEncoding.DecodeString(secret); err != nil || len(raw) != 30 || len(secret) != 40 {
				t.Fatalf("secret %q: %d bytes, %v", secret, len(raw), err)
			}
			if ids[id] || secrets[secret] {
				t.Fatalf("repeated id %q or secret", id)
			}
			ids[id], secrets[secret] = true, true
		}
	}
}
