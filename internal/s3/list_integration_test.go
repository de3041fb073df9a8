package s3_test

import (
	"errors"
	"fmt"
	"io"
	"net/url"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/gatehouse/gatehouse/internal/testenv"
)

// httpStatus is the HTTP status of an SDK error (0 if none).
func httpStatus(err error) int {
	var re interface{ HTTPStatusCode() int }
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	return 0
}

func wantStatusCode(t *testing.T, err error, status int, code string) {
	t.Helper()
	if httpStatus(err) != status || apiCode(err) != code {
		t.Fatalf("want %d %s, got %v", status, code, err)
	}
}

func TestRangeGet(t *testing.T) {
	env := testenv.New(t)
	c := env.S3
	mkBucket(t, c, "ranges")
	put(t, c, "ranges", "digits", "0123456789")
	for _, tc := range []struct{ rng, body, contentRange string }{
		{"bytes=0-4", "01234", "bytes 0-4/10"},
		{"bytes=5-", "56789", "bytes 5-9/10"},
		{"bytes=-3", "789", "bytes 7-9/10"},
		{"bytes=8-100", "89", "bytes 8-9/10"},       // clipped at the end
		{"bytes=-20", "0123456789", "bytes 0-9/10"}, // suffix longer than the object
		{"bytes=9-9", "9", "bytes 9-9/10"},
	} {
		out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("ranges"), Key: aws.String("digits"), Range: aws.String(tc.rng)})
		if err != nil {
			t.Fatalf("%s: %v", tc.rng, err)
		}
		b, _ := io.ReadAll(out.Body)
		out.Body.Close()
		if string(b) != tc.body || aws.ToString(out.ContentRange) != tc.contentRange || aws.ToInt64(out.ContentLength) != int64(len(tc.body)) {
			t.Errorf("%s: body %q Content-Range %q Content-Length %d, want %q %q", tc.rng, b, aws.ToString(out.ContentRange), aws.ToInt64(out.ContentLength), tc.body, tc.contentRange)
		}
		if aws.ToString(out.ETag) != `"`+md5hex("0123456789")+`"` {
			t.Errorf("%s: ETag %s is not the whole object's", tc.rng, aws.ToString(out.ETag))
		}
	}
	for _, rng := range []string{"bytes=10-", "bytes=10-20", "bytes=100-200"} {
		_, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("ranges"), Key: aws.String("digits"), Range: aws.String(rng)})
		wantStatusCode(t, err, 416, "InvalidRange")
	}
	// A range the server does not understand is ignored: the whole object.
	out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("ranges"), Key: aws.String("digits"), Range: aws.String("bytes=5-2")})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(out.Body)
	out.Body.Close()
	if string(b) != "0123456789" || out.ContentRange != nil {
		t.Fatalf("invalid range spec: %q, Content-Range %q", b, aws.ToString(out.ContentRange))
	}
	// HEAD with a range reports the range without a body.
	h := must[*s3.HeadObjectOutput](t)(c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("ranges"), Key: aws.String("digits"), Range: aws.String("bytes=2-3")}))
	if aws.ToString(h.ContentRange) != "bytes 2-3/10" || aws.ToInt64(h.ContentLength) != 2 {
		t.Fatalf("HEAD range: %q %d", aws.ToString(h.ContentRange), aws.ToInt64(h.ContentLength))
	}
}

