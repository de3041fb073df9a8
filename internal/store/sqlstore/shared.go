package sqlstore

import (
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
)

// Migration is one numbered migration file (N_name.sql).
type Migration struct {
	Version int
	Name    string
}

// Migrations lists the migration files in dir of fsys, in version order.
func Migrations(fsys fs.FS, dir string) ([]Migration, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, err
	}
	var out []Migration
	for _, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("sqlstore: bad migration file name %q", e.Name())
		}
		out = append(out, Migration{v, e.Name()})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	return out, nil
}

// Generation is a store's in-memory copy of the IAM generation counter: it
// only rises, and always holds a value the database counter had.
type Generation struct{ v atomic.Int64 }

// Load returns the generation.
func (g *Generation) Load() int64 { return g.v.Load() }

// Raise moves the generation up to n (never down).
func (g *Generation) Raise(n int64) {
	for {
		cur := g.v.Load()
		if n <= cur || g.v.CompareAndSwap(cur, n) {
			return
		}
	}
}
