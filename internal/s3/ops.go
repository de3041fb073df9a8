package s3

import (
	"net/http"
	"strings"

	"github.com/gatehouse/gatehouse/internal/awsapi"
)

type level int

const (
	levelService level = iota // ListBuckets
	levelBucket               // arn:aws:s3:::bucket
	levelObject               // arn:aws:s3:::bucket/key
)

// operation is one S3 API: its IAM action on the request's resource, the
// condition keys it adds, and its handler. Operations that need more than
// one decision (CopyObject, DeleteObjects, a missing key's 404) make the
// others in their handler through call.authorize.
type operation struct {
	name   string
	action string // "" when the handler authorizes by itself
	level  level
	keys   func(c *call, set func(string, ...string))
	handle func(c *call) error
}

// The operation table. Entries are immutable.
var (
	opListBuckets       = &operation{"ListBuckets", "s3:ListAllMyBuckets", levelService, nil, (*call).listBuckets}
	opCreateBucket      = &operation{"CreateBucket", "", levelService, nil, (*call).createBucket}
	opHeadBucket        = &operation{"HeadBucket", "s3:ListBucket", levelBucket, nil, (*call).headBucket}
	opDeleteBucket      = &operation{"DeleteBucket", "s3:DeleteBucket", levelBucket, nil, (*call).deleteBucket}
	opGetBucketLocation = &operation{"GetBucketLocation", "s3:GetBucketLocation", levelBucket, nil, (*call).getBucketLocation}
	opListObjects       = &operation{"ListObjects", "s3:ListBucket", levelBucket, (*call).listKeys, (*call).listObjects}
	opListObjectsV2     = &operation{"ListObjectsV2", "s3:ListBucket", levelBucket, (*call).listKeys, (*call).listObjectsV2}
	opListUploads       = &operation{"ListMultipartUploads", "s3:ListBucketMultipartUploads", levelBucket, (*call).listKeys, (*call).listUploads}
	opGetBucketPolicy   = &operation{"GetBucketPolicy", "", levelBucket, nil, (*call).getBucketPolicy}
	opPutBucketPolicy   = &operation{"PutBucketPolicy", "", levelBucket, nil, (*call).putBucketPolicy}
	opDelBucketPolicy   = &operation{"DeleteBucketPolicy", "", levelBucket, nil, (*call).deleteBucketPolicy}
	opGetBucketCors     = &operation{"GetBucketCors", "s3:GetBucketCORS", levelBucket, nil, (*call).getBucketCors}
	opPutBucketCors     = &operation{"PutBucketCors", "s3:PutBucketCORS", levelBucket, nil, (*call).putBucketCors}
	opDelBucketCors     = &operation{"DeleteBucketCors", "s3:PutBucketCORS", levelBucket, nil, (*call).deleteBucketCors}
	opGetBucketTagging  = &operation{"GetBucketTagging", "s3:GetBucketTagging", levelBucket, nil, (*call).getBucketTagging}
	opPutBucketTagging  = &operation{"PutBucketTagging", "s3:PutBucketTagging", levelBucket, nil, (*call).putBucketTagging}
	opDelBucketTagging  = &operation{"DeleteBucketTagging", "s3:PutBucketTagging", levelBucket, nil, (*call).deleteBucketTagging}
	opGetVersioning     = &operation{"GetBucketVersioning", "s3:GetBucketVersioning", levelBucket, nil, (*call).getBucketVersioning}
	opGetBucketACL      = &operation{"GetBucketAcl", "s3:GetBucketAcl", levelBucket, nil, (*call).getACL}
	opDeleteObjects     = &operation{"DeleteObjects", "", levelBucket, nil, (*call).deleteObjects}
	opPostObject        = &operation{"PostObject", "", levelBucket, nil, nil}

	opPutObject        = &operation{"PutObject", "s3:PutObject", levelObject, (*call).putKeys, (*call).putObject}
	opCopyObject       = &operation{"CopyObject", "s3:PutObject", levelObject, (*call).copyKeys, (*call).copyObject}
	opGetObject        = &operation{"GetObject", "", levelObject, nil, (*call).getObject}
	opHeadObject       = &operation{"HeadObject", "", levelObject, nil, (*call).getObject}
	opDeleteObject     = &operation{"DeleteObject", "", levelObject, nil, (*call).deleteObject}
	opGetObjectTagging = &operation{"GetObjectTagging", "", levelObject, nil, (*call).getObjectTagging}
	opPutObjectTagging = &operation{"PutObjectTagging", "", levelObject, nil, (*call).putObjectTagging}
	opDelObjectTagging = &operation{"DeleteObjectTagging", "", levelObject, nil, (*call).deleteObjectTagging}
	opGetObjectACL     = &operation{"GetObjectAcl", "", levelObject, nil, (*call).getObjectACL}
	opCreateUpload     = &operation{"CreateMultipartUpload", "s3:PutObject", levelObject, (*call).putKeys, (*call).createUpload}
	opUploadPart       = &operation{"UploadPart", "s3:PutObject", levelObject, nil, (*call).uploadPart}
	opUploadPartCopy   = &operation{"UploadPartCopy", "s3:PutObject", levelObject, (*call).copyKeys, (*call).uploadPartCopy}
	opCompleteUpload   = &operation{"CompleteMultipartUpload", "s3:PutObject", levelObject, nil, (*call).completeUpload}
	opAbortUpload      = &operation{"AbortMultipartUpload", "s3:AbortMultipartUpload", levelObject, nil, (*call).abortUpload}
	opListParts        = &operation{"ListParts", "s3:ListMultipartUploadParts", levelObject, nil, (*call).listParts}
)

// operation picks the S3 API from the method, the addressing and the
// query's subresources.
func (c *call) operation() (*operation, error) {
	q, m := c.q, c.r.Method
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
			case has("tagging"):
				return opPutBucketTagging, nil
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
			case has("tagging"):
				return opDelBucketTagging, nil
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
			case has("tagging"):
				return opGetBucketTagging, nil
			case has("uploads"):
				return opListUploads, nil
			case has("versioning"):
				return opGetVersioning, nil
			case has("acl"):
				return opGetBucketACL, nil
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
		return nil, notImplemented()
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
	return nil, notImplemented()
}

// subresources S3 knows but Gatehouse does not serve; a request naming one
// gets NotImplemented rather than being mistaken for a plain GET or PUT.
var subresources = []string{"accelerate", "acl", "analytics", "attributes", "encryption", "intelligent-tiering",
	"inventory", "legal-hold", "lifecycle", "logging", "metrics", "notification", "object-lock", "ownershipControls",
	"policyStatus", "publicAccessBlock", "replication", "requestPayment", "restore", "retention", "select",
	"torrent", "versioning", "versions", "website", "uploads", "uploadId", "tagging", "cors", "policy", "location",
	"delete", "partNumber"}

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
	return &awsapi.Error{Code: "MethodNotAllowed", Message: "The specified method is not allowed against this resource.",
		Fields: []awsapi.Field{{Name: "Method", Value: method}, {Name: "ResourceType", Value: kind}}}
}

func notImplemented() error {
	return awsapi.NewError("NotImplemented", "A header you provided implies functionality that is not implemented")
}
