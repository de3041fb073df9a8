package s3_test

import (
	"bytes"
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/s3/manager"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/gatehouse/gatehouse/internal/testenv"
)

const mib = 1 << 20

// multipartETag is S3's ETag of a multipart object: the hex MD5 of the
// concatenated binary MD5s of the parts, "-", the part count, quoted.
func multipartETag(parts ...[]byte) string {
	h := md5.New()
	for _, p := range parts {
		s := md5.Sum(p)
		h.Write(s[:])
	}
	return `"` + hex.EncodeToString(h.Sum(nil)) + "-" + strconv.Itoa(len(parts)) + `"`
}

func createUpload(t *testing.T, c *s3.Client, in *s3.CreateMultipartUploadInput) string {
	t.Helper()
	out, err := c.CreateMultipartUpload(ctx, in)
	if err != nil {
		t.Fatalf("CreateMultipartUpload %s: %v", aws.ToString(in.Key), err)
	}
	if aws.ToString(out.UploadId) == "" || aws.ToString(out.Key) != aws.ToString(in.Key) || aws.ToString(out.Bucket) != aws.ToString(in.Bucket) {
		t.Fatalf("CreateMultipartUpload = %+v", out)
	}
	return aws.ToString(out.UploadId)
}

func newUpload(t *testing.T, c *s3.Client, bucket, key string) string {
	t.Helper()
	return createUpload(t, c, &s3.CreateMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String(key)})
}

// uploadPart uploads one part and checks that its ETag is the part's MD5.
func uploadPart(t *testing.T, c *s3.Client, bucket, key, id string, n int32, data []byte) string {
	t.Helper()
	out, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String(bucket), Key: aws.String(key), UploadId: aws.String(id),
		PartNumber: aws.Int32(n), Body: bytes.NewReader(data)})
	if err != nil {
		t.Fatalf("UploadPart %d: %v", n, err)
	}
	if want := `"` + md5hex(string(data)) + `"`; aws.ToString(out.ETag) != want {
		t.Fatalf("UploadPart %d ETag = %s, want %s", n, aws.ToString(out.ETag), want)
	}
	return aws.ToString(out.ETag)
}

// partList pairs part numbers with ETags: partList(1, etag1, 2, etag2, …).
func partList(numEtag ...any) *types.CompletedMultipartUpload {
	m := &types.CompletedMultipartUpload{}
	for i := 0; i < len(numEtag); i += 2 {
		m.Parts = append(m.Parts, types.CompletedPart{PartNumber: aws.Int32(int32(numEtag[i].(int))), ETag: aws.String(numEtag[i+1].(string))})
	}
	return m
}

func complete(c *s3.Client, bucket, key, id string, parts *types.CompletedMultipartUpload) (*s3.CompleteMultipartUploadOutput, error) {
	return c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String(key),
		UploadId: aws.String(id), MultipartUpload: parts})
}

func TestMultipartUploadComplete(t *testing.T) {
	env := testenv.New(t)
	c := env.S3
	mkBucket(t, c, "mpu")
	p1, p2, p3 := randBytes(1, 5*mib), randBytes(2, 5*mib), randBytes(3, 1024)
	id := createUpload(t, c, &s3.CreateMultipartUploadInput{Bucket: aws.String("mpu"), Key: aws.String("dir/big.bin"),
		ContentType: aws.String("application/x-big"), Metadata: map[string]string{"origin": "multipart"}, Tagging: aws.String("stage=upload")})
	e1 := uploadPart(t, c, "mpu", "dir/big.bin", id, 1, p1)
	e2 := uploadPart(t, c, "mpu", "dir/big.bin", id, 2, p2)
	e3 := uploadPart(t, c, "mpu", "dir/big.bin", id, 3, p3)
	out, err := complete(c, "mpu", "dir/big.bin", id, partList(1, e1, 2, e2, 3, e3))
	if err != nil {
		t.Fatal(err)
	}
	want := multipartETag(p1, p2, p3)
	if aws.ToString(out.ETag) != want || aws.ToString(out.Key) != "dir/big.bin" || aws.ToString(out.Bucket) != "mpu" {
		t.Fatalf("Complete = ETag %s key %s bucket %s, want ETag %s", aws.ToString(out.ETag), aws.ToString(out.Key), aws.ToString(out.Bucket), want)
	}
	all := bytes.Join([][]byte{p1, p2, p3}, nil)
	g, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("mpu"), Key: aws.String("dir/big.bin")})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(g.Body)
	g.Body.Close()
	if !bytes.Equal(got, all) {
		t.Fatalf("GET returned %d bytes, not the %d uploaded", len(got), len(all))
	}
	if aws.ToString(g.ETag) != want || aws.ToInt64(g.ContentLength) != int64(len(all)) || aws.ToString(g.ContentType) != "application/x-big" || g.Metadata["origin"] != "multipart" || aws.ToInt32(g.TagCount) != 1 {
		t.Fatalf("GET headers: ETag %s length %d type %s meta %v", aws.ToString(g.ETag), aws.ToInt64(g.ContentLength), aws.ToString(g.ContentType), g.Metadata)
	}
	// A range across the part boundaries reads through the part blobs.
	r, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("mpu"), Key: aws.String("dir/big.bin"), Range: aws.String(fmt.Sprintf("bytes=%d-%d", 5*mib-10, 10*mib+9))})
	if err != nil {
		t.Fatal(err)
	}
	got, _ = io.ReadAll(r.Body)
	r.Body.Close()
	if !bytes.Equal(got, all[5*mib-10:10*mib+10]) {
		t.Fatal("range across part boundaries differs")
	}
	l := must[*s3.ListObjectsV2Output](t)(c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("mpu")}))
	if len(l.Contents) != 1 || aws.ToString(l.Contents[0].ETag) != want || aws.ToInt64(l.Contents[0].Size) != int64(len(all)) {
		t.Fatalf("listing: %+v", l.Contents)
	}
	// The upload is gone once completed.
	_, err = c.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String("mpu"), Key: aws.String("dir/big.bin"), UploadId: aws.String(id)})
	wantCode(t, err, "NoSuchUpload")
	// A repeated completion answers the first one's result.
	again, err := complete(c, "mpu", "dir/big.bin", id, partList(1, e1, 2, e2, 3, e3))
	if err != nil || aws.ToString(again.ETag) != want {
		t.Fatalf("repeated completion: %+v %v", again, err)
	}
}

