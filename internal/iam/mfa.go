package iam

import (
	"context"
	"encoding/base64"
	"errors"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/internal/authz"
	"github.com/gatehouse/gatehouse/internal/awsapi"
	"github.com/gatehouse/gatehouse/internal/mfa"
	"github.com/gatehouse/gatehouse/internal/store"
)

// Virtual MFA devices: TOTP authenticators created unassigned in the
// account (CreateVirtualMFADevice), then enabled for a user with two
// consecutive codes (EnableMFADevice). The seed is sealed with the device's
// serial number as additional data and is returned in clear only by
// CreateVirtualMFADevice. A device stores the last TOTP step accepted, so a
// code works once, here and in STS.

const (
	// mfaIssuer is the issuer of the otpauth URI in the QR code.
	mfaIssuer = "Gatehouse"
	// mfaDevicesPerAccount: AWS allows as many virtual MFA devices
	// (assigned or not) as its user quota.
	mfaDevicesPerAccount = 5000
	// mfaDevicesPerUser: MFA devices in use per user.
	mfaDevicesPerUser = 8
	// maxMFADeviceName keeps the serial number of a device at the root path
	// (arn:aws:iam::123456789012:mfa/NAME) within serialNumberType's 256.
	maxMFADeviceName = 226
)

var (
	serialPattern   = regexp.MustCompile(`^[\w+=/:,.@-]+$`)
	authCodePattern = regexp.MustCompile(`^[\d]+$`)
)

type xVirtualMFADevice struct {
	SerialNumber     string `xml:"SerialNumber"`
	Base32StringSeed string `xml:"Base32StringSeed,omitempty"` // blob: base64 on the wire
	QRCodePNG        string `xml:"QRCodePNG,omitempty"`        // blob: base64 on the wire
	User             *xUser `xml:"User,omitempty"`
	EnableDate       string `xml:"EnableDate,omitempty"`
	Tags             xTags  `xml:"Tags,omitempty"`
}

type xMFADevice struct {
	UserName     string `xml:"UserName"`
	SerialNumber string `xml:"SerialNumber"`
	EnableDate   string `xml:"EnableDate"`
}

func mfaSerial(account, path, name string) string {
	return "arn:aws:iam::" + account + ":mfa" + path + name
}

// serialNumber reads a required SerialNumber (serialNumberType).
func serialNumber(p url.Values) (string, error) {
	v, err := required(p, "SerialNumber")
	if err != nil {
		return "", err
	}
	switch {
	case len(v) < 9:
		return "", awsapi.ValueTooShort.Of(v, "serialNumber", 9)
	case len(v) > 256:
		return "", awsapi.ValueTooLong.Of(v, "serialNumber", 256)
	case !serialPattern.MatchString(v):
		return "", awsapi.ValueNotMatching.Of(v, "serialNumber", `[\w+=/:,.@-]+`)
	}
	return v, nil
}

// authCode reads a required six-digit authentication code.
func authCode(p url.Values, param string) (string, error) {
	v, err := required(p, param)
	if err != nil {
		return "", err
	}
	switch {
	case len(v) < 6:
		return "", awsapi.ValueTooShort.Of(v, member(param), 6)
	case len(v) > 6:
		return "", awsapi.ValueTooLong.Of(v, member(param), 6)
	case !authCodePattern.MatchString(v):
		return "", awsapi.ValueNotMatching.Of(v, member(param), `[\d]+`)
	}
	return v, nil
}

func noSuchDevice(serial string) error {
	return awsapi.MFADeviceNotFound.Of(serial)
}

func deviceNotForUser() error {
	return awsapi.MFADeviceNotUsers.Of()
}

func invalidCode() error {
	return awsapi.MFACodeInvalid.Of()
}

// getDevice loads a device of the account by serial number.
func getDevice(ctx context.Context, tx store.Tx, account, serial string) (*store.MFADevice, error) {
	d, err := tx.GetMFADevice(ctx, serial)
	if errors.Is(err, store.ErrNotFound) || (err == nil && d.Account != account) {
		return nil, noSuchDevice(serial)
	}
	return d, err
}

// userDevices returns the devices enabled for a user, ordered by serial
// number (case-insensitively, as the lists page).
func userDevices(ctx context.Context, tx store.Tx, account, userID string) ([]*store.MFADevice, error) {
	all, err := tx.ListMFADevices(ctx, account)
	if err != nil {
		return nil, err
	}
	var out []*store.MFADevice
	for _, d := range all {
		if d.UserID != "" && d.UserID == userID {
			out = append(out, d)
		}
	}
	sortDevices(out)
	return out, nil
}

