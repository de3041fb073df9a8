package migrate_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/gatehouse/gatehouse/internal/migrate"
)

// BenchmarkCopyRows copies a store of 100,000 object records (with their
// blob references) into PostgreSQL; rows/s is the copier's rate.
func BenchmarkCopyRows(b *testing.B) {
	const n = 100_000
	for range b.N {
		b.StopTimer()
		path, raw, dst := storesTB(b)
		tx, err := raw.Begin()
		if err != nil {
			b.Fatal(err)
		}
		for i := range n {
			key := fmt.Sprintf("dir/object-%07d", i)
			blobKey := fmt.Sprintf("%032x", i)
			if _, err := tx.Exec(`INSERT INTO objects (bucket, key, data, size, etag, modified, version_id, seq) VALUES ('b', ?, ?, 1000, 'etag', 1, 'null', 0)`,
				key, `{"Key":"`+key+`","Size":1000,"Blobs":["`+blobKey+`"],"Meta":{"content-type":"text/plain"}}`); err != nil {
				b.Fatal(err)
			}
			if _, err := tx.Exec(`INSERT INTO blob_refs (blob_key, bucket, key, upload, part) VALUES (?, 'b', ?, '', 0)`, blobKey, key); err != nil {
				b.Fatal(err)
			}
		}
		if err := tx.Commit(); err != nil {
			b.Fatal(err)
		}
		raw.Close()
		src := openROTB(b, path)
		b.StartTimer()
		sum, err := migrate.Run(context.Background(), config(src, dst))
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(sum.TotalRows)/sum.Duration.Seconds(), "rows/s")
	}
}
