// Package migrations embeds the SQL schema migrations, one folder per
// dialect. Files are named NNNN_name.sql and applied in order, each in its
// own transaction; postgres/ and sqlite/ must describe the same schema.
package migrations

import "embed"

// FS holds postgres/*.sql and sqlite/*.sql.
//
//go:embed postgres/*.sql sqlite/*.sql
var FS embed.FS