func sortDevices(ds []*store.MFADevice) {
	sort.SliceStable(ds, func(i, j int) bool {
		return strings.ToLower(ds[i].SerialNumber) < strings.ToLower(ds[j].SerialNumber)
	})
}

// mfaUser resolves the optional UserName of ListMFADevices,
// DeactivateMFADevice and GetMFADevice: the named user, else the calling
// user. It returns nil for the root without a name (the callers then mean
// the root's own devices, store.MFARootUser).
func (s *Service) mfaUser(ctx context.Context, tx store.Tx, c *authz.Principal, p url.Values) (*store.User, error) {
	n := p.Get("UserName")
	if n != "" {
		if _, err := name(p, "UserName", 128); err != nil {
			return nil, err
		}
	} else {
		if c.Type == authz.TypeRoot {
			return nil, nil
		}
		if c.UserName == "" {
			return nil, awsapi.UserNameRequired.Of()
		}
		n = c.UserName
	}
	return getUser(ctx, tx, c.Account, n)
}

// checkCodes verifies two consecutive codes of the device, neither of a
// step already accepted, and returns the second code's step.
func (s *Service) checkCodes(d *store.MFADevice, code1, code2 string) (int64, error) {
	seed, err := s.cfg.Sealer.Open(d.SeedSealed, []byte(d.SerialNumber))
	if err != nil {
		return 0, err
	}
	step, err := mfa.VerifyConsecutive(seed, code1, code2, s.cfg.Now())
	if err != nil || step-1 <= d.LastStep {
		return 0, invalidCode()
	}
	return step, nil
}