func TestMultipartCompleteErrors(t *testing.T) {
	env := testenv.New(t)
	c := env.S3
	mkBucket(t, c, "mperr")
	small1, small2 := randBytes(4, 1024), randBytes(5, 2048)
	big := randBytes(6, 5*mib)

	t.Run("EntityTooSmall", func(t *testing.T) {
		id := newUpload(t, c, "mperr", "small")
		e1 := uploadPart(t, c, "mperr", "small", id, 1, small1)
		e2 := uploadPart(t, c, "mperr", "small", id, 2, small2)
		_, err := complete(c, "mperr", "small", id, partList(1, e1, 2, e2))
		wantCode(t, err, "EntityTooSmall")
		wantNoObject(t, c, "mperr", "small")
		// The upload survives a failed completion; the last part may be
		// small, and parts left out are discarded.
		if _, err := c.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String("mperr"), Key: aws.String("small"), UploadId: aws.String(id)}); err != nil {
			t.Fatalf("ListParts after EntityTooSmall: %v", err)
		}
		if _, err := complete(c, "mperr", "small", id, partList(2, e2)); err != nil {
			t.Fatal(err)
		}
		if got := getBytes(t, c, "mperr", "small"); !bytes.Equal(got, small2) {
			t.Fatalf("object is %d bytes, want part 2 only", len(got))
		}
	})
	t.Run("LastPartMayBeSmall", func(t *testing.T) {
		id := newUpload(t, c, "mperr", "bigsmall")
		e1 := uploadPart(t, c, "mperr", "bigsmall", id, 1, big)
		e2 := uploadPart(t, c, "mperr", "bigsmall", id, 7, small1) // gaps in numbering are allowed
		out, err := complete(c, "mperr", "bigsmall", id, partList(1, e1, 7, e2))
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(out.ETag) != multipartETag(big, small1) {
			t.Fatalf("ETag = %s", aws.ToString(out.ETag))
		}
	})
	t.Run("InvalidPart", func(t *testing.T) {
		id := newUpload(t, c, "mperr", "invalid")
		e1 := uploadPart(t, c, "mperr", "invalid", id, 1, big)
		e2 := uploadPart(t, c, "mperr", "invalid", id, 2, small1)
		for name, parts := range map[string]*types.CompletedMultipartUpload{
			"wrong etag":          partList(1, e1, 2, `"`+md5hex("not the part")+`"`),
			"unknown part number": partList(1, e1, 3, e2),
			"etag of other part":  partList(1, e2, 2, e1),
		} {
			_, err := complete(c, "mperr", "invalid", id, parts)
			if apiCode(err) != "InvalidPart" {
				t.Errorf("%s: want InvalidPart, got %v", name, err)
			}
		}
		wantNoObject(t, c, "mperr", "invalid")
		// ETags are accepted with or without quotes.
		if _, err := complete(c, "mperr", "invalid", id, partList(1, strings.Trim(e1, `"`), 2, e2)); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("InvalidPartOrder", func(t *testing.T) {
		id := newUpload(t, c, "mperr", "order")
		e1 := uploadPart(t, c, "mperr", "order", id, 1, big)
		e2 := uploadPart(t, c, "mperr", "order", id, 2, big)
		e3 := uploadPart(t, c, "mperr", "order", id, 3, small1)
		_, err := complete(c, "mperr", "order", id, partList(3, e3, 2, e2, 1, e1))
		wantCode(t, err, "InvalidPartOrder")
		_, err = complete(c, "mperr", "order", id, partList(1, e1, 3, e3, 2, e2))
		wantCode(t, err, "InvalidPartOrder")
		wantNoObject(t, c, "mperr", "order")
	})
	t.Run("PartNumberRange", func(t *testing.T) {
		id := newUpload(t, c, "mperr", "range")
		for _, n := range []int32{0, 10001} {
			_, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("mperr"), Key: aws.String("range"), UploadId: aws.String(id),
				PartNumber: aws.Int32(n), Body: bytes.NewReader(small1)})
			wantCode(t, err, "InvalidArgument")
		}
	})
}

