package iam

import "encoding/xml"

// XML result shapes (the content of <ActionResult>).

type xTag struct {
	Key   string `xml:"Key"`
	Value string `xml:"Value"`
}

// xTags is an entity's optional Tags element, left out when there are none
// as AWS leaves it out (encoding/xml writes the parent of a
// "Tags>member,omitempty" field even for an empty list). Listings whose Tags
// member is required keep []xTag.
type xTags []xTag

// MarshalXML writes <Tags><member>…</member></Tags>; omitempty on the field
// skips an empty list before this is called.
func (ts xTags) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	return e.EncodeElement(struct {
		Member []xTag `xml:"member"`
	}{ts}, start)
}

type xBoundary struct {
	PermissionsBoundaryType string `xml:"PermissionsBoundaryType"`
	PermissionsBoundaryArn  string `xml:"PermissionsBoundaryArn"`
}

type xUser struct {
	Path                string     `xml:"Path"`
	UserName            string     `xml:"UserName"`
	UserId              string     `xml:"UserId"`
	Arn                 string     `xml:"Arn"`
	CreateDate          string     `xml:"CreateDate"`
	PermissionsBoundary *xBoundary `xml:"PermissionsBoundary,omitempty"`
	Tags                xTags      `xml:"Tags,omitempty"`
}

type xGroup struct {
	Path       string `xml:"Path"`
	GroupName  string `xml:"GroupName"`
	GroupId    string `xml:"GroupId"`
	Arn        string `xml:"Arn"`
	CreateDate string `xml:"CreateDate"`
}

type xRoleLastUsed struct {
	LastUsedDate string `xml:"LastUsedDate,omitempty"`
	Region       string `xml:"Region,omitempty"`
}

type xRole struct {
	Path                     string         `xml:"Path"`
	RoleName                 string         `xml:"RoleName"`
	RoleId                   string         `xml:"RoleId"`
	Arn                      string         `xml:"Arn"`
	CreateDate               string         `xml:"CreateDate"`
	AssumeRolePolicyDocument string         `xml:"AssumeRolePolicyDocument,omitempty"`
	Description              string         `xml:"Description,omitempty"`
	MaxSessionDuration       int            `xml:"MaxSessionDuration,omitempty"`
	PermissionsBoundary      *xBoundary     `xml:"PermissionsBoundary,omitempty"`
	Tags                     xTags          `xml:"Tags,omitempty"`
	RoleLastUsed             *xRoleLastUsed `xml:"RoleLastUsed,omitempty"`
}

type xPolicy struct {
	PolicyName                    string `xml:"PolicyName"`
	PolicyId                      string `xml:"PolicyId"`
	Arn                           string `xml:"Arn"`
	Path                          string `xml:"Path"`
	DefaultVersionId              string `xml:"DefaultVersionId"`
	AttachmentCount               int    `xml:"AttachmentCount"`
	PermissionsBoundaryUsageCount int    `xml:"PermissionsBoundaryUsageCount"`
	IsAttachable                  bool   `xml:"IsAttachable"`
	Description                   string `xml:"Description,omitempty"`
	CreateDate                    string `xml:"CreateDate"`
	UpdateDate                    string `xml:"UpdateDate"`
	Tags                          xTags  `xml:"Tags,omitempty"`
}

type xPolicyVersion struct {
	Document         string `xml:"Document,omitempty"`
	VersionId        string `xml:"VersionId"`
	IsDefaultVersion bool   `xml:"IsDefaultVersion"`
	CreateDate       string `xml:"CreateDate"`
}

type xAttached struct {
	PolicyName string `xml:"PolicyName"`
	PolicyArn  string `xml:"PolicyArn"`
}

type xAccessKey struct {
	UserName        string `xml:"UserName"`
	AccessKeyId     string `xml:"AccessKeyId"`
	Status          string `xml:"Status"`
	SecretAccessKey string `xml:"SecretAccessKey,omitempty"`
	CreateDate      string `xml:"CreateDate"`
}

type xPage struct {
	IsTruncated bool   `xml:"IsTruncated"`
	Marker      string `xml:"Marker,omitempty"`
}
