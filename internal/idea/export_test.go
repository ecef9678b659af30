package idea

import "time"

// GroupedSupports is how many supports this service stored through its
// group writers (support_batch.go).
func GroupedSupports(s *Service) int64 { return s.grouped.Load() }

// SetListClock replaces the kept lists' clock (tests of the
// most-supported order's age).
func SetListClock(s *Service, now func() time.Time) { s.lists.clock = now }

// SetListBudget caps the kept lists at n ids.
func SetListBudget(s *Service, n int) { s.lists.budget = n }

// ListsHeld says how many lists and ids are kept.
func ListsHeld(s *Service) (lists, ids int) { return s.lists.held() }
