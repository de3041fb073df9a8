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
	// Lifecycle is the lifecycle configuration as XML, "" when none;
	// LifecycleMinSize its x-amz-transition-default-minimum-object-size.
	Lifecycle        string `json:",omitempty"`
	LifecycleMinSize string `json:",omitempty"`
	Tags             []Tag
	// Encryption is the bucket's default encryption (nil: none set).
	Encryption *BucketEncryption `json:",omitempty"`
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
	// PublicAccessBlock is the bucket's S3 Block Public Access
	// configuration (nil: none, as after DeletePublicAccessBlock).
	PublicAccessBlock *PublicAccessBlock `json:",omitempty"`
	// ObjectLock is whether Object Lock is enabled (then Versioning is
	// Enabled and can never be suspended, and ObjectLock is never turned
	// off). LockDefault is the retention a new version gets when its write
	// names none (nil: none).
	ObjectLock  bool         `json:",omitempty"`
	LockDefault *LockDefault `json:",omitempty"`
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

// PublicAccessBlock is one S3 Block Public Access configuration, of a
// bucket or of an account. The setting in force for a bucket is the
// bucket's flag OR its owner account's.
type PublicAccessBlock struct {
	BlockPublicAcls       bool
	IgnorePublicAcls      bool
	BlockPublicPolicy     bool
	RestrictPublicBuckets bool
}

// Or is the setting in force when both b and o apply (either may be nil).
func (b *PublicAccessBlock) Or(o *PublicAccessBlock) PublicAccessBlock {
	var r PublicAccessBlock
	for _, x := range []*PublicAccessBlock{b, o} {
		if x != nil {
			r.BlockPublicAcls = r.BlockPublicAcls || x.BlockPublicAcls
			r.IgnorePublicAcls = r.IgnorePublicAcls || x.IgnorePublicAcls
			r.BlockPublicPolicy = r.BlockPublicPolicy || x.BlockPublicPolicy
			r.RestrictPublicBuckets = r.RestrictPublicBuckets || x.RestrictPublicBuckets
		}
	}
	return r
}

// LockDefault is an Object Lock bucket's default retention: Mode for Days
// or Years (exactly one of them positive) from a version's creation.
type LockDefault struct {
	Mode  string
	Days  int `json:",omitempty"`
	Years int `json:",omitempty"`
}

// Object Lock retention modes (Object.LockMode, LockDefault.Mode) and legal
// hold states (Object.LegalHold).
const (
	LockGovernance = "GOVERNANCE"
	LockCompliance = "COMPLIANCE"
	LegalHoldOn    = "ON"
	LegalHoldOff   = "OFF"
)

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

// BlobRef is one run of bytes of an object in the blob store. Size counts
// the object's (plaintext) bytes the run holds; an encrypted run's blob is
// larger (internal/sse's stream framing).
//
// A small object's bytes are kept in its record instead: Data holds them
// (encrypted as a blob would be) and Key is empty. Such a run has no blob
// to reference, read, lease or free.
type BlobRef struct {
	Key  string
	Size int64
	Data []byte `json:",omitempty"`
}

// Inline reports whether the run's bytes are in the record (Data).
func (b BlobRef) Inline() bool { return b.Key == "" }

// Encryption methods (Encryption.Method).
const (
	SSES3  = "SSE-S3"  // x-amz-server-side-encryption: AES256
	SSEKMS = "SSE-KMS" // aws:kms, a key Gatehouse manages
	SSEC   = "SSE-C"   // a customer-provided key
)

// Encryption describes how an object's (or an upload's) bytes are
// encrypted at rest (internal/sse): the data key sealed under a key
// derived from the master key (and, for SSE-C, from the customer's key).
// No plaintext key is ever recorded.
type Encryption struct {
	Method    string // SSES3, SSEKMS or SSEC
	SealedKey []byte // the data key, sealed (sse.Keyring)
	// KMSKeyID is the key ARN of an SSE-KMS object.
	KMSKeyID         string `json:",omitempty"`
	BucketKeyEnabled bool   `json:",omitempty"`
	// SSE-C: the customer key's MD5 (base64, echoed in replies), and a
	// salted HMAC of the key that tells a wrong key from a right one.
	CustomerKeyMD5  string `json:",omitempty"`
	CustomerKeySalt []byte `json:",omitempty"`
	CustomerKeyMAC  []byte `json:",omitempty"`
}

// BucketEncryption is a bucket's default encryption
// (PutBucketEncryption): what a write that asks for none gets.
type BucketEncryption struct {
	Algorithm        string // AES256 or aws:kms
	KMSKeyID         string `json:",omitempty"` // as configured ("" = the default aws/s3 key)
	BucketKeyEnabled bool   `json:",omitempty"`
}