func TestConditionalGet(t *testing.T) {
	env := testenv.New(t)
	c := env.S3
	mkBucket(t, c, "cond")
	etag := aws.ToString(put(t, c, "cond", "k", "conditional").ETag)
	past, future := time.Now().Add(-time.Hour), time.Now().Add(time.Hour)
	in := func(f func(*s3.GetObjectInput)) *s3.GetObjectInput {
		g := &s3.GetObjectInput{Bucket: aws.String("cond"), Key: aws.String("k")}
		f(g)
		return g
	}
	for _, tc := range []struct {
		name   string
		in     *s3.GetObjectInput
		status int
		code   string
	}{
		{"IfMatch mismatch", in(func(g *s3.GetObjectInput) { g.IfMatch = aws.String(`"` + md5hex("other") + `"`) }), 412, "PreconditionFailed"},
		{"IfNoneMatch match", in(func(g *s3.GetObjectInput) { g.IfNoneMatch = aws.String(etag) }), 304, "NotModified"},
		{"IfModifiedSince future", in(func(g *s3.GetObjectInput) { g.IfModifiedSince = aws.Time(future) }), 304, "NotModified"},
		{"IfUnmodifiedSince past", in(func(g *s3.GetObjectInput) { g.IfUnmodifiedSince = aws.Time(past) }), 412, "PreconditionFailed"},
		// The combinations S3 documents: If-Match wins over a failing
		// If-Unmodified-Since, a failing If-None-Match over If-Modified-Since.
		{"IfMatch and IfUnmodifiedSince past", in(func(g *s3.GetObjectInput) { g.IfMatch = aws.String(etag); g.IfUnmodifiedSince = aws.Time(past) }), 200, ""},
		{"IfNoneMatch match and IfModifiedSince past", in(func(g *s3.GetObjectInput) { g.IfNoneMatch = aws.String(etag); g.IfModifiedSince = aws.Time(past) }), 304, "NotModified"},
		{"IfMatch", in(func(g *s3.GetObjectInput) { g.IfMatch = aws.String(etag) }), 200, ""},
		{"IfMatch unquoted", in(func(g *s3.GetObjectInput) { g.IfMatch = aws.String(strings.Trim(etag, `"`)) }), 200, ""},
		{"IfNoneMatch other", in(func(g *s3.GetObjectInput) { g.IfNoneMatch = aws.String(`"` + md5hex("other") + `"`) }), 200, ""},
		{"IfModifiedSince past", in(func(g *s3.GetObjectInput) { g.IfModifiedSince = aws.Time(past) }), 200, ""},
		{"IfUnmodifiedSince future", in(func(g *s3.GetObjectInput) { g.IfUnmodifiedSince = aws.Time(future) }), 200, ""},
	} {
		out, err := c.GetObject(ctx, tc.in)
		if tc.status == 200 {
			if err != nil {
				t.Errorf("%s: %v", tc.name, err)
				continue
			}
			b, _ := io.ReadAll(out.Body)
			out.Body.Close()
			if string(b) != "conditional" {
				t.Errorf("%s: body %q", tc.name, b)
			}
			continue
		}
		if httpStatus(err) != tc.status || apiCode(err) != tc.code {
			t.Errorf("%s: want %d %s, got %v", tc.name, tc.status, tc.code, err)
		}
	}
	// HEAD obeys the same rules.
	_, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("cond"), Key: aws.String("k"), IfNoneMatch: aws.String(etag)})
	if httpStatus(err) != 304 {
		t.Fatalf("HEAD If-None-Match: %v", err)
	}
	_, err = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("cond"), Key: aws.String("k"), IfMatch: aws.String(`"x"`)})
	if httpStatus(err) != 412 {
		t.Fatalf("HEAD If-Match: %v", err)
	}
}

func TestRangeResponseOverrides(t *testing.T) {
	env := testenv.New(t)
	c := env.S3
	mkBucket(t, c, "overrides")
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("overrides"), Key: aws.String("doc"), Body: strings.NewReader("{}"),
		ContentType: aws.String("application/json")}); err != nil {
		t.Fatal(err)
	}
	out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("overrides"), Key: aws.String("doc"),
		ResponseContentType: aws.String("text/plain; charset=utf-8"), ResponseContentDisposition: aws.String(`attachment; filename="x.json"`),
		ResponseCacheControl: aws.String("no-cache")})
	if err != nil {
		t.Fatal(err)
	}
	out.Body.Close()
	if aws.ToString(out.ContentType) != "text/plain; charset=utf-8" || aws.ToString(out.ContentDisposition) != `attachment; filename="x.json"` || aws.ToString(out.CacheControl) != "no-cache" {
		t.Fatalf("overrides: type %q disposition %q cache %q", aws.ToString(out.ContentType), aws.ToString(out.ContentDisposition), aws.ToString(out.CacheControl))
	}
	// The stored headers are unchanged.
	h := must[*s3.HeadObjectOutput](t)(c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("overrides"), Key: aws.String("doc")}))
	if aws.ToString(h.ContentType) != "application/json" || h.ContentDisposition != nil {
		t.Fatalf("HEAD after overrides: %q %q", aws.ToString(h.ContentType), aws.ToString(h.ContentDisposition))
	}
}

