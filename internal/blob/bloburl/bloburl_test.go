package bloburl

import (
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	ok := []struct {
		raw  string
		want S3
	}{
		{"s3://bucket", S3{Bucket: "bucket"}},
		{"s3://bucket/", S3{Bucket: "bucket"}},
		{"s3://my.bucket-1/gatehouse/blobs", S3{Bucket: "my.bucket-1", Prefix: "gatehouse/blobs/"}},
		{"s3://bucket/p/?region=eu-west-1", S3{Bucket: "bucket", Prefix: "p/", Region: "eu-west-1"}},
		{"s3://bucket/p?endpoint=http://127.0.0.1:9000&region=us-east-1&path-style=true",
			S3{Bucket: "bucket", Prefix: "p/", Endpoint: "http://127.0.0.1:9000", Region: "us-east-1", PathStyle: true}},
		{"s3://bucket?endpoint=https://minio.example:9000/", S3{Bucket: "bucket", Endpoint: "https://minio.example:9000", PathStyle: true}},
		{"s3://bucket?endpoint=https://s3.example&path-style=false", S3{Bucket: "bucket", Endpoint: "https://s3.example"}},
		{"s3://bucket?credentials-file=/etc/gatehouse/aws%20creds", S3{Bucket: "bucket", CredentialsFile: "/etc/gatehouse/aws creds"}},
	}
	for _, c := range ok {
		got, err := Parse(c.raw)
		if err != nil {
			t.Errorf("Parse(%q): %v", c.raw, err)
			continue
		}
		if *got != c.want {
			t.Errorf("Parse(%q) = %+v, want %+v", c.raw, *got, c.want)
		}
	}
	bad := []struct{ raw, says string }{
		{"", "unsupported scheme"},
		{"/var/lib/blobs", "unsupported scheme"},
		{"file:///var/lib/blobs", "unsupported scheme"},
		{"s3:bucket", "two slashes"},
		{"s3://", "not a bucket name"},
		{"s3://Bucket", "not a bucket name"},
		{"s3://b", "not a bucket name"},
		{"s3://bucket_1", "not a bucket name"},
		{"s3://-bucket", "not a bucket name"},
		{"s3://a..b", "not a bucket name"},
		{"s3://192.168.1.1", "not a bucket name"},
		{"s3://bucket:9000/p", "port"},
		{"s3://AKIAX:secretvalue@bucket/p", "credentials do not belong"},
		{"s3://bucket/p#frag", "fragment"},
		{"s3://bucket/a//b", "empty, . or .."},
		{"s3://bucket/a/../b", "empty, . or .."},
		{"s3://bucket/./b", "empty, . or .."},
		{"s3://bucket/a%00b", "control character"},
		{"s3://bucket/a%5Cb", "backslash"},
		{"s3://bucket/" + strings.Repeat("a", 600), "longer than 512"},
		{"s3://bucket?endpoint=ftp://host", "not an http or https URL"},
		{"s3://bucket?endpoint=host:9000", "not an http or https URL"},
		{"s3://bucket?endpoint=http://", "not an http or https URL"},
		{"s3://bucket?endpoint=http://u:p@host", "must not carry credentials"},
		{"s3://bucket?endpoint=http://host/path", "scheme://host[:port] only"},
		{"s3://bucket?endpoint=http://host:99999", "bad port"},
		{"s3://bucket?region=EU", "not a region name"},
		{"s3://bucket?path-style=yes", "true or false"},
		{"s3://bucket?credentials-file=", "credentials-file is empty"},
		{"s3://bucket?region=a&region=b", "given 2 times"},
		{"s3://bucket?secret-access-key=x", "unknown parameter"},
		{"s3://bucket?%zz", "malformed query"},
	}
	for _, c := range bad {
		_, err := Parse(c.raw)
		if err == nil || !strings.Contains(err.Error(), c.says) {
			t.Errorf("Parse(%q) = %v, want an error saying %q", c.raw, err, c.says)
			continue
		}
		if strings.Contains(err.Error(), "secretvalue") {
			t.Errorf("Parse(%q) echoes the secret: %v", c.raw, err)
		}
	}
}

// FuzzParse: Parse never panics, and what it accepts names a
// valid bucket and a prefix of clean segments ending in "/".
func FuzzParse(f *testing.F) {
	for _, s := range []string{"s3://bucket/p?endpoint=http://127.0.0.1:9000&region=us-east-1&path-style=true", "s3://a..b", "s3://u:p@b/x", "s3://bucket/a//b?%zz"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		loc, err := Parse(raw)
		if err != nil {
			return
		}
		if CheckBucket(loc.Bucket) != nil {
			t.Fatalf("accepted bucket %q", loc.Bucket)
		}
		if loc.Prefix != "" && (!strings.HasSuffix(loc.Prefix, "/") || strings.Contains(loc.Prefix, "//") || strings.HasPrefix(loc.Prefix, "/")) {
			t.Fatalf("accepted prefix %q", loc.Prefix)
		}
	})
}