func TestMultipartNoSuchUpload(t *testing.T) {
	env := testenv.New(t)
	c := env.S3
	mkBucket(t, c, "abort")
	data := randBytes(7, 1024)
	id := newUpload(t, c, "abort", "k")
	e1 := uploadPart(t, c, "abort", "k", id, 1, data)
	if _, err := c.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: aws.String("abort"), Key: aws.String("k"), UploadId: aws.String(id)}); err != nil {
		t.Fatal(err)
	}
	bogus := strings.Repeat("A", 44)
	for _, uid := range []string{id, bogus} {
		_, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("abort"), Key: aws.String("k"), UploadId: aws.String(uid),
			PartNumber: aws.Int32(2), Body: bytes.NewReader(data)})
		wantCode(t, err, "NoSuchUpload")
		_, err = complete(c, "abort", "k", uid, partList(1, e1))
		wantCode(t, err, "NoSuchUpload")
		_, err = c.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String("abort"), Key: aws.String("k"), UploadId: aws.String(uid)})
		wantCode(t, err, "NoSuchUpload")
		_, err = c.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: aws.String("abort"), Key: aws.String("k"), UploadId: aws.String(uid)})
		wantCode(t, err, "NoSuchUpload")
	}
	wantNoObject(t, c, "abort", "k")
	// An upload id is bound to its key.
	id2 := newUpload(t, c, "abort", "k2")
	_, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("abort"), Key: aws.String("other"), UploadId: aws.String(id2),
		PartNumber: aws.Int32(1), Body: bytes.NewReader(data)})
	wantCode(t, err, "NoSuchUpload")
}

func TestMultipartListParts(t *testing.T) {
	env := testenv.New(t)
	c := env.S3
	mkBucket(t, c, "parts")
	id := newUpload(t, c, "parts", "k")
	var data [][]byte
	for n := 1; n <= 5; n++ {
		data = append(data, randBytes(int64(100+n), n*1000))
		uploadPart(t, c, "parts", "k", id, int32(n), data[n-1])
	}
	var seen []int32
	marker := ""
	for page := 0; ; page++ {
		in := &s3.ListPartsInput{Bucket: aws.String("parts"), Key: aws.String("k"), UploadId: aws.String(id), MaxParts: aws.Int32(2)}
		if marker != "" {
			in.PartNumberMarker = aws.String(marker)
		}
		out := must[*s3.ListPartsOutput](t)(c.ListParts(ctx, in))
		if aws.ToInt32(out.MaxParts) != 2 || aws.ToString(out.UploadId) != id || aws.ToString(out.Key) != "k" {
			t.Fatalf("page %d: MaxParts %d UploadId %s Key %s", page, aws.ToInt32(out.MaxParts), aws.ToString(out.UploadId), aws.ToString(out.Key))
		}
		for _, p := range out.Parts {
			n := aws.ToInt32(p.PartNumber)
			seen = append(seen, n)
			if aws.ToInt64(p.Size) != int64(len(data[n-1])) || aws.ToString(p.ETag) != `"`+md5hex(string(data[n-1]))+`"` || p.LastModified == nil {
				t.Fatalf("part %d: size %d ETag %s", n, aws.ToInt64(p.Size), aws.ToString(p.ETag))
			}
		}
		wantTrunc := page < 2
		if aws.ToBool(out.IsTruncated) != wantTrunc {
			t.Fatalf("page %d: IsTruncated %v", page, aws.ToBool(out.IsTruncated))
		}
		if !wantTrunc {
			break
		}
		if want := strconv.Itoa(2 * (page + 1)); aws.ToString(out.NextPartNumberMarker) != want {
			t.Fatalf("page %d: NextPartNumberMarker %q, want %s", page, aws.ToString(out.NextPartNumberMarker), want)
		}
		marker = aws.ToString(out.NextPartNumberMarker)
	}
	if fmt.Sprint(seen) != "[1 2 3 4 5]" {
		t.Fatalf("parts listed: %v", seen)
	}
}

