package sqlite

import (
	"context"
	"fmt"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/store"
)

// TestPreparedStatements: queries go through the statement caches of both
// pools. A miss inside an Update on the one-connection writer must not
// wait for a second connection (there is none while the transaction holds
// it): the Update completes, and later uses find the statement prepared.
func TestPreparedStatements(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "g.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for i := 0; i < 1000 && (s.writeStmts.Prepared() == 0 || s.readStmts.Prepared() == 0); i++ {
		if err := s.Update(ctx, func(tx store.Tx) error {
			return tx.CreateAccount(ctx, &store.Account{ID: acct(i), Name: "a" + acct(i), CreatedAt: time.Unix(0, 0)})
		}); err != nil {
			t.Fatalf("update %d: %v", i, err)
		}
		if err := s.View(ctx, func(tx store.Tx) error {
			_, err := tx.GetAccount(ctx, acct(i))
			return err
		}); err != nil {
			t.Fatalf("view %d: %v", i, err)
		}
		runtime.Gosched()
	}
	if s.writeStmts.Prepared() == 0 || s.readStmts.Prepared() == 0 {
		t.Fatalf("statements prepared: writer %d, readers %d", s.writeStmts.Prepared(), s.readStmts.Prepared())
	}
	// The prepared statements give the same answers.
	if err := s.View(ctx, func(tx store.Tx) error {
		a, err := tx.GetAccount(ctx, acct(0))
		if err == nil && a.Name != "a"+acct(0) {
			t.Errorf("account 0 read back as %q", a.Name)
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
}

func acct(i int) string { return fmt.Sprintf("%012d", 100000000000+i) }
