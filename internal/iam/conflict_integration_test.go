package iam_test

import (
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/gatehouse/gatehouse/internal/server"
	"github.com/gatehouse/gatehouse/internal/store"
	"github.com/gatehouse/gatehouse/internal/store/storefault"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

// A write the store gave up on after its retries (store.ErrConflict) is
// IAM's 409 ConcurrentModification at the edge, whichever handler met it,
// not a 500; nothing of it is kept.
func TestStoreConflictIsConcurrentModification(t *testing.T) {
	var faults *storefault.Store
	env := testenv.NewWith(t, func(o *server.Options) {
		o.WrapStore = func(st store.Store) store.Store { faults = storefault.New(st); return faults }
	})
	faults.FailEvery("CreateRole", fmt.Errorf("%w: could not serialize access", store.ErrConflict))
	_, err := env.IAM.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("busy"),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}`)})
	apiErr(t, err, "ConcurrentModification", "The request was rejected because it conflicted with a concurrent change. Please try again.")
	faults.FailEvery("CreateRole", nil)
	if _, err := env.IAM.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("busy")}); err == nil {
		t.Fatal("the refused write left a role")
	}
}