func TestMultipartListUploads(t *testing.T) {
	env := testenv.New(t)
	c := env.S3
	mkBucket(t, c, "uploads")
	data := randBytes(8, 100)
	a1 := newUpload(t, c, "uploads", "up/a")
	a2 := newUpload(t, c, "uploads", "up/a")
	b := newUpload(t, c, "uploads", "up/b")
	cc := newUpload(t, c, "uploads", "up/c")
	d := newUpload(t, c, "uploads", "zz/d")
	eb := uploadPart(t, c, "uploads", "up/b", b, 1, data)
	if _, err := complete(c, "uploads", "up/b", b, partList(1, eb)); err != nil {
		t.Fatal(err)
	}
	if _, err := c.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: aws.String("uploads"), Key: aws.String("up/c"), UploadId: aws.String(cc)}); err != nil {
		t.Fatal(err)
	}
	list := func(prefix string) []string {
		in := &s3.ListMultipartUploadsInput{Bucket: aws.String("uploads")}
		if prefix != "" {
			in.Prefix = aws.String(prefix)
		}
		out := must[*s3.ListMultipartUploadsOutput](t)(c.ListMultipartUploads(ctx, in))
		var got []string
		for _, u := range out.Uploads {
			if u.Initiated == nil {
				t.Fatalf("upload %s has no Initiated", aws.ToString(u.UploadId))
			}
			got = append(got, aws.ToString(u.Key)+"="+aws.ToString(u.UploadId))
		}
		return got
	}
	// Completed and aborted uploads are gone; keys come in order (the two
	// uploads of one key by initiation time, which may tie here).
	got := list("")
	var keys []string
	for _, g := range got {
		keys = append(keys, g[:strings.IndexByte(g, '=')])
	}
	want := []string{"up/a=" + a1, "up/a=" + a2, "zz/d=" + d}
	sort.Strings(want)
	sorted := append([]string(nil), got...)
	sort.Strings(sorted)
	if strings.Join(keys, " ") != "up/a up/a zz/d" || strings.Join(sorted, " ") != strings.Join(want, " ") {
		t.Fatalf("ListMultipartUploads = %v, want %v", got, want)
	}
	if got := list("zz/"); len(got) != 1 || got[0] != "zz/d="+d {
		t.Fatalf("ListMultipartUploads prefix zz/ = %v", got)
	}
}

func TestMultipartListUploadsPaging(t *testing.T) {
	env := testenv.New(t)
	c := env.S3
	mkBucket(t, c, "uppages")
	// Several uploads of one key: their ids are random, so their id order
	// differs from their initiation order.
	want := map[string]string{newUpload(t, c, "uppages", "a"): "a"}
	for i := 0; i < 6; i++ {
		want[newUpload(t, c, "uppages", "same")] = "same"
	}
	want[newUpload(t, c, "uppages", "z")] = "z"
	for _, size := range []int32{1, 2, 3} {
		in := &s3.ListMultipartUploadsInput{Bucket: aws.String("uppages"), MaxUploads: aws.Int32(size)}
		seen := map[string]int{}
		var keys []string
		for page := 0; ; page++ {
			if page > 20 {
				t.Fatal("ListMultipartUploads paging does not end")
			}
			out := must[*s3.ListMultipartUploadsOutput](t)(c.ListMultipartUploads(ctx, in))
			if len(out.Uploads) > int(size) {
				t.Fatalf("MaxUploads %d: page of %d", size, len(out.Uploads))
			}
			for _, u := range out.Uploads {
				seen[aws.ToString(u.UploadId)]++
				keys = append(keys, aws.ToString(u.Key))
			}
			if !aws.ToBool(out.IsTruncated) {
				break
			}
			in.KeyMarker, in.UploadIdMarker = out.NextKeyMarker, out.NextUploadIdMarker
		}
		missing := 0
		for id := range want {
			if seen[id] != 1 {
				missing++
			}
		}
		if missing > 0 || len(seen) != len(want) || !sort.StringsAreSorted(keys) {
			t.Errorf("ListMultipartUploads paging (MaxUploads %d, key-marker + upload-id-marker) lost or repeated %d of %d uploads (keys %q): "+
				"internal/store/sqlite/objects.go ListUploads orders by key, created_at, id but continues with id > upload-id-marker", size, missing, len(want), keys)
		}
	}
}

