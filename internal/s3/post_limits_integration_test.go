package s3_test

import (
	"bufio"
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/textproto"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/sigv4"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

// rootForm is a browser form upload signed with the root key whose policy
// allows exactly its fields; fields come in order, before the file.
type rootForm struct {
	bucket, key string
	fields      [][2]string
	forge       bool
	conds       func([]any) []any // edits the policy's conditions (nil: one eq per field)
}

// body writes the form's fields and the file part's header, and returns
// the multipart writer for the file bytes.
func (f rootForm) body(t *testing.T, buf *bytes.Buffer) (*multipart.Writer, io.Writer) {
	t.Helper()
	now := time.Now().UTC()
	date := now.Format("20060102")
	fields := append([][2]string{{"key", f.key}}, f.fields...)
	fields = append(fields, [2]string{"x-amz-algorithm", sigv4.Algorithm},
		[2]string{"x-amz-credential", testenv.RootAccessKey + "/" + date + "/" + testenv.Region + "/s3/aws4_request"},
		[2]string{"x-amz-date", now.Format("20060102T150405Z")})
	conds := []any{map[string]string{"bucket": f.bucket}}
	for _, kv := range fields {
		conds = append(conds, map[string]string{kv[0]: kv[1]})
	}
	if f.conds != nil {
		conds = f.conds(conds)
	}
	doc, err := json.Marshal(map[string]any{"expiration": now.Add(10 * time.Minute).Format("2006-01-02T15:04:05.000Z"), "conditions": conds})
	if err != nil {
		t.Fatal(err)
	}
	policy := base64.StdEncoding.EncodeToString(doc)
	sk := sigv4.DeriveKey(testenv.RootSecretKey, date, testenv.Region, "s3")
	mac := hmac.New(sha256.New, sk[:])
	mac.Write([]byte(policy))
	sig := hex.EncodeToString(mac.Sum(nil))
	if f.forge {
		sig = azFlip(sig)
	}
	fields = append(fields, [2]string{"policy", policy}, [2]string{"x-amz-signature", sig})
	mw := multipart.NewWriter(buf)
	for _, kv := range fields {
		if err := mw.WriteField(kv[0], kv[1]); err != nil {
			t.Fatal(err)
		}
	}
	fw, err := mw.CreateFormFile("file", "upload.bin")
	if err != nil {
		t.Fatal(err)
	}
	return mw, fw
}

func (f rootForm) post(t *testing.T, env *testenv.Env, file []byte) (int, string) {
	t.Helper()
	var buf bytes.Buffer
	mw, fw := f.body(t, &buf)
	fw.Write(file)
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, env.URL+"/"+f.bucket, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return azDo(t, env, req)
}

func TestPostObjectPreDataLimit(t *testing.T) {
	env := testenv.New(t)
	mkBucket(t, env.S3, "forms")

	// A form whose fields come close to S3's 20 KiB is taken.
	note := strings.Repeat("n", 8<<10)
	status, body := rootForm{bucket: "forms", key: "near-limit", fields: [][2]string{{"x-ignore-note", note}}}.post(t, env, []byte("ok"))
	if status != http.StatusNoContent {
		t.Fatalf("form near the limit: %d %s", status, body)
	}
	if got := get(t, env.S3, "forms", "near-limit"); got != "ok" {
		t.Fatalf("stored %q", got)
	}

	// Fields past 20 KiB are refused, in S3's words.
	status, body = rootForm{bucket: "forms", key: "big", fields: [][2]string{{"x-amz-meta-note", strings.Repeat("n", 21<<10)}}}.post(t, env, []byte("x"))
	azWantXML(t, status, body, http.StatusBadRequest, "MaxPostPreDataLengthExceeded")
	if !strings.Contains(body, "<MaxPostPreDataLengthBytes>20480</MaxPostPreDataLengthBytes>") {
		t.Fatalf("no limit in the error: %s", body)
	}

	// So are part headers that never end: they are not field values, but
	// they are not read without bound either.
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", `form-data; name="key"`)
	h.Set("X-Padding", strings.Repeat("p", 1<<20))
	pw, _ := mw.CreatePart(h)
	pw.Write([]byte("k"))
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, env.URL+"/forms", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	status, body = azDo(t, env, req)
	azWantXML(t, status, body, http.StatusBadRequest, "MaxPostPreDataLengthExceeded")

	if azExists(t, env, "forms", "big") {
		t.Fatal("a refused form stored its file")
	}
}

// TestPostObjectDecidesBeforeTheFile: the policy and signature are checked
// before a byte of the file is needed, so a refused form is answered while
// its file is still on the way (here: never sent).
func TestPostObjectDecidesBeforeTheFile(t *testing.T) {
	env := testenv.New(t)
	mkBucket(t, env.S3, "forms")
	for _, tc := range []struct {
		name string
		form rootForm
		code string
	}{
		{"forged signature", rootForm{bucket: "forms", key: "a", forge: true}, "SignatureDoesNotMatch"},
		{"no such bucket", rootForm{bucket: "nobucket", key: "a"}, "NoSuchBucket"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			mw, fw := tc.form.body(t, &buf)
			fw.Write([]byte("the first bytes of a file that never ends"))
			c, err := net.Dial("tcp", strings.TrimPrefix(env.URL, "http://"))
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			c.SetDeadline(time.Now().Add(time.Minute))
			fmt.Fprintf(c, "POST /%s HTTP/1.1\r\nHost: x\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n", tc.form.bucket, mw.FormDataContentType(), buf.Len()+10<<20)
			c.Write(buf.Bytes())
			res, err := http.ReadResponse(bufio.NewReader(c), &http.Request{Method: http.MethodPost})
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(res.Body)
			if !strings.Contains(string(b), "<Code>"+tc.code+"</Code>") {
				t.Fatalf("%d %s", res.StatusCode, b)
			}
		})
	}
}
