package sts_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/aws-sdk-go-v2/service/sts/types"
)

// TestTrustPolicyRequestKeys: a trust policy's conditions see each of the
// request's own keys of an AssumeRole — sts:RoleSessionName,
// sts:ExternalId, sts:SourceIdentity, aws:RequestTag/…, aws:TagKeys and
// sts:TransitiveTagKeys — and the call is allowed with the value the
// condition asks for and denied with another.
func TestTrustPolicyRequestKeys(t *testing.T) {
	tag := func(k, v string) []types.Tag { return []types.Tag{{Key: aws.String(k), Value: aws.String(v)}} }
	for _, c := range []struct {
		name      string
		condition string
		allowed   sts.AssumeRoleInput
		denied    sts.AssumeRoleInput
	}{
		{"session name", `{"StringLike":{"sts:RoleSessionName":"ci-*"}}`,
			sts.AssumeRoleInput{RoleSessionName: aws.String("ci-42")}, sts.AssumeRoleInput{RoleSessionName: aws.String("laptop")}},
		{"external id", `{"StringEquals":{"sts:ExternalId":"Unique-1234"}}`,
			sts.AssumeRoleInput{ExternalId: aws.String("Unique-1234")}, sts.AssumeRoleInput{ExternalId: aws.String("guess-1234")}},
		{"source identity", `{"StringEquals":{"sts:SourceIdentity":"alice@example.com"}}`,
			sts.AssumeRoleInput{SourceIdentity: aws.String("alice@example.com")}, sts.AssumeRoleInput{SourceIdentity: aws.String("mallory@example.com")}},
		{"request tag", `{"StringEquals":{"aws:RequestTag/Team":"blue"}}`,
			sts.AssumeRoleInput{Tags: tag("team", "blue")}, sts.AssumeRoleInput{Tags: tag("team", "red")}},
		{"tag keys", `{"ForAllValues:StringEquals":{"aws:TagKeys":["team"]}}`,
			sts.AssumeRoleInput{Tags: tag("team", "blue")}, sts.AssumeRoleInput{Tags: tag("cost-centre", "7")}},
		{"transitive tag keys", `{"ForAnyValue:StringEquals":{"sts:TransitiveTagKeys":["team"]}}`,
			sts.AssumeRoleInput{Tags: tag("team", "blue"), TransitiveTagKeys: []string{"team"}}, sts.AssumeRoleInput{Tags: tag("team", "blue")}},
	} {
		t.Run(c.name, func(t *testing.T) {
			w := setup(t, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::`+acct+
				`:user/alice"},"Action":["sts:AssumeRole","sts:TagSession","sts:SetSourceIdentity"],"Condition":`+c.condition+`}]}`)
			if _, err := w.assume(&c.allowed); err != nil {
				t.Fatalf("the value the condition asks for: %v", err)
			}
			_, err := w.assume(&c.denied)
			apiErr(t, err, "AccessDenied", "is not authorized to perform: sts:")
		})
	}
}
