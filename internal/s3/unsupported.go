package s3

import (
	"net/http"

	"github.com/gatehouse/gatehouse/internal/awsapi"
)

// The S3 operations Gatehouse does not serve, by the request that names
// them: each answers NotImplemented with the operation named, before
// authentication (there is nothing to authorize). docs/s3-compatibility.md
// lists every S3 operation with its status, and a test sends each request
// of its NotImplemented rows.

// unsupportedBucketOps names the bucket-level operations by subresource
// and method. Configurations addressed by id (analytics, inventory,
// metrics, intelligent-tiering) are "Get…" with ?id= and "List…s"
// without.
var unsupportedBucketOps = map[string]map[string]string{
	"accelerate": {http.MethodGet: "GetBucketAccelerateConfiguration", http.MethodPut: "PutBucketAccelerateConfiguration"},
	"analytics": {http.MethodGet: "GetBucketAnalyticsConfiguration", http.MethodPut: "PutBucketAnalyticsConfiguration",
		http.MethodDelete: "DeleteBucketAnalyticsConfiguration", listWithoutID: "ListBucketAnalyticsConfigurations"},
	"intelligent-tiering": {http.MethodGet: "GetBucketIntelligentTieringConfiguration", http.MethodPut: "PutBucketIntelligentTieringConfiguration",
		http.MethodDelete: "DeleteBucketIntelligentTieringConfiguration", listWithoutID: "ListBucketIntelligentTieringConfigurations"},
	"inventory": {http.MethodGet: "GetBucketInventoryConfiguration", http.MethodPut: "PutBucketInventoryConfiguration",
		http.MethodDelete: "DeleteBucketInventoryConfiguration", listWithoutID: "ListBucketInventoryConfigurations"},
	"logging": {http.MethodGet: "GetBucketLogging", http.MethodPut: "PutBucketLogging"},
	"metrics": {http.MethodGet: "GetBucketMetricsConfiguration", http.MethodPut: "PutBucketMetricsConfiguration",
		http.MethodDelete: "DeleteBucketMetricsConfiguration", listWithoutID: "ListBucketMetricsConfigurations"},
	"notification":            {http.MethodGet: "GetBucketNotificationConfiguration", http.MethodPut: "PutBucketNotificationConfiguration"},
	"replication":             {http.MethodGet: "GetBucketReplication", http.MethodPut: "PutBucketReplication", http.MethodDelete: "DeleteBucketReplication"},
	"requestPayment":          {http.MethodGet: "GetBucketRequestPayment", http.MethodPut: "PutBucketRequestPayment"},
	"website":                 {http.MethodGet: "GetBucketWebsite", http.MethodPut: "PutBucketWebsite", http.MethodDelete: "DeleteBucketWebsite"},
	"abac":                    {http.MethodGet: "GetBucketAbac", http.MethodPut: "PutBucketAbac"},
	"session":                 {http.MethodGet: "CreateSession"},
	"metadataConfiguration":   {http.MethodGet: "GetBucketMetadataConfiguration", http.MethodPost: "CreateBucketMetadataConfiguration", http.MethodDelete: "DeleteBucketMetadataConfiguration"},
	"metadataTable":           {http.MethodGet: "GetBucketMetadataTableConfiguration", http.MethodPost: "CreateBucketMetadataTableConfiguration", http.MethodDelete: "DeleteBucketMetadataTableConfiguration"},
	"metadataInventoryTable":  {http.MethodPut: "UpdateBucketMetadataInventoryTableConfiguration"},
	"metadataJournalTable":    {http.MethodPut: "UpdateBucketMetadataJournalTableConfiguration"},
	"metadataAnnotationTable": {http.MethodPut: "UpdateBucketMetadataAnnotationTableConfiguration"},
}

// listWithoutID is the pseudo-method of a GET without ?id= (a List…s).
const listWithoutID = "LIST"

// unsupportedObjectOps names the object-level operations likewise.
var unsupportedObjectOps = map[string]map[string]string{
	"torrent":      {http.MethodGet: "GetObjectTorrent"},
	"restore":      {http.MethodPost: "RestoreObject"},
	"select":       {http.MethodPost: "SelectObjectContent"},
	"renameObject": {http.MethodPut: "RenameObject"},
	"encryption":   {http.MethodPut: "UpdateObjectEncryption"},
	"annotation": {http.MethodGet: "GetObjectAnnotation", http.MethodPut: "PutObjectAnnotation", http.MethodDelete: "DeleteObjectAnnotation",
		"x-id=ListObjectAnnotations": "ListObjectAnnotations"},
}

// unsupported answers a request Gatehouse routes to no operation: the
// NotImplemented of the S3 operation it names, or S3's generic
// NotImplemented when it names none.
func (c *call) unsupported() error {
	q, m := c.q, c.r.Method
	if c.key == "" && c.bucket == "WriteGetObjectResponse" && m == http.MethodPost {
		return c.notImplementedOp("WriteGetObjectResponse")
	}
	table := unsupportedBucketOps
	if c.key != "" {
		table = unsupportedObjectOps
	}
	for sub, byMethod := range table {
		if _, ok := q[sub]; !ok {
			continue
		}
		method := m
		if _, id := q["id"]; m == http.MethodGet && !id && byMethod[listWithoutID] != "" {
			method = listWithoutID
		}
		if xid := "x-id=" + q.Get("x-id"); byMethod[xid] != "" { // the SDKs name some operations in x-id
			method = xid
		}
		if name := byMethod[method]; name != "" {
			return c.notImplementedOp(name)
		}
	}
	return notImplemented()
}

func (c *call) notImplementedOp(name string) error {
	c.rec.Operation = name
	return awsapi.OperationNotImplemented.Of(name)
}