func TestCopyObject(t *testing.T) {
	env := testenv.New(t)
	c := env.S3
	mkBucket(t, c, "copysrc")
	mkBucket(t, c, "copydst")
	src, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("copysrc"), Key: aws.String("a b/src.txt"), Body: strings.NewReader("copy me"),
		ContentType: aws.String("text/plain"), Metadata: map[string]string{"color": "red"}, CacheControl: aws.String("max-age=5")})
	if err != nil {
		t.Fatal(err)
	}
	etag := aws.ToString(src.ETag)
	cp := func(key string, f func(*s3.CopyObjectInput)) (*s3.CopyObjectOutput, error) {
		in := &s3.CopyObjectInput{Bucket: aws.String("copydst"), Key: aws.String(key), CopySource: aws.String("copysrc/" + url.PathEscape("a b") + "/src.txt")}
		if f != nil {
			f(in)
		}
		return c.CopyObject(ctx, in)
	}
	head := func(bucket, key string) *s3.HeadObjectOutput {
		t.Helper()
		return must[*s3.HeadObjectOutput](t)(c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)}))
	}

	// COPY (the default, and explicit): bytes and metadata come from the source.
	for _, key := range []string{"default", "explicit"} {
		out, err := cp(key, func(in *s3.CopyObjectInput) {
			if key == "explicit" {
				in.MetadataDirective = types.MetadataDirectiveCopy
				in.Metadata = map[string]string{"ignored": "yes"}
				in.ContentType = aws.String("application/ignored")
			}
		})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(out.CopyObjectResult.ETag) != etag || out.CopyObjectResult.LastModified == nil {
			t.Fatalf("CopyObjectResult: %+v", out.CopyObjectResult)
		}
		h := head("copydst", key)
		if aws.ToString(h.ContentType) != "text/plain" || h.Metadata["color"] != "red" || h.Metadata["ignored"] != "" || aws.ToString(h.CacheControl) != "max-age=5" || aws.ToString(h.ETag) != etag {
			t.Fatalf("COPY %s: type %q meta %v cache %q", key, aws.ToString(h.ContentType), h.Metadata, aws.ToString(h.CacheControl))
		}
		if got := get(t, c, "copydst", key); got != "copy me" {
			t.Fatalf("copied bytes %q", got)
		}
	}
	// REPLACE: metadata and standard headers come from the request.
	if _, err := cp("replaced", func(in *s3.CopyObjectInput) {
		in.MetadataDirective = types.MetadataDirectiveReplace
		in.Metadata = map[string]string{"shape": "round"}
		in.ContentType = aws.String("application/x-new")
	}); err != nil {
		t.Fatal(err)
	}
	h := head("copydst", "replaced")
	if aws.ToString(h.ContentType) != "application/x-new" || h.Metadata["shape"] != "round" || h.Metadata["color"] != "" || h.CacheControl != nil {
		t.Fatalf("REPLACE: type %q meta %v cache %q", aws.ToString(h.ContentType), h.Metadata, aws.ToString(h.CacheControl))
	}
	if got := get(t, c, "copydst", "replaced"); got != "copy me" {
		t.Fatalf("copied bytes %q", got)
	}
	// Deleting the source leaves the copies intact (they share no fate).
	must[*s3.DeleteObjectOutput](t)(c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("copysrc"), Key: aws.String("a b/src.txt")}))
	if got := get(t, c, "copydst", "default"); got != "copy me" {
		t.Fatalf("copy after the source was deleted: %q", got)
	}
	_, err = cp("gone", nil)
	wantCode(t, err, "NoSuchKey")
	put(t, c, "copysrc", "a b/src.txt", "copy me")

	past, future := time.Now().Add(-time.Hour), time.Now().Add(time.Hour)
	other := `"` + md5hex("other") + `"`
	for _, tc := range []struct {
		name string
		f    func(*s3.CopyObjectInput)
		ok   bool
	}{
		{"IfMatch mismatch", func(in *s3.CopyObjectInput) { in.CopySourceIfMatch = aws.String(other) }, false},
		{"IfMatch", func(in *s3.CopyObjectInput) { in.CopySourceIfMatch = aws.String(etag) }, true},
		{"IfNoneMatch match", func(in *s3.CopyObjectInput) { in.CopySourceIfNoneMatch = aws.String(etag) }, false},
		{"IfNoneMatch other", func(in *s3.CopyObjectInput) { in.CopySourceIfNoneMatch = aws.String(other) }, true},
		{"IfModifiedSince future", func(in *s3.CopyObjectInput) { in.CopySourceIfModifiedSince = aws.Time(future) }, false},
		{"IfModifiedSince past", func(in *s3.CopyObjectInput) { in.CopySourceIfModifiedSince = aws.Time(past) }, true},
		{"IfUnmodifiedSince past", func(in *s3.CopyObjectInput) { in.CopySourceIfUnmodifiedSince = aws.Time(past) }, false},
		{"IfUnmodifiedSince future", func(in *s3.CopyObjectInput) { in.CopySourceIfUnmodifiedSince = aws.Time(future) }, true},
		{"IfMatch and IfUnmodifiedSince past", func(in *s3.CopyObjectInput) {
			in.CopySourceIfMatch = aws.String(etag)
			in.CopySourceIfUnmodifiedSince = aws.Time(past)
		}, true},
		{"IfNoneMatch match and IfModifiedSince past", func(in *s3.CopyObjectInput) {
			in.CopySourceIfNoneMatch = aws.String(etag)
			in.CopySourceIfModifiedSince = aws.Time(past)
		}, false},
	} {
		key := "cond-" + strings.ReplaceAll(tc.name, " ", "-")
		_, err := cp(key, tc.f)
		if tc.ok {
			if err != nil {
				t.Errorf("%s: %v", tc.name, err)
			}
			continue
		}
		if httpStatus(err) != 412 || apiCode(err) != "PreconditionFailed" {
			t.Errorf("%s: want 412 PreconditionFailed, got %v", tc.name, err)
		}
		if _, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("copydst"), Key: aws.String(key)}); err == nil {
			t.Errorf("%s: failed copy created the object", tc.name)
		}
	}
	// Copying an object onto itself needs REPLACE.
	_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("copydst"), Key: aws.String("default"), CopySource: aws.String("copydst/default")})
	wantCode(t, err, "InvalidRequest")
	if _, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("copydst"), Key: aws.String("default"), CopySource: aws.String("copydst/default"),
		MetadataDirective: types.MetadataDirectiveReplace, Metadata: map[string]string{"v": "2"}}); err != nil {
		t.Fatal(err)
	}
	if h := head("copydst", "default"); h.Metadata["v"] != "2" || h.Metadata["color"] != "" {
		t.Fatalf("self-copy with REPLACE: %v", h.Metadata)
	}
}

