package s3

import (
	"net/http"
	"strings"

	"github.com/gatehouse/gatehouse/internal/awsapi"
	"github.com/gatehouse/gatehouse/internal/pipeline"
)

type level int

const (
	levelService level = iota // ListBuckets
	levelBucket               // arn:aws:s3:::bucket
	levelObject               // arn:aws:s3:::bucket/key
)

// operation is one S3 API: its IAM action on the request's resource (and
// the action it is authorized as when the request names a version with
// ?versionId=, adding s3:VersionId), the condition keys it adds, how it
// resolves its checks, and its handler.
// Every operation names an action; one with no resolve step declares the
// single check of that action on the request's resource. Operations that
// need more than one decision (CopyObject's source, DeleteObjects per key,
// a missing key's 404, tag and ACL headers) declare them all in resolve;
// handlers never authorize.
type operation struct {
	name          string
	action        string
	versionAction string
	level         level
	keys          func(c *call, set func(string, ...string))
	resolve       func(c *call) (pipeline.Plan, error)
	handle        func(c *call) error
	// noCheck, for the CORS preflight only, is why no policy applies.
	noCheck string
	// prefetch: Resolve reads the addressed version with the bucket, in
	// one store read (GET and HEAD: a read each saved on the hot path).
	prefetch bool
}

