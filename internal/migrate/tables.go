package migrate

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"
)

// Tables returns the tables the copier copies, in the order it copies
// them (the schema has no foreign keys, so any order would do).
func Tables() []string {
	return []string{
		"installation", "meta", "token_keys",
		"accounts", "account_public_access_blocks", "entities", "group_members", "policy_versions",
		"inline_policies", "attachments", "access_keys", "mfa_devices", "saml_providers", "oidc_providers",
		"buckets", "objects", "object_versions", "blob_refs", "uploads", "parts",
		"lifecycle_cursors", "freed_blobs",
	}
}

// Skipped returns the tables of the source the copier leaves behind on
// purpose, with the reason.
func Skipped() map[string]string {
	return map[string]string{
		"schema_migrations": "each database records its own migrations; the schema levels are compared instead",
		"blob_holds":        "holds belong to the source's backups in progress (a backup's snapshot drops them too)",
		"leases":            "background-work leases of the source's node, which is stopped; the cluster's nodes take them afresh",
	}
}

// TargetOnly returns the tables only the PostgreSQL target has, which the
// copier neither fills nor checks for emptiness, with the reason.
func TargetOnly() map[string]string {
	return map[string]string{
		"key_locks": "PostgreSQL's lock slots of object keys (sqlstore.KeySlot): a counter per slot, no data; SQLite, one writer at a time, has none",
	}
}

// seeded is the table the target's schema fills when it is created (the
// IAM generation row): it may hold rows in an empty target, and the
// source's rows replace them.
const seeded = "meta"

// maxParams bounds the parameters of one INSERT statement.
const maxParams = 8192

// sourceTables lists the source's tables and checks each is known.
func sourceTables(ctx context.Context, tx *sql.Tx) error {
	rows, err := tx.QueryContext(ctx, `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\' ORDER BY name`)
	if err != nil {
		return err
	}
	defer rows.Close()
	var unknown []string
	present := map[string]bool{}
	known, skipped := Tables(), Skipped()
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return err
		}
		present[name] = true
		if _, skip := skipped[name]; !skip && !slices.Contains(known, name) {
			unknown = append(unknown, name)
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if len(unknown) > 0 {
		return fmt.Errorf("%w: the source has table(s) %s that this copier neither copies nor skips; this binary cannot migrate it",
			ErrUnknownTable, strings.Join(unknown, ", "))
	}
	for _, t := range known {
		if !present[t] {
			return fmt.Errorf("%w: the source has no table %s", ErrSourceSchema, t)
		}
	}
	return nil
}

// column is a column of a target table with its PostgreSQL type.
type column struct {
	name, typ string
}

// columns returns the columns of table on both sides, checking that they
// are the same; the source's order is kept.
func columns(ctx context.Context, src, dst *sql.Tx, table string) ([]column, error) {
	rows, err := src.QueryContext(ctx, `SELECT name FROM pragma_table_info(?) ORDER BY cid`, table)
	if err != nil {
		return nil, err
	}
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return nil, err
		}
		names = append(names, n)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = dst.QueryContext(ctx, `SELECT column_name, data_type FROM information_schema.columns
		WHERE table_schema = current_schema() AND table_name = $1`, table)
	if err != nil {
		return nil, err
	}
	types := map[string]string{}
	for rows.Next() {
		var n, t string
		if err := rows.Scan(&n, &t); err != nil {
			rows.Close()
			return nil, err
		}
		types[n] = t
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	cols := make([]column, 0, len(names))
	for _, n := range names {
		t, ok := types[n]
		if !ok {
			return nil, fmt.Errorf("%w: table %s: column %s is in the source, not in the target", ErrSchemaMismatch, table, n)
		}
		cols = append(cols, column{n, t})
		delete(types, n)
	}
	if len(cols) == 0 {
		return nil, fmt.Errorf("%w: table %s has no columns in the source", ErrSchemaMismatch, table)
	}
	if len(types) > 0 {
		extra := make([]string, 0, len(types))
		for n := range types {
			extra = append(extra, n)
		}
		sort.Strings(extra)
		return nil, fmt.Errorf("%w: table %s: column(s) %s are in the target, not in the source", ErrSchemaMismatch, table, strings.Join(extra, ", "))
	}
	return cols, nil
}

