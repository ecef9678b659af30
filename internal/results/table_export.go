package results

import (
	"context"
	"encoding/json"
	"io"
	"slices"

	"inspraak/internal/identity"
)

// A table export is a small table of aggregate figures (one row per plan of
// a budget, say) written in the formats the response export writes, by
// the same writers: CSV (with "," or ";"), XLSX and JSON. Instruments
// whose results are counts rather than responses export through it.

// Column is a column of a table export: Header as people read it (CSV,
// XLSX), Key for JSON.
type Column struct{ Header, Key string }

// Cell is one cell of a table export.
type Cell = cell

// Text is a text cell (written with the formula guard in CSV).
func Text(s string) Cell { return textCell(s) }

// Number is a number cell.
func Number(f float64) Cell { return numberCell(f) }

// Sheet is an extra sheet of the XLSX form of a table export; its first
// row is the header. The other formats leave it out: what it holds must
// also be in the table or in Meta.
type Sheet struct {
	Name string
	Rows [][]Cell
}

// Table is a table export.
type Table struct {
	// Name names the XLSX sheet, RowsKey the JSON array of rows.
	Name, RowsKey string
	Columns       []Column
	Rows          [][]Cell
	Extra         []Sheet
	// Meta is written in JSON beside the columns and rows.
	Meta map[string]any
}

// WriteTable writes t in the format opt asks for.
func WriteTable(w io.Writer, opt ExportOptions, t Table) error {
	cols := make([]column, len(t.Columns))
	for i, c := range t.Columns {
		cols[i] = column{header: c.Header, key: c.Key}
	}
	var rw rowWriter
	switch opt.Format {
	case CSV:
		rw = newCSVWriter(w, opt.Semicolon)
	case JSON:
		j := newJSONWriter(w)
		j.rowsKey, j.meta = t.RowsKey, t.Meta
		rw = j
	case XLSX:
		extra := make([]xlsxSheet, len(t.Extra))
		for i, s := range t.Extra {
			extra[i] = xlsxSheet{name: s.Name, rows: s.Rows}
		}
		x, err := newXLSXWriter(w, t.Name, extra...)
		if err != nil {
			return err
		}
		rw = xlsxRows{x}
	default:
		return ErrFormat
	}
	if err := rw.header(cols); err != nil {
		return err
	}
	for _, r := range t.Rows {
		if err := rw.row(r); err != nil {
			return err
		}
	}
	return rw.close()
}

// ExportTableFor is WriteTable for a person, as ExportFor: only analysts
// may, and the export of instrument instrumentID is on record (with
// detail) before its first byte is written; when the record cannot be
// written, nothing is.
func (s *Service) ExportTableFor(ctx context.Context, a identity.Actor, instrumentID int64, w io.Writer, opt ExportOptions, t Table, detail map[string]any) error {
	if err := s.MayExport(ctx, a, instrumentID, opt.Format, detail); err != nil {
		return err
	}
	return WriteTable(w, opt, t)
}

// MayExport checks that a may export instrument instrumentID's results in
// format (one of Formats, "pdf", or "pb": a budget's pabulib file, written
// by package budget) and puts the export on record. Call it before the
// first byte; nothing may be sent when it fails.
func (s *Service) MayExport(ctx context.Context, a identity.Actor, instrumentID int64, format string, detail map[string]any) error {
	if err := a.Require(identity.PermAnalyse); err != nil {
		return err
	}
	if !slices.Contains(Formats, format) && format != "pdf" && format != "pb" {
		return ErrFormat
	}
	return s.recordExport(ctx, a, instrumentID, detail)
}

// metaJSON writes the Meta fields of a JSON table export, each followed
// by a comma.
func metaJSON(w io.StringWriter, meta map[string]any) error {
	keys := make([]string, 0, len(meta))
	for k := range meta {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		kb, _ := json.Marshal(k)
		vb, err := json.Marshal(meta[k])
		if err != nil {
			return err
		}
		if _, err := w.WriteString(string(kb) + ":" + string(vb) + ","); err != nil {
			return err
		}
	}
	return nil
}
