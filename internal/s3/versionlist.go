package s3

import (
	"encoding/xml"
	"errors"
	"strconv"
	"strings"

	"github.com/gatehouse/gatehouse/internal/awsapi"
	"github.com/gatehouse/gatehouse/internal/store"
)

// versionListing is one page of ListObjectVersions: versions and delete
// markers in (key, newest first) order, and common prefixes.
type versionListing struct {
	entries   []store.VersionEntry
	prefixes  []string
	truncated bool
	// nextKey and nextVersion are the last entry returned (a common
	// prefix leaves nextVersion empty): where the next page starts.
	nextKey, nextVersion string
}

// listVersionPage reads one page, rolling keys up to common prefixes at
// the delimiter. Each store query is bounded by the page (a key with a
// million versions inside a common prefix is jumped over, not read), so a
// page costs the same whatever the number of versions.
func (c *call) listVersionPage(prefix, delimiter, keyMarker, versionMarker string, maxKeys int) (*versionListing, error) {
	l := &versionListing{}
	if maxKeys == 0 {
		return l, nil
	}
	q := store.VersionQuery{Prefix: prefix, KeyMarker: keyMarker, VersionIDMarker: versionMarker}
	// read runs one query; a version marker that names no version (it was
	// deleted since the previous page) continues after its whole key.
	read := func(tx store.Tx, q store.VersionQuery) ([]store.VersionEntry, error) {
		batch, err := tx.ListVersions(c.ctx, c.bucket, q)
		if errors.Is(err, store.ErrNotFound) && q.VersionIDMarker != "" {
			q.VersionIDMarker = ""
			return tx.ListVersions(c.ctx, c.bucket, q)
		}
		return batch, err
	}
	count := 0
	err := c.s.store.View(c.ctx, func(tx store.Tx) error {
		for count < maxKeys {
			q.Limit = min(maxKeys-count, maxListKeys)
			batch, err := read(tx, q)
			if err != nil {
				return err
			}
			if len(batch) == 0 {
				return nil
			}
			jumped := false
			for _, e := range batch {
				if delimiter != "" {
					if i := strings.Index(e.Key[len(prefix):], delimiter); i >= 0 {
						cp := e.Key[:len(prefix)+i+len(delimiter)]
						q.KeyMarker, q.VersionIDMarker, jumped = afterPrefix(cp), "", true
						// A common prefix at or before the key marker was
						// on an earlier page.
						if cp > keyMarker {
							l.prefixes = append(l.prefixes, cp)
							l.nextKey, l.nextVersion = cp, ""
							count++
						}
						break
					}
				}
				l.entries = append(l.entries, e)
				l.nextKey, l.nextVersion = e.Key, e.VersionID
				q.KeyMarker, q.VersionIDMarker = e.Key, e.VersionID
				count++
			}
			if !jumped && len(batch) < q.Limit {
				return nil
			}
		}
		q.Limit = 1
		more, err := read(tx, q)
		l.truncated = len(more) > 0
		return err
	})
	return l, err
}

// versionListParams reads ListObjectVersions' parameters, checked in S3's
// order: max-keys, the version-id-marker, encoding-type.
func (c *call) versionListParams() (maxKeys int, keyMarker, versionMarker string, err error) {
	if v, ok := c.q["max-keys"]; ok {
		n, perr := strconv.ParseInt(v[0], 10, 32)
		switch {
		case perr != nil:
			return 0, "", "", awsapi.ArgumentNotAnInteger.Of("max-keys").With("ArgumentName", "max-keys").With("ArgumentValue", v[0])
		case n < 0:
			return 0, "", "", awsapi.MaxKeysNegative.Of().With("ArgumentName", "max-keys")
		}
		maxKeys = min(int(n), maxListKeys)
	} else {
		maxKeys = maxListKeys
	}
	keyMarker = c.q.Get("key-marker")
	if v, ok := c.q["version-id-marker"]; ok {
		versionMarker = v[0]
		arg := func(e *awsapi.Error) error {
			return e.With("ArgumentName", "version-id-marker").With("ArgumentValue", versionMarker)
		}
		_, hasKeyMarker := c.q["key-marker"]
		switch {
		case !hasKeyMarker:
			return 0, "", "", arg(awsapi.VersionMarkerWithoutKeyMarker.Of())
		case versionMarker == "":
			return 0, "", "", arg(awsapi.VersionMarkerEmpty.Of())
		case !validVersionID(versionMarker):
			return 0, "", "", arg(awsapi.VersionIDInvalid.Of())
		}
	}
	return maxKeys, keyMarker, versionMarker, nil
}

