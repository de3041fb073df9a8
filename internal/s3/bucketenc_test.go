package s3

import (
	"testing"
)

func TestParseBucketEncryption(t *testing.T) {
	ok := []string{
		`<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm></ApplyServerSideEncryptionByDefault></Rule></ServerSideEncryptionConfiguration>`,
		`<ServerSideEncryptionConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>aws:kms</SSEAlgorithm><KMSMasterKeyID>alias/aws/s3</KMSMasterKeyID></ApplyServerSideEncryptionByDefault><BucketKeyEnabled>true</BucketKeyEnabled></Rule></ServerSideEncryptionConfiguration>`,
	}
	for _, doc := range ok {
		if _, err := parseBucketEncryption([]byte(doc)); err != nil {
			t.Errorf("%s: %v", doc, err)
		}
	}
	bad := []string{
		``, `<x/>`, `<ServerSideEncryptionConfiguration/>`,
		`<ServerSideEncryptionConfiguration><Rule><BucketKeyEnabled>true</BucketKeyEnabled></Rule></ServerSideEncryptionConfiguration>`,
		`<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>DES</SSEAlgorithm></ApplyServerSideEncryptionByDefault></Rule></ServerSideEncryptionConfiguration>`,
		`<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm><KMSMasterKeyID>k</KMSMasterKeyID></ApplyServerSideEncryptionByDefault></Rule></ServerSideEncryptionConfiguration>`,
		`<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm></ApplyServerSideEncryptionByDefault></Rule><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm></ApplyServerSideEncryptionByDefault></Rule></ServerSideEncryptionConfiguration>`,
	}
	for _, doc := range bad {
		if _, err := parseBucketEncryption([]byte(doc)); err == nil {
			t.Errorf("%s: accepted", doc)
		}
	}
}

// FuzzParseBucketEncryption: any request body is an error or a valid
// configuration (AES256 without a key id, or aws:kms).
func FuzzParseBucketEncryption(f *testing.F) {
	f.Add([]byte(`<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>aws:kms</SSEAlgorithm><KMSMasterKeyID>x</KMSMasterKeyID></ApplyServerSideEncryptionByDefault><BucketKeyEnabled>true</BucketKeyEnabled></Rule></ServerSideEncryptionConfiguration>`))
	f.Add([]byte(`<a><Rule/></a>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		be, err := parseBucketEncryption(data)
		if err != nil {
			return
		}
		if be.Algorithm != "AES256" && be.Algorithm != "aws:kms" || be.Algorithm == "AES256" && be.KMSKeyID != "" {
			t.Fatalf("accepted %+v", be)
		}
	})
}
