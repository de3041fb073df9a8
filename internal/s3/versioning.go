package s3

import (
	"encoding/xml"
	"errors"
	"strings"

	"github.com/gatehouse/gatehouse/internal/authz"
	"github.com/gatehouse/gatehouse/internal/awsapi"
	"github.com/gatehouse/gatehouse/internal/mfa"
	"github.com/gatehouse/gatehouse/internal/pipeline"
	"github.com/gatehouse/gatehouse/internal/store"
)

// Bucket versioning configuration and MFA Delete.
//
// MFA Delete: once a bucket has it, permanently deleting a version and
// changing the bucket's versioning configuration need the bucket owner's
// root, signing with its long-term keys, and x-amz-mfa: "SERIAL CODE" of a
// virtual MFA device of the owner's account; so does turning MFA Delete on.
// Gatehouse has no console to give the root a device of its own: the
// root's devices are the account's virtual MFA devices that are not
// assigned to an IAM user. A code is verified as STS verifies one
// (authz.VerifyMFA) and works once. Unlike S3, x-amz-mfa is accepted
// without TLS (Gatehouse may sit behind a proxy that terminates it; the
// request is signed and a code cannot be replayed).

// MFA Delete states (store.Bucket.MFADelete).
const (
	mfaEnabled  = "Enabled"
	mfaDisabled = "Disabled"
)

// versioningConfiguration is GetBucketVersioning's answer and
// PutBucketVersioning's request. A bucket that never had versioning shows
// neither element; MfaDelete shows once it was configured.
type versioningConfiguration struct {
	XMLName   xml.Name `xml:"VersioningConfiguration"`
	Xmlns     string   `xml:"xmlns,attr,omitempty"`
	Status    string   `xml:"Status,omitempty"`
	MfaDelete string   `xml:"MfaDelete,omitempty"`
}

func (c *call) getBucketVersioning() error {
	return c.writeXML(&versioningConfiguration{Xmlns: xmlns, Status: c.b.Versioning, MfaDelete: c.b.MFADelete})
}

// resolvePutVersioning reads the configuration, and authenticates the
// request with MFA when the bucket has MFA Delete or the request turns it
// on, before declaring s3:PutBucketVersioning.
func (c *call) resolvePutVersioning() (pipeline.Plan, error) {
	var req versioningConfiguration
	if err := c.readXML(&req); err != nil {
		return pipeline.Plan{}, err
	}
	switch {
	case req.Status == "":
		return pipeline.Plan{}, awsapi.VersioningStatusMissing.Of()
	case req.Status != store.VersioningEnabled && req.Status != store.VersioningSuspended,
		req.MfaDelete != "" && req.MfaDelete != mfaEnabled && req.MfaDelete != mfaDisabled:
		return pipeline.Plan{}, awsapi.XMLMalformed.Of()
	}
	if c.b.MFADelete == mfaEnabled || req.MfaDelete == mfaEnabled {
		if err := c.checkMFA(); err != nil {
			return pipeline.Plan{}, err
		}
	}
	c.stash = &req
	return plan(c.check(c.b, c.op.action, c.resource(), nil)), nil
}

func (c *call) putBucketVersioning() error {
	req := c.stash.(*versioningConfiguration)
	err := c.updateBucket(func(b *store.Bucket) error {
		// MFA Delete enabled since resolve read the bucket still applies.
		if (b.MFADelete == mfaEnabled || req.MfaDelete == mfaEnabled) && !c.mfaOK {
			return awsapi.MFARequired.Of()
		}
		if req.MfaDelete == mfaEnabled && b.Lifecycle != "" {
			return awsapi.MFADeleteWithLifecycle.Of()
		}
		if b.ObjectLock && req.Status != store.VersioningEnabled {
			return awsapi.ObjectLockVersioningLocked.Of()
		}
		b.Versioning = req.Status
		if req.MfaDelete != "" {
			b.MFADelete = req.MfaDelete
		}
		return nil
	})
	if err != nil {
		return err
	}
	c.emptyOK()
	return nil
}

// checkMFA authenticates a request MFA Delete protects: x-amz-mfa must be
// present, the caller the bucket owner's root with its long-term keys, and
// the code one its device accepts now (and never before). On success the
// code is used up and c.mfaOK set.
func (c *call) checkMFA() error {
	v := strings.TrimSpace(c.r.Header.Get("x-amz-mfa"))
	if v == "" {
		return awsapi.MFARequired.Of()
	}
	if !c.p.IsRoot() || c.p.Account != c.b.Account {
		return awsapi.MFAOwnerOnly.Of()
	}
	if c.p.Session != nil {
		return awsapi.MFAWithSessionToken.Of()
	}
	invalid := awsapi.MFAHeaderInvalid.Of().With("ArgumentName", "x-amz-mfa").With("ArgumentValue", v)
	serial, code, ok := strings.Cut(v, " ")
	code = strings.TrimSpace(code)
	if !ok || serial == "" || code == "" || c.s.mfa == nil {
		return invalid
	}
	err := c.s.store.Update(c.ctx, func(tx store.Tx) error {
		return authz.VerifyMFA(c.ctx, tx, c.s.mfa, serial, code, c.s.now(), func(d *store.MFADevice) bool {
			return d.Account == c.b.Account && d.UserID == store.MFARootUser
		})
	})
	if errors.Is(err, mfa.ErrInvalidCode) {
		return invalid
	}
	if err != nil {
		return err
	}
	c.mfaOK = true
	return nil
}