func TestTaggingObject(t *testing.T) {
	env := testenv.New(t)
	c := env.S3
	mkBucket(t, c, "tags")
	put(t, c, "tags", "k", "tagged")
	tagSet := func() map[string]string {
		out := must[*s3.GetObjectTaggingOutput](t)(c.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: aws.String("tags"), Key: aws.String("k")}))
		m := map[string]string{}
		for _, tg := range out.TagSet {
			m[aws.ToString(tg.Key)] = aws.ToString(tg.Value)
		}
		return m
	}
	if m := tagSet(); len(m) != 0 {
		t.Fatalf("new object has tags %v", m)
	}
	must[*s3.PutObjectTaggingOutput](t)(c.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: aws.String("tags"), Key: aws.String("k"),
		Tagging: &types.Tagging{TagSet: []types.Tag{{Key: aws.String("env"), Value: aws.String("prod")}, {Key: aws.String("team"), Value: aws.String("a b+c")}}}}))
	if m := tagSet(); len(m) != 2 || m["env"] != "prod" || m["team"] != "a b+c" {
		t.Fatalf("tags = %v", m)
	}
	g, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("tags"), Key: aws.String("k")})
	if err != nil {
		t.Fatal(err)
	}
	g.Body.Close()
	if aws.ToInt32(g.TagCount) != 2 {
		t.Fatalf("TagCount = %d", aws.ToInt32(g.TagCount))
	}
	// A put replaces the whole set.
	must[*s3.PutObjectTaggingOutput](t)(c.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: aws.String("tags"), Key: aws.String("k"),
		Tagging: &types.Tagging{TagSet: []types.Tag{{Key: aws.String("only"), Value: aws.String("")}}}}))
	if m := tagSet(); len(m) != 1 || m["only"] != "" {
		t.Fatalf("tags after replace = %v", m)
	}
	// Tagging does not touch the bytes or the ETag.
	if got := get(t, c, "tags", "k"); got != "tagged" {
		t.Fatalf("object = %q", got)
	}
	must[*s3.DeleteObjectTaggingOutput](t)(c.DeleteObjectTagging(ctx, &s3.DeleteObjectTaggingInput{Bucket: aws.String("tags"), Key: aws.String("k")}))
	if m := tagSet(); len(m) != 0 {
		t.Fatalf("tags after delete = %v", m)
	}
	for _, bad := range [][]types.Tag{
		{{Key: aws.String("aws:reserved"), Value: aws.String("x")}},
		{{Key: aws.String("dup"), Value: aws.String("1")}, {Key: aws.String("dup"), Value: aws.String("2")}},
		{{Key: aws.String(strings.Repeat("k", 129)), Value: aws.String("x")}},
	} {
		_, err := c.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: aws.String("tags"), Key: aws.String("k"), Tagging: &types.Tagging{TagSet: bad}})
		wantCode(t, err, "InvalidTag")
	}
	var eleven []types.Tag
	for i := 0; i < 11; i++ {
		eleven = append(eleven, types.Tag{Key: aws.String(fmt.Sprint("k", i)), Value: aws.String("v")})
	}
	_, err = c.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: aws.String("tags"), Key: aws.String("k"), Tagging: &types.Tagging{TagSet: eleven}})
	if err == nil {
		t.Fatal("11 tags accepted")
	}
	_, err = c.PutObjectTagging(ctx, &s3.PutObjectTaggingInput{Bucket: aws.String("tags"), Key: aws.String("missing"),
		Tagging: &types.Tagging{TagSet: []types.Tag{{Key: aws.String("a"), Value: aws.String("b")}}}})
	wantCode(t, err, "NoSuchKey")
	_, err = c.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: aws.String("tags"), Key: aws.String("missing")})
	wantCode(t, err, "NoSuchKey")
}

