package idea

// GroupedSupports is how many supports this service stored through its
// group writers (support_batch.go).
func GroupedSupports(s *Service) int64 { return s.supportBatch.grouped.Load() }
