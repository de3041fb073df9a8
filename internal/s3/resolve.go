package s3

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/gatehouse/gatehouse/internal/awsapi"
	"github.com/gatehouse/gatehouse/internal/pipeline"
	"github.com/gatehouse/gatehouse/internal/store"
)

// The resolve steps of object operations: each reads what the operation
// acts on and declares every check it needs.

// resolveObject reads the addressed version (nil when missing; the latest,
// a delete marker included, when the request names none) and declares the
// operation's action with the version's tag keys (s3:ExistingObjectTag).
func (c *call) resolveObject() (pipeline.Plan, error) {
	o := c.obj
	if !c.prefetched {
		var err error
		if o, err = c.lookup(); err != nil {
			return pipeline.Plan{}, err
		}
	}
	c.prefetched = false
	c.obj = o
	keys := existingTagKeys(o)
	if more := c.op.keys; more != nil {
		keys = func(c *call, set func(string, ...string)) {
			existingTagKeys(o)(c, set)
			more(c, set)
		}
	}
	return plan(c.check(c.b, c.action(), c.resource(), versionKey(c.version, keys))), nil
}

// resolveDelete is resolveObject for DeleteObject, with s3:GetObject (or
// s3:GetObjectVersion) when the delete is conditional on an ETag (S3
// requires both), and for the permanent deletion of a version in a bucket
// with MFA Delete, the MFA check.
func (c *call) resolveDelete() (pipeline.Plan, error) {
	p, err := c.resolveObject()
	if err != nil {
		return p, err
	}
	if v := c.r.Header.Get("If-Match"); v != "" && v != "*" {
		get := "s3:GetObject"
		if c.version != "" {
			get = "s3:GetObjectVersion"
		}
		p.Checks = append(p.Checks, c.check(c.b, get, c.resource(), versionKey(c.version, existingTagKeys(c.obj))))
	}
	p = c.resolveBypass(p)
	if c.version != "" && c.b.MFADelete == mfaEnabled {
		return p, c.checkMFA()
	}
	return p, nil
}

// resolveExisting is resolveObject for actions on an object that must
// exist: for a missing key (or version, or a key whose latest version is a
// delete marker) it also declares a soft s3:ListBucket, whose outcome
// decides between 404 and 403 (S3 hides existence from callers who may not
// list the bucket).
func (c *call) resolveExisting() (pipeline.Plan, error) {
	p, err := c.resolveObject()
	if err != nil || !c.gone(c.obj) {
		return p, err
	}
	c.listCheck = len(p.Checks)
	p.Checks = append(p.Checks, soft(c.check(c.b, "s3:ListBucket", bucketARN(c.bucket), nil)))
	return p, nil
}

// resolvePut declares s3:PutObject, and s3:PutObjectTagging and
// s3:PutObjectAcl when the request sets tags or grants (PutObject,
// CreateMultipartUpload).
func (c *call) resolvePut() (pipeline.Plan, error) {
	if err := c.loadReplaced(c.key); err != nil {
		return pipeline.Plan{}, err
	}
	checks := []pipeline.Check{c.withPublicACL(c.check(c.b, c.op.action, c.resource(), c.op.keys))}
	return plan(append(checks, c.setterChecks(c.r.Header, c.resource(), c.r.Header.Get("x-amz-tagging") != "", headerTags(c.r.Header))...)...), nil
}

// setterChecks are the checks a write of an object declares for what it
// sets besides the bytes (h: its headers, or a browser form's fields) on
// the object ARN resource: s3:PutObjectTagging with the requested tag keys
// when it sets tags (setsTags; tags nil when they do not parse: the handler
// refuses them), s3:PutObjectAcl when it grants, and s3:PutObjectRetention
// / s3:PutObjectLegalHold when it sets a retention or legal hold
// (lockChecks). PutObject, CreateMultipartUpload, CopyObject and form
// uploads all declare them, so a Deny of any of these actions cannot be
// bypassed by choosing another way to write.
func (c *call) setterChecks(h http.Header, resource string, setsTags bool, tags []store.Tag) []pipeline.Check {
	var checks []pipeline.Check
	if setsTags {
		checks = append(checks, c.check(c.b, "s3:PutObjectTagging", resource, func(_ *call, set func(string, ...string)) {
			if tags != nil {
				requestTagKeys(tags, set)
			}
		}))
	}
	if grantsACL(h) {
		checks = append(checks, c.checkOn(c.b, c.newObject(h), "s3:PutObjectAcl", resource, (*call).putKeys))
	}
	return append(checks, c.lockChecks(h, resource)...)
}

// headerTags are the tags of an x-amz-tagging header, nil when there are
// none or they do not parse.
func headerTags(h http.Header) []store.Tag {
	tags, err := parseTaggingHeader(h.Get("x-amz-tagging"))
	if err != nil {
		return nil
	}
	return tags
}

