package s3

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"sync"

	"github.com/gatehouse/gatehouse/internal/awsapi"
	"github.com/gatehouse/gatehouse/internal/store"
)

// Canonical user ids and Object Ownership.
//
// An account's canonical user id is what S3 names it by in Owner and
// Grantee fields: 64 hex digits, the HMAC-SHA256 of the account id under
// a key derived from the master key (Config.CanonicalKey). It is stable
// for an installation, says nothing about the account id to whoever does
// not hold the master key, and maps back to its account by computing the
// ids of the accounts the store holds. Owner fields carry no DisplayName:
// S3 stopped returning it in November 2025.

// canonicalIDs caches account ↔ canonical id (accounts are never
// renamed, and a canonical id never changes for an installation).
type canonicalIDs struct {
	key []byte
	mu  sync.Mutex
	ids map[string]string // canonical id → account, of every account seen
}

// canonicalID is an account's canonical user id ("" for no account).
func (s *Service) canonicalID(account string) string {
	if account == "" {
		return ""
	}
	h := hmac.New(sha256.New, s.canon.key)
	h.Write([]byte(account))
	return hex.EncodeToString(h.Sum(nil))
}

// knownCanonicalID reports whether id is the canonical user id of an
// account of the store.
func (s *Service) knownCanonicalID(ctx context.Context, id string) (bool, error) {
	s.canon.mu.Lock()
	_, ok := s.canon.ids[id]
	s.canon.mu.Unlock()
	if ok {
		return true, nil
	}
	var accounts []*store.Account
	if err := s.store.View(ctx, func(tx store.Tx) error {
		var err error
		accounts, err = tx.ListAccounts(ctx)
		return err
	}); err != nil {
		return false, err
	}
	s.canon.mu.Lock()
	defer s.canon.mu.Unlock()
	for _, a := range accounts {
		s.canon.ids[s.canonicalID(a.ID)] = a.ID
	}
	_, ok = s.canon.ids[id]
	return ok, nil
}

// owner is an Owner element naming an account.
func (s *Service) owner(account string) *Owner { return &Owner{ID: s.canonicalID(account)} }

// ownerIDs is the canonical id of a listed entry's owner account, for one
// listing of the request's bucket (memoized: an HMAC each). Objects
// belong to the bucket owner when its ACLs are disabled.
func (c *call) ownerIDs() func(account string) string {
	owners := map[string]string{}
	return func(account string) string {
		if !aclsEnabled(c.b) || account == "" {
			account = c.b.Account
		}
		id, ok := owners[account]
		if !ok {
			id = c.s.canonicalID(account)
			owners[account] = id
		}
		return id
	}
}

// ownership is a bucket's Object Ownership setting as it applies.
func ownership(b *store.Bucket) string {
	if b.Ownership == "" {
		return store.OwnershipEnforced
	}
	return b.Ownership
}

// aclsEnabled reports whether a bucket's ACLs count (its Object Ownership
// is not BucketOwnerEnforced).
func aclsEnabled(b *store.Bucket) bool { return ownership(b) != store.OwnershipEnforced }

// validOwnership reports whether v is an ObjectOwnership value S3 knows.
func validOwnership(v string) bool {
	switch v {
	case store.OwnershipEnforced, store.OwnershipPreferred, store.OwnershipObjectWriter:
		return true
	}
	return false
}

// ownershipControls is the OwnershipControls document.
type ownershipControls struct {
	XMLName xml.Name `xml:"OwnershipControls"`
	Xmlns   string   `xml:"xmlns,attr,omitempty"`
	Rules   []struct {
		ObjectOwnership string `xml:"ObjectOwnership"`
	} `xml:"Rule"`
}

func (c *call) getOwnershipControls() error {
	o := ownership(c.b)
	if o == store.OwnershipNone {
		return awsapi.OwnershipControlsNotFound.Of().With("BucketName", c.bucket)
	}
	doc := &ownershipControls{Xmlns: xmlns}
	doc.Rules = append(doc.Rules, struct {
		ObjectOwnership string `xml:"ObjectOwnership"`
	}{o})
	return c.writeXML(doc)
}

func (c *call) putOwnershipControls() error {
	var doc ownershipControls
	if err := c.readXML(&doc); err != nil {
		return err
	}
	if len(doc.Rules) != 1 || !validOwnership(doc.Rules[0].ObjectOwnership) {
		return awsapi.XMLMalformed.Of()
	}
	v := doc.Rules[0].ObjectOwnership
	err := c.updateBucket(func(b *store.Bucket) error {
		if v == store.OwnershipEnforced && aclsEnabled(b) && grantsBeyondOwner(b.ACL, c.s.canonicalID(b.Account)) {
			return awsapi.BucketACLWithOwnership.Of()
		}
		b.Ownership = v
		return nil
	})
	if err != nil {
		return err
	}
	c.emptyOK()
	return nil
}

func (c *call) deleteOwnershipControls() error {
	if err := c.updateBucket(func(b *store.Bucket) error { b.Ownership = store.OwnershipNone; return nil }); err != nil {
		return err
	}
	c.noContent()
	return nil
}

// grantsBeyondOwner reports whether an ACL grants anything to anyone but
// the owner (canonical id).
func grantsBeyondOwner(grants []store.Grant, owner string) bool {
	for _, g := range grants {
		if g.URI != "" || g.ID != owner {
			return true
		}
	}
	return false
}
