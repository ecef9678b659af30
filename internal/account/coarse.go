package account

import (
	"database/sql"
	"strings"
	"time"

	"gorm.io/gorm"

	"inspraak/internal/i18n"
)

// Day is the start of the day t falls on in Dutch time (the municipality's
// zone, in which results count per day), as UTC like every stored time.
func Day(t time.Time) time.Time {
	y, m, d := t.In(i18n.Location).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, i18n.Location).UTC()
}

// Unlink coarsens the times of the rows of table that where selects to the
// start of their day, and sets the columns in set, row by row, inside the
// caller's transaction. A row that belonged to an erased person would
// otherwise keep the moment it was made to the nanosecond, which the
// moment of a login, or of the erasure, links back to them; the day is
// what the daily figures need and no more. keys identify a row (usually
// "id"); times are the columns to coarsen (NULL stays NULL). Nothing else
// changes: no updated_at is stamped with the erasure's moment.
func Unlink(tx *gorm.DB, table string, keys, times []string, set map[string]any, where string, args ...any) error {
	rows, err := tx.Table(table).Select(strings.Join(append(append([]string{}, keys...), times...), ", ")).Where(where, args...).Rows()
	if err != nil {
		return err
	}
	type row struct {
		keys  []any
		times []sql.NullTime
	}
	var all []row
	for rows.Next() {
		r := row{keys: make([]any, len(keys)), times: make([]sql.NullTime, len(times))}
		ptrs := make([]any, 0, len(keys)+len(times))
		for i := range r.keys {
			ptrs = append(ptrs, &r.keys[i])
		}
		for i := range r.times {
			ptrs = append(ptrs, &r.times[i])
		}
		if err := rows.Scan(ptrs...); err != nil {
			rows.Close()
			return err
		}
		all = append(all, r)
	}
	err = rows.Err()
	rows.Close()
	if err != nil {
		return err
	}
	for _, r := range all {
		cols := map[string]any{}
		for k, v := range set {
			cols[k] = v
		}
		for i, c := range times {
			if r.times[i].Valid {
				cols[c] = Day(r.times[i].Time)
			}
		}
		if len(cols) == 0 {
			continue
		}
		q := tx.Table(table)
		for i, k := range keys {
			v := r.keys[i]
			if b, ok := v.([]byte); ok {
				v = string(b)
			}
			q = q.Where(k+" = ?", v)
		}
		if err := q.UpdateColumns(cols).Error; err != nil {
			return err
		}
	}
	return nil
}
