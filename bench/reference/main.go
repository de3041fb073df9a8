// Command reference is the yardstick for STS load figures: a bare net/http
// handler that mints a sealed session token per request, with no
// authentication, no store and no policy work. docs/benchmarks.md compares
// Gatehouse's AssumeRole and GetCallerIdentity rates against it under the
// same load generator.
package main

import (
	"bytes"
	"crypto/rand"
	"flag"
	"fmt"
	"log"
	"net/http"
	"time"

	"github.com/gatehouse/gatehouse/internal/token"
)

type keys struct{ k token.Key }

func (s keys) Active() token.Key                  { return s.k }
func (s keys) Lookup(id uint32) (token.Key, bool) { return s.k, id == s.k.ID }

func main() {
	addr := flag.String("listen", "127.0.0.1:8799", "address")
	flag.Parse()
	secret := make([]byte, 32)
	rand.Read(secret)
	k, err := token.NewKey(1, secret)
	if err != nil {
		log.Fatal(err)
	}
	ks := keys{k}
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		now := time.Now().UTC()
		sess := &token.Session{Kind: token.KindRole, AccessKeyID: "ASIAREFERENCE0000001", SecretAccessKey: "referenceSecretAccessKey0123456789abcdef",
			Account: "111122223333", IssuedAt: now, Expires: now.Add(time.Hour), RoleARN: "arn:aws:iam::111122223333:role/demo",
			RoleID: "AROAREFERENCE00000001", SessionName: "bench"}
		tok, err := token.Seal(ks, sess)
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		var b bytes.Buffer
		fmt.Fprintf(&b, `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><Credentials><AccessKeyId>%s</AccessKeyId><SessionToken>%s</SessionToken></Credentials></AssumeRoleResult></AssumeRoleResponse>`, sess.AccessKeyID, tok)
		w.Header().Set("Content-Type", "text/xml")
		w.Write(b.Bytes())
	})
	log.Fatal(http.ListenAndServe(*addr, nil))
}
