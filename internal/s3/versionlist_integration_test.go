package s3_test

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/gatehouse/gatehouse/internal/testenv"
)

// versionEntry is one version or delete marker as a listing showed it.
type versionEntry struct {
	key, id string
	latest  bool
	marker  bool
}

func (e versionEntry) String() string {
	s := e.key + ":" + e.id
	if e.latest {
		s += "*"
	}
	if e.marker {
		s += "D"
	}
	return s
}

// entryTagRE finds the Version and DeleteMarker elements of a
// ListVersionsResult in document order.
var entryTagRE = regexp.MustCompile(`<(Version|DeleteMarker)><Key>([^<]*)</Key><VersionId>([^<]*)</VersionId><IsLatest>(true|false)</IsLatest>`)

// rawVersions lists one page by hand and returns its entries in document
// order, its common prefixes, and the body.
func rawVersions(t *testing.T, env *testenv.Env, bucket string, q url.Values) ([]versionEntry, []string, string) {
	t.Helper()
	q.Set("versions", "")
	status, body := rawRequest(t, env, "GET", "/"+bucket+"?"+strings.ReplaceAll(q.Encode(), "versions=", "versions"), nil)
	if status != 200 {
		t.Fatalf("ListObjectVersions %v: %d %s", q, status, body)
	}
	var out []versionEntry
	for _, m := range entryTagRE.FindAllStringSubmatch(body, -1) {
		out = append(out, versionEntry{key: m[2], id: m[3], latest: m[4] == "true", marker: m[1] == "DeleteMarker"})
	}
	var prefixes []string
	for _, m := range regexp.MustCompile(`<CommonPrefixes><Prefix>([^<]*)</Prefix></CommonPrefixes>`).FindAllStringSubmatch(body, -1) {
		prefixes = append(prefixes, m[1])
	}
	return out, prefixes, body
}

func tagValue(body, tag string) (string, bool) {
	m := regexp.MustCompile(`<` + tag + `>([^<]*)</` + tag + `>`).FindStringSubmatch(body)
	if m == nil {
		return "", false
	}
	return m[1], true
}