// listAllV2 pages through ListObjectsV2 and returns keys and common
// prefixes in the order received, checking the paging fields.
func listAllV2(t *testing.T, c *s3.Client, in s3.ListObjectsV2Input) (keys, prefixes []string, pages int) {
	t.Helper()
	max := int(aws.ToInt32(in.MaxKeys))
	if in.MaxKeys == nil {
		max = 1000
	}
	for {
		out, err := c.ListObjectsV2(ctx, &in)
		if err != nil {
			t.Fatal(err)
		}
		if pages++; pages > 100 {
			t.Fatal("ListObjectsV2 paging does not end")
		}
		n := len(out.Contents) + len(out.CommonPrefixes)
		if int(aws.ToInt32(out.KeyCount)) != n || n > max || aws.ToInt32(out.MaxKeys) != int32(max) {
			t.Fatalf("page %d: KeyCount %d, %d entries, MaxKeys %d", pages, aws.ToInt32(out.KeyCount), n, aws.ToInt32(out.MaxKeys))
		}
		if aws.ToString(out.ContinuationToken) != aws.ToString(in.ContinuationToken) {
			t.Fatalf("page %d: ContinuationToken not echoed", pages)
		}
		for _, o := range out.Contents {
			keys = append(keys, aws.ToString(o.Key))
		}
		for _, p := range out.CommonPrefixes {
			prefixes = append(prefixes, aws.ToString(p.Prefix))
		}
		if !aws.ToBool(out.IsTruncated) {
			if out.NextContinuationToken != nil {
				t.Fatalf("last page has a NextContinuationToken")
			}
			return keys, prefixes, pages
		}
		if n != max || aws.ToString(out.NextContinuationToken) == "" {
			t.Fatalf("truncated page %d: %d entries, token %q", pages, n, aws.ToString(out.NextContinuationToken))
		}
		in.ContinuationToken = out.NextContinuationToken
	}
}

func TestListObjectsV2Paging(t *testing.T) {
	env := testenv.New(t)
	c := env.S3
	mkBucket(t, c, "many")
	// 2,500 keys whose byte order differs from UTF-16 order (U+FF21 sorts
	// before U+1F600 in UTF-8 bytes, after it in UTF-16) and from
	// case-insensitive order.
	stems := []string{"k%04d", "dir/%04d", "Zeta %04d+x", "ü/%04d", "日本/%04d", "\uff21/%04d", "\U0001F600%04d", "~%04d", "a/b/%04d", "%04d"}
	var want []string
	for i := 0; i < 2500; i++ {
		want = append(want, fmt.Sprintf(stems[i%len(stems)], i))
	}
	var wg sync.WaitGroup
	errs := make(chan error, len(want))
	work := make(chan string)
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range work {
				if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("many"), Key: aws.String(k), Body: strings.NewReader(k)}); err != nil {
					errs <- fmt.Errorf("put %q: %w", k, err)
				}
			}
		}()
	}
	for _, k := range want {
		work <- k
	}
	close(work)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	sort.Strings(want) // byte order

	keys, prefixes, pages := listAllV2(t, c, s3.ListObjectsV2Input{Bucket: aws.String("many")})
	if pages != 3 || len(prefixes) != 0 || strings.Join(keys, "\n") != strings.Join(want, "\n") {
		t.Fatalf("default page size: %d pages, %d keys; order matches: %v", pages, len(keys), strings.Join(keys, "\n") == strings.Join(want, "\n"))
	}
	keys, _, pages = listAllV2(t, c, s3.ListObjectsV2Input{Bucket: aws.String("many"), MaxKeys: aws.Int32(333)})
	if pages != 8 || strings.Join(keys, "\n") != strings.Join(want, "\n") {
		t.Fatalf("MaxKeys 333: %d pages, %d keys", pages, len(keys))
	}
	// StartAfter: strictly after, and not necessarily an existing key.
	keys, _, _ = listAllV2(t, c, s3.ListObjectsV2Input{Bucket: aws.String("many"), StartAfter: aws.String(want[1234])})
	if strings.Join(keys, "\n") != strings.Join(want[1235:], "\n") {
		t.Fatalf("StartAfter %q: %d keys, first %q", want[1234], len(keys), keys[0])
	}
	keys, _, _ = listAllV2(t, c, s3.ListObjectsV2Input{Bucket: aws.String("many"), StartAfter: aws.String("ü/")})
	if i := sort.SearchStrings(want, "ü/"); strings.Join(keys, "\n") != strings.Join(want[i:], "\n") {
		t.Fatalf("StartAfter ü/: %d keys", len(keys))
	}
	// Delimiter across pages: each common prefix once, counted in MaxKeys.
	keys, prefixes, _ = listAllV2(t, c, s3.ListObjectsV2Input{Bucket: aws.String("many"), Delimiter: aws.String("/"), MaxKeys: aws.Int32(100)})
	var wantKeys []string
	wantPrefixes := map[string]bool{}
	for _, k := range want {
		if i := strings.IndexByte(k, '/'); i >= 0 {
			wantPrefixes[k[:i+1]] = true
		} else {
			wantKeys = append(wantKeys, k)
		}
	}
	var wp []string
	for p := range wantPrefixes {
		wp = append(wp, p)
	}
	sort.Strings(wp)
	if strings.Join(keys, "\n") != strings.Join(wantKeys, "\n") || strings.Join(prefixes, " ") != strings.Join(wp, " ") {
		t.Fatalf("delimiter listing: %d keys (want %d), prefixes %q (want %q)", len(keys), len(wantKeys), prefixes, wp)
	}
	// Prefix with paging.
	keys, _, _ = listAllV2(t, c, s3.ListObjectsV2Input{Bucket: aws.String("many"), Prefix: aws.String("日本/"), MaxKeys: aws.Int32(70)})
	if len(keys) != 250 || !sort.StringsAreSorted(keys) || !strings.HasPrefix(keys[0], "日本/") {
		t.Fatalf("prefix 日本/: %d keys", len(keys))
	}
	_, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("many"), ContinuationToken: aws.String("!!not a token!!")})
	wantCode(t, err, "InvalidArgument")
}

