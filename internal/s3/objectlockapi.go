package s3

import (
	"encoding/xml"
	"strconv"
	"time"

	"github.com/gatehouse/gatehouse/internal/awsapi"
	"github.com/gatehouse/gatehouse/internal/pipeline"
	"github.com/gatehouse/gatehouse/internal/store"
)

// The Object Lock APIs: a bucket's lock configuration, a version's
// retention and legal hold.

type lockConfiguration struct {
	XMLName           xml.Name  `xml:"ObjectLockConfiguration"`
	Xmlns             string    `xml:"xmlns,attr,omitempty"`
	ObjectLockEnabled string    `xml:"ObjectLockEnabled,omitempty"`
	Rule              *lockRule `xml:"Rule,omitempty"`
}

type lockRule struct {
	DefaultRetention *struct {
		Mode  string `xml:"Mode,omitempty"`
		Days  *int   `xml:"Days,omitempty"`
		Years *int   `xml:"Years,omitempty"`
	} `xml:"DefaultRetention"`
}

type retentionXML struct {
	XMLName         xml.Name `xml:"Retention"`
	Xmlns           string   `xml:"xmlns,attr,omitempty"`
	Mode            string   `xml:"Mode,omitempty"`
	RetainUntilDate string   `xml:"RetainUntilDate,omitempty"`
}

type legalHoldXML struct {
	XMLName xml.Name `xml:"LegalHold"`
	Xmlns   string   `xml:"xmlns,attr,omitempty"`
	Status  string   `xml:"Status"`
}

// resolvePutLockConfig reads and validates the configuration.
func (c *call) resolvePutLockConfig() (pipeline.Plan, error) {
	var req lockConfiguration
	if err := c.readXML(&req); err != nil {
		return pipeline.Plan{}, err
	}
	if req.ObjectLockEnabled != "Enabled" {
		return pipeline.Plan{}, awsapi.XMLMalformed.Of()
	}
	var def *store.LockDefault
	if req.Rule != nil {
		r := req.Rule.DefaultRetention
		if r == nil || (r.Days == nil) == (r.Years == nil) {
			return pipeline.Plan{}, awsapi.XMLMalformed.Of()
		}
		if r.Mode != store.LockGovernance && r.Mode != store.LockCompliance {
			return pipeline.Plan{}, awsapi.XMLMalformed.Of()
		}
		def = &store.LockDefault{Mode: r.Mode}
		if r.Days != nil {
			def.Days = *r.Days
		} else {
			def.Years = *r.Years
		}
		if def.Days < 0 || def.Years < 0 || def.Days+def.Years <= 0 {
			return pipeline.Plan{}, awsapi.ObjectLockPeriodInvalid.Of()
		}
	}
	c.stash = def
	return plan(c.check(c.b, c.op.action, bucketARN(c.bucket), nil)), nil
}

func (c *call) putLockConfig() error {
	def := c.stash.(*store.LockDefault)
	err := c.updateBucket(func(b *store.Bucket) error {
		if !b.ObjectLock && b.Versioning != store.VersioningEnabled {
			return awsapi.ObjectLockNeedsVersioning.Of()
		}
		b.ObjectLock, b.LockDefault = true, def
		return nil
	})
	if err != nil {
		return err
	}
	c.w.Header().Set("Content-Length", "0")
	c.w.WriteHeader(200)
	return nil
}

func (c *call) getLockConfig() error {
	if !c.b.ObjectLock {
		return awsapi.ObjectLockConfigMissing.Of()
	}
	out := &lockConfiguration{Xmlns: xmlns, ObjectLockEnabled: "Enabled"}
	if d := c.b.LockDefault; d != nil {
		r := &lockRule{}
		r.DefaultRetention = &struct {
			Mode  string `xml:"Mode,omitempty"`
			Days  *int   `xml:"Days,omitempty"`
			Years *int   `xml:"Years,omitempty"`
		}{Mode: d.Mode}
		if d.Days > 0 {
			r.DefaultRetention.Days = &d.Days
		} else {
			r.DefaultRetention.Years = &d.Years
		}
		out.Rule = r
	}
	return c.writeXML(out)
}

