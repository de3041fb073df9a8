package store

import "testing"

func TestPublicAccessBlockOr(t *testing.T) {
	var none *PublicAccessBlock
	if got := none.Or(nil); got != (PublicAccessBlock{}) {
		t.Fatalf("nil OR nil = %+v", got)
	}
	b := &PublicAccessBlock{BlockPublicPolicy: true}
	a := &PublicAccessBlock{RestrictPublicBuckets: true, BlockPublicAcls: true}
	want := PublicAccessBlock{BlockPublicPolicy: true, RestrictPublicBuckets: true, BlockPublicAcls: true}
	if got := b.Or(a); got != want {
		t.Fatalf("bucket OR account = %+v, want %+v", got, want)
	}
	if got := none.Or(a); got != *a {
		t.Fatalf("no bucket setting OR account = %+v", got)
	}
	if got := b.Or(nil); got != *b {
		t.Fatalf("bucket OR no account setting = %+v", got)
	}
}
