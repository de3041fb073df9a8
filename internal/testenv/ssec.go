package testenv

import (
	"bytes"
	"crypto/md5"
	"encoding/base64"
	"io"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/s3"
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

// ReadBody returns a function that reads a GetObject's body whole, failing
// t on any error: testenv.ReadBody(t)(client.GetObject(…)).
func ReadBody(t testing.TB) func(*s3.GetObjectOutput, error) []byte {
	return func(out *s3.GetObjectOutput, err error) []byte {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		defer out.Body.Close()
		b, err := io.ReadAll(out.Body)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
}