func TestMultipartGetPartNumber(t *testing.T) {
	env := testenv.New(t)
	c := env.S3
	mkBucket(t, c, "partnum")
	p1, p2 := randBytes(20, 5*mib), randBytes(21, 100)
	id := newUpload(t, c, "partnum", "k")
	e1 := uploadPart(t, c, "partnum", "k", id, 1, p1)
	e2 := uploadPart(t, c, "partnum", "k", id, 2, p2)
	if _, err := complete(c, "partnum", "k", id, partList(1, e1, 2, e2)); err != nil {
		t.Fatal(err)
	}
	// HEAD and GET with partNumber address one part of a multipart object
	// (206, the part's length and range, x-amz-mp-parts-count).
	h, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("partnum"), Key: aws.String("k"), PartNumber: aws.Int32(2)})
	if err != nil {
		t.Fatal(err)
	}
	wantRange := fmt.Sprintf("bytes %d-%d/%d", len(p1), len(p1)+len(p2)-1, len(p1)+len(p2))
	if aws.ToInt64(h.ContentLength) != int64(len(p2)) || aws.ToInt32(h.PartsCount) != 2 || aws.ToString(h.ContentRange) != wantRange {
		t.Errorf("HeadObject ?partNumber=2 ignores partNumber: Content-Length %d (want %d), PartsCount %d (want 2), Content-Range %q (want %q); GetObject ?partNumber is NotImplemented (ops.go routes partNumber as an unknown subresource)",
			aws.ToInt64(h.ContentLength), len(p2), aws.ToInt32(h.PartsCount), aws.ToString(h.ContentRange), wantRange)
	}
	g, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("partnum"), Key: aws.String("k"), PartNumber: aws.Int32(2)})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(g.Body)
	g.Body.Close()
	if !bytes.Equal(b, p2) || aws.ToInt32(g.PartsCount) != 2 {
		t.Fatalf("GET part 2: %d bytes, PartsCount %d", len(b), aws.ToInt32(g.PartsCount))
	}
}

func TestMultipartReplacePart(t *testing.T) {
	env := testenv.New(t)
	c := env.S3
	mkBucket(t, c, "replace")
	id := newUpload(t, c, "replace", "k")
	old := uploadPart(t, c, "replace", "k", id, 1, []byte("first version of part one"))
	cur := uploadPart(t, c, "replace", "k", id, 1, []byte("second"))
	out := must[*s3.ListPartsOutput](t)(c.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String("replace"), Key: aws.String("k"), UploadId: aws.String(id)}))
	if len(out.Parts) != 1 || aws.ToString(out.Parts[0].ETag) != cur || aws.ToInt64(out.Parts[0].Size) != 6 {
		t.Fatalf("ListParts after re-upload: %+v", out.Parts)
	}
	_, err := complete(c, "replace", "k", id, partList(1, old))
	wantCode(t, err, "InvalidPart")
	if _, err := complete(c, "replace", "k", id, partList(1, cur)); err != nil {
		t.Fatal(err)
	}
	if got := get(t, c, "replace", "k"); got != "second" {
		t.Fatalf("object = %q", got)
	}
}

func TestMultipartUploadPartCopy(t *testing.T) {
	env := testenv.New(t)
	c := env.S3
	mkBucket(t, c, "src")
	mkBucket(t, c, "dst")
	src := randBytes(9, 6*mib+100)
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("src"), Key: aws.String("source object"), Body: bytes.NewReader(src)}); err != nil {
		t.Fatal(err)
	}
	id := newUpload(t, c, "dst", "copied")
	copyPart := func(n int32, rng string) (*s3.UploadPartCopyOutput, error) {
		in := &s3.UploadPartCopyInput{Bucket: aws.String("dst"), Key: aws.String("copied"), UploadId: aws.String(id), PartNumber: aws.Int32(n),
			CopySource: aws.String("src/source%20object")}
		if rng != "" {
			in.CopySourceRange = aws.String(rng)
		}
		return c.UploadPartCopy(ctx, in)
	}
	r1 := src[:5*mib]
	r2 := src[5*mib:]
	o1, err := copyPart(1, fmt.Sprintf("bytes=0-%d", 5*mib-1))
	if err != nil {
		t.Fatal(err)
	}
	o2, err := copyPart(2, fmt.Sprintf("bytes=%d-%d", 5*mib, len(src)-1))
	if err != nil {
		t.Fatal(err)
	}
	e1, e2 := aws.ToString(o1.CopyPartResult.ETag), aws.ToString(o2.CopyPartResult.ETag)
	if e1 != `"`+md5hex(string(r1))+`"` || e2 != `"`+md5hex(string(r2))+`"` || o1.CopyPartResult.LastModified == nil {
		t.Fatalf("CopyPartResult ETags %s %s", e1, e2)
	}
	for _, bad := range []string{
		fmt.Sprintf("bytes=0-%d", len(src)), // past the end
		fmt.Sprintf("bytes=%d-%d", len(src), len(src)+10),
		"bytes=abc-def",
		"bytes=5-", // both ends are required
		"0-10",     // no unit
	} {
		_, err := copyPart(3, bad)
		if apiCode(err) != "InvalidArgument" {
			t.Errorf("range %q: want InvalidArgument, got %v", bad, err)
		}
	}
	_, err = c.UploadPartCopy(ctx, &s3.UploadPartCopyInput{Bucket: aws.String("dst"), Key: aws.String("copied"), UploadId: aws.String(id),
		PartNumber: aws.Int32(3), CopySource: aws.String("src/missing")})
	wantCode(t, err, "NoSuchKey")
	out, err := complete(c, "dst", "copied", id, partList(1, e1, 2, e2))
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.ETag) != multipartETag(r1, r2) {
		t.Fatalf("ETag = %s, want %s", aws.ToString(out.ETag), multipartETag(r1, r2))
	}
	if !bytes.Equal(getBytes(t, c, "dst", "copied"), src) {
		t.Fatal("object assembled from copied ranges differs from the source")
	}
}

