package s3

import (
	"errors"
	"net/http"
	"strings"

	"github.com/gatehouse/gatehouse/internal/awsapi"
	"github.com/gatehouse/gatehouse/internal/pipeline"
	"github.com/gatehouse/gatehouse/internal/store"
)

// S3 Control on the S3 endpoint: the account-level Block Public Access
// configuration (GetPublicAccessBlock, PutPublicAccessBlock,
// DeletePublicAccessBlock of the s3control API). Clients sign these for
// service "s3" and send them to https://ACCOUNT.ENDPOINT (the SDKs' endpoint
// rules prepend the account id to a custom endpoint's host as well) with
// the account in x-amz-account-id. A request is S3 Control when its path is
// under /v20180820/ and it names an account: whatever its Host says, it is
// never read as a virtual-host bucket.

// controlPrefix is where S3 Control's operations live.
const controlPrefix = "/v20180820/"

// controlPAB is the account Block Public Access resource.
const controlPAB = controlPrefix + "configuration/publicAccessBlock"

// controlNS is S3 Control's XML namespace.
const controlNS = "http://awss3control.amazonaws.com/doc/2018-08-20/"

// isControl reports whether r is an S3 Control request.
func isControl(r *http.Request) bool {
	return strings.HasPrefix(r.URL.Path, controlPrefix) && r.Header.Get("x-amz-account-id") != ""
}

// controlOperation picks the S3 Control operation.
func (c *call) controlOperation() (*operation, error) {
	if c.r.URL.Path != controlPAB {
		return nil, notImplemented()
	}
	switch c.r.Method {
	case http.MethodGet:
		return opGetAccountPAB, nil
	case http.MethodPut:
		return opPutAccountPAB, nil
	case http.MethodDelete:
		return opDelAccountPAB, nil
	}
	return nil, methodNotAllowed(c.r.Method, "ACCOUNT")
}

// account is the account an S3 Control request names.
func (c *call) account() string { return c.r.Header.Get("x-amz-account-id") }

// resolveControl declares the operation's action on "*" (the actions have
// no resource type) in the account the request names: a caller of another
// account is denied as any cross-account request without a resource
// policy is.
func (c *call) resolveControl() (pipeline.Plan, error) {
	ch := c.check(nil, c.op.action, "*", nil)
	ch.ResourceAccount = c.account()
	return plan(ch), nil
}

func (c *call) getAccountPublicAccessBlock() error {
	var pab *store.PublicAccessBlock
	err := c.s.store.View(c.ctx, func(tx store.Tx) error {
		var err error
		pab, err = tx.GetAccountPublicAccessBlock(c.ctx, c.account())
		return err
	})
	if errors.Is(err, store.ErrNotFound) {
		return awsapi.PublicAccessBlockNotFound.Of()
	}
	if err != nil {
		return err
	}
	return c.writeXML(configurationXML(controlNS, pab))
}

func (c *call) putAccountPublicAccessBlock() error {
	conf, err := c.readPublicAccessBlock()
	if err != nil {
		return err
	}
	if err := c.s.store.Update(c.ctx, func(tx store.Tx) error {
		return tx.PutAccountPublicAccessBlock(c.ctx, c.account(), conf)
	}); err != nil {
		return err
	}
	c.w.WriteHeader(http.StatusOK)
	return nil
}

// deleteAccountPublicAccessBlock removes the configuration; like S3
// Control it succeeds when there is none.
func (c *call) deleteAccountPublicAccessBlock() error {
	err := c.s.store.Update(c.ctx, func(tx store.Tx) error {
		return tx.DeleteAccountPublicAccessBlock(c.ctx, c.account())
	})
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	c.w.WriteHeader(http.StatusOK)
	return nil
}
