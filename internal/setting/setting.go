// Package setting owns small site-wide key/value settings kept in the
// database, such as whether the demo content was ever seeded.
package setting

import (
	"context"
	"errors"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"inspraak/internal/store"
)

// Setting is one row of the settings table.
type Setting struct {
	Key       string `gorm:"primaryKey"`
	Value     string `gorm:"not null"`
	UpdatedAt time.Time
}

// TableName fixes the table name.
func (Setting) TableName() string { return "settings" }

// Models lists the row structs this package owns, for the schema test.
func Models() []any { return []any{&Setting{}} }

// Service reads and writes settings.
type Service struct{ db *store.DB }

// NewService returns a settings service.
func NewService(db *store.DB) *Service { return &Service{db: db} }

// Get returns the value of key and whether it is set.
func (s *Service) Get(ctx context.Context, key string) (string, bool, error) {
	var row Setting
	err := s.db.WithContext(ctx).Where("key = ?", key).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	return row.Value, true, nil
}

// Set stores value under key, replacing any earlier value.
func (s *Service) Set(ctx context.Context, key, value string) error {
	return SetTx(s.db.WithContext(ctx), key, value)
}

// SetTx is Set inside a caller's transaction.
func SetTx(tx *gorm.DB, key, value string) error {
	return tx.Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "key"}},
		DoUpdates: clause.AssignmentColumns([]string{"value", "updated_at"}),
	}).Create(&Setting{Key: key, Value: value, UpdatedAt: time.Now().UTC()}).Error
}
