package store

import (
	"context"
	"time"
)

// Bucket is an S3 bucket. Names are global across accounts.
type Bucket struct {
	Name      string
	Account   string // owner
	Region    string // LocationConstraint ("" = us-east-1)
	CreatedAt time.Time
	Policy    string // bucket policy document, "" when none
	CORS      string // CORS configuration as XML, "" when none
	Tags      []Tag
	// Versioning is the bucket's versioning state: "" (never configured:
	// unversioned, a state a bucket never returns to), VersioningEnabled or
	// VersioningSuspended.
	Versioning string
	// MFADelete is "" (never configured), "Enabled" or "Disabled": whether
	// permanently deleting a version or changing Versioning needs the
	// bucket owner's root and an MFA code.
	MFADelete string
	// PolicyPrincipals binds the IAM user and role principals of Policy to
	// the unique ids of their entities, as Role.TrustPrincipals does (nil:
	// no policy, or one written before principals were bound).
	PolicyPrincipals map[string]string
	// Ownership is the bucket's Object Ownership setting (OwnershipEnforced
	// …); "" is OwnershipEnforced (every bucket written before the setting
	// existed was), OwnershipNone that its ownership controls were deleted.
	Ownership string `json:",omitempty"`
	// ACL is the bucket's access control list; nil is the default, the
	// owner's FULL_CONTROL.
	ACL []Grant `json:",omitempty"`
}

// Object Ownership settings of a bucket.
const (
	OwnershipEnforced     = "BucketOwnerEnforced" // ACLs disabled: the bucket owner owns every object
	OwnershipPreferred    = "BucketOwnerPreferred"
	OwnershipObjectWriter = "ObjectWriter"
	// OwnershipNone: the ownership controls were deleted; objects belong
	// to their writers, as with ObjectWriter.
	OwnershipNone = "None"
)

// Grant is one grant of an S3 access control list: to a canonical user id
// (ID) or a group (URI).
type Grant struct {
	ID         string `json:",omitempty"`
	URI        string `json:",omitempty"`
	Permission string
}

// Bucket versioning states (Bucket.Versioning), and the version id of the
// null version: the version of every object written while a bucket was
// unversioned or had versioning suspended.
const (
	VersioningEnabled   = "Enabled"
	VersioningSuspended = "Suspended"
	NullVersion         = "null"
)

// Checksum is a flexible checksum of an object or part.
type Checksum struct {
	Algorithm string // CRC32, CRC32C, CRC64NVME, SHA1, SHA256
	Value     string // base64, as sent on the wire ("…-N" for composite)
	Type      string // FULL_OBJECT or COMPOSITE
}

// BlobRef is one run of bytes of an object in the blob store.
type BlobRef struct {
	Key  string
	Size int64
}

// Object is the metadata of one version of an S3 object; its bytes are the
// concatenation of Blobs. A delete marker is a version too: DeleteMarker
// set, no bytes, no metadata but Owner and LastModified. (Retention and
// legal holds of Object Lock will be fields of this record: they belong to
// a version.)
type Object struct {
	Bucket string
	Key    string
	// VersionID names the version: NullVersion for the null version, an
	// opaque id otherwise. A record written before versioning existed
	// reads as NullVersion.
	VersionID    string
	DeleteMarker bool
	Blobs        []BlobRef
	Size         int64
	ETag         string // quoted, as S3 returns it
	LastModified time.Time
	ContentType  string
	// Headers holds the other stored standard headers (Cache-Control,
	// Content-Disposition, Content-Encoding, Content-Language, Expires)
	// keyed by canonical header name.
	Headers  map[string]string
	Metadata map[string]string // x-amz-meta-* without the prefix, lower-cased names
	Checksum *Checksum
	Tags     []Tag
	Owner    string // account that wrote the object
	Parts    int    // number of parts for multipart objects, 0 otherwise
	// StorageClass is the class the object was written with, as S3 names
	// it ("" is STANDARD). There is one tier: every class reads the same.
	StorageClass string `json:",omitempty"`
	// UploadID is the multipart upload the object was completed from (""
	// for other writes): a repeated CompleteMultipartUpload of that upload
	// is answered from this record.
	UploadID string `json:",omitempty"`
	// PartChecksums are the parts' checksums (base64, in part order) of a
	// multipart object uploaded with a checksum algorithm, nil otherwise.
	PartChecksums []string `json:",omitempty"`
	// ACL is the object's access control list; nil is the default, its
	// owner's FULL_CONTROL.
	ACL []Grant `json:",omitempty"`
}

// Upload is an in-progress multipart upload.
type Upload struct {
	ID                string
	Bucket            string
	Key               string
	Initiator         string // principal ARN
	Owner             string // account
	CreatedAt         time.Time
	ContentType       string
	Headers           map[string]string
	Metadata          map[string]string
	Tags              []Tag
	ChecksumAlgorithm string
	ChecksumType      string // FULL_OBJECT or COMPOSITE when ChecksumAlgorithm is set
	StorageClass      string `json:",omitempty"` // of the object it creates ("" is STANDARD)
	// ACL is the access control list of the object it creates (nil: the
	// default).
	ACL []Grant `json:",omitempty"`
}

// Part is one uploaded part of a multipart upload.
type Part struct {
	UploadID     string
	Number       int
	Blob         BlobRef
	ETag         string
	Checksum     *Checksum
	LastModified time.Time
}

