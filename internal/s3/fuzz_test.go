package s3

import (
	"net/http"
	"testing"
)

// FuzzRequestParsers feeds arbitrary bytes to the parsers of untrusted
// request parts that are not covered by their own packages: Range and
// x-amz-copy-source-range, x-amz-tagging, the XML request documents and
// bucket policies. None may panic, and ranges must stay inside the object.
func FuzzRequestParsers(f *testing.F) {
	for _, s := range []string{"bytes=0-4", "bytes=-3", "bytes=5-", "bytes=9-1", "a=b&c=d", "<Delete><Object><Key>k</Key></Object></Delete>",
		"<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>\"x\"</ETag></Part></CompleteMultipartUpload>",
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}`} {
		f.Add(s, int64(10))
	}
	f.Fuzz(func(t *testing.T, s string, size int64) {
		if size < 0 {
			size = -size
		}
		if off, n, partial, err := parseRange(s, size); err == nil && partial && (off < 0 || n <= 0 || off+n > size) {
			t.Fatalf("parseRange(%q, %d) = %d, %d outside the object", s, size, off, n)
		}
		if off, n, ok := copyRange(s, size); ok && (off < 0 || n <= 0 || off+n > size) {
			t.Fatalf("copyRange(%q, %d) = %d, %d outside the object", s, size, off, n)
		}
		if tags, err := parseTaggingHeader(s); err == nil && len(tags) > maxObjectTags {
			t.Fatalf("parseTaggingHeader accepted %d tags", len(tags))
		}
		var del deleteRequest
		_ = xmlUnmarshal([]byte(s), &del)
		var done completeRequest
		_ = xmlUnmarshal([]byte(s), &done)
		var tg tagging
		_ = xmlUnmarshal([]byte(s), &tg)
		var cfg createBucketConfiguration
		_ = xmlUnmarshal([]byte(s), &cfg)
		_, _ = validateBucketPolicy(s, "b")
	})
}

// FuzzACLDocument feeds arbitrary AccessControlPolicy documents and grant
// headers to their parsers: none may panic, and what they accept must be
// grants S3 could store (a known permission, exactly one of id and uri,
// at most 100 grants, an owner).
func FuzzACLDocument(f *testing.F) {
	for _, s := range []string{
		`<AccessControlPolicy><Owner><ID>a</ID></Owner><AccessControlList><Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="CanonicalUser"><ID>a</ID></Grantee><Permission>FULL_CONTROL</Permission></Grant></AccessControlList></AccessControlPolicy>`,
		`<AccessControlPolicy><Owner><ID>a</ID></Owner><AccessControlList><Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="Group"><URI>http://acs.amazonaws.com/groups/global/AllUsers</URI></Grantee><Permission>READ</Permission></Grant></AccessControlList></AccessControlPolicy>`,
		`<AccessControlPolicy><Owner><ID>a</ID></Owner><AccessControlList><Grant><Grantee><EmailAddress>x@y</EmailAddress></Grantee><Permission>READ</Permission></Grant></AccessControlList></AccessControlPolicy>`,
		`id="a", uri="http://acs.amazonaws.com/groups/global/AllUsers"`, `emailAddress="x@y"`, `<AccessControlPolicy>`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		owner, grants, err := parseACLDoc([]byte(s))
		if err == nil {
			if owner == "" || len(grants) > maxGrants {
				t.Fatalf("parseACLDoc accepted owner %q with %d grants", owner, len(grants))
			}
			for _, g := range grants {
				if !validPermission(g.Permission) || (g.ID == "") == (g.URI == "") {
					t.Fatalf("parseACLDoc accepted grant %+v", g)
				}
			}
		}
		h := http.Header{}
		h.Set("x-amz-grant-read", s)
		if gs, err := parseGrantHeaders(h); err == nil {
			for _, g := range gs {
				if g.Permission != "READ" || (g.ID == "") == (g.URI == "") {
					t.Fatalf("parseGrantHeaders accepted grant %+v", g)
				}
			}
		}
	})
}
