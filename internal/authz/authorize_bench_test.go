package authz_test

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/authz"
	"github.com/gatehouse/gatehouse/internal/policy"
	"github.com/gatehouse/gatehouse/internal/store"
	"github.com/gatehouse/gatehouse/internal/store/sqlite"
)

// benchPolicy is a customer managed policy of ten statements with
// conditions and wildcards, as real ones look; only policy last allows
// s3:GetObject on bucket data (the others allow other buckets and deny
// deletes there), so every statement of every policy is weighed.
func benchPolicy(i int, last bool) string {
	var st []string
	for j := range 10 {
		bucket := fmt.Sprintf("team-%d-%d", i, j)
		if last && j == 9 {
			bucket = "data"
		}
		st = append(st, fmt.Sprintf(`{"Sid":"S%d","Effect":"Allow","Action":["s3:GetObject","s3:PutObject","s3:List*"],"Resource":["arn:aws:s3:::%s","arn:aws:s3:::%s/*"],`+
			`"Condition":{"Bool":{"aws:SecureTransport":"true"},"StringLikeIfExists":{"s3:prefix":["home/${aws:username}/*",""]}}}`, j, bucket, bucket))
	}
	st = append(st, fmt.Sprintf(`{"Sid":"NoDelete%d","Effect":"Deny","Action":"s3:Delete*","Resource":"arn:aws:s3:::team-%d-*/*"}`, i, i))
	return `{"Version":"2012-10-17","Statement":[` + strings.Join(st, ",") + `]}`
}

// BenchmarkDecideTenAttachedPolicies: one authorization decision for a
// user with 10 attached customer managed policies (11 statements each, 10
// of them with two conditions) and a bucket policy, the entity's policies
// cached as they are between requests: the cost the pipeline pays per
// check. The target is at most 5 µs.
func BenchmarkDecideTenAttachedPolicies(b *testing.B) {
	st, err := sqlite.Open(filepath.Join(b.TempDir(), "meta.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	ref := store.EntityRef{Account: acct, Kind: store.KindUser, ID: "AIDABENCH00000000000"}
	err = st.Update(ctx, func(tx store.Tx) error {
		if err := tx.CreateAccount(ctx, &store.Account{ID: acct, CreatedAt: now}); err != nil {
			return err
		}
		if err := tx.CreateUser(ctx, &store.User{Account: acct, ID: ref.ID, Name: "bench", Path: "/", CreatedAt: now}); err != nil {
			return err
		}
		for i := range 10 {
			arn := fmt.Sprintf("arn:aws:iam::%s:policy/p%d", acct, i)
			mp := &store.ManagedPolicy{Account: acct, ID: fmt.Sprintf("ANPABENCH%011d", i), ARN: arn, Name: fmt.Sprintf("p%d", i), Path: "/",
				DefaultVersionID: "v1", NextVersion: 2, CreatedAt: now, UpdatedAt: now}
			if err := tx.CreatePolicy(ctx, mp, &store.PolicyVersion{PolicyARN: arn, VersionID: "v1", Document: benchPolicy(i, i == 9), CreatedAt: now}); err != nil {
				return err
			}
			if err := tx.AttachPolicy(ctx, ref, arn); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	bucketPolicy, err := policy.ParseAndCompile("bucket", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::data/*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}`)
	if err != nil {
		b.Fatal(err)
	}
	az := authz.NewAuthorizer(st, noManaged{})
	p := &authz.Principal{Type: authz.TypeUser, Account: acct, ARN: "arn:aws:iam::" + acct + ":user/bench", UserID: ref.ID,
		UserName: "bench", EntityID: ref.ID, AccessKeyID: "AKIABENCH"}
	info := authz.RequestInfo{Now: now, SourceIP: "192.0.2.1", SecureTransport: true, Region: "us-east-1"}
	check := authz.Check{Action: "s3:GetObject", Resource: "arn:aws:s3:::data/home/bench/report.csv", ResourceAccount: acct, ResourcePolicy: bucketPolicy}
	if d, err := az.Decide(ctx, p, info, check); err != nil || d.Effect != policy.Allow {
		b.Fatalf("benchmark request not allowed: %+v %v", d, err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := az.Decide(ctx, p, info, check); err != nil {
			b.Fatal(err)
		}
	}
}