// TestListObjectVersionsPaging pages through keys with many versions each
// (and delete markers among them) at several page sizes: every page is
// within max-keys, the markers carry on where the page stopped, inside a
// key or across keys, and the pages together are the whole listing in
// (key, newest first) order with one latest per key.
func TestListObjectVersionsPaging(t *testing.T) {
	env := testenv.New(t)
	c := env.S3
	mkBucket(t, c, "pages")
	setVersioning(t, c, "pages", types.BucketVersioningStatusEnabled)
	var want []versionEntry // newest first per key, keys ascending
	for _, k := range []string{"a", "b", "c", "d/x", "d/y"} {
		var versions []versionEntry
		for i := range 7 {
			var e versionEntry
			if k == "b" && i%3 == 2 || k == "c" && i == 6 {
				del := must[*s3.DeleteObjectOutput](t)(c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("pages"), Key: aws.String(k)}))
				e = versionEntry{key: k, id: aws.ToString(del.VersionId), marker: true}
			} else {
				e = versionEntry{key: k, id: aws.ToString(put(t, c, "pages", k, fmt.Sprintf("%s%d", k, i)).VersionId)}
			}
			versions = append([]versionEntry{e}, versions...)
		}
		versions[0].latest = true
		want = append(want, versions...)
	}
	all, _, _ := rawVersions(t, env, "pages", url.Values{})
	if fmt.Sprint(all) != fmt.Sprint(want) {
		t.Fatalf("whole listing\n %v\nwant\n %v", all, want)
	}
	for _, size := range []int{1, 2, 3, 5, 6, 7, 8, 13, 35} {
		var got []versionEntry
		q := url.Values{"max-keys": {fmt.Sprint(size)}}
		for page := 0; ; page++ {
			if page > len(want) {
				t.Fatalf("max-keys %d: the pages do not end", size)
			}
			entries, _, body := rawVersions(t, env, "pages", q)
			if len(entries) > size {
				t.Fatalf("max-keys %d: %d entries", size, len(entries))
			}
			got = append(got, entries...)
			truncated, _ := tagValue(body, "IsTruncated")
			if truncated != "true" {
				if _, ok := tagValue(body, "NextKeyMarker"); ok {
					t.Fatalf("max-keys %d: NextKeyMarker on the last page", size)
				}
				break
			}
			nk, _ := tagValue(body, "NextKeyMarker")
			nv, _ := tagValue(body, "NextVersionIdMarker")
			last := entries[len(entries)-1]
			if nk != last.key || nv != last.id {
				t.Fatalf("max-keys %d: next markers %s/%s, last entry %v", size, nk, nv, last)
			}
			q.Set("key-marker", nk)
			q.Set("version-id-marker", nv)
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("max-keys %d: paged listing\n %v\nwant\n %v", size, got, want)
		}
	}
	// key-marker alone starts after every version of the key.
	after, _, _ := rawVersions(t, env, "pages", url.Values{"key-marker": {"c"}})
	if fmt.Sprint(after) != fmt.Sprint(want[21:]) {
		t.Fatalf("key-marker c: %v", after)
	}
	// The SDK agrees (Versions and DeleteMarkers apart).
	out := must[*s3.ListObjectVersionsOutput](t)(c.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String("pages"),
		KeyMarker: aws.String("b"), VersionIdMarker: aws.String(want[9].id), MaxKeys: aws.Int32(4)}))
	if !aws.ToBool(out.IsTruncated) || len(out.Versions)+len(out.DeleteMarkers) != 4 || aws.ToString(out.NextKeyMarker) != "b" ||
		aws.ToString(out.NextVersionIdMarker) != want[13].id || aws.ToString(out.VersionIdMarker) != want[9].id {
		t.Fatalf("SDK page: %+v", out)
	}
	if v := out.Versions[0]; aws.ToString(v.ETag) == "" || aws.ToInt64(v.Size) != 2 || v.Owner == nil || aws.ToString(v.Owner.ID) != canonicalID(t, c) ||
		v.StorageClass != types.ObjectVersionStorageClassStandard || aws.ToBool(v.IsLatest) || v.LastModified == nil {
		t.Fatalf("SDK version entry: %+v", v)
	}

	// Delimiter: common prefixes count against max-keys and are not
	// repeated on later pages.
	entries, prefixes, body := rawVersions(t, env, "pages", url.Values{"delimiter": {"/"}, "max-keys": {"22"}})
	if len(entries) != 21 || fmt.Sprint(prefixes) != "[d/]" || !strings.Contains(body, "<IsTruncated>false</IsTruncated>") {
		t.Fatalf("delimiter: %d entries, prefixes %v", len(entries), prefixes)
	}
	entries, prefixes, body = rawVersions(t, env, "pages", url.Values{"delimiter": {"/"}, "max-keys": {"20"}})
	if len(entries) != 20 || len(prefixes) != 0 || !strings.Contains(body, "<IsTruncated>true</IsTruncated>") {
		t.Fatalf("delimiter, page 1: %d entries, prefixes %v", len(entries), prefixes)
	}
	nk, _ := tagValue(body, "NextKeyMarker")
	nv, _ := tagValue(body, "NextVersionIdMarker")
	entries, prefixes, body = rawVersions(t, env, "pages", url.Values{"delimiter": {"/"}, "max-keys": {"20"}, "key-marker": {nk}, "version-id-marker": {nv}})
	if len(entries) != 1 || fmt.Sprint(prefixes) != "[d/]" || !strings.Contains(body, "<IsTruncated>false</IsTruncated>") || !strings.Contains(body, "<Delimiter>/</Delimiter>") {
		t.Fatalf("delimiter, page 2: %v, prefixes %v: %s", entries, prefixes, body)
	}
	entries, prefixes, _ = rawVersions(t, env, "pages", url.Values{"delimiter": {"/"}, "key-marker": {"d/"}})
	if len(entries) != 0 || len(prefixes) != 0 {
		t.Fatalf("after the common prefix: %v %v", entries, prefixes)
	}
	entries, _, _ = rawVersions(t, env, "pages", url.Values{"prefix": {"d/"}, "max-keys": {"9"}})
	if fmt.Sprint(entries) != fmt.Sprint(want[21:30]) {
		t.Fatalf("prefix d/: %v", entries)
	}
}

