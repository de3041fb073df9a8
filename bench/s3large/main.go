// Command s3large measures large-object throughput against a running
// Gatehouse with temporary credentials (written by s3setup): a single-stream
// PUT and GET of one object, and a multipart upload with parts sent
// concurrently. Bodies are read from a file and sent with presigned URLs
// (UNSIGNED-PAYLOAD), so the client spends its CPU on I/O, not on hashing.
// With --pid it reports the server's peak resident memory (VmHWM).
package main

import (
	"context"
	"crypto/rand"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

func main() {
	endpoint := flag.String("url", "http://127.0.0.1:8700", "Gatehouse URL")
	credFile := flag.String("creds", "temp-credentials", "file with 'AKID SECRET TOKEN' (from s3setup)")
	size := flag.Int64("size", 256<<20, "single-stream object size")
	mpSize := flag.Int64("multipart-size", 1<<30, "multipart object size")
	partSize := flag.Int64("part-size", 64<<20, "multipart part size")
	conc := flag.Int("concurrency", 4, "parts in flight")
	pid := flag.Int("pid", 0, "server pid for peak RSS")
	dir := flag.String("dir", os.TempDir(), "where to keep the source file (reused between runs)")
	flag.Parse()
	raw, err := os.ReadFile(*credFile)
	if err != nil {
		log.Fatal(err)
	}
	f := strings.Fields(string(raw))
	c := s3.New(s3.Options{Region: "us-east-1", BaseEndpoint: endpoint, UsePathStyle: true,
		Credentials: credentials.NewStaticCredentialsProvider(f[0], f[1], f[2])})
	pc := s3.NewPresignClient(c)
	ctx := context.Background()
	src := filepath.Join(*dir, "s3large.bin")
	n := max(*size, *mpSize)
	if st, err := os.Stat(src); err != nil || st.Size() != n {
		if err := writeRandom(src, n); err != nil {
			log.Fatal(err)
		}
	}
	// Start from clean page cache writeback, so that flushing the source
	// file does not land in the measurement.
	if err := syncFS(src); err != nil {
		log.Fatal(err)
	}
	hc := &http.Client{Transport: &http.Transport{WriteBufferSize: 1 << 20, ReadBufferSize: 1 << 20, MaxIdleConnsPerHost: 16}}

	// Fresh keys, never deleted here: an overwrite or a delete would also
	// free old bytes, and on a file system mounted with online discard a
	// large delete stalls the disk for a while afterwards.
	single := fmt.Sprintf("large/single-%d", time.Now().UnixNano())
	multi := fmt.Sprintf("large/multipart-%d", time.Now().UnixNano())
	put := must(pc.PresignPutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bench"), Key: aws.String(single)}))
	start := time.Now()
	send(hc, "PUT", put.URL, src, 0, *size)
	report("single-stream PUT", *size, time.Since(start))
	get := must(pc.PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bench"), Key: aws.String(single)}))
	start = time.Now()
	resp, err := hc.Get(get.URL)
	if err != nil {
		log.Fatal(err)
	}
	got, _ := io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if got != *size {
		log.Fatalf("GET returned %d bytes", got)
	}
	report("single-stream GET", *size, time.Since(start))

	start = time.Now()
	up := must(c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("bench"), Key: aws.String(multi)}))
	parts := int((*mpSize + *partSize - 1) / *partSize)
	etags := make([]string, parts)
	var wg sync.WaitGroup
	sem := make(chan struct{}, *conc)
	for i := 0; i < parts; i++ {
		wg.Add(1)
		sem <- struct{}{}
		go func(i int) {
			defer wg.Done()
			defer func() { <-sem }()
			req := must(pc.PresignUploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("bench"), Key: aws.String(multi),
				UploadId: up.UploadId, PartNumber: aws.Int32(int32(i + 1))}))
			off := int64(i) * *partSize
			etags[i] = send(hc, "PUT", req.URL, src, off, min(*partSize, *mpSize-off))
		}(i)
	}
	wg.Wait()
	var done []types.CompletedPart
	for i, e := range etags {
		done = append(done, types.CompletedPart{PartNumber: aws.Int32(int32(i + 1)), ETag: aws.String(e)})
	}
	must(c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("bench"), Key: aws.String(multi),
		UploadId: up.UploadId, MultipartUpload: &types.CompletedMultipartUpload{Parts: done}}))
	report(fmt.Sprintf("multipart upload (%d MiB parts, %d in flight)", *partSize>>20, *conc), *mpSize, time.Since(start))
	if *pid != 0 {
		status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", *pid))
		if err == nil {
			for _, line := range strings.Split(string(status), "\n") {
				if strings.HasPrefix(line, "VmHWM") || strings.HasPrefix(line, "VmRSS") {
					fmt.Println("server", strings.Join(strings.Fields(line), " "))
				}
			}
		}
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		log.Fatal(err)
	}
	return v
}

// send streams [off, off+n) of the file to url and returns the ETag.
func send(hc *http.Client, method, url, path string, off, n int64) string {
	f, err := os.Open(path)
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	req, _ := http.NewRequest(method, url, io.NewSectionReader(f, off, n))
	req.ContentLength = n
	resp, err := hc.Do(req)
	if err != nil {
		log.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		log.Fatalf("%s: %d %s", method, resp.StatusCode, body)
	}
	return resp.Header.Get("ETag")
}

func report(what string, n int64, d time.Duration) {
	fmt.Printf("%-48s %7.0f MiB/s  (%d MiB in %v)\n", what, float64(n)/(1<<20)/d.Seconds(), n>>20, d.Round(time.Millisecond))
}

func writeRandom(path string, n int64) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = io.CopyN(f, rand.Reader, n)
	return err
}
