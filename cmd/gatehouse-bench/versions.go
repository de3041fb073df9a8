package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/gatehouse/gatehouse/internal/store"
	"github.com/gatehouse/gatehouse/internal/store/sqlite"
)

// Versions for s3-list-versions live under vers/, versionsPerKey to a key:
// version n is version versionID(n) of key versionKey(n / versionsPerKey).
const versionsPerKey = 1000

func versionKey(k int) string { return fmt.Sprintf("vers/%06d", k) }

// versionID is the id a seeded version gets (setup --seed-db --versions).
func versionID(n int) string { return fmt.Sprintf("%032d", n) }

// enableVersioning turns versioning on for the bench bucket (--versioned).
func (c *client) enableVersioning(ctx context.Context, creds aws.Credentials, bucket string) error {
	body := []byte(`<VersioningConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Status>Enabled</Status></VersioningConfiguration>`)
	sum := sha256.Sum256(body)
	_, err := c.s3(ctx, creds, s3req{method: http.MethodPut, path: "/" + bucket, query: url.Values{"versioning": {""}},
		body: bytes.NewReader(body), size: int64(len(body)), hash: hex.EncodeToString(sum[:])}, false)
	return err
}

// opPutCycled: s3-put-small with --cycle-keys N, the runners' requests
// going round N keys put/cycle/%06d, so that a versioned bucket keeps a
// version per request and an unversioned one replaces objects.
func opPutCycled(ctx context.Context, r *runner, _ *worker) (int64, error) {
	return r.putSmall(ctx, fmt.Sprintf("put/cycle/%06d", (r.cycle.Add(1)-1)%uint64(r.o.cycleKeys)))
}

// listVersions asks for one page of up to 1,000 versions under vers/.
// countVersions counts the entries of the version page after keyMarker.
func (r *runner) countVersions(ctx context.Context, keyMarker string) (int, error) {
	resp, err := r.listVersions(ctx, keyMarker, "", true)
	if err != nil {
		return 0, err
	}
	return versionsPage(resp.body)
}

func (r *runner) listVersions(ctx context.Context, keyMarker, versionMarker string, keep bool) (response, error) {
	q := url.Values{"versions": {""}, "prefix": {"vers/"}, "max-keys": {"1000"}}
	if keyMarker != "" {
		q.Set("key-marker", keyMarker)
	}
	if versionMarker != "" {
		q.Set("version-id-marker", versionMarker)
	}
	return r.c.s3(ctx, r.s3Creds, s3req{method: http.MethodGet, path: "/" + r.o.bucket, query: q}, keep)
}

// versionsPage counts the versions and delete markers of a page.
func versionsPage(body []byte) (int, error) {
	var page struct {
		Versions []struct{} `xml:"Version"`
		Markers  []struct{} `xml:"DeleteMarker"`
	}
	if err := xml.Unmarshal(body, &page); err != nil {
		return 0, err
	}
	return len(page.Versions) + len(page.Markers), nil
}

// prepareVersions makes sure the bucket holds --versions versions under
// vers/: seeded ones (setup --seed-db --versions, whose ids the tool knows,
// so that pages start at a random version) are used as they are; else, when
// the last key lacks versions, 0-byte PUTs make them (versioning is turned
// on first), and pages start after a random key. Either way the first page
// must be full.
func prepareVersions(ctx context.Context, r *runner) error {
	keys := r.o.versions / versionsPerKey
	last := r.o.versions - 1
	// After the newest seeded version of the last key comes the one
	// seeded before it.
	resp, err := r.listVersions(ctx, versionKey(last/versionsPerKey), versionID(last), true)
	if err != nil && !isAPIError(err) {
		return err
	}
	if err == nil && bytes.Contains(resp.body, []byte("<VersionId>"+versionID(last-1)+"</VersionId>")) {
		r.seededVersions = true
	} else {
		from := "" // after the last key but one
		if keys >= 2 {
			from = versionKey(keys - 2)
		}
		n, err := r.countVersions(ctx, from)
		if err != nil {
			return err
		}
		if n < versionsPerKey {
			if err := r.c.enableVersioning(ctx, r.s3Creds, r.o.bucket); err != nil {
				return fmt.Errorf("enabling versioning: %w", err)
			}
			err := parallel(ctx, r.o.versions, max(16, r.o.concurrency), func(i int) error {
				_, err := r.c.s3(ctx, r.s3Creds, s3req{method: http.MethodPut, path: r.objPath(versionKey(i / versionsPerKey)),
					body: http.NoBody, hash: emptySHA256}, false)
				return err
			})
			if err != nil {
				return fmt.Errorf("prefilling %d versions: %w", r.o.versions, err)
			}
		}
	}
	n, err := r.countVersions(ctx, "")
	if err != nil {
		return err
	}
	if n != 1000 {
		return fmt.Errorf("first page lists %d versions, want 1000", n)
	}
	return nil
}

// opListVersions: one ListObjectVersions page of 1,000 entries from a
// random start (a random seeded version, or after a random key) that leaves
// a full page after it.
func opListVersions(ctx context.Context, r *runner, w *worker) (int64, error) {
	keys := r.o.versions / versionsPerKey
	var km, vm string
	switch {
	case keys < 2:
	case r.seededVersions:
		// Any version of a key but the last: a whole key's versions follow.
		n := w.rng.IntN((keys - 1) * versionsPerKey)
		km, vm = versionKey(n/versionsPerKey), versionID(n)
	default:
		km = versionKey(w.rng.IntN(keys - 1))
	}
	resp, err := r.listVersions(ctx, km, vm, false)
	return resp.n, err
}

// seedVersions adds version records to bucket in the stopped server's
// store at path until it holds n under vers/ (versionsPerKey to a key, ids
// versionID(i), every tenth a delete marker, the others 4 KiB objects whose
// blobs do not exist: for listing only), 10,000 to a transaction, and
// returns how many there are.
func seedVersions(ctx context.Context, path, bucket string, n int) (int, error) {
	st, err := sqlite.Open(path)
	if err != nil {
		return 0, err
	}
	defer st.Close()
	if err := st.View(ctx, func(tx store.Tx) error { _, err := tx.GetBucket(ctx, bucket); return err }); err != nil {
		return 0, fmt.Errorf("bucket %s: %w (run setup against the server first)", bucket, err)
	}
	// Versions are written in order, so the seeded ones are 0..have-1.
	have := 0
	err = st.View(ctx, func(tx store.Tx) error {
		q := store.VersionQuery{Prefix: "vers/", Limit: 10000}
		for {
			page, err := tx.ListVersions(ctx, bucket, q)
			if err != nil || len(page) == 0 {
				return err
			}
			have += len(page)
			q.KeyMarker, q.VersionIDMarker = page[len(page)-1].Key, page[len(page)-1].VersionID
		}
	})
	if err != nil {
		return 0, err
	}
	if have%versionsPerKey != 0 && have < n {
		return 0, errors.New("vers/ holds a partial key: seed into a bucket the tool seeded only")
	}
	now := time.Now().UTC()
	return seedRecords(ctx, st, have, n, func(i int) *store.Object {
		o := &store.Object{Bucket: bucket, Key: versionKey(i / versionsPerKey), VersionID: versionID(i), LastModified: now, Owner: "bench"}
		if i%10 == 4 {
			o.DeleteMarker = true
		} else {
			o.Size, o.ETag, o.ContentType = 4096, `"`+strings.Repeat("ab", 16)+`"`, "application/octet-stream"
			o.Blobs = []store.BlobRef{{Key: fmt.Sprintf("v%031x", i), Size: 4096}}
		}
		return o
	})
}