// resolvePutRetention reads the retention and declares s3:PutObjectRetention
// with its condition keys (and s3:BypassGovernanceRetention when asked).
func (c *call) resolvePutRetention() (pipeline.Plan, error) {
	var req retentionXML
	if err := c.readXML(&req); err != nil {
		return pipeline.Plan{}, err
	}
	l := &objectLock{}
	if req.Mode != "" || req.RetainUntilDate != "" {
		if req.Mode != store.LockGovernance && req.Mode != store.LockCompliance {
			return pipeline.Plan{}, awsapi.XMLMalformed.Of()
		}
		until, err := time.Parse(time.RFC3339, req.RetainUntilDate)
		if err != nil {
			return pipeline.Plan{}, awsapi.XMLMalformed.Of()
		}
		if !until.After(c.s.now()) {
			return pipeline.Plan{}, awsapi.ObjectLockDatePast.Of()
		}
		l.mode, l.until = req.Mode, until.UTC()
	}
	c.stash = l
	p, err := c.resolveExisting()
	return c.resolveBypass(p), err
}

// retentionKeys are PutObjectRetention's condition keys.
func (c *call) retentionKeys(set func(string, ...string)) {
	l, ok := c.stash.(*objectLock)
	if !ok || l.mode == "" {
		return
	}
	set("s3:object-lock-mode", l.mode)
	set("s3:object-lock-retain-until-date", l.until.Format(lockTimeFormat))
	set("s3:object-lock-remaining-retention-days", strconv.Itoa(int(l.until.Sub(c.s.now()).Hours()/24)))
}

// legalHoldKeys are PutObjectLegalHold's condition keys.
func (c *call) legalHoldKeys(set func(string, ...string)) {
	if status, ok := c.stash.(string); ok {
		set("s3:object-lock-legal-hold", status)
	}
}

func (c *call) putRetention() error {
	if _, err := c.lockedVersion(); err != nil {
		return err
	}
	l := c.stash.(*objectLock)
	var refused error
	o, err := c.updateVersion(func(o *store.Object) {
		// Extending (same mode, no earlier date) is always allowed;
		// anything else — shortening, removing, changing the mode (S3
		// asks for the governance bypass even to turn GOVERNANCE into
		// COMPLIANCE) — only when the old retention could be removed.
		extends := o.LockMode == l.mode && !l.until.Before(o.LockUntil)
		if o.LockMode != "" && !extends {
			old := *o
			old.LegalHold = "" // a legal hold does not freeze the retention
			if refused = old.Removable(c.removal()); refused != nil {
				return
			}
		}
		o.LockMode, o.LockUntil = l.mode, l.until
	})
	if refused != nil {
		return awsapi.ObjectLocked.Of()
	}
	if err != nil {
		return err
	}
	c.versionOK(o)
	return nil
}

func (c *call) getRetention() error {
	o, err := c.lockedVersion()
	if err != nil {
		return err
	}
	if o.LockMode == "" {
		return awsapi.ObjectLockNotSet.Of()
	}
	return c.writeXML(&retentionXML{Xmlns: xmlns, Mode: o.LockMode, RetainUntilDate: o.LockUntil.UTC().Format(lockTimeFormat)})
}

func (c *call) resolvePutLegalHold() (pipeline.Plan, error) {
	var req legalHoldXML
	if err := c.readXML(&req); err != nil {
		return pipeline.Plan{}, err
	}
	if req.Status != "ON" && req.Status != "OFF" {
		return pipeline.Plan{}, awsapi.XMLMalformed.Of()
	}
	c.stash = req.Status
	return c.resolveExisting()
}

func (c *call) putLegalHold() error {
	if _, err := c.lockedVersion(); err != nil {
		return err
	}
	status := c.stash.(string)
	o, err := c.updateVersion(func(o *store.Object) { o.LegalHold = status })
	if err != nil {
		return err
	}
	c.versionOK(o)
	return nil
}

func (c *call) getLegalHold() error {
	o, err := c.lockedVersion()
	if err != nil {
		return err
	}
	if o.LegalHold == "" {
		return awsapi.ObjectLockNotSet.Of()
	}
	return c.writeXML(&legalHoldXML{Xmlns: xmlns, Status: o.LegalHold})
}

// lockedVersion is the version a retention or legal-hold call names: the
// bucket must have Object Lock, and the version must be an object (not
// absent, not a delete marker).
func (c *call) lockedVersion() (*store.Object, error) {
	if !c.b.ObjectLock {
		return nil, awsapi.ObjectLockMissing.Of()
	}
	o := c.obj
	if o == nil || o.DeleteMarker {
		return nil, c.absent(o)
	}
	return o, nil
}

// versionOK answers 200 with no body, naming the version changed.
func (c *call) versionOK(o *store.Object) {
	c.versionHeader(c.w.Header(), o)
	c.emptyOK()
}