func TestListObjectsV2PrefixDelimiter(t *testing.T) {
	env := testenv.New(t)
	c := env.S3
	mkBucket(t, c, "tree")
	for _, k := range []string{"a.txt", "docs/readme", "docs/2024/jan.txt", "docs/2024/feb.txt", "docs/2025/x", "img/logo.png", "z"} {
		put(t, c, "tree", k, k)
	}
	for _, tc := range []struct {
		prefix, delimiter string
		keys, prefixes    string
	}{
		{"", "/", "a.txt z", "docs/ img/"},
		{"docs/", "/", "docs/readme", "docs/2024/ docs/2025/"},
		{"docs/2024/", "/", "docs/2024/feb.txt docs/2024/jan.txt", ""},
		{"docs/", "", "docs/2024/feb.txt docs/2024/jan.txt docs/2025/x docs/readme", ""},
		{"docs", "/", "", "docs/"},
		{"", "2", "a.txt docs/readme img/logo.png z", "docs/2"},
		{"nothing", "/", "", ""},
	} {
		in := &s3.ListObjectsV2Input{Bucket: aws.String("tree")}
		if tc.prefix != "" {
			in.Prefix = aws.String(tc.prefix)
		}
		if tc.delimiter != "" {
			in.Delimiter = aws.String(tc.delimiter)
		}
		out := must[*s3.ListObjectsV2Output](t)(c.ListObjectsV2(ctx, in))
		var keys, prefixes []string
		for _, o := range out.Contents {
			keys = append(keys, aws.ToString(o.Key))
			if o.Owner != nil {
				t.Errorf("Owner returned without FetchOwner")
			}
		}
		for _, p := range out.CommonPrefixes {
			prefixes = append(prefixes, aws.ToString(p.Prefix))
		}
		if strings.Join(keys, " ") != tc.keys || strings.Join(prefixes, " ") != tc.prefixes || aws.ToString(out.Prefix) != tc.prefix || aws.ToString(out.Delimiter) != tc.delimiter {
			t.Errorf("prefix %q delimiter %q: keys %q prefixes %q (Prefix %q Delimiter %q), want %q %q", tc.prefix, tc.delimiter, keys, prefixes,
				aws.ToString(out.Prefix), aws.ToString(out.Delimiter), tc.keys, tc.prefixes)
		}
		if int(aws.ToInt32(out.KeyCount)) != len(keys)+len(prefixes) || aws.ToBool(out.IsTruncated) {
			t.Errorf("prefix %q delimiter %q: KeyCount %d IsTruncated %v", tc.prefix, tc.delimiter, aws.ToInt32(out.KeyCount), aws.ToBool(out.IsTruncated))
		}
	}
	// FetchOwner: the owner is the bucket owner's canonical id, as ListBuckets reports it.
	lb := must[*s3.ListBucketsOutput](t)(c.ListBuckets(ctx, &s3.ListBucketsInput{}))
	out := must[*s3.ListObjectsV2Output](t)(c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("tree"), FetchOwner: aws.Bool(true)}))
	if len(out.Contents) != 7 {
		t.Fatalf("%d objects", len(out.Contents))
	}
	for _, o := range out.Contents {
		if o.Owner == nil || aws.ToString(o.Owner.ID) == "" || lb.Owner == nil || aws.ToString(o.Owner.ID) != aws.ToString(lb.Owner.ID) {
			t.Fatalf("FetchOwner: owner %+v, ListBuckets owner %+v", o.Owner, lb.Owner)
		}
		if aws.ToString(o.ETag) != `"`+md5hex(aws.ToString(o.Key))+`"` || aws.ToInt64(o.Size) != int64(len(aws.ToString(o.Key))) ||
			o.StorageClass != types.ObjectStorageClassStandard || o.LastModified == nil {
			t.Fatalf("entry %+v", o)
		}
	}
	// MaxKeys 0 is an empty, untruncated-by-keys page.
	out = must[*s3.ListObjectsV2Output](t)(c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("tree"), MaxKeys: aws.Int32(0)}))
	if len(out.Contents) != 0 || aws.ToInt32(out.KeyCount) != 0 {
		t.Fatalf("MaxKeys 0: %d entries", len(out.Contents))
	}
	_, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("missing-bucket")})
	wantCode(t, err, "NoSuchBucket")
}

