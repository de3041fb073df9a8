package arn

import (
	"errors"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		in              string
		want            ARN
		typ, path, name string
	}{
		{"arn:aws:iam::123456789012:role/app/admin", ARN{"aws", "iam", "", "123456789012", "role/app/admin"}, "role", "/app/", "admin"},
		{"arn:aws:iam::123456789012:role/admin", ARN{"aws", "iam", "", "123456789012", "role/admin"}, "role", "/", "admin"},
		{"arn:aws:iam::123456789012:root", ARN{"aws", "iam", "", "123456789012", "root"}, "root", "", ""},
		{"arn:aws:iam:::role/x", ARN{"aws", "iam", "", "", "role/x"}, "role", "/", "x"},
		{"arn:aws:iam::aws:policy/service-role/AWSLambdaRole", ARN{"aws", "iam", "", "aws", "policy/service-role/AWSLambdaRole"}, "policy", "/service-role/", "AWSLambdaRole"},
		{"arn:aws:sts::123456789012:assumed-role/r/s", ARN{"aws", "sts", "", "123456789012", "assumed-role/r/s"}, "assumed-role", "/r/", "s"},
		{"arn:aws:s3:::bucket/a:b/c", ARN{"aws", "s3", "", "", "bucket/a:b/c"}, "bucket", "/a:b/", "c"},
		{"arn:aws:logs:us-east-1:123456789012:log-group:x:*", ARN{"aws", "logs", "us-east-1", "123456789012", "log-group:x:*"}, "log-group:x:*", "", ""},
	} {
		got, err := Parse(tc.in)
		if err != nil || got != tc.want || got.String() != tc.in {
			t.Errorf("Parse(%q) = %+v, %v", tc.in, got, err)
			continue
		}
		typ, path, name := got.IAMResource()
		if typ != tc.typ || path != tc.path || name != tc.name {
			t.Errorf("%q: IAMResource = %q %q %q", tc.in, typ, path, name)
		}
	}
	for _, in := range []string{"", "arn", "arn:", "arn:aws:iam::123456789012", "arn::iam::1:root", "arn:aws:::1:root",
		"arn:aws:iam::123456789012:", "ARN:aws:iam::123456789012:root", "urn:aws:iam::1:root",
		"arn:aws:iam::123456789012:role/a\nb", "arn:aws:iam::123456789012:role/" + strings.Repeat("a", MaxLen)} {
		if a, err := Parse(in); !errors.Is(err, ErrMalformed) {
			t.Errorf("Parse(%q) = %+v, %v; want ErrMalformed", in, a, err)
		}
	}
}

func TestIsAccountID(t *testing.T) {
	for s, want := range map[string]bool{"123456789012": true, "12345678901": false, "1234567890123": false, "12345678901a": false, "aws": false} {
		if IsAccountID(s) != want {
			t.Errorf("IsAccountID(%q) != %v", s, want)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"arn:aws:iam::123456789012:role/app/admin", "arn:aws:iam::123456789012:root", "arn:aws:s3:::b/k:x",
		"arn:aws:sts::1:assumed-role/r/s", "arn:::::", "arn:a:b:c:d:e/f/g/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := Parse(s)
		if err != nil {
			return
		}
		if a.String() != s {
			t.Fatalf("%q printed back as %q", s, a.String())
		}
		for _, field := range []string{a.Partition, a.Service, a.Region, a.Account} {
			if strings.Contains(field, ":") {
				t.Fatalf("%q: field %q holds a colon", s, field)
			}
		}
		typ, path, name := a.IAMResource()
		if path != "" && (!strings.HasPrefix(path, "/") || !strings.HasSuffix(path, "/")) {
			t.Fatalf("%q: path %q", s, path)
		}
		if path != "" && typ+path+name != a.Resource || path == "" && (typ != a.Resource || name != "") {
			t.Fatalf("%q: IAMResource %q %q %q", s, typ, path, name)
		}
	})
}
