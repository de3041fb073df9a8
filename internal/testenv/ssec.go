package testenv

import (
	"bytes"
	"crypto/md5"
	"encoding/base64"
)

// CustomerKey is an SSE-C customer key as the SDK sends it: the key and
// its MD5, both base64.
type CustomerKey struct{ Key, MD5 string }

// NewCustomerKey returns the SSE-C key of 32 bytes of fill.
func NewCustomerKey(fill byte) CustomerKey {
	k := bytes.Repeat([]byte{fill}, 32)
	sum := md5.Sum(k)
	return CustomerKey{base64.StdEncoding.EncodeToString(k), base64.StdEncoding.EncodeToString(sum[:])}
}