// Object is the metadata of one S3 object; its bytes are the concatenation
// of Blobs.
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
	// Encryption is nil for an object stored in clear; otherwise every
	// blob is an sse stream under the data key it seals.
	Encryption *Encryption `json:",omitempty"`
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
	// LockMode is the version's retention mode (LockGovernance,
	// LockCompliance; "" none) until LockUntil; LegalHold is its legal
	// hold: LegalHoldOn, LegalHoldOff, or "" (never set). See Removable.
	LockMode  string    `json:",omitempty"`
	LockUntil time.Time `json:",omitzero"`
	LegalHold string    `json:",omitempty"`
	// ACL is the object's access control list; nil is the default, its
	// owner's FULL_CONTROL.
	ACL []Grant `json:",omitempty"`
}

// Removal is when, and how, a version is removed: the time (from the
// caller's clock) retention is judged at, and whether governance-mode
// retention is bypassed (a caller allowed s3:BypassGovernanceRetention who
// asked to). Nothing bypasses compliance-mode retention or a legal hold.
type Removal struct {
	Now              time.Time
	BypassGovernance bool
}

// Removable reports whether the version may be removed, or its retention
// shortened or removed, at r: ErrLocked while a legal hold is on, while
// compliance retention lasts, or while governance retention lasts and is
// not bypassed. Retention lasts while r.Now is before LockUntil.
func (o *Object) Removable(r Removal) error {
	if o.LegalHold == LegalHoldOn {
		return ErrLocked
	}
	if o.LockMode == "" || !r.Now.Before(o.LockUntil) {
		return nil
	}
	if o.LockMode == LockGovernance && r.BypassGovernance {
		return nil
	}
	return ErrLocked
}

// Upload is an in-progress multipart upload.
type Upload struct {
	ID        string
	Bucket    string
	Key       string
	Initiator string // principal ARN
	// InitiatorID is the initiator's aws:userid (its entity's unique id,
	// and a role session's name): the initiator's default permission to
	// abort the upload and list its parts is bound to it, not to the ARN a
	// deleted-and-recreated entity would share ("" for uploads started
	// before it was recorded, which get no such permission).
	InitiatorID       string `json:",omitempty"`
	Owner             string // account
	CreatedAt         time.Time
	ContentType       string
	Headers           map[string]string
	Metadata          map[string]string
	Tags              []Tag
	ChecksumAlgorithm string
	ChecksumType      string // FULL_OBJECT or COMPOSITE when ChecksumAlgorithm is set
	// Encryption: every part is encrypted under the data key it seals;
	// the completed object takes it over.
	Encryption   *Encryption `json:",omitempty"`
	StorageClass string      `json:",omitempty"` // of the object it creates ("" is STANDARD)
	// LockMode, LockUntil and LegalHold are the Object Lock the completed
	// object gets (as Object's).
	LockMode  string    `json:",omitempty"`
	LockUntil time.Time `json:",omitzero"`
	LegalHold string    `json:",omitempty"`
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
	// NoncurrentSince is when the version stopped being its key's latest
	// (zero while it is the latest): what NoncurrentDays count from.
	NoncurrentSince time.Time
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
	// ListAllBuckets returns one page of every account's buckets ordered by
	// name, after the name after (the lifecycle worker's walk).
	ListAllBuckets(ctx context.Context, after string, limit int) ([]*Bucket, error)
	DeleteBucket(ctx context.Context, name string) error
}

// Objects stores S3 object metadata: the versions of each key, newest
// first. A key's current version is its latest one unless that is a delete
// marker (then the key has no current version). Each version keeps its
// blob references until it is removed, whether it is current or not.
type Objects interface {
	// PutObject makes o (an object or a delete marker) the latest version
	// of its key. An existing version with o's VersionID ("" means
	// NullVersion) is replaced and returned (ErrLocked, and nothing
	// written, when that version is not Removable at o.LastModified) — its blobs, unless shared,
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
	// included) and returns it; ErrLocked, and nothing removed, when the
	// version is not Removable at r (judged in the removing transaction). When it was the latest, the newest version
	// left becomes the latest (and current, unless it is a delete marker).
	DeleteVersion(ctx context.Context, bucket, key, versionID string, r Removal) (*Object, error)
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

// LifecycleCursor is how far the lifecycle worker's current pass over a
// bucket got: the pass resumes after it when the process restarted
// mid-pass. Phase is "versions" or "uploads"; KeyMarker and
// VersionIDMarker (the upload id in the uploads phase) name the last entry
// the pass finished with.
type LifecycleCursor struct {
	Bucket          string
	Phase           string
	KeyMarker       string
	VersionIDMarker string
	// Started is when the pass began (the instant its rules are judged at).
	Started time.Time
}

// LifecycleCursors stores the lifecycle worker's progress, a cursor per
// bucket, so that a crash resumes a pass instead of restarting it.
type LifecycleCursors interface {
	// GetLifecycleCursor returns ErrNotFound when no pass is under way.
	GetLifecycleCursor(ctx context.Context, bucket string) (*LifecycleCursor, error)
	PutLifecycleCursor(ctx context.Context, c *LifecycleCursor) error
	// DeleteLifecycleCursor ends the bucket's pass (no error when none).
	DeleteLifecycleCursor(ctx context.Context, bucket string) error
}