func TestListEncodingTypeURL(t *testing.T) {
	env := testenv.New(t)
	c := env.S3
	mkBucket(t, c, "enc")
	keys := []string{"a b+c.txt", "dir/p+q/r", "dir/x y", "plain", "ü%.txt"} // byte order
	for _, k := range keys {
		put(t, c, "enc", k, k)
	}
	out := must[*s3.ListObjectsV2Output](t)(c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("enc"), EncodingType: types.EncodingTypeUrl}))
	if out.EncodingType != types.EncodingTypeUrl {
		t.Fatalf("EncodingType = %q", out.EncodingType)
	}
	var raw, decoded []string
	for _, o := range out.Contents {
		raw = append(raw, aws.ToString(o.Key))
		d, err := url.QueryUnescape(aws.ToString(o.Key))
		if err != nil {
			t.Fatalf("key %q does not decode: %v", aws.ToString(o.Key), err)
		}
		decoded = append(decoded, d)
	}
	if strings.Join(decoded, "|") != strings.Join(keys, "|") {
		t.Fatalf("decoded keys %q, want %q", decoded, keys)
	}
	// Without encoding the same keys come back raw.
	plain := must[*s3.ListObjectsV2Output](t)(c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("enc")}))
	if len(plain.Contents) != len(keys) || aws.ToString(plain.Contents[0].Key) != "a b+c.txt" || plain.EncodingType != "" {
		t.Fatalf("unencoded listing: %+v", plain.Contents)
	}
	// A space is "+", "+" is "%2B": they must not collide.
	if raw[0] != "a+b%2Bc.txt" || raw[3] != "plain" || raw[4] != "%C3%BC%25.txt" {
		t.Fatalf("encoded keys %q", raw)
	}
	// S3 leaves '/' as it is in encoded keys, prefixes and the delimiter.
	d := must[*s3.ListObjectsV2Output](t)(c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("enc"), EncodingType: types.EncodingTypeUrl,
		Prefix: aws.String("dir/"), Delimiter: aws.String("/")}))
	var got []string
	for _, o := range d.Contents {
		got = append(got, aws.ToString(o.Key))
	}
	for _, p := range d.CommonPrefixes {
		got = append(got, aws.ToString(p.Prefix))
	}
	got = append(got, aws.ToString(d.Prefix), aws.ToString(d.Delimiter))
	want := "dir/x+y dir/p%2Bq/ dir/ /"
	if strings.Contains(strings.Join(got, " ")+raw[1], "%2F") {
		t.Errorf("encoding-type=url encodes '/' as %%2F (Key %q; Contents, CommonPrefixes, Prefix, Delimiter %q); S3 leaves '/' unencoded: want %q", raw[1], got, want)
	}
	if strings.Join(got, " ") != want || raw[1] != "dir/p%2Bq/r" {
		t.Fatalf("encoded delimiter listing %q (key %q), want %q", got, raw[1], want)
	}
}