func (s *Service) createVirtualMFADevice(ctx context.Context, c *authz.Principal, p url.Values) (any, error) {
	n, err := name(p, "VirtualMFADeviceName", maxMFADeviceName)
	if err != nil {
		return nil, err
	}
	pth, err := path(p, "Path")
	if err != nil {
		return nil, err
	}
	tg, err := tags(p)
	if err != nil {
		return nil, err
	}
	serial := mfaSerial(c.Account, pth, n)
	if len(serial) > 256 {
		return nil, awsapi.MFASerialTooLong.Of(serial)
	}
	secret, err := mfa.NewSecret()
	if err != nil {
		return nil, err
	}
	sealed, err := s.cfg.Sealer.Seal(secret, []byte(serial))
	if err != nil {
		return nil, err
	}
	png, err := mfa.QRCodePNG(secret, mfaIssuer, n+"@"+c.Account)
	if err != nil {
		return nil, err
	}
	d := &store.MFADevice{Account: c.Account, SerialNumber: serial, Name: n, Path: pth, SeedSealed: sealed, CreatedAt: s.now(), Tags: tg}
	exists := awsapi.MFADeviceExists.Of()
	err = s.cfg.Store.Update(ctx, func(tx store.Tx) error {
		all, err := tx.ListMFADevices(ctx, c.Account)
		if err != nil {
			return err
		}
		for _, x := range all {
			if strings.EqualFold(x.SerialNumber, serial) {
				return exists
			}
		}
		if len(all) >= mfaDevicesPerAccount {
			return awsapi.QuotaExceeded.Of("MFADevices", mfaDevicesPerAccount)
		}
		err = tx.CreateMFADevice(ctx, d)
		if errors.Is(err, store.ErrExists) {
			return exists
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return struct {
		VirtualMFADevice xVirtualMFADevice `xml:"VirtualMFADevice"`
	}{xVirtualMFADevice{
		SerialNumber:     serial,
		Base32StringSeed: base64.StdEncoding.EncodeToString([]byte(mfa.Base32(secret))),
		QRCodePNG:        base64.StdEncoding.EncodeToString(png),
		Tags:             toXTags(tg),
	}}, nil
}

// mfaCodesRequest reads UserName, SerialNumber and the two codes of
// EnableMFADevice and ResyncMFADevice.
func mfaCodesRequest(p url.Values) (user, serial, code1, code2 string, err error) {
	if user, err = name(p, "UserName", 128); err != nil {
		return
	}
	if serial, err = serialNumber(p); err != nil {
		return
	}
	if code1, err = authCode(p, "AuthenticationCode1"); err != nil {
		return
	}
	code2, err = authCode(p, "AuthenticationCode2")
	return
}

// userAndDevice reads the user and the device an Enable or Resync names.
func userAndDevice(ctx context.Context, tx store.Tx, account, user, serial string) (*store.User, *store.MFADevice, error) {
	u, err := getUser(ctx, tx, account, user)
	if err != nil {
		return nil, nil, err
	}
	d, err := getDevice(ctx, tx, account, serial)
	return u, d, err
}

func (s *Service) enableMFADevice(ctx context.Context, c *authz.Principal, p url.Values) (any, error) {
	n, serial, code1, code2, err := mfaCodesRequest(p)
	if err != nil {
		return nil, err
	}
	err = s.cfg.Store.Update(ctx, func(tx store.Tx) error {
		u, d, err := userAndDevice(ctx, tx, c.Account, n, serial)
		if err != nil {
			return err
		}
		return s.assignDevice(ctx, tx, c.Account, u.ID, d, code1, code2)
	})
	return nil, err
}

// assignDevice enables device d for owner (a user's id, or
// store.MFARootUser) after checking two consecutive codes of it: refused
// when d is assigned already or the owner has its quota of devices.
func (s *Service) assignDevice(ctx context.Context, tx store.Tx, account, owner string, d *store.MFADevice, code1, code2 string) error {
	if d.UserID != "" {
		return awsapi.MFADeviceAssigned.Of()
	}
	inUse, err := userDevices(ctx, tx, account, owner)
	if err != nil {
		return err
	}
	if len(inUse) >= mfaDevicesPerUser {
		return awsapi.QuotaExceeded.Of("MFADevicesPerUser", mfaDevicesPerUser)
	}
	step, err := s.checkCodes(d, code1, code2)
	if err != nil {
		return err
	}
	d.UserID, d.EnabledAt, d.LastStep = owner, s.now(), step
	return tx.UpdateMFADevice(ctx, d)
}

// EnableRootMFADevice enables the account's virtual MFA device serial for
// the account's root, given two consecutive codes of it. It is an
// operator's act (`gatehouse mfa enable-root`), not an API call: AWS
// assigns the root's device only in its console, so that stolen root
// access keys cannot add a device and then pass MFA Delete. The root's
// devices are the only ones MFA Delete accepts. Errors are AWS-typed
// (NoSuchEntity, EntityAlreadyExists, InvalidAuthenticationCode, …).
func (s *Service) EnableRootMFADevice(ctx context.Context, account, serial, code1, code2 string) error {
	p := url.Values{"SerialNumber": {serial}, "AuthenticationCode1": {code1}, "AuthenticationCode2": {code2}}
	serial, err := serialNumber(p)
	if err != nil {
		return err
	}
	if code1, err = authCode(p, "AuthenticationCode1"); err != nil {
		return err
	}
	if code2, err = authCode(p, "AuthenticationCode2"); err != nil {
		return err
	}
	err = s.cfg.Store.Update(ctx, func(tx store.Tx) error {
		d, err := getDevice(ctx, tx, account, serial)
		if err != nil {
			return err
		}
		return s.assignDevice(ctx, tx, account, store.MFARootUser, d, code1, code2)
	})
	return err
}

func (s *Service) resyncMFADevice(ctx context.Context, c *authz.Principal, p url.Values) (any, error) {
	n, serial, code1, code2, err := mfaCodesRequest(p)
	if err != nil {
		return nil, err
	}
	err = s.cfg.Store.Update(ctx, func(tx store.Tx) error {
		u, d, err := userAndDevice(ctx, tx, c.Account, n, serial)
		if err != nil {
			return err
		}
		if d.UserID != u.ID {
			return deviceNotForUser()
		}
		step, err := s.checkCodes(d, code1, code2)
		if err != nil {
			return err
		}
		d.LastStep = step
		return tx.UpdateMFADevice(ctx, d)
	})
	return nil, err
}

func (s *Service) deactivateMFADevice(ctx context.Context, c *authz.Principal, p url.Values) (any, error) {
	serial, err := serialNumber(p)
	if err != nil {
		return nil, err
	}
	err = s.cfg.Store.Update(ctx, func(tx store.Tx) error {
		u, err := s.mfaUser(ctx, tx, c, p)
		if err != nil {
			return err
		}
		d, err := getDevice(ctx, tx, c.Account, serial)
		if err != nil {
			return err
		}
		owner := store.MFARootUser // the root without a UserName: its own device
		if u != nil {
			owner = u.ID
		}
		if d.UserID != owner {
			return deviceNotForUser()
		}
		d.UserID, d.EnabledAt = "", time.Time{}
		return tx.UpdateMFADevice(ctx, d)
	})
	return nil, err
}

func (s *Service) deleteVirtualMFADevice(ctx context.Context, c *authz.Principal, p url.Values) (any, error) {
	serial, err := serialNumber(p)
	if err != nil {
		return nil, err
	}
	err = s.cfg.Store.Update(ctx, func(tx store.Tx) error {
		d, err := getDevice(ctx, tx, c.Account, serial)
		if err != nil {
			return err
		}
		if d.UserID != "" {
			return awsapi.MFADeviceInUse.Of()
		}
		return tx.DeleteMFADevice(ctx, d.SerialNumber)
	})
	return nil, err
}

func (s *Service) listMFADevices(ctx context.Context, c *authz.Principal, p url.Values) (any, error) {
	out := struct {
		MFADevices []xMFADevice `xml:"MFADevices>member"`
		xPage
	}{}
	err := s.cfg.Store.View(ctx, func(tx store.Tx) error {
		u, err := s.mfaUser(ctx, tx, c, p)
		if err != nil {
			return err
		}
		var list []xMFADevice
		owner, userName := store.MFARootUser, "" // the root without a UserName: its own devices
		if u != nil {
			owner, userName = u.ID, u.Name
		}
		ds, err := userDevices(ctx, tx, c.Account, owner)
		if err != nil {
			return err
		}
		for _, d := range ds {
			list = append(list, xMFADevice{UserName: userName, SerialNumber: d.SerialNumber, EnableDate: isoTime(d.EnabledAt)})
		}
		out.MFADevices, out.xPage, err = pageSlice(list, p, func(x xMFADevice) string { return x.SerialNumber })
		return err
	})
	return out, err
}

func (s *Service) getMFADevice(ctx context.Context, c *authz.Principal, p url.Values) (any, error) {
	serial, err := serialNumber(p)
	if err != nil {
		return nil, err
	}
	var out struct {
		UserName     string `xml:"UserName,omitempty"`
		SerialNumber string `xml:"SerialNumber"`
		EnableDate   string `xml:"EnableDate,omitempty"`
	}
	err = s.cfg.Store.View(ctx, func(tx store.Tx) error {
		u, err := s.mfaUser(ctx, tx, c, p)
		if err != nil {
			return err
		}
		d, err := getDevice(ctx, tx, c.Account, serial)
		if err != nil {
			return err
		}
		if u == nil || d.UserID != u.ID {
			return deviceNotForUser()
		}
		out.UserName, out.SerialNumber, out.EnableDate = u.Name, d.SerialNumber, isoTime(d.EnabledAt)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (s *Service) listVirtualMFADevices(ctx context.Context, c *authz.Principal, p url.Values) (any, error) {
	status := p.Get("AssignmentStatus")
	switch status {
	case "", "Any", "Assigned", "Unassigned":
	default:
		return nil, awsapi.ValueNotInSet.Of(status, "assignmentStatus", "Assigned, Unassigned, Any")
	}
	out := struct {
		VirtualMFADevices []xVirtualMFADevice `xml:"VirtualMFADevices>member"`
		xPage
	}{}
	err := s.cfg.Store.View(ctx, func(tx store.Tx) error {
		all, err := tx.ListMFADevices(ctx, c.Account)
		if err != nil {
			return err
		}
		sortDevices(all)
		var ds []*store.MFADevice
		for _, d := range all {
			assigned := d.UserID != ""
			if (status == "Assigned" && !assigned) || (status == "Unassigned" && assigned) {
				continue
			}
			ds = append(ds, d)
		}
		ds, out.xPage, err = pageSlice(ds, p, func(d *store.MFADevice) string { return d.SerialNumber })
		if err != nil {
			return err
		}
		// As in AWS, the list leaves tags out (ListMFADeviceTags has them).
		for _, d := range ds {
			x := xVirtualMFADevice{SerialNumber: d.SerialNumber}
			if d.UserID == store.MFARootUser {
				x.EnableDate = isoTime(d.EnabledAt)
			} else if d.UserID != "" {
				u, err := tx.GetUserByID(ctx, c.Account, d.UserID)
				if err != nil && !errors.Is(err, store.ErrNotFound) {
					return err
				}
				if u != nil {
					xu := toXUser(u, false)
					x.User = &xu
				}
				x.EnableDate = isoTime(d.EnabledAt)
			}
			out.VirtualMFADevices = append(out.VirtualMFADevices, x)
		}
		return nil
	})
	return out, err
}

// mfaDeviceTags is the tag target of TagMFADevice, UntagMFADevice and
// ListMFADeviceTags.
func (s *Service) mfaDeviceTags() tagTarget {
	return tagTarget{func(ctx context.Context, tx store.Tx, c *authz.Principal, p url.Values) (func() []store.Tag, func([]store.Tag) error, error) {
		serial, err := serialNumber(p)
		if err != nil {
			return nil, nil, err
		}
		d, err := getDevice(ctx, tx, c.Account, serial)
		if err != nil {
			return nil, nil, err
		}
		return func() []store.Tag { return d.Tags }, func(t []store.Tag) error { d.Tags = t; return tx.UpdateMFADevice(ctx, d) }, nil
	}}
}
