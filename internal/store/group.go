package store

import (
	"context"
	"strings"
	"sync"
)

// Groups is group commit for one kind of write: a request hands its item
// to one of a few writers, which store everything that arrived while they
// were busy as one group (one statement, one commit). Under load a commit
// then carries many items; when it is quiet a group holds one and costs
// what a lone statement did. First ballots (poll) and first supports
// (idea) go this way on PostgreSQL.
type Groups[R, A any] struct {
	writers, max int
	// write stores one group and answers every item in it, in order; an
	// error answers them all. writer numbers the writer (0..writers-1),
	// for writes that keep a shard per writer.
	write func(writer int, group []R) ([]A, error)
	queue chan groupCall[R, A]
	once  sync.Once
}

type groupCall[R, A any] struct {
	item R
	done chan groupResult[A]
}

type groupResult[A any] struct {
	answer A
	err    error
}

// NewGroups makes writers writers of groups of at most max items; they
// start with the first Submit and run for the life of the process.
func NewGroups[R, A any](writers, max int, write func(writer int, group []R) ([]A, error)) *Groups[R, A] {
	return &Groups[R, A]{writers: writers, max: max, write: write}
}

// Submit queues item and waits for its group to be written. A cancelled
// ctx stops the wait, not the write: the group may still store the item,
// and a new attempt then finds it.
func (g *Groups[R, A]) Submit(ctx context.Context, item R) (A, error) {
	g.once.Do(func() {
		g.queue = make(chan groupCall[R, A], 4*g.max)
		for w := range g.writers {
			go g.run(w)
		}
	})
	var zero A
	c := groupCall[R, A]{item: item, done: make(chan groupResult[A], 1)}
	select {
	case g.queue <- c:
	case <-ctx.Done():
		return zero, ctx.Err()
	}
	select {
	case res := <-c.done:
		return res.answer, res.err
	case <-ctx.Done():
		return zero, ctx.Err()
	}
}

// run takes what is queued and stores it as one group, for ever.
func (g *Groups[R, A]) run(writer int) {
	calls := make([]groupCall[R, A], 0, g.max)
	items := make([]R, 0, g.max)
	for c := range g.queue {
		calls = append(calls[:0], c)
	more:
		for len(calls) < g.max {
			select {
			case c := <-g.queue:
				calls = append(calls, c)
			default:
				break more
			}
		}
		items = items[:0]
		for _, c := range calls {
			items = append(items, c.item)
		}
		answers, err := g.write(writer, items)
		for i, c := range calls {
			var res groupResult[A]
			if err != nil {
				res.err = err
			} else if i < len(answers) {
				res.answer = answers[i]
			}
			c.done <- res
		}
	}
}

// PGArray writes a PostgreSQL array literal with every element quoted,
// for passing a group's columns as one parameter each (unnest).
func PGArray(elems []string) string {
	var sb strings.Builder
	sb.WriteByte('{')
	for i, e := range elems {
		if i > 0 {
			sb.WriteByte(',')
		}
		sb.WriteByte('"')
		for _, r := range e {
			if r == '"' || r == '\\' {
				sb.WriteByte('\\')
			}
			sb.WriteRune(r)
		}
		sb.WriteByte('"')
	}
	sb.WriteByte('}')
	return sb.String()
}
