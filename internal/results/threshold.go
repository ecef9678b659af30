package results

import (
	"context"
	"strconv"

	"gorm.io/gorm"

	"inspraak/internal/apperror"
	"inspraak/internal/identity"
	"inspraak/internal/setting"
)

// keyThreshold is the settings key of the smallest count shown.
const keyThreshold = "results.min_cell"

// MaxThreshold is the highest threshold the settings screen accepts: far
// above any sensible choice, low enough that results still say something.
const MaxThreshold = 50

// Threshold is the smallest count breakdowns, representativeness and
// public results show (smaller counts read "<k"): MinCell unless an
// administrator raised it. A stored value below MinCell (written by hand
// in the database) is never used.
func (s *Service) Threshold(ctx context.Context) (int, error) {
	v, ok, err := setting.NewService(s.db).Get(ctx, keyThreshold)
	if err != nil || !ok {
		return MinCell, err
	}
	k, err := strconv.Atoi(v)
	if err != nil {
		return MinCell, nil
	}
	return min(max(k, MinCell), MaxThreshold), nil
}

// SetThreshold raises (or lowers back) the threshold, within MinCell and
// MaxThreshold: it can never go below the default. Only who may change
// site settings may; the audit record is written in the same transaction.
func (s *Service) SetThreshold(ctx context.Context, a identity.Actor, k int) error {
	if err := a.Require(identity.PermSettings); err != nil {
		return err
	}
	if k < MinCell || k > MaxThreshold {
		return apperror.Invalid.WithFields(map[string]string{"drempel": "results.settings.error.threshold"})
	}
	return s.db.WithTx(ctx, func(tx *gorm.DB) error {
		if err := setting.SetTx(tx, keyThreshold, strconv.Itoa(k)); err != nil {
			return err
		}
		return a.Record(tx, "results.threshold", "settings", map[string]any{"threshold": k})
	})
}