// checkEmpty fails when a table of the target holds rows (the seeded one
// aside).
func checkEmpty(ctx context.Context, dst *sql.Tx) error {
	var full []string
	for _, t := range append(Tables(), "blob_holds", "leases") {
		if t == seeded {
			continue
		}
		n, err := count(ctx, dst, t)
		if err != nil {
			return fmt.Errorf("migrate: count target table %s: %w", t, err)
		}
		if n > 0 {
			full = append(full, fmt.Sprintf("%s (%d rows)", t, n))
		}
	}
	if len(full) > 0 {
		return fmt.Errorf("%w: %s; migrate into a new, empty database (a node that started on it creates an installation and an account)",
			ErrTargetNotEmpty, strings.Join(full, ", "))
	}
	return nil
}

// quote quotes an identifier (the table and column names come from the
// schemas, but a name such as "key" is a keyword in some contexts).
func quote(name string) string { return `"` + strings.ReplaceAll(name, `"`, `""`) + `"` }

// copyTable copies every row of table from src to dst in batched INSERTs
// and returns how many it wrote.
func copyTable(ctx context.Context, src, dst *sql.Tx, table string, cols []column) (int64, error) {
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = quote(c.name)
	}
	list := strings.Join(names, ", ")
	rows, err := src.QueryContext(ctx, `SELECT `+list+` FROM `+quote(table))
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	per := max(1, maxParams/len(cols))
	batch := make([]any, 0, per*len(cols))
	var n int64
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		if _, err := dst.ExecContext(ctx, insertSQL(table, list, len(cols), len(batch)/len(cols)), batch...); err != nil {
			return fmt.Errorf("migrate: insert into %s: %w", table, err)
		}
		n += int64(len(batch) / len(cols))
		batch = batch[:0]
		return nil
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return n, err
		}
		for i, c := range cols {
			v, err := convert(vals[i], c.typ)
			if err != nil {
				return n, fmt.Errorf("%w: table %s, column %s: %v", ErrSchemaMismatch, table, c.name, err)
			}
			batch = append(batch, v)
		}
		if len(batch) >= per*len(cols) {
			if err := flush(); err != nil {
				return n, err
			}
		}
	}
	if err := rows.Err(); err != nil {
		return n, err
	}
	return n, flush()
}

// insertSQL is an INSERT of rows rows of width values each.
func insertSQL(table, list string, width, rows int) string {
	var b strings.Builder
	b.WriteString(`INSERT INTO ` + quote(table) + ` (` + list + `) VALUES `)
	p := 1
	for r := 0; r < rows; r++ {
		if r > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('(')
		for c := 0; c < width; c++ {
			if c > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, "$%d", p)
			p++
		}
		b.WriteByte(')')
	}
	return b.String()
}

// convert turns a value read from SQLite into the one the PostgreSQL
// column of type typ stores, keeping it exactly: text stays text (bytes
// must be UTF-8), integers stay integers, blobs stay bytes. NULL stays
// NULL (the target's constraints judge it).
func convert(v any, typ string) (any, error) {
	if v == nil {
		return nil, nil
	}
	switch typ {
	case "text":
		switch x := v.(type) {
		case string:
			return x, nil
		case []byte:
			if !utf8.Valid(x) {
				return nil, fmt.Errorf("bytes that are not UTF-8 text")
			}
			return string(x), nil
		}
	case "bigint":
		if x, ok := v.(int64); ok {
			return x, nil
		}
	case "bytea":
		switch x := v.(type) {
		case []byte:
			return x, nil // Scan into *any copied it
		case string:
			return []byte(x), nil
		}
	default:
		return nil, fmt.Errorf("target type %s is not one the copier knows", typ)
	}
	return nil, fmt.Errorf("a %T value for a %s column", v, typ)
}

// count counts the rows of table.
func count(ctx context.Context, tx *sql.Tx, table string) (int64, error) {
	var n int64
	err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+quote(table)).Scan(&n)
	return n, err
}