// The operation table. Entries are immutable.
var (
	opListBuckets       = &operation{name: "ListBuckets", action: "s3:ListAllMyBuckets", level: levelService, handle: (*call).listBuckets}
	opCreateBucket      = &operation{name: "CreateBucket", action: "s3:CreateBucket", level: levelService, resolve: (*call).resolveCreateBucket, handle: (*call).createBucket}
	opHeadBucket        = &operation{name: "HeadBucket", action: "s3:ListBucket", level: levelBucket, handle: (*call).headBucket}
	opDeleteBucket      = &operation{name: "DeleteBucket", action: "s3:DeleteBucket", level: levelBucket, handle: (*call).deleteBucket}
	opGetBucketLocation = &operation{name: "GetBucketLocation", action: "s3:GetBucketLocation", level: levelBucket, handle: (*call).getBucketLocation}
	opListObjects       = &operation{name: "ListObjects", action: "s3:ListBucket", level: levelBucket, keys: (*call).listKeys, handle: (*call).listObjects}
	opListObjectsV2     = &operation{name: "ListObjectsV2", action: "s3:ListBucket", level: levelBucket, keys: (*call).listKeys, handle: (*call).listObjectsV2}
	opListUploads       = &operation{name: "ListMultipartUploads", action: "s3:ListBucketMultipartUploads", level: levelBucket, keys: (*call).listKeys, handle: (*call).listUploads}
	opGetBucketPolicy   = &operation{name: "GetBucketPolicy", action: "s3:GetBucketPolicy", level: levelBucket, resolve: (*call).resolvePolicyAPI, handle: (*call).getBucketPolicy}
	opPutBucketPolicy   = &operation{name: "PutBucketPolicy", action: "s3:PutBucketPolicy", level: levelBucket, resolve: (*call).resolvePutBucketPolicy, handle: (*call).putBucketPolicy}
	opDelBucketPolicy   = &operation{name: "DeleteBucketPolicy", action: "s3:DeleteBucketPolicy", level: levelBucket, resolve: (*call).resolvePolicyAPI, handle: (*call).deleteBucketPolicy}
	opGetBucketCors     = &operation{name: "GetBucketCors", action: "s3:GetBucketCORS", level: levelBucket, handle: (*call).getBucketCors}
	opPutBucketCors     = &operation{name: "PutBucketCors", action: "s3:PutBucketCORS", level: levelBucket, handle: (*call).putBucketCors}
	opDelBucketCors     = &operation{name: "DeleteBucketCors", action: "s3:PutBucketCORS", level: levelBucket, handle: (*call).deleteBucketCors}
	opGetLifecycle      = &operation{name: "GetBucketLifecycleConfiguration", action: "s3:GetLifecycleConfiguration", level: levelBucket, handle: (*call).getBucketLifecycle}
	opPutLifecycle      = &operation{name: "PutBucketLifecycleConfiguration", action: "s3:PutLifecycleConfiguration", level: levelBucket, handle: (*call).putBucketLifecycle}
	opDelLifecycle      = &operation{name: "DeleteBucketLifecycle", action: "s3:PutLifecycleConfiguration", level: levelBucket, handle: (*call).deleteBucketLifecycle}
	opGetBucketTagging  = &operation{name: "GetBucketTagging", action: "s3:GetBucketTagging", level: levelBucket, handle: (*call).getBucketTagging}
	opPutBucketTagging  = &operation{name: "PutBucketTagging", action: "s3:PutBucketTagging", level: levelBucket, handle: (*call).putBucketTagging}
	opDelBucketTagging  = &operation{name: "DeleteBucketTagging", action: "s3:PutBucketTagging", level: levelBucket, handle: (*call).deleteBucketTagging}
	opGetBucketEnc      = &operation{name: "GetBucketEncryption", action: "s3:GetEncryptionConfiguration", level: levelBucket, handle: (*call).getBucketEncryption}
	opPutBucketEnc      = &operation{name: "PutBucketEncryption", action: "s3:PutEncryptionConfiguration", level: levelBucket, handle: (*call).putBucketEncryption}
	opDelBucketEnc      = &operation{name: "DeleteBucketEncryption", action: "s3:PutEncryptionConfiguration", level: levelBucket, handle: (*call).deleteBucketEncryption}
	opGetVersioning     = &operation{name: "GetBucketVersioning", action: "s3:GetBucketVersioning", level: levelBucket, handle: (*call).getBucketVersioning}
	opPutVersioning     = &operation{name: "PutBucketVersioning", action: "s3:PutBucketVersioning", level: levelBucket, resolve: (*call).resolvePutVersioning, handle: (*call).putBucketVersioning}
	opListVersions      = &operation{name: "ListObjectVersions", action: "s3:ListBucketVersions", level: levelBucket, keys: (*call).listKeys, handle: (*call).listVersions}
	opGetBucketACL      = &operation{name: "GetBucketAcl", action: "s3:GetBucketAcl", level: levelBucket, handle: (*call).getACL}
	opPutBucketACL      = &operation{name: "PutBucketAcl", action: "s3:PutBucketAcl", level: levelBucket, keys: (*call).aclHeaderKeys, resolve: (*call).resolvePutACL, handle: (*call).putBucketACL}
	opGetPAB            = &operation{name: "GetPublicAccessBlock", action: "s3:GetBucketPublicAccessBlock", level: levelBucket, handle: (*call).getPublicAccessBlock}
	opPutPAB            = &operation{name: "PutPublicAccessBlock", action: "s3:PutBucketPublicAccessBlock", level: levelBucket, handle: (*call).putPublicAccessBlock}
	opDelPAB            = &operation{name: "DeletePublicAccessBlock", action: "s3:PutBucketPublicAccessBlock", level: levelBucket, handle: (*call).deletePublicAccessBlock}
	opGetPolicyStatus   = &operation{name: "GetBucketPolicyStatus", action: "s3:GetBucketPolicyStatus", level: levelBucket, handle: (*call).getBucketPolicyStatus}
	opGetOwnership      = &operation{name: "GetBucketOwnershipControls", action: "s3:GetBucketOwnershipControls", level: levelBucket, handle: (*call).getOwnershipControls}
	opPutOwnership      = &operation{name: "PutBucketOwnershipControls", action: "s3:PutBucketOwnershipControls", level: levelBucket, handle: (*call).putOwnershipControls}
	opDelOwnership      = &operation{name: "DeleteBucketOwnershipControls", action: "s3:PutBucketOwnershipControls", level: levelBucket, handle: (*call).deleteOwnershipControls}
	opDeleteObjects     = &operation{name: "DeleteObjects", action: "s3:DeleteObject", level: levelBucket, resolve: (*call).resolveDeleteObjects, handle: (*call).deleteObjects}
	opPostObject        = &operation{name: "PostObject", action: "s3:PutObject", level: levelBucket, resolve: (*call).resolvePostObject, handle: (*call).postObject}
	opGetLockConfig     = &operation{name: "GetObjectLockConfiguration", action: "s3:GetBucketObjectLockConfiguration", level: levelBucket, handle: (*call).getLockConfig}
	opPutLockConfig     = &operation{name: "PutObjectLockConfiguration", action: "s3:PutBucketObjectLockConfiguration", level: levelBucket, resolve: (*call).resolvePutLockConfig, handle: (*call).putLockConfig}
	opPreflight         = &operation{name: "PreflightRequest", level: levelService, handle: (*call).preflight,
		noCheck: "a CORS preflight carries no credentials and grants nothing: it is answered from the bucket's CORS rules"}

	opPutObject        = &operation{name: "PutObject", action: "s3:PutObject", level: levelObject, keys: (*call).putKeys, resolve: (*call).resolvePut, handle: (*call).putObject}
	opCopyObject       = &operation{name: "CopyObject", action: "s3:PutObject", level: levelObject, keys: (*call).copyKeys, resolve: (*call).resolveCopy, handle: (*call).copyObject}
	opGetObject        = &operation{name: "GetObject", action: "s3:GetObject", versionAction: "s3:GetObjectVersion", level: levelObject, resolve: (*call).resolveRead, handle: (*call).getObject, prefetch: true}
	opHeadObject       = &operation{name: "HeadObject", action: "s3:GetObject", versionAction: "s3:GetObjectVersion", level: levelObject, resolve: (*call).resolveRead, handle: (*call).getObject, prefetch: true}
	opDeleteObject     = &operation{name: "DeleteObject", action: "s3:DeleteObject", versionAction: "s3:DeleteObjectVersion", level: levelObject, keys: (*call).conditionKeys, resolve: (*call).resolveDelete, handle: (*call).deleteObject}
	opGetObjectTagging = &operation{name: "GetObjectTagging", action: "s3:GetObjectTagging", versionAction: "s3:GetObjectVersionTagging", level: levelObject, resolve: (*call).resolveExisting, handle: (*call).getObjectTagging}
	opPutObjectTagging = &operation{name: "PutObjectTagging", action: "s3:PutObjectTagging", versionAction: "s3:PutObjectVersionTagging", level: levelObject, resolve: (*call).resolvePutObjectTagging, handle: (*call).putObjectTagging}
	opDelObjectTagging = &operation{name: "DeleteObjectTagging", action: "s3:DeleteObjectTagging", versionAction: "s3:DeleteObjectVersionTagging", level: levelObject, resolve: (*call).resolveExisting, handle: (*call).deleteObjectTagging}
	opGetAttributes    = &operation{name: "GetObjectAttributes", action: "s3:GetObjectAttributes", versionAction: "s3:GetObjectVersionAttributes", level: levelObject, resolve: (*call).resolveAttributes, handle: (*call).getObjectAttributes}
	opGetObjectACL     = &operation{name: "GetObjectAcl", action: "s3:GetObjectAcl", versionAction: "s3:GetObjectVersionAcl", level: levelObject, resolve: (*call).resolveExisting, handle: (*call).getObjectACL}
	opPutObjectACL     = &operation{name: "PutObjectAcl", action: "s3:PutObjectAcl", versionAction: "s3:PutObjectVersionAcl", level: levelObject, keys: (*call).aclHeaderKeys, resolve: (*call).resolvePutACL, handle: (*call).putObjectACL}
	opCreateUpload     = &operation{name: "CreateMultipartUpload", action: "s3:PutObject", level: levelObject, keys: (*call).putKeys, resolve: (*call).resolvePut, handle: (*call).createUpload}
	opUploadPart       = &operation{name: "UploadPart", action: "s3:PutObject", level: levelObject, handle: (*call).uploadPart}
	opUploadPartCopy   = &operation{name: "UploadPartCopy", action: "s3:PutObject", level: levelObject, keys: (*call).copyKeys, resolve: (*call).resolveCopy, handle: (*call).uploadPartCopy}
	opCompleteUpload   = &operation{name: "CompleteMultipartUpload", action: "s3:PutObject", level: levelObject, keys: (*call).conditionKeys, handle: (*call).completeUpload}
	opAbortUpload      = &operation{name: "AbortMultipartUpload", action: "s3:AbortMultipartUpload", level: levelObject, resolve: (*call).resolveInitiated, handle: (*call).abortUpload}
	opGetRetention     = &operation{name: "GetObjectRetention", action: "s3:GetObjectRetention", versionAction: "s3:GetObjectRetention", level: levelObject, resolve: (*call).resolveExisting, handle: (*call).getRetention}
	opPutRetention     = &operation{name: "PutObjectRetention", action: "s3:PutObjectRetention", versionAction: "s3:PutObjectRetention", level: levelObject, keys: (*call).retentionKeys, resolve: (*call).resolvePutRetention, handle: (*call).putRetention}
	opGetLegalHold     = &operation{name: "GetObjectLegalHold", action: "s3:GetObjectLegalHold", versionAction: "s3:GetObjectLegalHold", level: levelObject, resolve: (*call).resolveExisting, handle: (*call).getLegalHold}
	opPutLegalHold     = &operation{name: "PutObjectLegalHold", action: "s3:PutObjectLegalHold", versionAction: "s3:PutObjectLegalHold", level: levelObject, keys: (*call).legalHoldKeys, resolve: (*call).resolvePutLegalHold, handle: (*call).putLegalHold}
	opListParts        = &operation{name: "ListParts", action: "s3:ListMultipartUploadParts", level: levelObject, resolve: (*call).resolveInitiated, handle: (*call).listParts}
)

