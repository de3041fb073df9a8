package s3_test

import (
	"regexp"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// canonicalIDPattern is the shape of an S3 canonical user id.
var canonicalIDPattern = regexp.MustCompile(`^[0-9a-f]{64}$`)

// canonicalID is the canonical user id of c's account, as ListBuckets
// names it (how AWS users find theirs).
func canonicalID(t *testing.T, c *s3.Client) string {
	t.Helper()
	out, err := c.ListBuckets(ctx, &s3.ListBucketsInput{})
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(out.Owner.ID)
	if !canonicalIDPattern.MatchString(id) || out.Owner.DisplayName != nil {
		t.Fatalf("ListBuckets Owner %+v: not a canonical user id alone", out.Owner)
	}
	return id
}
