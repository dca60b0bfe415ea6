package localinfra

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	_ "modernc.org/sqlite" // the SQLite driver FerretDB itself uses
)

// FerretDB 1.24 looks documents up by _id with `WHERE _ferretdb_sjson->'$._id' = ?`, but indexes
// _id as `_ferretdb_sjson->"_id"`: SQLite sees two different expressions, so every lookup by _id
// (find, update, delete) scans the whole table, and a service slows down as its collections grow.
// idIndexer adds, to every collection table, an index on exactly the expression the lookups use.
// FerretDB does not know of it and needs not: SQLite picks it, and it goes with the table when a
// collection is dropped. This is for the embedded store only; real MongoDB indexes _id itself.

// idIndexInterval is how often new collections are looked for.
const idIndexInterval = time.Second

const idIndexSuffix = "_provision_id_expr"

// indexIDs adds the missing _id expression indexes to every database file in dir.
func indexIDs(ctx context.Context, dir string) error {
	files, err := filepath.Glob(filepath.Join(dir, "*.sqlite"))
	if err != nil {
		return err
	}
	for _, f := range files {
		if err := indexFile(ctx, f); err != nil {
			return fmt.Errorf("%s: %w", filepath.Base(f), err)
		}
	}
	return nil
}

func indexFile(ctx context.Context, file string) error {
	// The same pragmas as FerretDB: wait for its locks instead of failing, and WAL.
	db, err := sql.Open("sqlite", "file:"+file+"?_pragma=busy_timeout(10000)&_pragma=journal_mode(wal)")
	if err != nil {
		return err
	}
	defer db.Close()
	rows, err := db.QueryContext(ctx, `SELECT t.table_name FROM "_ferretdb_collections" t
		WHERE NOT EXISTS (SELECT 1 FROM sqlite_master i WHERE i.type = 'index' AND i.name = t.table_name || ?)`, idIndexSuffix)
	if err != nil {
		if strings.Contains(err.Error(), "no such table") {
			return nil // a database FerretDB has not initialised yet
		}
		return err
	}
	var tables []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			rows.Close()
			return err
		}
		tables = append(tables, t)
	}
	rows.Close()
	for _, t := range tables {
		q := fmt.Sprintf(`CREATE INDEX IF NOT EXISTS %q ON %q (_ferretdb_sjson->'$._id')`, t+idIndexSuffix, t)
		if _, err := db.ExecContext(ctx, q); err != nil && !strings.Contains(err.Error(), "no such table") {
			return err
		}
	}
	return nil
}

// keepIDsIndexed runs indexIDs now and then every idIndexInterval until ctx ends. Failures are
// reported once each to report; they cost speed, not correctness.
func keepIDsIndexed(ctx context.Context, dir string, report func(error)) {
	t := time.NewTicker(idIndexInterval)
	defer t.Stop()
	var last string
	for {
		if err := indexIDs(ctx, dir); err != nil && ctx.Err() == nil && err.Error() != last {
			last = err.Error()
			report(err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