// S3 Control's operations (control.go): the account's Block Public Access.
var (
	opGetAccountPAB = &operation{name: "GetAccountPublicAccessBlock", action: "s3:GetAccountPublicAccessBlock", level: levelService, resolve: (*call).resolveControl, handle: (*call).getAccountPublicAccessBlock}
	opPutAccountPAB = &operation{name: "PutAccountPublicAccessBlock", action: "s3:PutAccountPublicAccessBlock", level: levelService, resolve: (*call).resolveControl, handle: (*call).putAccountPublicAccessBlock}
	opDelAccountPAB = &operation{name: "DeleteAccountPublicAccessBlock", action: "s3:PutAccountPublicAccessBlock", level: levelService, resolve: (*call).resolveControl, handle: (*call).deleteAccountPublicAccessBlock}
)

// operations is every entry of the table (for table tests).
var operations = []*operation{opListBuckets, opCreateBucket, opHeadBucket, opDeleteBucket, opGetBucketLocation, opListObjects,
	opListObjectsV2, opListUploads, opGetBucketPolicy, opPutBucketPolicy, opDelBucketPolicy, opGetBucketCors, opPutBucketCors,
	opDelBucketCors, opGetLifecycle, opPutLifecycle, opDelLifecycle, opGetBucketTagging, opPutBucketTagging, opDelBucketTagging,
	opGetBucketEnc, opPutBucketEnc, opDelBucketEnc, opGetVersioning, opPutVersioning, opListVersions, opGetBucketACL, opPutBucketACL,
	opGetOwnership, opPutOwnership, opDelOwnership, opDeleteObjects,
	opGetPAB, opPutPAB, opDelPAB, opGetPolicyStatus, opGetAccountPAB, opPutAccountPAB, opDelAccountPAB,
	opPostObject, opPreflight, opPutObject, opCopyObject, opGetObject, opHeadObject, opDeleteObject, opGetObjectTagging,
	opPutObjectTagging, opDelObjectTagging, opGetAttributes, opGetObjectACL, opPutObjectACL, opCreateUpload, opUploadPart, opUploadPartCopy, opCompleteUpload,
	opAbortUpload, opListParts, opGetLockConfig, opPutLockConfig, opGetRetention, opPutRetention, opGetLegalHold, opPutLegalHold}