// newObject stands for the object a write creates, for the check of the
// ACL it sets: owned by whom Object Ownership makes its owner (the
// writer's account, or the bucket owner's with BucketOwnerPreferred and
// bucket-owner-full-control), with the default ACL. nil when the bucket's
// ACLs are disabled or the writer is anonymous.
func (c *call) newObject(h http.Header) *store.Object {
	if !aclsEnabled(c.b) || c.p == nil || c.p.Account == "" {
		return nil
	}
	owner := c.p.Account
	if ownership(c.b) == store.OwnershipPreferred && h.Get("x-amz-acl") == "bucket-owner-full-control" {
		owner = c.b.Account
	}
	return &store.Object{Bucket: c.bucket, Key: c.key, Owner: owner}
}

// resolvePutObjectTagging reads the new tag set and the object, and
// declares s3:PutObjectTagging with both the existing and the requested
// tag keys.
func (c *call) resolvePutObjectTagging() (pipeline.Plan, error) {
	o, err := c.lookup()
	if err != nil {
		return pipeline.Plan{}, err
	}
	tags, err := c.readTagging(maxObjectTags)
	if err != nil {
		return pipeline.Plan{}, err
	}
	c.obj, c.stash = o, tags
	keys := func(c *call, set func(string, ...string)) {
		existingTagKeys(o)(c, set)
		requestTagKeys(tags, set)
	}
	checks := []pipeline.Check{c.check(c.b, c.action(), c.resource(), versionKey(c.version, keys))}
	if c.gone(o) {
		c.listCheck = len(checks)
		checks = append(checks, soft(c.check(c.b, "s3:ListBucket", bucketARN(c.bucket), nil)))
	}
	return plan(checks...), nil
}

// copySource is the object x-amz-copy-source names, as resolve read it.
type copySource struct {
	bucket    *store.Bucket
	key       string
	version   string        // the version x-amz-copy-source names ("": the current one)
	obj       *store.Object // nil: missing; the latest delete marker when it is one
	listCheck int           // the soft s3:ListBucket on the source bucket (-1: none)
}

// resolveCopy declares CopyObject's and UploadPartCopy's checks:
// s3:PutObject on the destination, s3:GetObject (s3:GetObjectVersion for a
// named version) on the source under the source bucket's policy (and a
// soft s3:ListBucket there when the source is missing), and a copy's
// setterChecks (replaced tags, grants).
func (c *call) resolveCopy() (pipeline.Plan, error) {
	if c.op.name == "CopyObject" {
		if err := checkKey(c.key); err != nil {
			return pipeline.Plan{}, err
		}
	}
	bucket, key, version, err := parseCopySource(c.r.Header.Get("x-amz-copy-source"), c.op.name == "CopyObject")
	if err != nil {
		return pipeline.Plan{}, err
	}
	src := &copySource{key: key, version: version, listCheck: -1}
	err = c.s.store.View(c.ctx, func(tx store.Tx) error {
		var err error
		if src.bucket, err = tx.GetBucket(c.ctx, bucket); err != nil {
			return err
		}
		if version != "" {
			src.obj, err = tx.GetVersion(c.ctx, bucket, key, version)
			return err
		}
		if src.obj, err = tx.GetObject(c.ctx, bucket, key); errors.Is(err, store.ErrNotFound) {
			src.obj, err = tx.GetVersion(c.ctx, bucket, key, "")
		}
		return err
	})
	switch {
	case src.bucket == nil && errors.Is(err, store.ErrNotFound):
		return pipeline.Plan{}, noSuchBucket(bucket)
	case errors.Is(err, store.ErrNotFound):
		src.obj = nil
	case err != nil:
		return pipeline.Plan{}, err
	}
	c.stash = src
	if c.op.name == "CopyObject" {
		if err := c.loadReplaced(c.key); err != nil {
			return pipeline.Plan{}, err
		}
	}
	get := "s3:GetObject"
	if version != "" {
		get = "s3:GetObjectVersion"
	}
	checks := []pipeline.Check{
		c.withPublicACL(c.check(c.b, c.op.action, c.resource(), c.op.keys)),
		c.checkOn(src.bucket, src.obj, get, objectARN(bucket, key), versionKey(version, existingTagKeys(src.obj))),
	}
	if src.obj == nil || (src.obj.DeleteMarker && version == "") {
		src.listCheck = len(checks)
		checks = append(checks, soft(c.check(src.bucket, "s3:ListBucket", bucketARN(bucket), nil)))
	}
	if c.op.name == "CopyObject" {
		setsTags := c.r.Header.Get("x-amz-tagging-directive") == "REPLACE" && c.r.Header.Get("x-amz-tagging") != ""
		checks = append(checks, c.setterChecks(c.r.Header, c.resource(), setsTags, headerTags(c.r.Header))...)
	}
	return plan(checks...), nil
}

// deletePlan is a DeleteObjects request as resolve read it: check i
// decides object i.
type deletePlan struct {
	req deleteRequest
	// getCheck maps an object with an ETag to its s3:GetObject check (a
	// delete conditional on the ETag reads it, as S3 requires).
	getCheck map[int]int
}