func TestMultipartManager(t *testing.T) {
	env := testenv.New(t)
	c := env.S3
	mkBucket(t, c, "mgr")
	data := randBytes(11, 20*mib)
	// feature/s3/manager is deprecated for transfermanager, but it is what
	// deployed aws-sdk-go-v2 programs upload and download with.
	//lint:ignore SA1019 the upload manager real clients use
	up := manager.NewUploader(c, func(u *manager.Uploader) { u.PartSize = 5 * mib })
	//lint:ignore SA1019 the upload manager real clients use
	out, err := up.Upload(ctx, &s3.PutObjectInput{Bucket: aws.String("mgr"), Key: aws.String("twenty.bin"), Body: bytes.NewReader(data)})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(aws.ToString(out.ETag), `-4"`) || out.UploadID == "" {
		t.Fatalf("Upload: ETag %s UploadID %q, want a 4-part multipart upload", aws.ToString(out.ETag), out.UploadID)
	}
	parts := [][]byte{data[:5*mib], data[5*mib : 10*mib], data[10*mib : 15*mib], data[15*mib:]}
	if aws.ToString(out.ETag) != multipartETag(parts...) {
		t.Fatalf("ETag %s, want %s", aws.ToString(out.ETag), multipartETag(parts...))
	}
	//lint:ignore SA1019 the download manager real clients use
	down := manager.NewDownloader(c, func(d *manager.Downloader) { d.PartSize = 5 * mib })
	buf := manager.NewWriteAtBuffer(make([]byte, 0, len(data)))
	//lint:ignore SA1019 the download manager real clients use
	n, err := down.Download(ctx, buf, &s3.GetObjectInput{Bucket: aws.String("mgr"), Key: aws.String("twenty.bin")})
	if err != nil {
		t.Fatal(err)
	}
	if n != int64(len(data)) || sha256.Sum256(buf.Bytes()) != sha256.Sum256(data) {
		t.Fatalf("downloaded %d bytes, hash differs: %v", n, sha256.Sum256(buf.Bytes()) != sha256.Sum256(data))
	}
}

func TestMultipartChecksumComposite(t *testing.T) {
	env := testenv.New(t)
	c := env.S3
	mkBucket(t, c, "cks")
	parts := [][]byte{randBytes(12, 5*mib), randBytes(13, 5*mib), randBytes(14, 1024)}
	cr, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("cks"), Key: aws.String("composite"),
		ChecksumAlgorithm: types.ChecksumAlgorithmCrc32})
	if err != nil {
		t.Fatal(err)
	}
	if cr.ChecksumAlgorithm != types.ChecksumAlgorithmCrc32 {
		t.Fatalf("CreateMultipartUpload ChecksumAlgorithm = %q", cr.ChecksumAlgorithm)
	}
	id := aws.ToString(cr.UploadId)
	var digests []byte
	list := &types.CompletedMultipartUpload{}
	for i, p := range parts {
		sum := crc32Digest(p)
		digests = append(digests, sum...)
		v := base64.StdEncoding.EncodeToString(sum)
		out, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("cks"), Key: aws.String("composite"), UploadId: aws.String(id),
			PartNumber: aws.Int32(int32(i + 1)), Body: bytes.NewReader(p), ChecksumCRC32: aws.String(v)})
		if err != nil {
			t.Fatalf("part %d: %v", i+1, err)
		}
		if aws.ToString(out.ChecksumCRC32) != v {
			t.Fatalf("part %d ChecksumCRC32 = %q, want %q", i+1, aws.ToString(out.ChecksumCRC32), v)
		}
		list.Parts = append(list.Parts, types.CompletedPart{PartNumber: aws.Int32(int32(i + 1)), ETag: out.ETag, ChecksumCRC32: aws.String(v)})
	}
	// A part whose checksum does not match its bytes is refused.
	_, err = c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("cks"), Key: aws.String("composite"), UploadId: aws.String(id),
		PartNumber: aws.Int32(4), Body: bytes.NewReader(parts[2]), ChecksumCRC32: aws.String(base64.StdEncoding.EncodeToString(crc32Digest(parts[1])))})
	wantCode(t, err, "BadDigest")
	lp := must[*s3.ListPartsOutput](t)(c.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String("cks"), Key: aws.String("composite"), UploadId: aws.String(id)}))
	if len(lp.Parts) != 3 || aws.ToString(lp.Parts[2].ChecksumCRC32) != aws.ToString(list.Parts[2].ChecksumCRC32) {
		t.Fatalf("ListParts: %d parts", len(lp.Parts))
	}
	want := base64.StdEncoding.EncodeToString(crc32Digest(digests)) + "-3"
	out, err := complete(c, "cks", "composite", id, list)
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.ChecksumCRC32) != want || out.ChecksumType != types.ChecksumTypeComposite {
		t.Fatalf("Complete ChecksumCRC32 %q type %q, want %q COMPOSITE", aws.ToString(out.ChecksumCRC32), out.ChecksumType, want)
	}
	h := must[*s3.HeadObjectOutput](t)(c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("cks"), Key: aws.String("composite"), ChecksumMode: types.ChecksumModeEnabled}))
	if aws.ToString(h.ChecksumCRC32) != want || h.ChecksumType != types.ChecksumTypeComposite {
		t.Fatalf("HEAD ChecksumCRC32 %q type %q", aws.ToString(h.ChecksumCRC32), h.ChecksumType)
	}
	if !bytes.Equal(getBytes(t, c, "cks", "composite"), bytes.Join(parts, nil)) {
		t.Fatal("bytes differ")
	}
}