// operation picks the S3 API from the method, the addressing and the
// query's subresources.
func (c *call) operation() (*operation, error) {
	q, m := c.q, c.r.Method
	if m == http.MethodOptions {
		return opPreflight, nil
	}
	if c.control {
		return c.controlOperation()
	}
	has := func(k string) bool { _, ok := q[k]; return ok }
	if c.bucket == "" {
		if m == http.MethodGet {
			return opListBuckets, nil
		}
		return nil, methodNotAllowed(m, "SERVICE")
	}
	if c.key == "" {
		switch m {
		case http.MethodPut:
			switch {
			case has("policy"):
				return opPutBucketPolicy, nil
			case has("cors"):
				return opPutBucketCors, nil
			case has("lifecycle"):
				return opPutLifecycle, nil
			case has("tagging"):
				return opPutBucketTagging, nil
			case has("encryption"):
				return opPutBucketEnc, nil
			case has("publicAccessBlock"):
				return opPutPAB, nil
			case has("versioning"):
				return opPutVersioning, nil
			case has("acl"):
				return opPutBucketACL, nil
			case has("object-lock"):
				return opPutLockConfig, nil
			case has("ownershipControls"):
				return opPutOwnership, nil
			case len(q) == 0:
				return opCreateBucket, nil
			}
		case http.MethodHead:
			return opHeadBucket, nil
		case http.MethodDelete:
			switch {
			case has("policy"):
				return opDelBucketPolicy, nil
			case has("cors"):
				return opDelBucketCors, nil
			case has("lifecycle"):
				return opDelLifecycle, nil
			case has("tagging"):
				return opDelBucketTagging, nil
			case has("encryption"):
				return opDelBucketEnc, nil
			case has("publicAccessBlock"):
				return opDelPAB, nil
			case has("ownershipControls"):
				return opDelOwnership, nil
			case len(q) == 0:
				return opDeleteBucket, nil
			}
		case http.MethodGet:
			switch {
			case has("location"):
				return opGetBucketLocation, nil
			case has("policy"):
				return opGetBucketPolicy, nil
			case has("cors"):
				return opGetBucketCors, nil
			case has("lifecycle"):
				return opGetLifecycle, nil
			case has("tagging"):
				return opGetBucketTagging, nil
			case has("encryption"):
				return opGetBucketEnc, nil
			case has("uploads"):
				return opListUploads, nil
			case has("versioning"):
				return opGetVersioning, nil
			case has("versions"):
				return opListVersions, nil
			case has("acl"):
				return opGetBucketACL, nil
			case has("publicAccessBlock"):
				return opGetPAB, nil
			case has("policyStatus"):
				return opGetPolicyStatus, nil
			case has("object-lock"):
				return opGetLockConfig, nil
			case has("ownershipControls"):
				return opGetOwnership, nil
			case q.Get("list-type") == "2":
				return opListObjectsV2, nil
			case !hasSubresource(q):
				return opListObjects, nil
			}
		case http.MethodPost:
			switch {
			case has("delete"):
				return opDeleteObjects, nil
			case strings.HasPrefix(strings.ToLower(c.r.Header.Get("Content-Type")), "multipart/form-data"):
				return opPostObject, nil
			}
		default:
			return nil, methodNotAllowed(m, "BUCKET")
		}
		return nil, c.unsupported()
	}
	switch m {
	case http.MethodPut:
		switch {
		case has("partNumber") && has("uploadId"):
			if c.r.Header.Get("x-amz-copy-source") != "" {
				return opUploadPartCopy, nil
			}
			return opUploadPart, nil
		case has("tagging"):
			return opPutObjectTagging, nil
		case has("acl"):
			return opPutObjectACL, nil
		case has("retention"):
			return opPutRetention, nil
		case has("legal-hold"):
			return opPutLegalHold, nil
		case !hasSubresource(q):
			if c.r.Header.Get("x-amz-copy-source") != "" {
				return opCopyObject, nil
			}
			return opPutObject, nil
		}
	case http.MethodGet:
		switch {
		case has("uploadId"):
			return opListParts, nil
		case has("tagging"):
			return opGetObjectTagging, nil
		case has("acl"):
			return opGetObjectACL, nil
		case has("retention"):
			return opGetRetention, nil
		case has("legal-hold"):
			return opGetLegalHold, nil
		case has("attributes"):
			return opGetAttributes, nil
		case !hasSubresource(q) || onlyPartNumber(q):
			return opGetObject, nil
		}
	case http.MethodHead:
		return opHeadObject, nil
	case http.MethodDelete:
		switch {
		case has("uploadId"):
			return opAbortUpload, nil
		case has("tagging"):
			return opDelObjectTagging, nil
		case !hasSubresource(q):
			return opDeleteObject, nil
		}
	case http.MethodPost:
		switch {
		case has("uploads"):
			return opCreateUpload, nil
		case has("uploadId"):
			return opCompleteUpload, nil
		}
	default:
		return nil, methodNotAllowed(m, "OBJECT")
	}
	return nil, c.unsupported()
}