// resolveDeleteObjects reads the entry list and declares a soft
// s3:DeleteObject per key, or s3:DeleteObjectVersion with s3:VersionId per
// entry naming a version (with the tag keys of what it deletes): a denied
// entry is reported in the result, the others are deleted. In a bucket with
// MFA Delete, a list naming any version needs the MFA check, which fails
// the whole request.
func (c *call) resolveDeleteObjects() (pipeline.Plan, error) {
	dp := &deletePlan{}
	if err := c.readXML(&dp.req); err != nil {
		return pipeline.Plan{}, err
	}
	if len(dp.req.Objects) == 0 || len(dp.req.Objects) > maxDeleteKeys {
		return pipeline.Plan{}, awsapi.XMLMalformed.Of()
	}
	versions := false
	objs := make([]*store.Object, len(dp.req.Objects))
	err := c.s.store.View(c.ctx, func(tx store.Tx) error {
		for i, obj := range dp.req.Objects {
			if obj.Key == "" || (obj.VersionID != "" && !validVersionID(obj.VersionID)) {
				continue
			}
			var o *store.Object
			var err error
			if obj.VersionID != "" {
				versions = true
				o, err = tx.GetVersion(c.ctx, c.bucket, obj.Key, obj.VersionID)
			} else {
				o, err = tx.GetObject(c.ctx, c.bucket, obj.Key)
			}
			if err != nil && !errors.Is(err, store.ErrNotFound) {
				return err
			}
			objs[i] = o
		}
		return nil
	})
	if err != nil {
		return pipeline.Plan{}, err
	}
	if versions && c.b.MFADelete == mfaEnabled {
		if err := c.checkMFA(); err != nil {
			return pipeline.Plan{}, err
		}
	}
	c.stash = dp
	checks := make([]pipeline.Check, len(dp.req.Objects))
	for i, obj := range dp.req.Objects {
		action := "s3:DeleteObject"
		if obj.VersionID != "" {
			action = "s3:DeleteObjectVersion"
		}
		checks[i] = soft(c.checkOn(c.b, objs[i], action, objectARN(c.bucket, obj.Key), versionKey(obj.VersionID, existingTagKeys(objs[i]))))
	}
	for i, obj := range dp.req.Objects {
		if obj.ETag != "" && obj.ETag != "*" {
			if dp.getCheck == nil {
				dp.getCheck = map[int]int{}
			}
			get := "s3:GetObject"
			if obj.VersionID != "" {
				get = "s3:GetObjectVersion"
			}
			dp.getCheck[i] = len(checks)
			checks = append(checks, soft(c.checkOn(c.b, objs[i], get, objectARN(c.bucket, obj.Key), versionKey(obj.VersionID, existingTagKeys(objs[i])))))
		}
	}
	// Bypassing governance retention needs s3:BypassGovernanceRetention on
	// every version the request removes (hard: a caller who asks without
	// it is denied).
	if strings.EqualFold(c.r.Header.Get(bypassHeader), "true") {
		for _, obj := range dp.req.Objects {
			if obj.VersionID != "" && obj.Key != "" {
				checks = append(checks, c.check(c.b, "s3:BypassGovernanceRetention", objectARN(c.bucket, obj.Key), nil))
			}
		}
		c.bypass = true
	}
	return plan(checks...), nil
}

// parseCopySource splits x-amz-copy-source into bucket, key and version
// ("" when it names none). S3 words a malformed version id differently for
// CopyObject (copyObject) and UploadPartCopy.
func parseCopySource(raw string, copyObject bool) (bucket, key, version string, err error) {
	path, query, _ := strings.Cut(raw, "?")
	dec, uerr := url.PathUnescape(path)
	if uerr != nil {
		return "", "", "", awsapi.CopySourceEncodingInvalid.Of().With("ArgumentName", "x-amz-copy-source")
	}
	bucket, key, ok := strings.Cut(strings.TrimPrefix(dec, "/"), "/")
	if !ok || bucket == "" || key == "" {
		return "", "", "", awsapi.CopySourceKeyInvalid.Of().With("ArgumentName", "x-amz-copy-source")
	}
	v, perr := url.ParseQuery(query)
	if perr != nil || !v.Has("versionId") {
		return bucket, key, "", nil
	}
	version = v.Get("versionId")
	switch {
	case version == "":
		return "", "", "", awsapi.VersionIDEmpty.Of().With("ArgumentName", "x-amz-copy-source").With("ArgumentValue", "")
	case validVersionID(version):
		return bucket, key, version, nil
	case copyObject:
		return "", "", "", awsapi.CopySourceVersionMalformed.Of()
	}
	return "", "", "", awsapi.CopySourceVersionInvalid.Of().With("ArgumentName", "x-amz-copy-source").With("ArgumentValue", version)
}
