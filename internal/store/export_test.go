package store_test

import (
	"io/fs"

	"inspraak/migrations"
)

func migrationsFS() fs.FS { return migrations.FS }