// subresources S3 knows but Gatehouse does not serve; a request naming one
// gets NotImplemented rather than being mistaken for a plain GET or PUT.
var subresources = []string{"accelerate", "acl", "analytics", "attributes", "encryption", "intelligent-tiering",
	"inventory", "legal-hold", "lifecycle", "logging", "metrics", "notification", "object-lock", "ownershipControls",
	"policyStatus", "publicAccessBlock", "replication", "requestPayment", "restore", "retention", "select",
	"torrent", "versioning", "versions", "website", "uploads", "uploadId", "tagging", "cors", "policy", "location",
	"delete", "partNumber", "abac", "session", "metadataConfiguration", "metadataTable", "metadataInventoryTable",
	"metadataJournalTable", "metadataAnnotationTable", "renameObject", "annotation"}

func hasSubresource(q map[string][]string) bool {
	for _, k := range subresources {
		if _, ok := q[k]; ok {
			return true
		}
	}
	return false
}

// onlyPartNumber: GetObject ?partNumber=N reads one part of an object.
func onlyPartNumber(q map[string][]string) bool {
	_, pn := q["partNumber"]
	_, id := q["uploadId"]
	return pn && !id
}

func methodNotAllowed(method, kind string) error {
	return awsapi.S3MethodNotAllowed.Of().With("Method", method).With("ResourceType", kind)
}

func notImplemented() error {
	return awsapi.HeaderNotImplemented.Of()
}

// OperationNames lists every S3 operation the service routes (for the
// deny-by-default matrix and documentation).
func OperationNames() []string {
	out := make([]string, len(operations))
	for i, op := range operations {
		out[i] = op.name
	}
	return out
}