func TestListObjectsV1(t *testing.T) {
	env := testenv.New(t)
	c := env.S3
	mkBucket(t, c, "v1list")
	for _, k := range []string{"a.txt", "docs/1", "docs/2", "docs/3", "img/1", "img/2", "m", "z"} {
		put(t, c, "v1list", k, k)
	}
	// With a delimiter, NextMarker names where to continue (a key or a common prefix).
	var entries, markers []string
	marker := ""
	for page := 0; page < 10; page++ {
		in := &s3.ListObjectsInput{Bucket: aws.String("v1list"), Delimiter: aws.String("/"), MaxKeys: aws.Int32(2)}
		if marker != "" {
			in.Marker = aws.String(marker)
		}
		out := must[*s3.ListObjectsOutput](t)(c.ListObjects(ctx, in))
		if aws.ToString(out.Marker) != marker {
			t.Fatalf("Marker %q not echoed: %q", marker, aws.ToString(out.Marker))
		}
		for _, o := range out.Contents {
			entries = append(entries, aws.ToString(o.Key))
			if o.Owner == nil {
				t.Fatal("ListObjects (v1) entries carry their Owner")
			}
		}
		for _, p := range out.CommonPrefixes {
			entries = append(entries, aws.ToString(p.Prefix))
		}
		if !aws.ToBool(out.IsTruncated) {
			break
		}
		marker = aws.ToString(out.NextMarker)
		markers = append(markers, marker)
	}
	// Contents and CommonPrefixes are separate lists, so sort the page-wise union.
	sort.Strings(entries)
	if strings.Join(entries, " ") != "a.txt docs/ img/ m z" || strings.Join(markers, " ") != "docs/ m" {
		t.Fatalf("v1 delimiter listing %q, NextMarkers %q", entries, markers)
	}
	// Without a delimiter S3 sends no NextMarker; the last key is the marker.
	entries = nil
	marker = ""
	for page := 0; page < 10; page++ {
		in := &s3.ListObjectsInput{Bucket: aws.String("v1list"), MaxKeys: aws.Int32(3)}
		if marker != "" {
			in.Marker = aws.String(marker)
		}
		out := must[*s3.ListObjectsOutput](t)(c.ListObjects(ctx, in))
		if out.NextMarker != nil {
			t.Fatalf("NextMarker %q without a delimiter", aws.ToString(out.NextMarker))
		}
		for _, o := range out.Contents {
			entries = append(entries, aws.ToString(o.Key))
		}
		if !aws.ToBool(out.IsTruncated) {
			break
		}
		marker = entries[len(entries)-1]
	}
	if strings.Join(entries, " ") != "a.txt docs/1 docs/2 docs/3 img/1 img/2 m z" {
		t.Fatalf("v1 listing %q", entries)
	}
	// A marker that is not a key starts after it.
	out := must[*s3.ListObjectsOutput](t)(c.ListObjects(ctx, &s3.ListObjectsInput{Bucket: aws.String("v1list"), Marker: aws.String("docs/15"), Prefix: aws.String("docs/")}))
	if len(out.Contents) != 2 || aws.ToString(out.Contents[0].Key) != "docs/2" {
		t.Fatalf("Marker docs/15: %+v", out.Contents)
	}
	t.Run("MarkerEqualsPrefix", func(t *testing.T) {
		// S3 lists keys after the marker: with prefix docs/ every key under
		// it sorts after "docs/", and none rolls up to the marker.
		out := must[*s3.ListObjectsOutput](t)(c.ListObjects(ctx, &s3.ListObjectsInput{Bucket: aws.String("v1list"), Prefix: aws.String("docs/"),
			Delimiter: aws.String("/"), Marker: aws.String("docs/")}))
		var keys []string
		for _, o := range out.Contents {
			keys = append(keys, aws.ToString(o.Key))
		}
		if strings.Join(keys, " ") != "docs/1 docs/2 docs/3" {
			if len(keys) == 0 {
				t.Errorf("ListObjects prefix=docs/ delimiter=/ marker=docs/ returns nothing: list.go listObjects treats a marker equal to the prefix as a common prefix and skips past everything under it")
			}
			t.Fatalf("keys %q, want docs/1 docs/2 docs/3", keys)
		}
	})
}

func TestListDeleteObjects(t *testing.T) {
	env := testenv.New(t)
	c := env.S3
	mkBucket(t, c, "bulk")
	for i := 0; i < 6; i++ {
		put(t, c, "bulk", fmt.Sprint("k", i), "x")
	}
	ids := func(keys ...string) []types.ObjectIdentifier {
		var out []types.ObjectIdentifier
		for _, k := range keys {
			out = append(out, types.ObjectIdentifier{Key: aws.String(k)})
		}
		return out
	}
	remaining := func() string {
		out := must[*s3.ListObjectsV2Output](t)(c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("bulk")}))
		var keys []string
		for _, o := range out.Contents {
			keys = append(keys, aws.ToString(o.Key))
		}
		return strings.Join(keys, " ")
	}
	// Normal mode: every key is reported deleted, existing or not.
	out := must[*s3.DeleteObjectsOutput](t)(c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String("bulk"),
		Delete: &types.Delete{Objects: ids("k0", "k1", "never-existed")}}))
	var deleted []string
	for _, d := range out.Deleted {
		deleted = append(deleted, aws.ToString(d.Key))
	}
	sort.Strings(deleted)
	if strings.Join(deleted, " ") != "k0 k1 never-existed" || len(out.Errors) != 0 {
		t.Fatalf("DeleteObjects: deleted %q errors %+v", deleted, out.Errors)
	}
	if got := remaining(); got != "k2 k3 k4 k5" {
		t.Fatalf("after delete: %q", got)
	}
	// Quiet mode: only errors are reported.
	out = must[*s3.DeleteObjectsOutput](t)(c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String("bulk"),
		Delete: &types.Delete{Objects: ids("k2", "k3", "k0"), Quiet: aws.Bool(true)}}))
	if len(out.Deleted) != 0 || len(out.Errors) != 0 {
		t.Fatalf("quiet DeleteObjects: deleted %+v errors %+v", out.Deleted, out.Errors)
	}
	if got := remaining(); got != "k4 k5" {
		t.Fatalf("after quiet delete: %q", got)
	}
	_, err := c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String("bulk"), Delete: &types.Delete{Objects: []types.ObjectIdentifier{}}})
	wantCode(t, err, "MalformedXML")
}