func TestMultipartChecksumFullObject(t *testing.T) {
	env := testenv.New(t)
	c := env.S3
	mkBucket(t, c, "full")
	parts := [][]byte{randBytes(15, 5*mib), randBytes(16, 5*mib+7), randBytes(17, 333)}
	all := bytes.Join(parts, nil)
	for _, alg := range []types.ChecksumAlgorithm{types.ChecksumAlgorithmCrc64nvme, types.ChecksumAlgorithmCrc32, types.ChecksumAlgorithmCrc32c} {
		for _, sendWhole := range []bool{false, true} {
			name := string(alg)
			if sendWhole {
				name += "/WithObjectChecksum"
			}
			t.Run(name, func(t *testing.T) {
				key := strings.ReplaceAll(name, "/", "-")
				pick := func(crc32, crc32c, crc64 *string) *string {
					return map[types.ChecksumAlgorithm]*string{types.ChecksumAlgorithmCrc32: crc32, types.ChecksumAlgorithmCrc32c: crc32c, types.ChecksumAlgorithmCrc64nvme: crc64}[alg]
				}
				cr, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("full"), Key: aws.String(key),
					ChecksumAlgorithm: alg, ChecksumType: types.ChecksumTypeFullObject})
				if err != nil {
					t.Fatal(err)
				}
				if cr.ChecksumType != types.ChecksumTypeFullObject {
					t.Fatalf("CreateMultipartUpload ChecksumType = %q", cr.ChecksumType)
				}
				list := &types.CompletedMultipartUpload{}
				for i, p := range parts {
					v := aws.String(checksumFor(t, alg, p))
					in := &s3.UploadPartInput{Bucket: aws.String("full"), Key: aws.String(key), UploadId: cr.UploadId, PartNumber: aws.Int32(int32(i + 1)), Body: bytes.NewReader(p)}
					in.ChecksumCRC32, in.ChecksumCRC32C, in.ChecksumCRC64NVME = pickIn(alg, v)
					out, err := c.UploadPart(ctx, in)
					if err != nil {
						t.Fatalf("part %d: %v", i+1, err)
					}
					cp := types.CompletedPart{PartNumber: aws.Int32(int32(i + 1)), ETag: out.ETag}
					cp.ChecksumCRC32, cp.ChecksumCRC32C, cp.ChecksumCRC64NVME = pickIn(alg, v)
					list.Parts = append(list.Parts, cp)
				}
				want := checksumFor(t, alg, all)
				in := &s3.CompleteMultipartUploadInput{Bucket: aws.String("full"), Key: aws.String(key), UploadId: cr.UploadId,
					MultipartUpload: list, ChecksumType: types.ChecksumTypeFullObject}
				if sendWhole {
					in.ChecksumCRC32, in.ChecksumCRC32C, in.ChecksumCRC64NVME = pickIn(alg, aws.String(want))
				}
				out, err := c.CompleteMultipartUpload(ctx, in)
				if err != nil {
					if sendWhole && apiCode(err) == "BadDigest" {
						t.Errorf("CompleteMultipartUpload with the correct whole-object x-amz-checksum-%s header fails: %v", strings.ToLower(string(alg)), err)
					}
					t.Fatal(err)
				}
				if got := aws.ToString(pick(out.ChecksumCRC32, out.ChecksumCRC32C, out.ChecksumCRC64NVME)); got != want || out.ChecksumType != types.ChecksumTypeFullObject {
					t.Fatalf("Complete checksum %q type %q, want %q FULL_OBJECT", got, out.ChecksumType, want)
				}
				if strings.Contains(aws.ToString(pick(out.ChecksumCRC32, out.ChecksumCRC32C, out.ChecksumCRC64NVME)), "-") {
					t.Fatal("a FULL_OBJECT checksum has a part count")
				}
				g, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("full"), Key: aws.String(key), ChecksumMode: types.ChecksumModeEnabled})
				if err != nil {
					t.Fatal(err)
				}
				body, err := io.ReadAll(g.Body) // the SDK checks the full-object CRC while reading
				g.Body.Close()
				if err != nil || !bytes.Equal(body, all) {
					t.Fatalf("GET: %d bytes, err %v", len(body), err)
				}
				if got := aws.ToString(pick(g.ChecksumCRC32, g.ChecksumCRC32C, g.ChecksumCRC64NVME)); got != want || g.ChecksumType != types.ChecksumTypeFullObject {
					t.Fatalf("GET checksum %q type %q, want %q", got, g.ChecksumType, want)
				}
			})
		}
	}
	t.Run("WrongObjectChecksum", func(t *testing.T) {
		cr := must[*s3.CreateMultipartUploadOutput](t)(c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("full"), Key: aws.String("wrong"),
			ChecksumAlgorithm: types.ChecksumAlgorithmCrc64nvme, ChecksumType: types.ChecksumTypeFullObject}))
		out := must[*s3.UploadPartOutput](t)(c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("full"), Key: aws.String("wrong"), UploadId: cr.UploadId,
			PartNumber: aws.Int32(1), Body: bytes.NewReader(parts[2]), ChecksumCRC64NVME: aws.String(checksumFor(t, types.ChecksumAlgorithmCrc64nvme, parts[2]))}))
		_, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("full"), Key: aws.String("wrong"), UploadId: cr.UploadId,
			MultipartUpload: partList(1, aws.ToString(out.ETag)), ChecksumType: types.ChecksumTypeFullObject,
			ChecksumCRC64NVME: aws.String(checksumFor(t, types.ChecksumAlgorithmCrc64nvme, parts[1]))})
		wantCode(t, err, "BadDigest")
		wantNoObject(t, c, "full", "wrong")
	})
}