// ObjectEntry is an object as a listing shows it.
type ObjectEntry struct {
	Key               string
	Size              int64
	ETag              string
	LastModified      time.Time
	Owner             string
	ChecksumAlgorithm string
	ChecksumType      string
	StorageClass      string // "" is STANDARD
}

// BucketQuery selects one page of an account's buckets.
type BucketQuery struct {
	Prefix string // only names with this prefix
	After  string // exclusive name to start after
	Region string // only buckets in this region ("us-east-1" is Bucket.Region ""); "" any
	Limit  int    // 0: all
}

// VersionEntry is a version (or delete marker) as ListVersions shows it.
type VersionEntry struct {
	ObjectEntry
	VersionID    string
	IsLatest     bool
	DeleteMarker bool
}

// VersionQuery selects one page of versions in (key, newest first) order.
type VersionQuery struct {
	Prefix string // only keys with this prefix
	// KeyMarker: start after every version of this key; with
	// VersionIDMarker, start after that version of KeyMarker instead.
	KeyMarker       string
	VersionIDMarker string
	Limit           int
}

// ObjectQuery selects one page of objects in binary key order.
type ObjectQuery struct {
	Prefix string // only keys with this prefix
	After  string // exclusive key to start after
	Limit  int
}

// Buckets stores S3 buckets.
type Buckets interface {
	CreateBucket(ctx context.Context, b *Bucket) error // ErrExists when the name is taken by any account
	GetBucket(ctx context.Context, name string) (*Bucket, error)
	// ListBuckets returns one page of an account's buckets ordered by name;
	// its cost does not depend on how many buckets the account has.
	ListBuckets(ctx context.Context, account string, q BucketQuery) ([]*Bucket, error)
	UpdateBucket(ctx context.Context, b *Bucket) error // policy, CORS, tags
	DeleteBucket(ctx context.Context, name string) error
}

// Objects stores S3 object metadata: the versions of each key, newest
// first. A key's current version is its latest one unless that is a delete
// marker (then the key has no current version). Each version keeps its
// blob references until it is removed, whether it is current or not.
type Objects interface {
	// PutObject makes o (an object or a delete marker) the latest version
	// of its key. An existing version with o's VersionID ("" means
	// NullVersion) is replaced and returned — its blobs, unless shared,
	// are the caller's to free after commit; the previous latest version,
	// if it has another id, stays as a noncurrent version.
	PutObject(ctx context.Context, o *Object) (replaced *Object, err error)
	// GetObject returns the current version of a key; ErrNotFound when the
	// key has none (no version, or a delete marker is the latest).
	GetObject(ctx context.Context, bucket, key string) (*Object, error)
	// GetVersion returns one version of a key, a delete marker included:
	// the one with versionID, or with versionID "" the latest.
	GetVersion(ctx context.Context, bucket, key, versionID string) (*Object, error)
	// UpdateVersion rewrites the record of the version o names (bucket,
	// key, VersionID) in place — its tags, say — keeping its place in the
	// key's history. Its blobs must be the version's own.
	UpdateVersion(ctx context.Context, o *Object) error
	// DeleteVersion permanently removes one version (a delete marker
	// included) and returns it. When it was the latest, the newest version
	// left becomes the latest (and current, unless it is a delete marker).
	DeleteVersion(ctx context.Context, bucket, key, versionID string) (*Object, error)
	// ListObjects returns one page of current versions in binary key order;
	// its cost does not depend on the bucket's size or its number of
	// versions.
	ListObjects(ctx context.Context, bucket string, q ObjectQuery) ([]ObjectEntry, error)
	// ListVersions returns one page of versions and delete markers in
	// binary key order, newest first within a key; its cost does not depend
	// on the bucket's size or the number of versions of any key.
	// ErrNotFound when q.VersionIDMarker names no version of q.KeyMarker.
	ListVersions(ctx context.Context, bucket string, q VersionQuery) ([]VersionEntry, error)
	// BucketHasObjects reports whether any version, delete marker or upload
	// is in the bucket.
	BucketHasObjects(ctx context.Context, bucket string) (bool, error)
	// BlobReferenced reports whether any version or part references the
	// blob (the orphan sweeper's question, asked before every blob
	// deletion). A store may also answer true for every blob while a backup
	// holds the blob store (see the sqlite store's HoldBlobs), so that
	// nothing the backup's snapshot references is deleted before it is
	// copied.
	BlobReferenced(ctx context.Context, blobKey string) (bool, error)
}

// Uploads stores multipart uploads and their parts.
type Uploads interface {
	CreateUpload(ctx context.Context, u *Upload) error
	GetUpload(ctx context.Context, bucket, key, id string) (*Upload, error)
	// ListUploads lists uploads ordered by (key, created, id), starting after
	// the upload idMarker of keyMarker (after every upload of keyMarker when
	// idMarker names none).
	ListUploads(ctx context.Context, bucket, prefix, keyMarker, idMarker string, limit int) ([]*Upload, error)
	// DeleteUpload removes the upload and returns its parts.
	DeleteUpload(ctx context.Context, id string) ([]*Part, error)
	// PutPart stores a part, returning the part it replaced (nil if none).
	PutPart(ctx context.Context, p *Part) (replaced *Part, err error)
	// ListParts returns parts ordered by number, after the given number.
	ListParts(ctx context.Context, uploadID string, after, limit int) ([]*Part, error)
}
