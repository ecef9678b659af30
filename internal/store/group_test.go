package store_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"inspraak/internal/store"
)

// Every item gets its own answer, whatever group it lands in, and a
// group's error reaches every item of that group.
func TestGroupsAnswerEachItemAndShareAGroupsError(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	largest := 0
	g := store.NewGroups(2, 8, func(_ int, group []int) ([]int, error) {
		mu.Lock()
		largest = max(largest, len(group))
		mu.Unlock()
		out := make([]int, len(group))
		for i, n := range group {
			if n < 0 {
				return nil, errors.New("refused group")
			}
			out[i] = n * 10
		}
		return out, nil
	})
	var wg sync.WaitGroup
	for n := range 200 {
		wg.Go(func() {
			got, err := g.Submit(context.Background(), n)
			if err != nil || got != n*10 {
				t.Errorf("item %d: %d, %v", n, got, err)
			}
		})
	}
	wg.Wait()
	if largest > 8 {
		t.Errorf("a group of %d, bound is 8", largest)
	}
	if _, err := g.Submit(context.Background(), -1); err == nil {
		t.Error("the group's error did not reach its item")
	}
}

// A caller that has gone stops waiting; it gets its context's error.
func TestGroupsSubmitStopsWithItsContext(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	g := store.NewGroups(1, 1, func(_ int, group []int) ([]int, error) {
		<-release
		return make([]int, len(group)), nil
	})
	defer close(release)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := g.Submit(ctx, 1); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled submit: %v", err)
	}
}