func (c *call) listVersions() error {
	maxKeys, keyMarker, versionMarker, err := c.versionListParams()
	if err != nil {
		return err
	}
	enc, et, err := c.encoder()
	if err != nil {
		return err
	}
	prefix, delimiter := c.q.Get("prefix"), c.q.Get("delimiter")
	// A version marker without a key to belong to starts nowhere: S3
	// lists from the beginning (and echoes it).
	position := versionMarker
	if keyMarker == "" {
		position = ""
	}
	l, err := c.listVersionPage(prefix, delimiter, keyMarker, position, maxKeys)
	if err != nil {
		return err
	}
	x := &xmlBuf{b: make([]byte, 0, 512+len(l.entries)*360+len(l.prefixes)*80)}
	x.raw(xml.Header)
	x.raw(`<ListVersionsResult xmlns="` + xmlns + `">`)
	x.elem("Name", c.bucket)
	x.elem("Prefix", enc(prefix))
	x.elem("KeyMarker", enc(keyMarker))
	x.elem("VersionIdMarker", versionMarker)
	if l.truncated {
		x.elem("NextKeyMarker", enc(l.nextKey))
		if l.nextVersion != "" {
			x.elem("NextVersionIdMarker", l.nextVersion)
		}
	}
	x.elem("MaxKeys", strconv.Itoa(maxKeys))
	if delimiter != "" {
		x.elem("Delimiter", enc(delimiter))
	}
	if et != "" {
		x.elem("EncodingType", et)
	}
	x.elem("IsTruncated", strconv.FormatBool(l.truncated))
	ownerID := c.ownerIDs()
	for i := range l.entries {
		writeVersionEntry(x, &l.entries[i], enc, ownerID)
	}
	for _, cp := range l.prefixes {
		x.raw("<CommonPrefixes>")
		x.elem("Prefix", enc(cp))
		x.raw("</CommonPrefixes>")
	}
	x.raw("</ListVersionsResult>")
	return x.write(c)
}

// writeVersionEntry renders a Version or DeleteMarker element.
// ownerID names the entry's owner account by its canonical id.
func writeVersionEntry(x *xmlBuf, e *store.VersionEntry, enc func(string) string, ownerID func(string) string) {
	element := "Version"
	if e.DeleteMarker {
		element = "DeleteMarker"
	}
	x.raw("<" + element + ">")
	x.elem("Key", enc(e.Key))
	x.elem("VersionId", e.VersionID)
	x.elem("IsLatest", strconv.FormatBool(e.IsLatest))
	x.raw("<LastModified>")
	x.b = appendISOTime(x.b, e.LastModified)
	x.raw("</LastModified>")
	if !e.DeleteMarker {
		x.etag(e.ETag)
		if e.ChecksumAlgorithm != "" {
			x.elem("ChecksumAlgorithm", e.ChecksumAlgorithm)
			x.elem("ChecksumType", e.ChecksumType)
		}
		x.raw("<Size>")
		x.b = strconv.AppendInt(x.b, e.Size, 10)
		x.raw("</Size>")
	}
	x.raw("<Owner>")
	x.elem("ID", ownerID(e.Owner))
	x.raw("</Owner>")
	if !e.DeleteMarker {
		x.elem("StorageClass", classOf(e.StorageClass))
	}
	x.raw("</" + element + ">")
}