// TestListObjectVersionsXML: the document's shape, encoding-type=url, and
// the parameter errors in S3's order.
func TestListObjectVersionsXML(t *testing.T) {
	env := testenv.New(t)
	c := env.S3
	mkBucket(t, c, "shape")
	setVersioning(t, c, "shape", types.BucketVersioningStatusEnabled)
	v1 := aws.ToString(put(t, c, "shape", "a b/c", "x").VersionId)
	m := aws.ToString(must[*s3.DeleteObjectOutput](t)(c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("shape"), Key: aws.String("a b/c")})).VersionId)
	me := canonicalID(t, c)
	_, _, body := rawVersions(t, env, "shape", url.Values{"encoding-type": {"url"}, "prefix": {"a b"}, "max-keys": {"1"}})
	want := `<ListVersionsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>shape</Name><Prefix>a+b</Prefix><KeyMarker></KeyMarker>` +
		`<VersionIdMarker></VersionIdMarker><NextKeyMarker>a+b/c</NextKeyMarker><NextVersionIdMarker>` + m + `</NextVersionIdMarker>` +
		`<MaxKeys>1</MaxKeys><EncodingType>url</EncodingType><IsTruncated>true</IsTruncated><DeleteMarker><Key>a+b/c</Key><VersionId>` + m +
		`</VersionId><IsLatest>true</IsLatest><LastModified>`
	if !strings.Contains(body, want) || !strings.Contains(body, `</LastModified><Owner><ID>`+me+`</ID></Owner></DeleteMarker></ListVersionsResult>`) {
		t.Fatalf("document:\n%s\nwant it to hold\n%s", body, want)
	}
	_, _, body = rawVersions(t, env, "shape", url.Values{"key-marker": {"a b/c"}, "version-id-marker": {m}})
	if !strings.Contains(body, `<Version><Key>a b/c</Key><VersionId>`+v1+`</VersionId><IsLatest>false</IsLatest><LastModified>`) ||
		!strings.Contains(body, `<ETag>&quot;`+md5hex("x")+`&quot;</ETag>`) ||
		!strings.Contains(body, `<Size>1</Size><Owner><ID>`+me+`</ID></Owner><StorageClass>STANDARD</StorageClass></Version>`) {
		t.Fatalf("version element: %s", body)
	}
	if _, _, body = rawVersions(t, env, "shape", url.Values{"max-keys": {"0"}}); !strings.Contains(body, "<MaxKeys>0</MaxKeys><IsTruncated>false</IsTruncated></ListVersionsResult>") {
		t.Fatalf("max-keys 0: %s", body)
	}
	// A version marker with an empty key marker lists from the start.
	if entries, _, _ := rawVersions(t, env, "shape", url.Values{"key-marker": {""}, "version-id-marker": {v1}}); len(entries) != 2 {
		t.Fatalf("empty key-marker: %v", entries)
	}
	// A version marker that names no version carries on after its key.
	if entries, _, _ := rawVersions(t, env, "shape", url.Values{"key-marker": {"a b/c"}, "version-id-marker": {strings.Repeat("Z", 32)}}); len(entries) != 0 {
		t.Fatalf("unknown version marker: %v", entries)
	}
	for _, tc := range []struct {
		query, msg, arg string
	}{
		{"max-keys=abc&version-id-marker=x&encoding-type=bad", "Provided max-keys not an integer or within integer range", "max-keys"},
		{"max-keys=2147483648", "Provided max-keys not an integer or within integer range", "max-keys"},
		{"max-keys=-1", "max-keys cannot be negative", "max-keys"},
		{"version-id-marker=bad&encoding-type=bad", "A version-id marker cannot be specified without a key marker.", "version-id-marker"},
		{"key-marker=k&version-id-marker=&encoding-type=bad", "A version-id marker cannot be empty.", "version-id-marker"},
		{"key-marker=k&version-id-marker=bad-vid&encoding-type=bad", "Invalid version id specified", "version-id-marker"},
		{"encoding-type=bad", "Invalid Encoding Method specified in Request", "encoding-type"},
	} {
		status, body := rawRequest(t, env, "GET", "/shape?versions&"+tc.query, nil)
		if status != 400 || !strings.Contains(body, "<Code>InvalidArgument</Code><Message>"+tc.msg+"</Message>") || !strings.Contains(body, "<ArgumentName>"+tc.arg+"</ArgumentName>") {
			t.Errorf("%s: %d %s", tc.query, status, body)
		}
	}
}