// pickIn returns v in the position of alg among (CRC32, CRC32C, CRC64NVME).
func pickIn(alg types.ChecksumAlgorithm, v *string) (crc32, crc32c, crc64 *string) {
	switch alg {
	case types.ChecksumAlgorithmCrc32:
		return v, nil, nil
	case types.ChecksumAlgorithmCrc32c:
		return nil, v, nil
	}
	return nil, nil, v
}

func TestMultipartOverwrite(t *testing.T) {
	env := testenv.New(t)
	c := env.S3
	mkBucket(t, c, "over")
	put(t, c, "over", "k", "a small single-PUT object")
	p1, p2 := randBytes(18, 5*mib), randBytes(19, 10)
	id := newUpload(t, c, "over", "k")
	// The old object stays readable while the upload is in progress.
	e1 := uploadPart(t, c, "over", "k", id, 1, p1)
	e2 := uploadPart(t, c, "over", "k", id, 2, p2)
	if got := get(t, c, "over", "k"); got != "a small single-PUT object" {
		t.Fatalf("object during the upload: %q", got)
	}
	if _, err := complete(c, "over", "k", id, partList(1, e1, 2, e2)); err != nil {
		t.Fatal(err)
	}
	h := must[*s3.HeadObjectOutput](t)(c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("over"), Key: aws.String("k")}))
	if aws.ToInt64(h.ContentLength) != int64(len(p1)+len(p2)) || aws.ToString(h.ETag) != multipartETag(p1, p2) {
		t.Fatalf("HEAD after overwrite: length %d ETag %s", aws.ToInt64(h.ContentLength), aws.ToString(h.ETag))
	}
	if !bytes.Equal(getBytes(t, c, "over", "k"), append(append([]byte{}, p1...), p2...)) {
		t.Fatal("GET after overwrite differs")
	}
	// And a single PUT replaces the multipart object again.
	put(t, c, "over", "k", "small again")
	if got := get(t, c, "over", "k"); got != "small again" {
		t.Fatalf("object = %q", got)
	}
	l := must[*s3.ListObjectsV2Output](t)(c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("over")}))
	if len(l.Contents) != 1 || aws.ToString(l.Contents[0].ETag) != `"`+md5hex("small again")+`"` {
		t.Fatalf("listing: %+v", l.Contents)
	}
}
